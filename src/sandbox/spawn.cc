#include "sandbox/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "util/file.h"

namespace nexus::sandbox {
namespace {

// Where the child failed, reported to the parent through a close-on-exec pipe: the pipe
// reaches EOF without data exactly when exec succeeded.
enum class Step : int { kSetsid, kLimit, kMount, kDescriptors, kFork, kIdentity, kExec };

struct ChildError {
  int step;
  int err;
};

// Everything the child reads, prepared before fork so that the child allocates nothing.
struct ChildPlan {
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<int> sources;  // sources[i] becomes descriptor i in the child
  std::vector<int> temps;    // scratch, same size as sources
  int report_fd = -1;
  int base = 0;      // above every source and every target descriptor
  int max_fd = 0;    // for the close() fallback when close_range is missing
  pid_t parent = 0;  // the server, for the reaper's parent-death check
  sigset_t no_signals;
  std::vector<SpawnOptions::Limit> limits;  // clamped to the current hard limits
  bool private_mounts = false;
  std::vector<int> bind_trees;  // detached copies of the bind sources (open_tree)
  std::vector<std::string> bind_targets;
  bool set_ids = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

[[noreturn]] void Fail(int report_fd, Step step) {
  const ChildError e{static_cast<int>(step), errno};
  (void)!::write(report_fd, &e, sizeof e);
  ::_exit(127);
}

// Descriptor i of the child := sources[i]; everything else closed. Sources are first
// duplicated above every target so that no dup2 can clobber a source not yet moved.
int ArrangeDescriptors(ChildPlan& plan) {
  const int report = ::fcntl(plan.report_fd, F_DUPFD_CLOEXEC, plan.base);
  if (report < 0) Fail(plan.report_fd, Step::kDescriptors);
  const int n = static_cast<int>(plan.sources.size());
  for (int i = 0; i < n; ++i) {
    plan.temps[i] = ::fcntl(plan.sources[i], F_DUPFD, plan.base);
    if (plan.temps[i] < 0) Fail(report, Step::kDescriptors);
  }
  for (int i = 0; i < n; ++i) {
    if (::dup2(plan.temps[i], i) < 0) Fail(report, Step::kDescriptors);
  }
  if (::close_range(n, report - 1, 0) != 0 || ::close_range(report + 1, ~0U, 0) != 0) {
    for (int fd = n; fd < plan.max_fd; ++fd) {
      if (fd != report) ::close(fd);
    }
  }
  return report;
}

// Raw system calls: glibc's set*id wrappers coordinate all threads of the process through
// state copied from the (threaded) parent; the child has one thread, and these affect it.
void SwitchIdentity(const ChildPlan& plan, int report) {
  if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
      ::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0 ||
      ::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
    Fail(report, Step::kIdentity);
  }
}

// A mount namespace of the run's own, whose changes stay in it (MS_SLAVE: the host's later
// mounts still reach the run, the run's never reach the host), holding the private binds.
// Runs before ArrangeDescriptors, while the detached trees are open under their numbers.
void MountPrivateBinds(const ChildPlan& plan) {
  if (!plan.private_mounts) return;
  if (::unshare(CLONE_NEWNS) != 0 ||
      ::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    Fail(plan.report_fd, Step::kMount);
  }
  for (size_t i = 0; i < plan.bind_trees.size(); ++i) {
    if (::syscall(SYS_move_mount, plan.bind_trees[i], "", AT_FDCWD, plan.bind_targets[i].c_str(),
                  MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      Fail(plan.report_fd, Step::kMount);
    }
  }
}

// A bind source must be in the mount namespace of the mount call, which an O_PATH descriptor
// opened before the reaper's unshare is not (EINVAL). A detached copy of its tree, made here
// (open_tree, OPEN_TREE_CLONE), can be attached in any namespace, and is still exactly the
// file that was opened: no path is resolved again.
StatusOr<std::vector<UniqueFd>> DetachBindSources(const SpawnOptions& options) {
  std::vector<UniqueFd> trees;
  for (const SpawnOptions::Bind& b : options.private_binds) {
    UniqueFd tree(static_cast<int>(
        ::syscall(SYS_open_tree, b.source_fd, "",
                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE)));
    if (!tree.valid()) {
      const int err = errno;
      const std::string what = "open_tree for " + b.target;
      return err == EPERM || err == ENOSYS ? PermissionDenied(what + ": " + std::strerror(err))
                                           : ErrnoStatus(err, what);
    }
    trees.push_back(std::move(tree));
  }
  return trees;
}

// The reaper's last act: wait for every process of the tree, then end the way the program
// ended, so that the server sees the program's status.
[[noreturn]] void ReapAll(pid_t program) {
  int program_status = 0;
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left
    }
    if (pid == program) program_status = status;
  }
  if (WIFSIGNALED(program_status)) {
    const struct rlimit no_core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::kill(::getpid(), WTERMSIG(program_status));
    ::_exit(128 + WTERMSIG(program_status));  // a signal whose default is not to terminate
  }
  ::_exit(WIFEXITED(program_status) ? WEXITSTATUS(program_status) : 127);
}

[[noreturn]] void RunChild(ChildPlan& plan) {
  // Own session and process group; dies with the server, and adopts every orphan of the
  // tree below it (a sandbox's namespace init outlives bwrap by a moment). The death signal
  // fires when the forking *thread* ends; Run blocks that thread until the reaper is gone.
  if (::setsid() < 0) Fail(plan.report_fd, Step::kSetsid);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != plan.parent ||
      ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    Fail(plan.report_fd, Step::kSetsid);
  }
  // Blocked signals and ignored dispositions survive exec; the child starts clean.
  ::sigprocmask(SIG_SETMASK, &plan.no_signals, nullptr);
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // some refuse: fine
  for (const SpawnOptions::Limit& l : plan.limits) {
    const struct rlimit rl = {l.soft, l.hard};
    // setrlimit is a plain system-call wrapper (prlimit64).
    if (::setrlimit(static_cast<__rlimit_resource_t>(l.resource), &rl) != 0) {
      Fail(plan.report_fd, Step::kLimit);
    }
  }
  MountPrivateBinds(plan);
  const int report = ArrangeDescriptors(plan);
  const pid_t program = ::_Fork();  // unlike fork(), async-signal-safe
  if (program < 0) Fail(report, Step::kFork);
  if (program == 0) {
    if (plan.set_ids) SwitchIdentity(plan, report);
    ::execve(plan.argv[0], plan.argv.data(), plan.envp.data());
    Fail(report, Step::kExec);
  }
  // The reaper keeps no descriptor: the pipes reach EOF when the program's tree is done
  // with them, and the report pipe when the program has exec'ed.
  for (int fd = 0; fd < static_cast<int>(plan.sources.size()); ++fd) ::close(fd);
  ::close(report);
  ReapAll(program);
}

const char* StepName(Step step) {
  switch (step) {
    case Step::kSetsid:
      return "setsid";
    case Step::kLimit:
      return "setrlimit";
    case Step::kMount:
      return "binding host paths in a private mount namespace";
    case Step::kDescriptors:
      return "arranging descriptors";
    case Step::kFork:
      return "fork";
    case Step::kIdentity:
      return "switching uid";
    case Step::kExec:
      return "exec";
  }
  return "?";
}

Status ChildFailure(const SpawnOptions& options, const ChildError& e) {
  const Step step = static_cast<Step>(e.step);
  std::string msg =
      "starting " + options.argv[0] + ": " + StepName(step) + ": " + std::strerror(e.err);
  // After a uid switch, exec fails with EAGAIN when that uid already has RLIMIT_NPROC
  // processes: the sandbox's other runs use up its process budget.
  if (step == Step::kExec && e.err == EAGAIN && options.uid.has_value()) {
    return Status(Code::kValidation, msg + " (the sandbox's process limit is used up)");
  }
  // No CAP_SYS_ADMIN, or a seccomp filter (a container): the caller may do without.
  if (step == Step::kMount && (e.err == EPERM || e.err == EACCES)) {
    return PermissionDenied(std::move(msg));
  }
  return Internal(std::move(msg));
}

// Reads the child's report: true and `e` filled when it failed before exec.
bool ReadChildError(int fd, ChildError* e) {
  size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(e);
  while (got < sizeof *e) {
    const ssize_t n = ::read(fd, bytes + got, sizeof *e - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got == sizeof *e;
}

StatusOr<UniqueFd> OpenDevNull() {
  UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open /dev/null");
  return fd;
}

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  *read_end = UniqueFd(fds[0]);
  *write_end = UniqueFd(fds[1]);
  return Status::OK();
}

// Raising a hard limit needs CAP_SYS_RESOURCE, which the server may lack even as root (a
// container): a limit above the current one is therefore lowered to it, not refused.
std::vector<SpawnOptions::Limit> ClampedLimits(const std::vector<SpawnOptions::Limit>& limits) {
  std::vector<SpawnOptions::Limit> out = limits;
  for (SpawnOptions::Limit& l : out) {
    struct rlimit now;
    if (::getrlimit(static_cast<__rlimit_resource_t>(l.resource), &now) != 0) continue;
    l.hard = std::min(l.hard, now.rlim_max);
    l.soft = std::min(l.soft, l.hard);
  }
  return out;
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

ChildPlan MakePlan(const SpawnOptions& options, std::vector<int> sources, int report_fd) {
  ChildPlan plan;
  plan.argv = CStrings(options.argv);
  plan.envp = CStrings(options.env);
  plan.temps.assign(sources.size(), -1);
  plan.report_fd = report_fd;
  plan.base = std::max(*std::max_element(sources.begin(), sources.end()), report_fd) + 1;
  plan.base = std::max(plan.base, static_cast<int>(sources.size()) + 1);
  plan.sources = std::move(sources);
  struct rlimit nofile;
  plan.max_fd = ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < INT_MAX
                    ? static_cast<int>(nofile.rlim_cur)
                    : 65536;
  sigemptyset(&plan.no_signals);
  plan.parent = ::getpid();
  plan.limits = ClampedLimits(options.limits);
  plan.private_mounts = options.private_mount_namespace;
  for (const SpawnOptions::Bind& b : options.private_binds) plan.bind_targets.push_back(b.target);
  plan.set_ids = options.uid.has_value();
  plan.uid = options.uid.value_or(0);
  plan.gid = options.gid.value_or(plan.uid);
  return plan;
}

}  // namespace

StatusOr<Child> Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return InvalidArgument("spawn: empty argv");
  UniqueFd in_r, in_w;
  if (options.stdin_pipe) {
    RETURN_IF_ERROR(MakePipe(&in_r, &in_w));
  } else {
    ASSIGN_OR_RETURN(in_r, OpenDevNull());
  }
  UniqueFd out_r, out_w, err_r, err_w, report_r, report_w;
  RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  RETURN_IF_ERROR(MakePipe(&err_r, &err_w));
  RETURN_IF_ERROR(MakePipe(&report_r, &report_w));
  std::vector<int> sources = {in_r.get(), out_w.get(), err_w.get()};
  sources.insert(sources.end(), options.pass_fds.begin(), options.pass_fds.end());
  ChildPlan plan = MakePlan(options, std::move(sources), report_w.get());
  ASSIGN_OR_RETURN(const std::vector<UniqueFd> trees, DetachBindSources(options));
  for (const UniqueFd& tree : trees) plan.bind_trees.push_back(tree.get());

  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus(errno, "fork");
  if (pid == 0) RunChild(plan);

  in_r.Reset();
  out_w.Reset();
  err_w.Reset();
  report_w.Reset();
  ChildError e;
  if (ReadChildError(report_r.get(), &e)) {
    ::waitpid(pid, nullptr, 0);
    return ChildFailure(options, e);
  }
  Child child;
  child.pid = pid;
  child.stdout_fd = std::move(out_r);
  child.stderr_fd = std::move(err_r);
  child.stdin_fd = std::move(in_w);
  // The child is ours and not yet reaped, so its pid cannot have been reused.
  child.pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd.valid()) {
    const Status s = ErrnoStatus(errno, "pidfd_open");
    ::kill(-pid, SIGKILL);  // the whole group: reaper, bwrap and (with it) the sandbox
    ::waitpid(pid, nullptr, 0);
    return s;
  }
  return child;
}

}  // namespace nexus::sandbox
