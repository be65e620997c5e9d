// Signalling every process of a sandbox run, found through /proc.
//
// A run is a reaper process (our child, see spawn.h), bwrap below it, and everything below
// that. The sandboxed code runs in a session of its own (--new-session) and may start more,
// so its processes are not in one process group; but they are all descendants of the
// reaper: the sandbox has its own pid namespace, whose orphans are re-parented to the
// namespace's init, and the init itself, if orphaned, to the reaper. Walking
// /proc/<pid>/task/<tid>/children from the reaper therefore finds them all.
#ifndef NEXUS_SANDBOX_PROCESS_TREE_H_
#define NEXUS_SANDBOX_PROCESS_TREE_H_

#include <sys/types.h>

#include <vector>

namespace nexus::sandbox {

// `root` and its descendants, parents before children, as they are now.
std::vector<pid_t> ProcessTree(pid_t root);

// Sends `sig` to every descendant of `root` (not to `root`: the reaper must live to collect
// them), then walks the tree again and signals the processes
// that appeared meanwhile, until a walk finds none (bounded). With SIGSTOP this freezes a
// tree that is busy forking: a stopped process forks no more, and a fork racing with the
// signal is restarted after the process continues (the kernel does not let fork complete
// with a signal pending). Returns the number of processes signalled.
int SignalTree(pid_t root, int sig);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_PROCESS_TREE_H_
