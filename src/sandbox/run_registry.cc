#include "sandbox/run_registry.h"

#include <signal.h>

#include <algorithm>
#include <optional>

#include "sandbox/process_tree.h"

namespace nexus::sandbox {

struct RunRegistry::Run {
  std::string sandbox_id;
  pid_t pid = -1;  // the reaper above bwrap (spawn.h)
  // Its own lock, taken after the registry's: the analysis cannot name the registry's mu_
  // from here, and PausedFor and WasStopped need no more than this.
  mutable Mutex mu;
  std::optional<Clock::time_point> paused_since GUARDED_BY(mu);
  Clock::duration paused_total GUARDED_BY(mu){};
  bool stopped GUARDED_BY(mu) = false;
};

StatusOr<std::shared_ptr<RunRegistry::Run>> RunRegistry::Start(
    const std::string& id, const std::function<StatusOr<pid_t>()>& spawn) {
  // The lock is held across the fork so that a Pause cannot slip in between the check and
  // the registration and miss the new run. A fork+exec takes about a millisecond.
  MutexLock lock(&mu_);
  auto it = sandboxes_.find(id);
  if (it != sandboxes_.end() && it->second.paused) {
    return Status(Code::kValidation, "sandbox is paused");
  }
  ASSIGN_OR_RETURN(const pid_t pid, spawn());
  auto run = std::make_shared<Run>();
  run->sandbox_id = id;
  run->pid = pid;
  sandboxes_[id].runs.push_back(run);
  return run;
}

void RunRegistry::Finish(const std::shared_ptr<Run>& run) {
  {
    MutexLock lock(&mu_);
    auto it = sandboxes_.find(run->sandbox_id);
    if (it != sandboxes_.end()) {
      std::erase(it->second.runs, run);
      Prune(run->sandbox_id);
    }
  }
  idle_.SignalAll();
}

RunRegistry::Clock::duration RunRegistry::PausedFor(const Run& run, bool* paused_now) const {
  MutexLock lock(&run.mu);
  *paused_now = run.paused_since.has_value();
  Clock::duration total = run.paused_total;
  if (run.paused_since) total += Clock::now() - *run.paused_since;
  return total;
}

bool RunRegistry::WasStopped(const Run& run) const {
  MutexLock lock(&run.mu);
  return run.stopped;
}

// Everything below the reaper: bwrap, the namespace's init (whose death takes the rest of
// the namespace along) and the code. The reaper then collects them and exits.
void RunRegistry::Kill(const Run& run) const { SignalTree(run.pid, SIGKILL); }

void RunRegistry::Pause(const std::string& id) {
  MutexLock lock(&mu_);
  Sandbox& sandbox = sandboxes_[id];
  sandbox.paused = true;
  for (const std::shared_ptr<Run>& run : sandbox.runs) {
    MutexLock run_lock(&run->mu);
    if (run->paused_since) continue;
    SignalTree(run->pid, SIGSTOP);
    run->paused_since = Clock::now();
  }
}

void RunRegistry::EndPause(const std::string& id, const std::function<void(Run&)>& each_run) {
  MutexLock lock(&mu_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return;
  it->second.paused = false;
  for (const std::shared_ptr<Run>& run : it->second.runs) {
    MutexLock run_lock(&run->mu);
    each_run(*run);
  }
  Prune(id);
}

void RunRegistry::Resume(const std::string& id) {
  EndPause(id, [](Run& run) REQUIRES(run.mu) {
    if (!run.paused_since) return;
    SignalTree(run.pid, SIGCONT);
    run.paused_total += Clock::now() - *run.paused_since;
    run.paused_since.reset();
  });
}

void RunRegistry::Stop(const std::string& id) {
  EndPause(id, [this](Run& run) REQUIRES(run.mu) {
    run.stopped = true;
    Kill(run);  // SIGKILL also ends stopped processes
  });
}

bool RunRegistry::IsPaused(const std::string& id) const {
  MutexLock lock(&mu_);
  auto it = sandboxes_.find(id);
  return it != sandboxes_.end() && it->second.paused;
}

bool RunRegistry::WaitIdle(const std::string& id, Clock::duration timeout) {
  MutexLock lock(&mu_);
  return idle_.WaitFor(&mu_, timeout, [&]() REQUIRES(mu_) {
    auto it = sandboxes_.find(id);
    return it == sandboxes_.end() || it->second.runs.empty();
  });
}

void RunRegistry::Prune(const std::string& id) {
  auto it = sandboxes_.find(id);
  if (it != sandboxes_.end() && !it->second.paused && it->second.runs.empty()) {
    sandboxes_.erase(it);
  }
}

}  // namespace nexus::sandbox
