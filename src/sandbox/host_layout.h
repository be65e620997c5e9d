// HostLayout: the parts of the host file system a sandbox sees, detected once.
//
// The sandbox's root is an empty tmpfs. Into it go /usr (read-only), the top-level
// /bin, /sbin, /lib* entries in whichever form the host has them (symlinks into /usr on a
// merged-/usr system such as Debian 12, read-only binds otherwise), and a short list of
// /etc entries the interpreters and libc need. Nothing else of the host is visible.
#ifndef NEXUS_SANDBOX_HOST_LAYOUT_H_
#define NEXUS_SANDBOX_HOST_LAYOUT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/language.h"
#include "util/status.h"

namespace nexus::sandbox {

struct Interpreter {
  std::string path;  // absolute; the same path inside the sandbox and on the host
  // A host directory bound read-only at the same path, for an interpreter installed outside
  // /usr (e.g. /opt/node); empty when the interpreter lives under /usr.
  std::string bind_dir;
};

struct HostLayout {
  std::vector<std::pair<std::string, std::string>> symlinks;  // (target, link): ("usr/bin", "/bin")
  std::vector<std::string> ro_dirs;    // top-level directories bound read-only
  std::vector<std::string> etc_paths;  // existing, world-readable /etc entries
  std::string resolv_conf;             // "/etc/resolv.conf" when present; bound with network
  std::optional<Interpreter> python;   // Debian's /usr/bin/python3, never a pyenv shim
  std::optional<Interpreter> node;
  std::optional<Interpreter> bash;
};

// Looks at the host as it is now.
HostLayout DetectHostLayout();

// The interpreter for `language`, or kValidation naming what is missing on the host.
StatusOr<Interpreter> InterpreterFor(const HostLayout& layout, Language language);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_HOST_LAYOUT_H_
