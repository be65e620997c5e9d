// The bubblewrap provider against the real bwrap, python3, node and bash of the machine.
// Runs as root, like CI: each sandbox then runs as its own unprivileged uid.
#include "sandbox/bubblewrap_provider.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace nexus::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Host processes whose real uid is `uid`.
int CountHostProcessesOf(uid_t uid) {
  int count = 0;
  DIR* proc = ::opendir("/proc");
  while (const dirent* e = proc ? ::readdir(proc) : nullptr) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::istringstream status(ReadHostFile(std::string("/proc/") + e->d_name + "/status"));
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("Uid:")) {
        if (std::stoul(line.substr(4)) == uid) ++count;
        break;
      }
    }
  }
  if (proc) ::closedir(proc);
  return count;
}

// A listening TCP socket on 127.0.0.1, on an ephemeral port.
class TcpListener {
 public:
  TcpListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~TcpListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class BubblewrapProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = NewBubblewrapProvider();
    const Status available = provider_->Available();
    ASSERT_TRUE(available.ok()) << available.ToString();
    spec_.id =
        std::string("test-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    spec_.home_dir = dir_.path() + "/home";
    spec_.limits.wall_timeout_ms = 10000;
    const Status created = provider_->Create(spec_);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  RunResult Run(const std::string& language, const std::string& code, int64_t timeout_ms = 0,
                std::vector<std::pair<std::string, std::string>> env = {}) {
    return RunIn(spec_, language, code, timeout_ms, std::move(env));
  }

  RunResult RunIn(const SandboxSpec& spec, const std::string& language, const std::string& code,
                  int64_t timeout_ms = 0,
                  std::vector<std::pair<std::string, std::string>> env = {}) {
    RunRequest request;
    request.language = language;
    request.code = code;
    request.timeout_ms = timeout_ms;
    request.env = std::move(env);
    StatusOr<RunResult> result = provider_->Run(spec, request);
    if (!result.ok()) {
      ADD_FAILURE() << result.status().ToString();
      return RunResult{};
    }
    return *std::move(result);
  }

  bool NodeAvailable() {
    RunRequest request;
    request.language = "javascript";
    request.code = "";
    StatusOr<RunResult> r = provider_->Run(spec_, request);
    return r.ok() || r.status().code() != Code::kValidation;
  }

  test::TempDir dir_{"sandbox-test"};
  std::unique_ptr<Provider> provider_;
  SandboxSpec spec_;
};

TEST_F(BubblewrapProviderTest, PythonPrintsAndExits) {
  const RunResult r = Run("python", "import sys\nprint('hello from python')\nsys.exit(3)\n");
  EXPECT_EQ(r.stdout_text, "hello from python\n");
  EXPECT_EQ(r.stderr_text, "");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.killed_by, "");
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.truncated);
}

TEST_F(BubblewrapProviderTest, PythonIsDebiansNotPyenvs) {
  const RunResult r = Run("python", "import sys\nprint(sys.executable, sys.prefix)\n");
  EXPECT_EQ(r.stdout_text, "/usr/bin/python3 /usr\n");
}

TEST_F(BubblewrapProviderTest, BashSeparatesStdoutAndStderr) {
  const RunResult r = Run("bash", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 7");
  EXPECT_EQ(r.stdout_text, "out1\nout2\n");
  EXPECT_EQ(r.stderr_text, "err1\nerr2\n");
  EXPECT_EQ(r.exit_code, 7);
}

TEST_F(BubblewrapProviderTest, JavaScriptPrintsAndExits) {
  if (!NodeAvailable()) GTEST_SKIP() << "node is not installed on this host";
  for (const char* language : {"javascript", "js"}) {
    const RunResult r =
        Run(language, "console.log('hello from node'); console.error('oops'); process.exit(5);");
    EXPECT_EQ(r.stdout_text, "hello from node\n") << language;
    EXPECT_EQ(r.stderr_text, "oops\n") << language;
    EXPECT_EQ(r.exit_code, 5) << language;
  }
}

TEST_F(BubblewrapProviderTest, UnknownLanguageIsInvalidArgument) {
  RunRequest request;
  request.language = "ruby";
  request.code = "puts 1";
  EXPECT_EQ(provider_->Run(spec_, request).status().code(), Code::kInvalidArgument);
}

TEST_F(BubblewrapProviderTest, RunsAsSandboxUserWithCleanEnvironment) {
  ASSERT_EQ(::setenv("NEXUS_SANDBOX_TEST_SECRET", "leaked", 1), 0);
  const RunResult r = Run("bash",
                          "id -u; id -g; whoami; hostname; pwd; echo $HOME; echo $GREETING;"
                          " echo secret=${NEXUS_SANDBOX_TEST_SECRET:-none}",
                          0, {{"GREETING", "hi there"}});
  EXPECT_EQ(r.stdout_text,
            "1000\n1000\nsandbox\nsandbox\n/home/sandbox\n/home/sandbox\nhi there\nsecret=none\n")
      << r.stderr_text;
  // Outside, the files it makes belong to the sandbox's own unprivileged uid.
  if (::geteuid() != 0) return;  // not root: the server's uid
  ASSERT_EQ(Run("bash", "touch owned").exit_code, 0);
  struct stat st;
  ASSERT_EQ(::stat((spec_.home_dir + "/owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, SandboxHostUid(spec_.id));
}

TEST_F(BubblewrapProviderTest, HomePersistsAcrossRuns) {
  ASSERT_EQ(Run("python", "open('notes.txt', 'w').write('remember me')").exit_code, 0);
  EXPECT_EQ(ReadHostFile(spec_.home_dir + "/notes.txt"), "remember me");
  const RunResult r = Run("bash", "cat /home/sandbox/notes.txt");
  EXPECT_EQ(r.stdout_text, "remember me");
  // /tmp, by contrast, is private to each run.
  ASSERT_EQ(Run("bash", "echo x > /tmp/scratch").exit_code, 0);
  EXPECT_NE(Run("bash", "cat /tmp/scratch").exit_code, 0);
}

TEST_F(BubblewrapProviderTest, CannotReadHostFilesOutsideItsBinds) {
  const std::string in_temp = dir_.path() + "/host-secret.txt";
  std::ofstream(in_temp) << "top secret";
  ASSERT_EQ(::chmod(in_temp.c_str(), 0644), 0);  // readable by anyone who can see it
  const std::string in_root = "/root/nexus-sandbox-test-" + std::to_string(::getpid());
  const bool have_root_file = static_cast<bool>(std::ofstream(in_root) << "root secret");
  const RunResult r = Run("python", "for p in ['" + in_temp + "', '" + in_root +
                                        "', '/etc/shadow', '/root/.bashrc']:\n"
                                        "    try:\n"
                                        "        open(p).read(); print('READ', p)\n"
                                        "    except OSError as e:\n"
                                        "        print('blocked', p, type(e).__name__)\n");
  if (have_root_file) ::unlink(in_root.c_str());
  EXPECT_EQ(r.stdout_text.find("READ"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("blocked " + in_temp + " FileNotFoundError"), std::string::npos)
      << r.stdout_text;
  // The read-only parts stay read-only, and the root file system takes no writes.
  const RunResult w = Run("bash",
                          "for f in /usr/x /etc/x /x /run/code/main.sh /dev/x; do"
                          "  (echo > $f) 2>/dev/null && echo WROTE $f; done; echo done");
  EXPECT_EQ(w.stdout_text, "done\n");
}

TEST_F(BubblewrapProviderTest, CannotSeeHostProcesses) {
  const RunResult r = Run("python",
                          "import os\n"
                          "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
                          "print(len(pids))\n"
                          "print(os.path.exists('/proc/" +
                              std::to_string(::getpid()) + "'))\n");
  std::istringstream out(r.stdout_text);
  int count = 0;
  std::string exists;
  out >> count >> exists;
  EXPECT_GE(count, 1);
  EXPECT_LE(count, 4) << r.stdout_text;  // bwrap's init, python, maybe a transient one
  if (::getpid() > 4) {
    EXPECT_EQ(exists, "False");
  }
}

TEST_F(BubblewrapProviderTest, NoNetworkByDefault) {
  TcpListener listener;
  const Clock::time_point start = Clock::now();
  const RunResult r = Run("python",
                          "import socket\n"
                          "for host, port in [('127.0.0.1', " +
                              std::to_string(listener.port()) +
                              "), ('1.1.1.1', 80)]:\n"
                              "    try:\n"
                              "        socket.create_connection((host, port), timeout=5)\n"
                              "        print('CONNECTED', host)\n"
                              "    except OSError as e:\n"
                              "        print('failed', host, type(e).__name__)\n");
  EXPECT_EQ(r.stdout_text.find("CONNECTED"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("failed 127.0.0.1"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("failed 1.1.1.1"), std::string::npos) << r.stderr_text;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));  // no connect timeout: no route
}

TEST_F(BubblewrapProviderTest, NetworkWhenEnabled) {
  TcpListener listener;
  SandboxSpec spec = spec_;
  spec.network = true;
  const RunResult r = RunIn(spec, "python",
                            "import socket\n"
                            "socket.create_connection(('127.0.0.1', " +
                                std::to_string(listener.port()) +
                                "), timeout=5)\n"
                                "print('connected')\n");
  EXPECT_EQ(r.stdout_text, "connected\n") << r.stderr_text;
}

TEST_F(BubblewrapProviderTest, BoundUnixSocketIsReachable) {
  const std::string path = dir_.path() + "/nexus.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);  // connectable by the sandbox uid
  SandboxSpec spec = spec_;
  spec.binds = {{path, "/run/nexus.sock"}};
  const RunResult r = RunIn(spec, "python",
                            "import socket\n"
                            "s = socket.socket(socket.AF_UNIX)\n"
                            "s.connect('/run/nexus.sock')\n"
                            "s.sendall(b'ping')\n"
                            "print('sent')\n");
  EXPECT_EQ(r.stdout_text, "sent\n") << r.stderr_text;
  const int conn = ::accept(fd, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  char buf[8] = {};
  EXPECT_EQ(::read(conn, buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "ping");
  ::close(conn);
  ::close(fd);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// The fixture's data directory is 0700 inside a 0700 parent (test::TempDir), and a home one
// more private directory down is still the sandbox's, without any mode being loosened.
TEST_F(BubblewrapProviderTest, HomeBehindPrivateDirectoriesIsReachable) {
  if (::geteuid() != 0) GTEST_SKIP() << "without root, bwrap reaches the home as the server";
  const std::string parent = dir_.path().substr(0, dir_.path().rfind('/'));
  ASSERT_EQ(ModeOf(parent), 0700u);
  ASSERT_EQ(ModeOf(dir_.path()), 0700u);
  const std::string closed = dir_.path() + "/closed";
  ASSERT_EQ(::mkdir(closed.c_str(), 0700), 0);
  SandboxSpec spec = spec_;
  spec.home_dir = closed + "/home";
  ASSERT_TRUE(provider_->Create(spec).ok());
  const RunResult r = RunIn(spec, "bash", "echo kept > notes && cat notes && pwd");
  EXPECT_EQ(r.stdout_text, "kept\n/home/sandbox\n") << r.stderr_text;
  EXPECT_EQ(ReadHostFile(spec.home_dir + "/notes"), "kept\n");
  EXPECT_EQ(ModeOf(parent), 0700u);
  EXPECT_EQ(ModeOf(dir_.path()), 0700u);
  EXPECT_EQ(ModeOf(closed), 0700u);
}

// The binds that bring the home within the sandbox uid's reach are made in the run's own
// mount namespace: while a run is live, the host's mount table shows none of them.
TEST_F(BubblewrapProviderTest, StagedBindsStayInTheRunsNamespace) {
  std::future<RunResult> run = std::async(
      std::launch::async, [this] { return Run("bash", "touch started; sleep 2; echo done"); });
  const std::string started = spec_.home_dir + "/started";
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(20);
  while (::access(started.c_str(), F_OK) != 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(::access(started.c_str(), F_OK), 0);
  const std::string mounts = ReadHostFile("/proc/self/mountinfo");
  EXPECT_EQ(mounts.find(spec_.home_dir), std::string::npos) << mounts;
  EXPECT_EQ(mounts.find("nexus-sandbox-"), std::string::npos) << mounts;
  EXPECT_EQ(run.get().stdout_text, "done\n");
}

// Runs of two sandboxes at once use the same mount points of the stage, each in its own
// namespace: each sees its own home and nothing of the other's.
TEST_F(BubblewrapProviderTest, ConcurrentSandboxesEachSeeOnlyTheirOwnHome) {
  SandboxSpec other = spec_;
  other.id = spec_.id + "-other";
  other.home_dir = dir_.path() + "/other-home";
  ASSERT_TRUE(provider_->Create(other).ok());
  const std::string script = "echo $1 > mine; sleep 1; ls; cat mine";
  std::future<RunResult> first = std::async(
      std::launch::async, [&] { return RunIn(spec_, "bash", "set -- first; " + script); });
  const RunResult second = RunIn(other, "bash", "set -- second; " + script);
  EXPECT_EQ(first.get().stdout_text, "mine\nfirst\n");
  EXPECT_EQ(second.stdout_text, "mine\nsecond\n");
}

// Root binds the home, so a symlink put in its place (say, to /etc) must not be followed.
TEST_F(BubblewrapProviderTest, HomeReplacedByASymlinkIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "without root, bwrap resolves the home as the server";
  SandboxSpec spec = spec_;
  spec.home_dir = dir_.path() + "/linked-home";
  ASSERT_EQ(::symlink("/etc", spec.home_dir.c_str()), 0);
  RunRequest request;
  request.language = "bash";
  request.code = "ls";
  EXPECT_EQ(provider_->Run(spec, request).status().code(), Code::kPermissionDenied);
}

// Without CAP_SYS_ADMIN (a container, a seccomp filter) the reaper may not make mounts: the
// provider falls back to letting bwrap resolve the paths as the sandbox uid, which works for
// a reachable home and names the directory in the way for an unreachable one.
// In a child process: drops CAP_SYS_ADMIN, then checks the fallback step by step; 0 when
// every step went as it should, else the number of the step that did not.
int CheckFallbackWithoutSysAdmin(const std::string& dir) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct caps[2] = {};
  if (::syscall(SYS_capget, &header, caps) != 0) return 10;
  caps[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
  caps[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
  if (::syscall(SYS_capset, &header, caps) != 0) return 11;
  std::unique_ptr<Provider> provider = NewBubblewrapProvider();
  if (!provider->Available().ok()) return 12;
  SandboxSpec spec;
  spec.id = "fallback";
  spec.home_dir = dir + "/home";
  if (provider->Create(spec).code() != Code::kPermissionDenied) return 13;
  const std::string parent = dir.substr(0, dir.rfind('/'));
  if (::chmod(dir.c_str(), 0711) != 0 || ::chmod(parent.c_str(), 0711) != 0) return 14;
  if (!provider->Create(spec).ok()) return 15;
  RunRequest request;
  request.language = "bash";
  request.code = "echo ok > f && cat f";
  StatusOr<RunResult> r = provider->Run(spec, request);
  return r.ok() && r->stdout_text == "ok\n" ? 0 : 16;
}

TEST(BubblewrapProviderFallbackTest, WithoutMountsHomesMustBeReachable) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop a capability";
  test::TempDir dir("sandbox-fallback");
  EXPECT_EXIT(std::_Exit(CheckFallbackWithoutSysAdmin(dir.path())), ::testing::ExitedWithCode(0),
              "");
}

TEST_F(BubblewrapProviderTest, MemoryLimit) {
  spec_.limits.memory_bytes = int64_t{128} << 20;
  const RunResult r = Run("python", "b = bytearray(256 << 20)\nprint('allocated')\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_EQ(r.killed_by, "memory") << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("MemoryError"), std::string::npos);
  // Within the limit, the same allocation is fine.
  EXPECT_EQ(Run("python", "b = bytearray(64 << 20)\nprint('allocated')\n").stdout_text,
            "allocated\n");
}

TEST_F(BubblewrapProviderTest, JavaScriptMemoryLimit) {
  if (!NodeAvailable()) GTEST_SKIP() << "node is not installed on this host";
  spec_.limits.memory_bytes = int64_t{256} << 20;
  const RunResult r = Run("js", "const a = []; for (;;) a.push(new Array(1e6).fill(1.5));");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.killed_by, "memory") << r.exit_code << " " << r.stderr_text;
}

TEST_F(BubblewrapProviderTest, ProcessLimit) {
  if (::geteuid() != 0) GTEST_SKIP() << "the process limit needs a per-sandbox uid: root only";
  spec_.limits.max_processes = 8;
  const RunResult r = Run("python",
                          "import subprocess\n"
                          "started, failed, error = [], 0, None\n"
                          "for i in range(18):\n"
                          "    try:\n"
                          "        started.append(subprocess.Popen(['sleep', '5']))\n"
                          "    except OSError as e:\n"
                          "        failed += 1; error = e\n"
                          "print(len(started), failed)\n"
                          "for p in started: p.kill()\n"
                          "if error: raise error\n");
  std::istringstream out(r.stdout_text);
  int started = -1, failed = -1;
  out >> started >> failed;
  EXPECT_LE(started, 7) << r.stdout_text;  // python itself is one of the 8
  EXPECT_GE(failed, 11) << r.stdout_text;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.killed_by, "processes") << r.stderr_text;
}

TEST_F(BubblewrapProviderTest, ForkLoopIsContainedAndLeavesNothingBehind) {
  spec_.limits.max_processes = 16;
  const Clock::time_point start = Clock::now();
  const RunResult r = Run("bash", "for i in $(seq 40); do sleep 30 & done; wait", 2000);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(8));
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(r.stderr_text.find("Resource temporarily unavailable"), std::string::npos)
      << r.stderr_text;
  // Every process of the sandbox is gone, and the next run starts normally.
  EXPECT_EQ(CountHostProcessesOf(SandboxHostUid(spec_.id)), 0);
  EXPECT_EQ(Run("bash", "echo alive").stdout_text, "alive\n");
}

TEST_F(BubblewrapProviderTest, BackgroundProcessesEndWithTheRun) {
  const Clock::time_point start = Clock::now();
  const RunResult r = Run("bash", "sleep 60 & echo started");
  EXPECT_EQ(r.stdout_text, "started\n");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(CountHostProcessesOf(SandboxHostUid(spec_.id)), 0);
}

TEST_F(BubblewrapProviderTest, WallClockTimeoutKillsAnInfiniteLoop) {
  const Clock::time_point start = Clock::now();
  const RunResult r = Run("python", "print('spinning', flush=True)\nwhile True: pass\n", 1000);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.killed_by, "timeout");
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_EQ(r.stdout_text, "spinning\n");  // output up to the kill is kept
}

TEST_F(BubblewrapProviderTest, CpuLimit) {
  spec_.limits.cpu_seconds = 1;
  const RunResult r = Run("python", "while True: pass\n", 10000);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.killed_by, "cpu") << r.exit_code;
}

TEST_F(BubblewrapProviderTest, FileSizeLimit) {
  spec_.limits.max_file_bytes = 1 << 20;
  const RunResult py = Run("python", "open('big', 'wb').write(b'x' * (2 << 20))\n");
  EXPECT_NE(py.exit_code, 0);
  EXPECT_EQ(py.killed_by, "file_size") << py.stderr_text;
  const RunResult sh = Run("bash", "head -c 2000000 /dev/zero > big2");
  EXPECT_EQ(sh.exit_code, 128 + 25);  // the shell reports head's SIGXFSZ
  EXPECT_EQ(sh.killed_by, "file_size") << sh.stderr_text;
  struct stat st;
  ASSERT_EQ(::stat((spec_.home_dir + "/big2").c_str(), &st), 0);
  EXPECT_LE(st.st_size, 1 << 20);
}

TEST_F(BubblewrapProviderTest, OutputIsTruncatedAtTheCap) {
  spec_.limits.max_output_bytes = 1 << 20;
  const RunResult r = Run(
      "python", "import sys\nsys.stdout.write('x' * 5_000_000)\nprint('done', file=sys.stderr)\n");
  EXPECT_EQ(r.exit_code, 0);  // drained to the end, so the code was never blocked
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.stdout_text.size(), size_t{1} << 20);
  EXPECT_EQ(r.stderr_text, "done\n");
}

TEST_F(BubblewrapProviderTest, ChattyStdoutAndStderrDoNotDeadlock) {
  spec_.limits.max_output_bytes = 8 << 20;
  const RunResult r = Run("python",
                          "import sys\n"
                          "for i in range(200):\n"
                          "    sys.stdout.write('o' * 10000); sys.stderr.write('e' * 10000)\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.stdout_text.size(), 2000000u);
  EXPECT_EQ(r.stderr_text.size(), 2000000u);
}

// A counter written every 20 ms by a running loop: frozen while paused, moving after.
TEST_F(BubblewrapProviderTest, PauseFreezesAndResumeContinues) {
  const std::string counter = spec_.home_dir + "/counter";
  auto running = std::async(std::launch::async, [&] {
    return Run("bash", "i=0; while true; do i=$((i+1)); echo $i > counter; sleep 0.02; done", 8000);
  });
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
  while (ReadHostFile(counter).empty() && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_FALSE(ReadHostFile(counter).empty());

  ASSERT_TRUE(provider_->Pause(spec_.id).ok());
  EXPECT_TRUE(provider_->IsPaused(spec_.id));
  std::this_thread::sleep_for(milliseconds(50));  // a write in flight lands
  const std::string frozen = ReadHostFile(counter);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(ReadHostFile(counter), frozen);

  // New runs are refused while paused, from any thread.
  auto refused = std::async(std::launch::async, [&] {
    RunRequest request;
    request.language = "bash";
    request.code = "echo should not run";
    return provider_->Run(spec_, request).status();
  });
  const Status s = refused.get();
  EXPECT_EQ(s.code(), Code::kValidation);
  EXPECT_EQ(s.message(), "sandbox is paused");

  ASSERT_TRUE(provider_->Resume(spec_.id).ok());
  EXPECT_FALSE(provider_->IsPaused(spec_.id));
  const Clock::time_point wait_until = Clock::now() + std::chrono::seconds(3);
  while (ReadHostFile(counter) == frozen && Clock::now() < wait_until) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(ReadHostFile(counter), frozen);

  ASSERT_TRUE(provider_->Stop(spec_.id).ok());
  const RunResult r = running.get();
  EXPECT_EQ(r.killed_by, "stop");
  EXPECT_FALSE(r.timed_out);
}

// 0.3 s of CPU under a 1.5 s limit, paused for 1.5 s in the middle: the deadline moves by
// the paused time, so the run finishes instead of timing out (with room for a slow CPU).
TEST_F(BubblewrapProviderTest, TimeSpentPausedDoesNotCountTowardsTheTimeout) {
  auto running = std::async(std::launch::async, [&] {
    return Run("python",
               "import time\n"
               "open('started', 'w').close()\n"
               "while time.process_time() < 0.3: pass\n"
               "print('done')\n",
               1500);
  });
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
  while (::access((spec_.home_dir + "/started").c_str(), F_OK) != 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_TRUE(provider_->Pause(spec_.id).ok());
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_TRUE(provider_->Resume(spec_.id).ok());
  const RunResult r = running.get();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_text, "done\n");
  EXPECT_GE(r.execution_time_ms, 1500);
}

TEST_F(BubblewrapProviderTest, ConcurrentRunsOfOneSandbox) {
  std::vector<std::future<RunResult>> runs;
  for (int i = 0; i < 8; ++i) {
    runs.push_back(std::async(std::launch::async, [this, i] {
      return Run("bash", "sleep 0.1; echo run $N", 0, {{"N", std::to_string(i)}});
    }));
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(runs[i].get().stdout_text, "run " + std::to_string(i) + "\n");
  }
}

TEST_F(BubblewrapProviderTest, StopKillsARunningRun) {
  const Clock::time_point start = Clock::now();
  auto running = std::async(std::launch::async, [&] {
    return Run("bash", "touch started; sleep 30; echo finished", 20000);
  });
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(5);
  while (::access((spec_.home_dir + "/started").c_str(), F_OK) != 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(provider_->Stop(spec_.id).ok());
  const RunResult r = running.get();
  EXPECT_EQ(r.killed_by, "stop");
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(CountHostProcessesOf(SandboxHostUid(spec_.id)), 0);
  // Stop keeps the home directory, and the sandbox can run again.
  EXPECT_EQ(::access((spec_.home_dir + "/started").c_str(), F_OK), 0);
  EXPECT_EQ(Run("bash", "echo again").stdout_text, "again\n");
}

TEST_F(BubblewrapProviderTest, DestroyRemovesTheHome) {
  // A symlink the sandbox made to a host directory: removal must not follow it.
  const std::string keep = dir_.path() + "/keep";
  ASSERT_EQ(::mkdir(keep.c_str(), 0755), 0);
  std::ofstream(keep + "/file") << "kept";
  ASSERT_EQ(Run("bash", "mkdir -p a/b && echo x > a/b/f && ln -s " + keep + " link").exit_code, 0);
  ASSERT_TRUE(provider_->Destroy(spec_).ok());
  EXPECT_NE(::access(spec_.home_dir.c_str(), F_OK), 0);
  EXPECT_EQ(ReadHostFile(keep + "/file"), "kept");
  RunRequest request;
  request.language = "bash";
  request.code = "true";
  EXPECT_EQ(provider_->Run(spec_, request).status().code(), Code::kNotFound);
}

TEST_F(BubblewrapProviderTest, EphemeralHomeWhenNoHomeDir) {
  SandboxSpec spec = spec_;
  spec.home_dir = "";
  ASSERT_TRUE(provider_->Create(spec).ok());
  EXPECT_EQ(RunIn(spec, "bash", "echo x > f && cat f && pwd").stdout_text, "x\n/home/sandbox\n");
  EXPECT_NE(RunIn(spec, "bash", "cat f").exit_code, 0);
}

}  // namespace
}  // namespace nexus::sandbox

namespace nexus::sandbox {
namespace {

// Reads what `fd` gives until `want` lines arrived or 10 s passed.
std::string ReadLines(int fd, int want) {
  std::string got;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (std::count(got.begin(), got.end(), '\n') < want && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    got.append(chunk, static_cast<size_t>(n));
  }
  return got;
}

bool WriteAll(int fd, const std::string& text) {
  return ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

TEST_F(BubblewrapProviderTest, AStartedProgramConversesOverItsPipes) {
  StatusOr<std::unique_ptr<SandboxProcess>> cat = provider_->Start(spec_, {{"cat"}, {}, {}});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE(WriteAll((*cat)->stdin_fd(), "one\n"));
  EXPECT_EQ(ReadLines((*cat)->stdout_fd(), 1), "one\n");
  ASSERT_TRUE(WriteAll((*cat)->stdin_fd(), "two\n"));
  EXPECT_EQ(ReadLines((*cat)->stdout_fd(), 1), "two\n");
}

TEST_F(BubblewrapProviderTest, AStartedProgramIsConfinedAndEndsWithItsHandle) {
  // In /tmp whatever TMPDIR says: /dev/shm is inside the sandbox's own /dev.
  const char* saved_tmpdir = std::getenv("TMPDIR");
  const std::string restore = saved_tmpdir != nullptr ? saved_tmpdir : "";
  ::setenv("TMPDIR", "/tmp", 1);
  test::TempDir shared("sandbox-shared");
  if (restore.empty()) {
    ::unsetenv("TMPDIR");
  } else {
    ::setenv("TMPDIR", restore.c_str(), 1);
  }
  // Its parent stays 0700: as root the directory is handed in through the stage anyway.
  ASSERT_EQ(::chmod(shared.path().c_str(), 0755), 0);
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(std::filesystem::path(shared.path()).parent_path().c_str(), 0755), 0);
  }
  std::ofstream(shared.path() + "/served.txt") << "server file\n";
  ASSERT_EQ(::chmod((shared.path() + "/served.txt").c_str(), 0644), 0);
  const std::string script = "read line; echo \"uid=$(id -u) $line\"; cat " + shared.path() +
                             "/served.txt; "
                             "touch " +
                             shared.path() +
                             "/new 2>/dev/null || echo read-only; "
                             "ls " +
                             dir_.path() + " 2>/dev/null || echo no-host; sleep 600";
  StatusOr<std::unique_ptr<SandboxProcess>> process =
      provider_->Start(spec_, {{"bash", "-c", script}, {{"GREETING", "hi"}}, {shared.path()}});
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  ASSERT_TRUE(WriteAll((*process)->stdin_fd(), "ping\n"));
  EXPECT_EQ(ReadLines((*process)->stdout_fd(), 4),
            "uid=1000 ping\nserver file\nread-only\nno-host\n");
  const uid_t uid = SandboxHostUid(spec_.id);
  if (::geteuid() == 0) {
    EXPECT_GT(CountHostProcessesOf(uid), 0);
  }
  process->reset();  // kills and reaps the whole tree
  if (::geteuid() == 0) {
    EXPECT_EQ(CountHostProcessesOf(uid), 0);
  }
}

TEST_F(BubblewrapProviderTest, StartRefusesWhatItCannotRun) {
  EXPECT_EQ(provider_->Start(spec_, {{}, {}, {}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(provider_->Start(spec_, {{"cat"}, {}, {"/etc"}}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(provider_->Start(spec_, {{"cat"}, {}, {"/"}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(provider_->Start(spec_, {{"cat"}, {}, {"/no/such/dir"}}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(provider_->Start(spec_, {{"cat"}, {{"1BAD", "x"}}, {}}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(BubblewrapProviderTest, StoppingTheSandboxEndsAStartedProgram) {
  StatusOr<std::unique_ptr<SandboxProcess>> cat = provider_->Start(spec_, {{"cat"}, {}, {}});
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_TRUE(provider_->Stop(spec_.id).ok());
  char byte;
  pollfd p{(*cat)->stdout_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the pipe should close";
  EXPECT_EQ(::read((*cat)->stdout_fd(), &byte, 1), 0);
}

}  // namespace
}  // namespace nexus::sandbox
