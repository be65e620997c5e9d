#include "sandbox/bwrap_command.h"

#include <initializer_list>

namespace nexus::sandbox {
namespace {

class Argv {
 public:
  void Add(std::initializer_list<std::string> args) {
    for (const std::string& a : args) argv_.push_back(a);
  }
  std::vector<std::string> Take() { return std::move(argv_); }

 private:
  std::vector<std::string> argv_;
};

// Every namespace, each run a new one. The user namespace is explicit because
// --disable-userns (no nested user namespaces, so no second chance at kernel attack
// surface that needs them) requires it.
void AddNamespaces(const SandboxSpec& spec, Argv* a) {
  a->Add({"--unshare-all", "--unshare-user", "--disable-userns"});
  if (spec.network) a->Add({"--share-net"});
  // --die-with-parent: a crashed server leaves no sandbox behind. --new-session: no access
  // to a controlling terminal (TIOCSTI).
  a->Add({"--die-with-parent", "--new-session", "--hostname", "sandbox"});
}

void AddSystemFiles(const BwrapCommand& c, Argv* a) {
  a->Add({"--ro-bind", "/usr", "/usr"});
  for (const auto& [target, link] : c.layout->symlinks) a->Add({"--symlink", target, link});
  for (const std::string& dir : c.layout->ro_dirs) a->Add({"--ro-bind", dir, dir});
  for (const std::string& path : c.layout->etc_paths) a->Add({"--ro-bind", path, path});
  if (c.spec->network && !c.layout->resolv_conf.empty()) {
    a->Add({"--ro-bind", c.layout->resolv_conf, c.layout->resolv_conf});
  }
  a->Add({"--ro-bind-data", std::to_string(c.fds.passwd), "/etc/passwd"});
  a->Add({"--ro-bind-data", std::to_string(c.fds.group), "/etc/group"});
  if (!c.interpreter.bind_dir.empty()) {
    a->Add({"--ro-bind", c.interpreter.bind_dir, c.interpreter.bind_dir});
  }
}

// Kernel file systems and the private, size-capped scratch space. /dev is made read-only
// afterwards (its device nodes stay usable) so that it cannot serve as unbounded tmpfs.
void AddScratch(const BwrapCommand& c, Argv* a) {
  const std::string size = std::to_string(c.spec->limits.tmpfs_bytes);
  a->Add({"--proc", "/proc", "--dev", "/dev"});
  a->Add({"--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"});
  a->Add({"--size", size, "--tmpfs", "/tmp"});
}

void AddHomeAndBinds(const BwrapCommand& c, Argv* a) {
  if (c.spec->home_dir.empty()) {
    a->Add({"--size", std::to_string(c.spec->limits.tmpfs_bytes), "--tmpfs", kSandboxHome});
  } else {
    a->Add({"--bind", c.spec->home_dir, kSandboxHome});
  }
  for (const auto& [host, target] : c.spec->binds) a->Add({"--bind", host, target});
  for (const auto& [host, target] : c.read_only_dirs) a->Add({"--ro-bind", host, target});
  a->Add({"--ro-bind-data", std::to_string(c.fds.code), std::string(ScriptPath(c.language))});
  // Last: the root tmpfs itself becomes read-only, so that /, /run and /etc cannot be used
  // to store anything (they are RAM without a size limit).
  a->Add({"--remount-ro", "/"});
}

void AddEnvironment(const BwrapCommand& c, Argv* a) {
  a->Add({"--chdir", kSandboxHome, "--clearenv"});
  a->Add({"--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"});
  a->Add({"--setenv", "HOME", kSandboxHome});
  a->Add({"--setenv", "USER", "sandbox", "--setenv", "LOGNAME", "sandbox"});
  a->Add({"--setenv", "LANG", "C.UTF-8"});
  for (const auto& [name, value] : c.env) a->Add({"--setenv", name, value});
}

}  // namespace

std::vector<std::string> BuildBwrapArgv(const BwrapCommand& c) {
  Argv a;
  a.Add({c.bwrap_path});
  AddNamespaces(*c.spec, &a);
  AddSystemFiles(c, &a);
  AddScratch(c, &a);
  AddHomeAndBinds(c, &a);
  AddEnvironment(c, &a);
  const std::string id = std::to_string(kSandboxUid);
  a.Add({"--uid", id, "--gid", id, "--", c.interpreter.path, std::string(ScriptPath(c.language))});
  return a.Take();
}

std::string SandboxPasswd() {
  return "sandbox:x:1000:1000:sandbox:/home/sandbox:/bin/bash\n"
         "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
}

std::string SandboxGroup() { return "sandbox:x:1000:\nnogroup:x:65534:\n"; }

}  // namespace nexus::sandbox
