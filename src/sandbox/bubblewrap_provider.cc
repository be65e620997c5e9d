#include "sandbox/bubblewrap_provider.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <system_error>

#include "sandbox/bwrap_command.h"
#include "sandbox/host_layout.h"
#include "sandbox/mount_stage.h"
#include "sandbox/output_capture.h"
#include "sandbox/run_outcome.h"
#include "sandbox/run_registry.h"
#include "sandbox/spawn.h"
#include "util/file.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// After bwrap exits, the sandbox's processes are already dead (its pid namespace went with
// it), so the pipes close at once; this only bounds a surprise.
constexpr milliseconds kDrainGrace(2000);
// After a kill, how long to wait for the exit before giving up on the output.
constexpr milliseconds kKillGrace(10000);
constexpr milliseconds kPausedPoll(100);
constexpr auto kDestroyWait = std::chrono::seconds(10);
// bwrap's own processes under the sandbox uid: the outer bwrap and the namespace's init.
constexpr int64_t kBwrapProcesses = 2;
constexpr char kProbeId[] = "nexus-sandbox-probe";

// The run's descriptors that bwrap copies into the sandbox, numbered as bwrap sees them
// (Spawn makes pass_fds 3, 4, 5).
struct RunFiles {
  UniqueFd code, passwd, group;
  std::vector<UniqueFd> bind_sources;  // O_PATH, for SpawnOptions::private_binds
};

// Waits without reaping, unregisters, then reaps: Pause and Stop never see a reaped pid.
void ReapRun(RunRegistry& registry, const std::shared_ptr<RunRegistry::Run>& run, pid_t pid,
             int* status, struct rusage* usage) {
  siginfo_t info;
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  registry.Finish(run);
  while (::wait4(pid, status, 0, usage) < 0 && errno == EINTR) {
  }
}

// A started program (Provider::Start): registered as a run of its sandbox, so that Stop and
// Destroy end it too, and killed and reaped with this object.
class BwrapProcess final : public SandboxProcess {
 public:
  BwrapProcess(RunRegistry& registry, std::shared_ptr<RunRegistry::Run> run, Child child)
      : registry_(registry), run_(std::move(run)), child_(std::move(child)) {}
  ~BwrapProcess() override {
    registry_.Kill(*run_);
    int status = 0;
    ReapRun(registry_, run_, child_.pid, &status, nullptr);
  }

  int stdin_fd() const override { return child_.stdin_fd.get(); }
  int stdout_fd() const override { return child_.stdout_fd.get(); }
  int stderr_fd() const override { return child_.stderr_fd.get(); }

 private:
  RunRegistry& registry_;
  const std::shared_ptr<RunRegistry::Run> run_;
  Child child_;
};

// `argv` as a bash command that replaces the shell with the program.
std::string ExecLine(const std::vector<std::string>& argv) {
  std::string line = "exec";
  for (const std::string& arg : argv) {
    line += " '";
    for (const char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += "'";
  }
  return line + "\n";
}

StatusOr<RunFiles> MakeRunFiles(const std::string& code) {
  RunFiles f;
  ASSIGN_OR_RETURN(f.code, MakeDataFd("sandbox-code", code));
  ASSIGN_OR_RETURN(f.passwd, MakeDataFd("sandbox-passwd", SandboxPasswd()));
  ASSIGN_OR_RETURN(f.group, MakeDataFd("sandbox-group", SandboxGroup()));
  return f;
}

std::vector<SpawnOptions::Limit> RlimitsFor(const Limits& l, bool limit_processes) {
  auto same = [](int resource, int64_t v) {
    return SpawnOptions::Limit{resource, static_cast<rlim_t>(v), static_cast<rlim_t>(v)};
  };
  std::vector<SpawnOptions::Limit> out = {
      same(RLIMIT_DATA, l.memory_bytes),
      // SIGXCPU at the soft limit lets the kill be named; SIGKILL a second later is final.
      {RLIMIT_CPU, static_cast<rlim_t>(l.cpu_seconds), static_cast<rlim_t>(l.cpu_seconds + 1)},
      same(RLIMIT_FSIZE, l.max_file_bytes),
      same(RLIMIT_CORE, 0),
      same(RLIMIT_NOFILE, 1024),
  };
  if (limit_processes) out.push_back(same(RLIMIT_NPROC, l.max_processes + kBwrapProcesses));
  return out;
}

int64_t MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from).count();
}

class BubblewrapProvider : public Provider {
 public:
  explicit BubblewrapProvider(std::string bwrap_path)
      : bwrap_path_(std::move(bwrap_path)),
        layout_(DetectHostLayout()),
        switch_uid_(::geteuid() == 0),
        stage_(switch_uid_ ? MountStage::Create() : NotFound("not root: no mount stage")),
        staging_(stage_.ok()) {}

  std::string name() const override { return "bubblewrap"; }
  Status Available() const override;
  Status Create(const SandboxSpec& spec) override;
  StatusOr<RunResult> Run(const SandboxSpec& spec, const RunRequest& request) override {
    return Execute(spec, request);
  }
  Status Pause(const std::string& id) override;
  Status Resume(const std::string& id) override;
  Status Stop(const std::string& id) override;
  Status Destroy(const SandboxSpec& spec) override;
  bool IsPaused(const std::string& id) const override { return registry_.IsPaused(id); }
  StatusOr<std::unique_ptr<SandboxProcess>> Start(const SandboxSpec& spec,
                                                  const StartRequest& request) override;

 private:
  // Const so that Available() can probe with a real run; the state it touches is the
  // registry's, which is thread-safe.
  StatusOr<RunResult> Execute(const SandboxSpec& spec, const RunRequest& request) const;
  RunResult Supervise(const std::shared_ptr<RunRegistry::Run>& run, const Child& child,
                      const SandboxSpec& spec, int64_t timeout_ms, Clock::time_point start) const;
  bool AwaitExit(const RunRegistry::Run& run, const Child& child, Clock::time_point deadline,
                 OutputCapture* capture) const;
  Status CheckHostPaths(const SandboxSpec& spec) const;
  StatusOr<SandboxSpec> StageHostPaths(const SandboxSpec& spec, RunFiles* files,
                                       std::vector<std::pair<std::string, std::string>>* read_only,
                                       SpawnOptions* options) const;
  StatusOr<SpawnOptions> MakeSpawnOptions(const SandboxSpec& spec, const RunRequest& request,
                                          RunFiles* files,
                                          std::vector<std::string> read_only_dirs = {}) const;
  Status Probe() const;
  Status ProbeOnce() const;
  uid_t UidFor(const std::string& id) const {
    return switch_uid_ ? SandboxHostUid(id) : ::geteuid();
  }
  gid_t GidFor(const std::string& id) const {
    return switch_uid_ ? static_cast<gid_t>(SandboxHostUid(id)) : ::getegid();
  }

  const std::string bwrap_path_;
  const HostLayout layout_;
  const bool switch_uid_;  // root: run each sandbox as its own uid
  // With switch_uid_: where each run's host paths are bound for the sandbox uid to reach.
  const StatusOr<std::unique_ptr<MountStage>> stage_;
  // Whether runs bind their host paths through the stage. Turned off, once, by a probe that
  // may not make mounts (no CAP_SYS_ADMIN, a seccomp filter): bwrap then resolves the paths
  // as the sandbox uid, which needs them reachable (CheckReachable names what is not).
  mutable std::atomic<bool> staging_;
  mutable RunRegistry registry_;
  mutable Mutex available_mu_;
  mutable std::optional<Status> available_ GUARDED_BY(available_mu_);
};

Status BubblewrapProvider::Available() const {
  MutexLock lock(&available_mu_);
  if (!available_) available_ = Probe();
  return *available_;
}

Status BubblewrapProvider::Probe() const {
  if (::access(bwrap_path_.c_str(), X_OK) != 0) {
    return NotFound("bubblewrap is not installed: no executable " + bwrap_path_);
  }
  const Status staged = ProbeOnce();
  if (staged.code() != Code::kPermissionDenied || !staging_.load()) return staged;
  std::cerr
      << "nexus: sandboxes cannot use a private mount namespace (" << staged.message()
      << "); sandbox homes must be reachable by the sandbox uids (o+x on every directory above)\n";
  staging_.store(false);
  return ProbeOnce();
}

Status BubblewrapProvider::ProbeOnce() const {
  SandboxSpec spec;
  spec.id = kProbeId;
  RunRequest request;
  request.language = "bash";
  request.code = "exit 0";
  StatusOr<RunResult> result = Execute(spec, request);
  if (result.status().code() == Code::kPermissionDenied) return result.status();
  if (!result.ok()) return Internal("bubblewrap probe failed: " + result.status().message());
  if (result->exit_code != 0) {
    return Internal("bubblewrap probe exited with " + std::to_string(result->exit_code) + ": " +
                    result->stderr_text);
  }
  return Status::OK();
}

Status BubblewrapProvider::Create(const SandboxSpec& spec) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  if (!spec.home_dir.empty()) {
    RETURN_IF_ERROR(CreateDirectories(spec.home_dir));
    if (switch_uid_ && ::chown(spec.home_dir.c_str(), UidFor(spec.id), GidFor(spec.id)) != 0) {
      return ErrnoStatus(errno, "chown " + spec.home_dir);
    }
    // Private to the sandbox (and root): other host users have no business in it.
    if (::chmod(spec.home_dir.c_str(), 0700) != 0) {
      return ErrnoStatus(errno, "chmod " + spec.home_dir);
    }
  }
  return CheckHostPaths(spec);
}

// The checks bwrap would otherwise fail with a terse message. Through the stage, the host
// paths are opened by the server itself, so they need only exist.
Status BubblewrapProvider::CheckHostPaths(const SandboxSpec& spec) const {
  const bool staging = staging_.load();
  auto check = [&](const std::string& path) {
    if (!staging) {
      const Status s = CheckReachable(path, UidFor(spec.id), GidFor(spec.id));
      if (s.code() != Code::kPermissionDenied) return s;
      // Only the fallback (or a server that is not root) gets here: say what would mend it.
      return PermissionDenied(s.message() +
                              "; give the server CAP_SYS_ADMIN (sandboxes then reach their"
                              " homes whatever the modes), or make that directory o+x");
    }
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 ? Status::OK() : ErrnoStatus(errno, "lstat " + path);
  };
  if (!spec.home_dir.empty()) {
    Status s = check(spec.home_dir);
    if (s.code() == Code::kNotFound) {
      return NotFound("sandbox home " + spec.home_dir + " does not exist (Create first)");
    }
    RETURN_IF_ERROR(s);
  }
  for (const auto& [host, target] : spec.binds) RETURN_IF_ERROR(check(host));
  return Status::OK();
}

// `spec` as bwrap sees it when it runs as the sandbox uid: every host path replaced by its
// mount point on the stage, onto which the reaper binds the file opened here (O_NOFOLLOW: a
// symlink planted in place of a home is refused, not followed by root).
StatusOr<SandboxSpec> BubblewrapProvider::StageHostPaths(
    const SandboxSpec& spec, RunFiles* files,
    std::vector<std::pair<std::string, std::string>>* read_only, SpawnOptions* options) const {
  options->private_mount_namespace = true;
  SandboxSpec staged = spec;
  auto stage_path = [&](std::string* host) -> Status {
    UniqueFd source(::open(host->c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!source.valid() || ::fstat(source.get(), &st) != 0) {
      return ErrnoStatus(errno, "open " + *host);
    }
    if (S_ISLNK(st.st_mode)) return PermissionDenied("sandbox path " + *host + " is a symlink");
    ASSIGN_OR_RETURN(std::string target,
                     (*stage_)->MountPoint(files->bind_sources.size(), S_ISDIR(st.st_mode)));
    options->private_binds.push_back({source.get(), target});
    files->bind_sources.push_back(std::move(source));
    *host = std::move(target);
    return Status::OK();
  };
  if (!staged.home_dir.empty()) RETURN_IF_ERROR(stage_path(&staged.home_dir));
  for (auto& [host, target] : staged.binds) RETURN_IF_ERROR(stage_path(&host));
  for (auto& [host, target] : *read_only) RETURN_IF_ERROR(stage_path(&host));
  return staged;
}

StatusOr<SpawnOptions> BubblewrapProvider::MakeSpawnOptions(
    const SandboxSpec& spec, const RunRequest& request, RunFiles* files,
    std::vector<std::string> read_only_dirs) const {
  ASSIGN_OR_RETURN(const Language language, ParseLanguage(request.language));
  ASSIGN_OR_RETURN(Interpreter interpreter, InterpreterFor(layout_, language));
  SpawnOptions options;
  SandboxSpec bwrap_spec = spec;
  std::vector<std::pair<std::string, std::string>> read_only;  // host (or its stage) -> target
  for (std::string& dir : read_only_dirs) read_only.emplace_back(dir, std::move(dir));
  if (staging_.load()) {
    ASSIGN_OR_RETURN(bwrap_spec, StageHostPaths(spec, files, &read_only, &options));
  }
  BwrapCommand command;
  command.bwrap_path = bwrap_path_;
  command.layout = &layout_;
  command.spec = &bwrap_spec;
  command.language = language;
  command.interpreter = std::move(interpreter);
  command.fds = DataFds{3, 4, 5};
  command.env = request.env;
  command.read_only_dirs = std::move(read_only);
  options.argv = BuildBwrapArgv(command);
  options.pass_fds = {files->code.get(), files->passwd.get(), files->group.get()};
  options.limits = RlimitsFor(spec.limits, switch_uid_);
  if (switch_uid_) {
    options.uid = UidFor(spec.id);
    options.gid = GidFor(spec.id);
  }
  return options;
}

StatusOr<RunResult> BubblewrapProvider::Execute(const SandboxSpec& spec,
                                                const RunRequest& request) const {
  RETURN_IF_ERROR(ValidateSpec(spec));
  RETURN_IF_ERROR(ValidateRequest(spec, request));
  RETURN_IF_ERROR(CheckHostPaths(spec));
  ASSIGN_OR_RETURN(RunFiles files, MakeRunFiles(request.code));
  ASSIGN_OR_RETURN(const SpawnOptions options, MakeSpawnOptions(spec, request, &files));

  const Clock::time_point start = Clock::now();
  Child child;
  ASSIGN_OR_RETURN(std::shared_ptr<RunRegistry::Run> run,
                   registry_.Start(spec.id, [&]() -> StatusOr<pid_t> {
                     ASSIGN_OR_RETURN(child, Spawn(options));
                     return child.pid;
                   }));
  RunResult result = Supervise(run, child, spec, EffectiveTimeoutMs(spec.limits, request), start);
  if (!result.timed_out && result.killed_by != "stop" &&
      IsSetupFailure(result.exit_code, result.stdout_text, result.stderr_text)) {
    return Internal("sandbox setup failed: " + result.stderr_text);
  }
  return result;
}

// Collects output until the run's tree has exited, killing it at the deadline (extended by
// time spent paused), then reaps it.
RunResult BubblewrapProvider::Supervise(const std::shared_ptr<RunRegistry::Run>& run,
                                        const Child& child, const SandboxSpec& spec,
                                        int64_t timeout_ms, Clock::time_point start) const {
  OutputCapture capture(child.stdout_fd.get(), child.stderr_fd.get(),
                        static_cast<size_t>(spec.limits.max_output_bytes));
  Termination t;
  t.timed_out = AwaitExit(*run, child, start + milliseconds(timeout_ms), &capture);
  struct rusage usage = {};
  ReapRun(registry_, run, child.pid, &t.wait_status, &usage);
  t.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  t.stopped = registry_.WasStopped(*run);
  t.stderr_tail = capture.err().tail;

  RunResult result;
  result.execution_time_ms = MillisBetween(start, Clock::now());
  result.stdout_text = std::move(capture.out().data);
  result.stderr_text = std::move(capture.err().data);
  result.truncated = capture.out().truncated || capture.err().truncated;
  ClassifyOutcome(t, spec.limits, &result);
  return result;
}

// Pumps output until the reaper has exited and the pipes are drained. True when the run
// was killed at its deadline.
bool BubblewrapProvider::AwaitExit(const RunRegistry::Run& run, const Child& child,
                                   Clock::time_point deadline, OutputCapture* capture) const {
  std::optional<Clock::time_point> exited_at, killed_at;
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (exited_at && (capture->eof() || now - *exited_at > kDrainGrace)) break;
    if (killed_at && !exited_at && now - *killed_at > kKillGrace) break;
    bool paused = false;
    const Clock::time_point extended = deadline + registry_.PausedFor(run, &paused);
    if (!killed_at && !paused && now >= extended) {
      registry_.Kill(run);
      killed_at = now;
    }
    int64_t wait_ms = kPausedPoll.count();  // killed, or paused: the deadline may move
    if (exited_at) {
      wait_ms = kDrainGrace.count();
    } else if (!killed_at && !paused) {
      wait_ms = std::max<int64_t>(1, MillisBetween(now, extended) + 1);
    }
    if (capture->Pump(exited_at ? -1 : child.pidfd.get(), static_cast<int>(wait_ms))) {
      exited_at = Clock::now();
    }
  }
  return killed_at.has_value();
}

StatusOr<std::unique_ptr<SandboxProcess>> BubblewrapProvider::Start(const SandboxSpec& spec,
                                                                    const StartRequest& request) {
  RETURN_IF_ERROR(ValidateStartRequest(request));
  for (const std::string& dir : request.read_only_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return NotFound("no such directory: " + dir);
    // Staged like a home when the server may make mounts; otherwise bwrap binds it as the
    // sandbox's uid, which must reach it.
    if (!staging_.load()) RETURN_IF_ERROR(CheckReachable(dir, UidFor(spec.id), GidFor(spec.id)));
  }
  RunRequest run;
  run.language = "bash";
  run.code = ExecLine(request.argv);
  run.env = request.env;
  RETURN_IF_ERROR(ValidateSpec(spec));
  RETURN_IF_ERROR(ValidateRequest(spec, run));
  RETURN_IF_ERROR(CheckHostPaths(spec));
  ASSIGN_OR_RETURN(RunFiles files, MakeRunFiles(run.code));
  ASSIGN_OR_RETURN(SpawnOptions options,
                   MakeSpawnOptions(spec, run, &files, request.read_only_dirs));
  options.stdin_pipe = true;
  Child child;
  ASSIGN_OR_RETURN(std::shared_ptr<RunRegistry::Run> handle,
                   registry_.Start(spec.id, [&]() -> StatusOr<pid_t> {
                     ASSIGN_OR_RETURN(child, Spawn(options));
                     return child.pid;
                   }));
  return std::unique_ptr<SandboxProcess>(
      new BwrapProcess(registry_, std::move(handle), std::move(child)));
}

Status BubblewrapProvider::Pause(const std::string& id) {
  if (id.empty()) return InvalidArgument("sandbox id is empty");
  registry_.Pause(id);
  return Status::OK();
}

Status BubblewrapProvider::Resume(const std::string& id) {
  if (id.empty()) return InvalidArgument("sandbox id is empty");
  registry_.Resume(id);
  return Status::OK();
}

Status BubblewrapProvider::Stop(const std::string& id) {
  if (id.empty()) return InvalidArgument("sandbox id is empty");
  registry_.Stop(id);
  return Status::OK();
}

Status BubblewrapProvider::Destroy(const SandboxSpec& spec) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  registry_.Stop(spec.id);
  // No process of the sandbox may be left to race the removal (say, by swapping a
  // directory for a symlink while we walk it).
  if (!registry_.WaitIdle(spec.id, kDestroyWait)) {
    return Internal("sandbox " + spec.id + ": runs did not end after being killed");
  }
  if (spec.home_dir.empty()) return Status::OK();
  std::error_code ec;
  std::filesystem::remove_all(spec.home_dir, ec);  // does not follow symlinks
  if (ec) return IOError("remove " + spec.home_dir + ": " + ec.message());
  return Status::OK();
}

}  // namespace

std::unique_ptr<Provider> NewBubblewrapProvider(std::string bwrap_path) {
  return std::make_unique<BubblewrapProvider>(std::move(bwrap_path));
}

}  // namespace nexus::sandbox
