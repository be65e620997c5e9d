// Unit tests of the pieces that need no sandbox: validation, the bwrap command line, exit
// classification and output capture.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sandbox/bwrap_command.h"
#include "sandbox/host_uid.h"
#include "sandbox/language.h"
#include "sandbox/output_capture.h"
#include "sandbox/provider.h"
#include "sandbox/run_outcome.h"

namespace nexus::sandbox {
namespace {

SandboxSpec ValidSpec() {
  SandboxSpec spec;
  spec.id = "sb";
  spec.home_dir = "/var/lib/nexus/sandboxes/sb";
  return spec;
}

bool Contains(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
  return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

TEST(ValidateSpecTest, AcceptsAValidSpec) { EXPECT_TRUE(ValidateSpec(ValidSpec()).ok()); }

TEST(ValidateSpecTest, RejectsBadIdsPathsAndLimits) {
  SandboxSpec spec = ValidSpec();
  spec.id = "";
  EXPECT_EQ(ValidateSpec(spec).code(), Code::kInvalidArgument);
  spec = ValidSpec();
  spec.home_dir = "relative/home";
  EXPECT_EQ(ValidateSpec(spec).code(), Code::kInvalidArgument);
  spec.home_dir = "/a/../etc";
  EXPECT_EQ(ValidateSpec(spec).code(), Code::kInvalidArgument);
  spec = ValidSpec();
  spec.limits.max_processes = 0;
  EXPECT_EQ(ValidateSpec(spec).code(), Code::kInvalidArgument);
}

TEST(ValidateSpecTest, RejectsBindsOverTheSandboxsOwnMounts) {
  for (const char* target : {"/usr/x", "/etc/passwd", "/proc", "/", "/home/sandbox", "/tmp",
                             "/run/code/main.py", "run/x"}) {
    SandboxSpec spec = ValidSpec();
    spec.binds = {{"/srv/nexus.sock", target}};
    EXPECT_EQ(ValidateSpec(spec).code(), Code::kInvalidArgument) << target;
  }
  SandboxSpec spec = ValidSpec();
  spec.binds = {{"/srv/nexus.sock", "/run/nexus.sock"}, {"/srv/data", "/home/sandbox/data"}};
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(ValidateRequestTest, ChecksEnvAndCodeSize) {
  SandboxSpec spec = ValidSpec();
  RunRequest request;
  request.env = {{"GOOD_NAME1", "v"}};
  EXPECT_TRUE(ValidateRequest(spec, request).ok());
  request.env = {{"1BAD", "v"}};
  EXPECT_EQ(ValidateRequest(spec, request).code(), Code::kInvalidArgument);
  request.env = {{"A=B", "v"}};
  EXPECT_EQ(ValidateRequest(spec, request).code(), Code::kInvalidArgument);
  request.env = {{"A", std::string("x\0y", 3)}};
  EXPECT_EQ(ValidateRequest(spec, request).code(), Code::kInvalidArgument);
  request.env.clear();
  spec.limits.max_file_bytes = 10;
  request.code = std::string(11, 'x');
  EXPECT_EQ(ValidateRequest(spec, request).code(), Code::kInvalidArgument);
}

TEST(ValidateRequestTest, TimeoutIsCappedBySandboxLimit) {
  Limits limits;
  limits.wall_timeout_ms = 5000;
  RunRequest request;
  EXPECT_EQ(EffectiveTimeoutMs(limits, request), 5000);
  request.timeout_ms = 100;
  EXPECT_EQ(EffectiveTimeoutMs(limits, request), 100);
  request.timeout_ms = 300000;
  EXPECT_EQ(EffectiveTimeoutMs(limits, request), 5000);
}

TEST(LanguageTest, ParsesKnownNamesOnly) {
  EXPECT_EQ(*ParseLanguage("python"), Language::kPython);
  EXPECT_EQ(*ParseLanguage("js"), Language::kJavaScript);
  EXPECT_EQ(*ParseLanguage("javascript"), Language::kJavaScript);
  EXPECT_EQ(*ParseLanguage("bash"), Language::kBash);
  EXPECT_EQ(ParseLanguage("ruby").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseLanguage("Python").status().code(), Code::kInvalidArgument);
}

TEST(HostUidTest, StableAndInRange) {
  EXPECT_EQ(SandboxHostUid("a"), SandboxHostUid("a"));
  EXPECT_NE(SandboxHostUid("a"), SandboxHostUid("b"));
  for (const char* id : {"", "a", "admin,ImpersonatedUser", "x/y"}) {
    EXPECT_GE(SandboxHostUid(id), kFirstHostUid);
    EXPECT_LT(SandboxHostUid(id), kFirstHostUid + kHostUidCount);
  }
}

class BwrapCommandTest : public ::testing::Test {
 protected:
  std::vector<std::string> Build() {
    BwrapCommand c;
    c.bwrap_path = "/usr/bin/bwrap";
    c.layout = &layout_;
    c.spec = &spec_;
    c.language = Language::kPython;
    c.interpreter = Interpreter{"/usr/bin/python3", ""};
    c.fds = DataFds{3, 4, 5};
    c.env = {{"FOO", "bar"}};
    return BuildBwrapArgv(c);
  }
  HostLayout layout_;
  SandboxSpec spec_ = ValidSpec();
};

TEST_F(BwrapCommandTest, IsolatesByDefault) {
  layout_.symlinks = {{"usr/bin", "/bin"}};
  const std::vector<std::string> argv = Build();
  EXPECT_EQ(argv.front(), "/usr/bin/bwrap");
  EXPECT_TRUE(Contains(argv, {"--unshare-all", "--unshare-user", "--disable-userns"}));
  EXPECT_FALSE(Contains(argv, {"--share-net"}));
  EXPECT_TRUE(Contains(argv, {"--symlink", "usr/bin", "/bin"}));
  EXPECT_TRUE(Contains(argv, {"--bind", spec_.home_dir, "/home/sandbox"}));
  EXPECT_TRUE(Contains(argv, {"--ro-bind-data", "3", "/run/code/main.py"}));
  EXPECT_TRUE(Contains(argv, {"--ro-bind-data", "4", "/etc/passwd"}));
  EXPECT_TRUE(Contains(argv, {"--clearenv"}));
  EXPECT_TRUE(Contains(argv, {"--setenv", "FOO", "bar"}));
  EXPECT_TRUE(Contains(argv, {"--remount-ro", "/"}));
  EXPECT_TRUE(Contains(
      argv, {"--uid", "1000", "--gid", "1000", "--", "/usr/bin/python3", "/run/code/main.py"}));
  // The request's env comes after the defaults, so it wins.
  auto foo = std::find(argv.begin(), argv.end(), "FOO");
  auto path = std::find(argv.begin(), argv.end(), "PATH");
  EXPECT_LT(path, foo);
}

TEST_F(BwrapCommandTest, NetworkBindsAndEphemeralHome) {
  spec_.network = true;
  spec_.home_dir = "";
  spec_.binds = {{"/srv/nexus.sock", "/run/nexus.sock"}};
  layout_.resolv_conf = "/etc/resolv.conf";
  const std::vector<std::string> argv = Build();
  EXPECT_TRUE(Contains(argv, {"--share-net"}));
  EXPECT_TRUE(Contains(argv, {"--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"}));
  EXPECT_TRUE(Contains(argv, {"--bind", "/srv/nexus.sock", "/run/nexus.sock"}));
  EXPECT_TRUE(Contains(argv, {"--tmpfs", "/home/sandbox"}));
}

TEST(ClassifyOutcomeTest, NamesTheCause) {
  Limits limits;
  limits.cpu_seconds = 2;
  auto classify = [&](int wait_status, std::string_view tail, double cpu = 0,
                      bool timed_out = false, bool stopped = false) {
    Termination t;
    t.wait_status = wait_status;
    t.stderr_tail = tail;
    t.cpu_seconds = cpu;
    t.timed_out = timed_out;
    t.stopped = stopped;
    RunResult r;
    ClassifyOutcome(t, limits, &r);
    return std::make_pair(r.exit_code, r.killed_by);
  };
  auto exited = [](int code) { return code << 8; };  // the wait status of exit(code)
  EXPECT_EQ(classify(exited(0), "MemoryError"), std::make_pair(0, std::string()));
  EXPECT_EQ(classify(exited(1), "Traceback...\nMemoryError\n"),
            std::make_pair(1, std::string("memory")));
  EXPECT_EQ(classify(exited(128 + SIGXCPU), ""), std::make_pair(152, std::string("cpu")));
  EXPECT_EQ(classify(exited(128 + SIGKILL), "", 3.0), std::make_pair(137, std::string("cpu")));
  EXPECT_EQ(classify(exited(128 + SIGKILL), "", 0.1), std::make_pair(137, std::string("signal 9")));
  EXPECT_EQ(classify(exited(128 + SIGXFSZ), ""), std::make_pair(153, std::string("file_size")));
  EXPECT_EQ(classify(exited(1), "OSError: [Errno 27] File too large"),
            std::make_pair(1, std::string("file_size")));
  EXPECT_EQ(classify(exited(1), "BlockingIOError: [Errno 11] Resource temporarily unavailable"),
            std::make_pair(1, std::string("processes")));
  EXPECT_EQ(classify(SIGKILL, "", 0, true), std::make_pair(137, std::string("timeout")));
  EXPECT_EQ(classify(SIGKILL, "", 0, false, true), std::make_pair(137, std::string("stop")));
  EXPECT_EQ(classify(exited(3), "plain failure"), std::make_pair(3, std::string()));
}

TEST(ClassifyOutcomeTest, RecognisesBwrapSetupFailures) {
  EXPECT_TRUE(IsSetupFailure(1, "", "bwrap: Can't find source path /x: No such file"));
  EXPECT_FALSE(IsSetupFailure(1, "output", "bwrap: x"));
  EXPECT_FALSE(IsSetupFailure(2, "", "bwrap: x"));
  EXPECT_FALSE(IsSetupFailure(1, "", "Traceback"));
}

// A child writing a lot to both pipes must not deadlock the capture, and the cap keeps the
// first bytes while the tail keeps the last.
TEST(OutputCaptureTest, DrainsBothStreamsPastTheCap) {
  int out[2], err[2];
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::pipe(err), 0);
  std::thread writer([&] {
    const std::string chunk(100000, 'o');
    for (int i = 0; i < 30; ++i) {
      ASSERT_EQ(::write(out[1], chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
      ASSERT_EQ(::write(err[1], "e", 1), 1);
    }
    ASSERT_EQ(::write(err[1], "THE END", 7), 7);
    ::close(out[1]);
    ::close(err[1]);
  });
  OutputCapture capture(out[0], err[0], 1000);
  while (!capture.eof()) capture.Pump(-1, 1000);
  writer.join();
  EXPECT_EQ(capture.out().data.size(), 1000u);
  EXPECT_TRUE(capture.out().truncated);
  EXPECT_EQ(capture.err().data, std::string(30, 'e') + "THE END");
  EXPECT_FALSE(capture.err().truncated);
  EXPECT_TRUE(capture.err().tail.ends_with("THE END"));
  ::close(out[0]);
  ::close(err[0]);
}

}  // namespace
}  // namespace nexus::sandbox
