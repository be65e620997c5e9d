// RunRegistry: the in-memory state of sandboxes: which runs are in flight, which are paused.
//
// A run is registered from just after its reaper (spawn.h) is forked until just before that
// process is reaped. Reaping happens after unregistering (the run waits with WNOWAIT first),
// so a registered pid is always our unreaped child: Pause and Stop can never signal a
// recycled pid or process group.
#ifndef NEXUS_SANDBOX_RUN_REGISTRY_H_
#define NEXUS_SANDBOX_RUN_REGISTRY_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::sandbox {

class RunRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  // One in-flight run. Opaque outside the registry.
  struct Run;

  RunRegistry() = default;
  RunRegistry(const RunRegistry&) = delete;
  RunRegistry& operator=(const RunRegistry&) = delete;

  // Calls `spawn` (which forks the run's bwrap and returns its pid) and registers the run,
  // atomically with respect to Pause: kValidation "sandbox is paused" instead, without
  // calling `spawn`, when sandbox `id` is paused.
  StatusOr<std::shared_ptr<Run>> Start(const std::string& id,
                                       const std::function<StatusOr<pid_t>()>& spawn) EXCLUDES(mu_);

  // Unregisters a run whose process has exited (but is not reaped yet).
  void Finish(const std::shared_ptr<Run>& run) EXCLUDES(mu_);

  // Time `run` has spent paused so far, and whether it is paused now.
  Clock::duration PausedFor(const Run& run, bool* paused_now) const;
  bool WasStopped(const Run& run) const;

  // Kills every process of `run` (timeout). Safe to call more than once.
  void Kill(const Run& run) const;

  void Pause(const std::string& id) EXCLUDES(mu_);
  void Resume(const std::string& id) EXCLUDES(mu_);
  void Stop(const std::string& id) EXCLUDES(mu_);
  bool IsPaused(const std::string& id) const EXCLUDES(mu_);

  // Waits until sandbox `id` has no run in flight; false at `timeout`.
  bool WaitIdle(const std::string& id, Clock::duration timeout) EXCLUDES(mu_);

 private:
  struct Sandbox {
    bool paused = false;
    std::vector<std::shared_ptr<Run>> runs;
  };

  // Resume and Stop: sandbox `id` is no longer paused, `each_run` runs on each of its runs
  // under the run's lock, and the entry goes if nothing is left worth remembering.
  void EndPause(const std::string& id, const std::function<void(Run&)>& each_run) EXCLUDES(mu_);

  // Drops the entry of a sandbox that has nothing left worth remembering.
  void Prune(const std::string& id) REQUIRES(mu_);

  mutable Mutex mu_;
  CondVar idle_;  // signalled when a run finishes
  std::map<std::string, Sandbox> sandboxes_ GUARDED_BY(mu_);
};

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_RUN_REGISTRY_H_
