// The bubblewrap provider: sandboxes made of Linux namespaces, no daemon, no cgroups.
//
// Every Run starts one `bwrap` process:
//  * namespaces: user, pid, ipc, uts, cgroup, mount, and network unless spec.network;
//    nested user namespaces are disabled; hostname "sandbox".
//  * file system: an empty root; /usr read-only; /bin, /lib... as the host has them; a few
//    /etc entries read-only and a generated /etc/passwd and /etc/group; fresh /proc and
//    /dev; /tmp and /dev/shm private tmpfs of limits.tmpfs_bytes; the home directory
//    read-write at /home/sandbox (the working directory); spec.binds; the code read-only at
//    /run/code/main.{py,js,sh}; then the root itself is made read-only.
//  * identity: bwrap runs as the sandbox's own unprivileged host uid (host_uid.h), which the
//    user namespace shows as uid/gid 1000 "sandbox". Needs the server to run as root; when
//    it does not, bwrap runs as the server's uid and the process limit is not applied.
//  * environment: only PATH, HOME, USER, LOGNAME, LANG, then the request's env.
//  * interpreters: /usr/bin/python3, node (found once, at creation), bash.
//
// Limits, as rlimits set before exec and inherited by everything inside:
//  * memory_bytes  -> RLIMIT_DATA per process. Not RLIMIT_AS: node reserves far more
//    address space than it uses and does not even start under a 512 MiB RLIMIT_AS.
//  * cpu_seconds   -> RLIMIT_CPU per process (SIGXCPU, then SIGKILL a second later).
//  * max_processes -> RLIMIT_NPROC of the sandbox's uid, plus 2 for bwrap's own processes.
//    Threads count. The kernel ignores RLIMIT_NPROC for root, hence the per-sandbox uid;
//    concurrent runs of one sandbox share the budget.
//  * max_file_bytes -> RLIMIT_FSIZE; RLIMIT_CORE 0; RLIMIT_NOFILE 1024.
//  * wall clock: the whole process tree is killed at the deadline (RunResult.timed_out).
// The home directory has no size limit beyond max_file_bytes per file.
//
// Host paths (the home directory, spec.binds): as root, each run's reaper binds them in a
// private mount namespace onto a stage that the sandbox uid can reach (mount_stage.h), so the
// data directory and its parents may have any modes (0700 included) and are never loosened.
// Without root, bwrap runs as the server's uid, which must be able to reach them itself.
// Create and Run check that they exist (kNotFound otherwise). The home directory is chown'ed
// to the sandbox uid by Create (the top directory only; files put there by the host should be
// chown'ed to SandboxHostUid(id) to be writable inside). A bound Unix socket must be
// connectable by that uid (mode 0666, or owned by it).
#ifndef NEXUS_SANDBOX_BUBBLEWRAP_PROVIDER_H_
#define NEXUS_SANDBOX_BUBBLEWRAP_PROVIDER_H_

#include <memory>
#include <string>

#include "sandbox/host_uid.h"
#include "sandbox/provider.h"

namespace nexus::sandbox {

// Detects the host layout (interpreters, /etc) now; does not run anything until used.
std::unique_ptr<Provider> NewBubblewrapProvider(std::string bwrap_path = "/usr/bin/bwrap");

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_BUBBLEWRAP_PROVIDER_H_
