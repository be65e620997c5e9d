#include "sandbox/host_layout.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace nexus::sandbox {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 6> kTopLevel = {"/bin",   "/sbin",  "/lib",
                                                  "/lib32", "/lib64", "/libx32"};

// What libc (ld.so, NSS, time zones), TLS clients and the interpreters read from /etc.
// Notably absent: passwd and group (generated per sandbox), shadow, ssl/private, hostname.
constexpr std::array<const char*, 15> kEtcPaths = {
    "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",     "/etc/ld.so.conf.d",
    "/etc/localtime",    "/etc/timezone",    "/etc/nsswitch.conf",  "/etc/host.conf",
    "/etc/hosts",        "/etc/services",    "/etc/protocols",      "/etc/gai.conf",
    "/etc/mime.types",   "/etc/ssl/certs",   "/etc/ssl/openssl.cnf"};

// The sandbox user is an unprivileged uid, so an entry it cannot read would make bwrap fail
// the whole run; such entries are left out instead.
bool WorldReadable(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  const mode_t need = S_ISDIR(st.st_mode) ? (S_IROTH | S_IXOTH) : S_IROTH;
  return (st.st_mode & need) == need;
}

void DetectTopLevel(HostLayout* layout) {
  for (const char* path : kTopLevel) {
    struct stat st;
    if (::lstat(path, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      const fs::path target = fs::read_symlink(path, ec);
      if (!ec) layout->symlinks.emplace_back(target.string(), path);
    } else if (S_ISDIR(st.st_mode)) {
      layout->ro_dirs.emplace_back(path);
    }
  }
}

void DetectEtc(HostLayout* layout) {
  for (const char* path : kEtcPaths) {
    if (WorldReadable(path)) layout->etc_paths.emplace_back(path);
  }
  // Debian's python3 reads /etc/python3.N/sitecustomize.py (through a symlink in /usr).
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator("/etc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("python3") && WorldReadable(e.path().string())) {
      layout->etc_paths.push_back(e.path().string());
    }
  }
  if (WorldReadable("/etc/resolv.conf")) layout->resolv_conf = "/etc/resolv.conf";
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// An interpreter under /usr is already visible; one elsewhere (/opt/node/bin/node, an nvm
// install) needs its installation directory, two levels above the binary, bound as well.
std::optional<Interpreter> MakeInterpreter(const std::string& candidate) {
  if (!IsExecutableFile(candidate)) return std::nullopt;
  std::error_code ec;
  const fs::path real = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  if (real.string().starts_with("/usr/")) return Interpreter{candidate, ""};
  const fs::path dir = real.parent_path().parent_path();
  if (dir == "/" || dir.empty()) return std::nullopt;  // not a layout we can bind safely
  return Interpreter{real.string(), dir.string()};
}

std::optional<Interpreter> FindNode() {
  std::vector<std::string> candidates = {"/usr/bin/node", "/usr/bin/nodejs", "/usr/local/bin/node"};
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty() && dir.front() == '/') candidates.push_back(std::string(dir) + "/node");
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  for (const std::string& c : candidates) {
    if (std::optional<Interpreter> node = MakeInterpreter(c)) return node;
  }
  return std::nullopt;
}

}  // namespace

HostLayout DetectHostLayout() {
  HostLayout layout;
  DetectTopLevel(&layout);
  DetectEtc(&layout);
  // Only the distribution's python: a pyenv or virtualenv python3 earlier on PATH would
  // bring host paths (and their permissions) into the sandbox.
  if (IsExecutableFile("/usr/bin/python3")) layout.python = Interpreter{"/usr/bin/python3", ""};
  if (IsExecutableFile("/usr/bin/bash")) {
    layout.bash = Interpreter{"/usr/bin/bash", ""};
  } else if (IsExecutableFile("/bin/bash")) {
    layout.bash = Interpreter{"/bin/bash", ""};
  }
  layout.node = FindNode();
  return layout;
}

StatusOr<Interpreter> InterpreterFor(const HostLayout& layout, Language language) {
  const std::optional<Interpreter>* found = nullptr;
  const char* missing = "";
  switch (language) {
    case Language::kPython:
      found = &layout.python;
      missing = "/usr/bin/python3 is not installed on the host";
      break;
    case Language::kJavaScript:
      found = &layout.node;
      missing = "node is not installed on the host (looked in /usr/bin, /usr/local/bin, PATH)";
      break;
    case Language::kBash:
      found = &layout.bash;
      missing = "bash is not installed on the host";
      break;
  }
  if (found == nullptr || !found->has_value()) {
    return Status(Code::kValidation, "sandbox language " + std::string(LanguageName(language)) +
                                         " is not available: " + missing);
  }
  return **found;
}

}  // namespace nexus::sandbox
