// The bwrap command line of one run.
//
// Built as a plain vector of strings before any process is forked, so that it can be
// checked in a unit test and so that the child between fork and exec does nothing but
// pass it to execve.
#ifndef NEXUS_SANDBOX_BWRAP_COMMAND_H_
#define NEXUS_SANDBOX_BWRAP_COMMAND_H_

#include <string>
#include <utility>
#include <vector>

#include "sandbox/host_layout.h"
#include "sandbox/language.h"
#include "sandbox/provider.h"

namespace nexus::sandbox {

inline constexpr int kSandboxUid = 1000;  // the "sandbox" user as seen inside
inline constexpr char kSandboxHome[] = "/home/sandbox";

// Descriptor numbers, as bwrap will see them, of the data it copies into the sandbox.
struct DataFds {
  int code = -1;    // the script, at ScriptPath(language)
  int passwd = -1;  // /etc/passwd
  int group = -1;   // /etc/group
};

struct BwrapCommand {
  std::string bwrap_path;
  const HostLayout* layout = nullptr;
  const SandboxSpec* spec = nullptr;
  Language language = Language::kPython;
  Interpreter interpreter;
  DataFds fds;
  std::vector<std::pair<std::string, std::string>> env;  // request env, applied last
  // StartRequest::read_only_dirs: the host directory (or its stage) -> where it appears.
  std::vector<std::pair<std::string, std::string>> read_only_dirs;
};

// argv for execve, argv[0] being the bwrap binary.
std::vector<std::string> BuildBwrapArgv(const BwrapCommand& command);

// The generated /etc/passwd and /etc/group: the sandbox user, and nobody/nogroup (what
// unmapped host ids, such as the owner of /usr, appear as).
std::string SandboxPasswd();
std::string SandboxGroup();

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_BWRAP_COMMAND_H_
