// Spawn: fork + exec of a program with limits, an exact set of descriptors, an identity,
// and a reaper.
//
// The forked child becomes a reaper: a child subreaper (PR_SET_CHILD_SUBREAPER) that stays
// with the server's identity, forks the program, adopts every process the program's tree
// orphans, and exits only once all of them have exited, with the program's own exit status.
// Without it, bwrap, which exits as soon as the sandboxed command has, would leave its
// namespace's init to be reaped by the host's pid 1, which may be no init at all (a server
// running as pid 1 of a container), and such zombies would keep counting against the
// sandbox's RLIMIT_NPROC. With it, when the reaper has exited, nothing of the run is left.
// The reaper dies with the server (PR_SET_PDEATHSIG).
//
// Everything the child needs (argv, envp, descriptor plan) is built before fork: between
// fork and exec a child of a threaded process may only make async-signal-safe calls, and
// this child makes nothing else (raw system calls, dup2, fcntl, unshare, mount, _Fork, waitpid,
// execve).
#ifndef NEXUS_SANDBOX_SPAWN_H_
#define NEXUS_SANDBOX_SPAWN_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sandbox/unique_fd.h"
#include "util/status.h"

namespace nexus::sandbox {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the absolute path of the program
  std::vector<std::string> env;   // "NAME=value"; nothing of the parent's is inherited
  // Become descriptors 3, 4, ... in the child, in this order. Every other descriptor of the
  // parent is closed in the child, whatever its close-on-exec flag says.
  std::vector<int> pass_fds;
  struct Limit {
    int resource;  // RLIMIT_*
    rlim_t soft;
    rlim_t hard;
  };
  // Set in the reaper, inherited by the program. Lowered to the current hard limit where
  // above it (raising one needs CAP_SYS_RESOURCE).
  std::vector<Limit> limits;
  // When set, the program drops supplementary groups and switches to this uid/gid (real,
  // effective and saved) just before exec. Needs CAP_SETUID/CAP_SETGID.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // The reaper enters a mount namespace of its own (private to the run: nothing propagates
  // to the host) and, with the server's identity, makes `private_binds` there, each `source_fd`
  // (an O_PATH descriptor: exactly the file that was opened, no path is resolved again)
  // appearing at its `target` for the program. This is how a path the new uid cannot reach is
  // handed to it (mount_stage.h). Needs CAP_SYS_ADMIN and open_tree/move_mount (Linux 5.2);
  // refused with kPermissionDenied without the capability.
  bool private_mount_namespace = false;
  struct Bind {
    int source_fd;
    std::string target;
  };
  std::vector<Bind> private_binds;
  // The program's stdin is a pipe whose write end Child::stdin_fd holds, rather than
  // /dev/null: for programs that converse (an MCP server on stdio).
  bool stdin_pipe = false;
};

struct Child {
  pid_t pid = -1;      // the reaper; leader of its own session and process group
  UniqueFd stdout_fd;  // read ends of the child's stdout and stderr
  UniqueFd stderr_fd;
  UniqueFd stdin_fd;  // with SpawnOptions::stdin_pipe, the write end; else stdin is /dev/null
  UniqueFd pidfd;     // of the reaper: readable once the whole tree is gone
};

// Starts the reaper and the program and returns once the program has exec'ed. A failure before exec
// (a limit the kernel refused, exec itself failing) is reported as an error, the child already
// reaped; EAGAIN from exec after a uid switch means the uid is at its RLIMIT_NPROC.
StatusOr<Child> Spawn(const SpawnOptions& options);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_SPAWN_H_
