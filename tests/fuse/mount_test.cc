// `nexus mount` end to end: the real server and the real `nexus` binary, a real FUSE mount,
// and the ordinary tools people and agents use on it (cp, git, python3, grep, find, mv, rm).
// Label `fuse`. Skipped, saying why, only where the machine has no /dev/fuse.
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/cli_test_fixture.h"
#include "util/base64.h"

namespace nexus::e2e {
namespace {

constexpr long kFuseMagic = 0x65735546;

class MountTest : public CliTest {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0)
      GTEST_SKIP() << "this machine has no usable /dev/fuse, so nothing can be mounted";
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mnt_ = dir_.path() + "-mnt";
    ASSERT_EQ(::mkdir(mnt_.c_str(), 0700), 0);
  }

  void TearDown() override {
    if (!mnt_.empty()) {
      if (Mounted()) Nexus({"unmount", mnt_});
      if (Mounted()) Sh("fusermount3 -uz '" + mnt_ + "'");
      ::rmdir(mnt_.c_str());
    }
    CliTest::TearDown();
  }

  bool Mounted() const {
    struct statfs st {};
    return ::statfs(mnt_.c_str(), &st) == 0 && st.f_type == kFuseMagic;
  }

  // `nexus mount MNT ARGS` in the background, as a user runs it; returns once it is mounted.
  void Mount(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"mount", mnt_});
    const test::ChildResult r = Nexus(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(Mounted());
  }

  // A shell command with $M the mount point and the server and key of `nexus` in the
  // environment; `env` adds variables.
  test::ChildResult Sh(const std::string& script, std::vector<std::string> env = {}) {
    test::ChildOptions options;
    options.env = std::move(env);
    options.env.push_back("M=" + mnt_);
    options.env.push_back("HOME=" + home_);
    options.env.push_back("NEXUS_URL=" + Url());
    options.env.push_back("NEXUS_API_KEY=" + key_);
    options.timeout = std::chrono::seconds(300);
    return test::RunChild("/bin/sh", {"-c", script}, options);
  }

  std::string ShOk(const std::string& script) {
    const test::ChildResult r = Sh(script);
    EXPECT_EQ(r.exit_code, 0) << script << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r.out;
  }

  void WriteThroughApi(const std::string& path, const std::string& content,
                       const std::string& key = kAdminKey) {
    Result("write", Json{{"path", path}, {"content", Bytes(Base64Encode(content))}}, key);
  }

  std::string ReadThroughApi(const std::string& path) {
    return Text(Result("read", Json{{"path", path}}));
  }

  std::string mnt_;
};

TEST_P(MountTest, ASourceTreeCopiedInAndOutKeepsEveryByte) {
  Mount();
  ShOk("cp -r '" NEXUS_SOURCE_DIR "/src/util' \"$M/util\" && cp -r \"$M/util\" \"$HOME/back\"");
  ShOk("diff -r '" NEXUS_SOURCE_DIR "/src/util' \"$HOME/back\"");
  const std::string local = ShOk("cd '" NEXUS_SOURCE_DIR
                                 "/src/util' && find . -type f | sort | "
                                 "xargs sha256sum");
  const std::string mounted = ShOk("cd \"$M/util\" && find . -type f | sort | xargs sha256sum");
  EXPECT_EQ(mounted, local);
  EXPECT_GT(local.size(), 1000u);
  // The server has what was copied in.
  EXPECT_EQ(ReadThroughApi("/util/status.h"), ShOk("cat '" NEXUS_SOURCE_DIR "/src/util/status.h'"));
}

TEST_P(MountTest, GitInitAddCommitAndLogInsideTheMount) {
  Mount();
  const std::string git = "git -c user.email=t@example.com -c user.name=T ";
  ShOk(
      "cd \"$M\" && mkdir repo && cd repo && git init -q && echo one > a.txt && mkdir src && "
      "echo 'int main() { return 0; }' > src/main.c && " +
      git + "add . && " + git + "commit -qm first && echo two >> a.txt && " + git +
      "commit -qam second");
  EXPECT_EQ(ShOk("cd \"$M/repo\" && git log --format=%s"), "second\nfirst\n");
  EXPECT_EQ(ShOk("cd \"$M/repo\" && git status --porcelain"), "");
  ShOk("cd \"$M/repo\" && git fsck --strict");
  EXPECT_EQ(ReadThroughApi("/repo/a.txt"), "one\ntwo\n");
}

TEST_P(MountTest, PythonWritesSeeksAppendsAndReads) {
  Mount();
  ShOk(
      "python3 - <<'EOF'\n"
      "import os\n"
      "p = os.environ['M'] + '/py.bin'\n"
      "with open(p, 'wb') as f:\n"
      "    f.write(b'0123456789')\n"
      "    f.seek(2)\n"
      "    f.write(b'ab')\n"
      "with open(p, 'ab') as f:\n"
      "    f.write(b'END')\n"
      "with open(p, 'r+b') as f:\n"
      "    f.truncate(12)\n"
      "assert open(p, 'rb').read() == b'01ab456789EN', open(p, 'rb').read()\n"
      "assert os.path.getsize(p) == 12\n"
      "EOF");
  EXPECT_EQ(ReadThroughApi("/py.bin"), "01ab456789EN");
}

TEST_P(MountTest, GrepAndFindWalkTheTree) {
  WriteThroughApi("/src/a/one.c", "int needle = 1;\n");
  WriteThroughApi("/src/b/two.h", "nothing here\n");
  WriteThroughApi("/src/b/deep/three.c", "a needle again\n");
  Mount();
  EXPECT_EQ(ShOk("cd \"$M\" && grep -rl needle src | sort"), "src/a/one.c\nsrc/b/deep/three.c\n");
  EXPECT_EQ(ShOk("cd \"$M\" && find src -name '*.c' | sort"), "src/a/one.c\nsrc/b/deep/three.c\n");
  EXPECT_EQ(ShOk("cd \"$M\" && find src -type d | sort"), "src\nsrc/a\nsrc/b\nsrc/b/deep\n");
}

TEST_P(MountTest, MovingADirectoryMovesItsWholeTree) {
  WriteThroughApi("/old/x.txt", "x");
  WriteThroughApi("/old/sub/y.txt", "y");
  Mount();
  ShOk("mv \"$M/old\" \"$M/new\"");
  EXPECT_EQ(ShOk("cd \"$M\" && find new old 2>/dev/null | sort"),
            "new\nnew/sub\nnew/sub/y.txt\nnew/x.txt\n");
  EXPECT_EQ(ReadThroughApi("/new/sub/y.txt"), "y");
  EXPECT_EQ(ErrorCode("read", Json{{"path", "/old/x.txt"}}), -32000);
}

TEST_P(MountTest, RenamingOverAFileKeepsTheTargetsHistory) {
  WriteThroughApi("/doc.txt", "first\n");
  Mount();
  // What editors and git do to save: write a temporary file, rename it over the original.
  ShOk("printf 'second\\n' > \"$M/.doc.txt.tmp\" && mv \"$M/.doc.txt.tmp\" \"$M/doc.txt\"");
  EXPECT_EQ(ShOk("cat \"$M/doc.txt\""), "second\n");
  EXPECT_EQ(ShOk("ls -a \"$M\" | grep -c tmp || true"), "0\n");
  const Json versions = Result("list_versions", Json{{"path", "/doc.txt"}});
  EXPECT_EQ(versions.size(), 2u) << versions.dump();
}

TEST_P(MountTest, EachCloseOfAWrittenFileIsOneNewVersion) {
  Mount();
  ShOk("echo one > \"$M/v.txt\" && echo two > \"$M/v.txt\" && echo three >> \"$M/v.txt\"");
  const Json versions = Result("list_versions", Json{{"path", "/v.txt"}});
  EXPECT_EQ(versions.size(), 3u) << versions.dump();
  EXPECT_EQ(ReadThroughApi("/v.txt"), "two\nthree\n");
}

TEST_P(MountTest, RemovesATreeOfFiveThousandFiles) {
  for (int batch = 0; batch < 10; ++batch) {
    Json files = Json::array();
    for (int i = 0; i < 500; ++i) {
      files.push_back(Json::array(
          {"/big/d" + std::to_string(batch) + "/f" + std::to_string(i), Bytes(Base64Encode("x"))}));
    }
    Result("write_batch", Json{{"files", files}});
  }
  Mount();
  EXPECT_EQ(ShOk("find \"$M/big\" -type f | wc -l"), "5000\n");
  ShOk("rm -rf \"$M/big\"");
  EXPECT_FALSE(Result("exists", Json{{"path", "/big"}}).value("exists", true));
  EXPECT_FALSE(Contains(ShOk("ls \"$M\""), "big"));
}

TEST_P(MountTest, AnUnlinkReachesTheServerAndANewFileOfTheSameNameIsKept) {
  WriteThroughApi("/gone.txt", "old\n");
  WriteThroughApi("/again.txt", "old\n");
  Mount();
  ShOk("rm \"$M/gone.txt\" && rm \"$M/again.txt\" && echo new > \"$M/again.txt\"");
  EXPECT_NE(Sh("cat \"$M/gone.txt\"").exit_code, 0);
  EXPECT_EQ(ShOk("cat \"$M/again.txt\""), "new\n");
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !Result("exists", Json{{"path", "/gone.txt"}}).value("exists", true);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(ReadThroughApi("/again.txt"), "new\n");
}

TEST_P(MountTest, AWriteThroughTheApiReachesTheMountWithinTheMetadataTtl) {
  WriteThroughApi("/shared.txt", "before\n");
  Mount({"--metadata-ttl", "0.2"});
  EXPECT_EQ(ShOk("cat \"$M/shared.txt\""), "before\n");
  WriteThroughApi("/shared.txt", "after, and longer\n");
  WriteThroughApi("/elsewhere/new.txt", "new\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(ShOk("cat \"$M/shared.txt\""), "after, and longer\n");
  EXPECT_EQ(ShOk("cat \"$M/elsewhere/new.txt\""), "new\n");
}

TEST_P(MountTest, AUserSeesWhatTheirKeyMaySeeAndAnotherTenantNothing) {
  WriteThroughApi("/private/secret.txt", "admin only\n");
  key_ = NewUserKey("alice");
  Mount();
  const test::ChildResult denied = Sh("cat \"$M/private/secret.txt\"");
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_TRUE(Contains(denied.err, "Permission denied")) << denied.err;
  const test::ChildResult refused = Sh("echo x > \"$M/private/mine.txt\"");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(ErrorCode("read", Json{{"path", "/private/mine.txt"}}), -32000);
  Nexus({"unmount", mnt_});
  ASSERT_FALSE(Mounted());

  key_ = NewUserKey("carol", "other");
  Mount();
  EXPECT_FALSE(Contains(ShOk("ls -a \"$M\""), "private"));
  EXPECT_NE(Sh("cat \"$M/private/secret.txt\"").exit_code, 0);
  EXPECT_NE(Sh("ls \"$M/tenant:default\"").exit_code, 0);
}

TEST_P(MountTest, ALostServerIsAnIoErrorAndTheMountRecoversWhenItIsBack) {
  WriteThroughApi("/kept.txt", "kept\n");
  Mount({"--io-timeout", "2", "--metadata-ttl", "0"});
  EXPECT_EQ(ShOk("cat \"$M/kept.txt\""), "kept\n");
  const uint16_t same_port = port();
  server_->Stop();
  // A call that hung would be killed by the shell's timeout and print no error.
  const test::ChildResult lost = Sh("cat \"$M/other.txt\"");
  EXPECT_NE(lost.exit_code, 0);
  EXPECT_TRUE(Contains(lost.err, "Input/output error")) << lost.err;
  server_ = std::make_unique<test::ServerProcess>(NEXUS_BINARY, StoreArgs(), kAdminKey, same_port);
  ASSERT_TRUE(server_->started()) << server_->output();
  EXPECT_EQ(ShOk("cat \"$M/kept.txt\""), "kept\n");
  ShOk("echo back > \"$M/after.txt\"");
  EXPECT_EQ(ReadThroughApi("/after.txt"), "back\n");
}

TEST_P(MountTest, AServerRestartUnderAnOpenFile) {
  WriteThroughApi("/open.txt", "open\n");
  Mount();
  // The shell holds the file open across the restart, then reads and writes through it.
  const std::string script =
      "exec 3<>\"$M/open.txt\" && read line <&3 && echo \"$line\" && "
      "while [ ! -e \"$HOME/restarted\" ]; do sleep 0.1; done && echo more >&3 && exec 3>&-";
  std::thread shell([&] { EXPECT_EQ(ShOk(script), "open\n"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Restart();
  ShOk("touch \"$HOME/restarted\"");
  shell.join();
  EXPECT_EQ(ReadThroughApi("/open.txt"), "open\nmore\n");
}

TEST_P(MountTest, AWriteThatCannotBeStoredIsKeptInTheCache) {
  WriteThroughApi("/offline.txt", "before\n");
  Mount({"--io-timeout", "1", "--cache-dir", home_ + "/cache"});
  // The shell holds the file open while the server goes away, then writes and closes it.
  const std::string script =
      "exec 3<>\"$M/offline.txt\" && read line <&3 && "
      "while [ ! -e \"$HOME/stopped\" ]; do sleep 0.1; done && echo after >&3; exec 3>&-";
  std::thread shell([&] { Sh(script); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server_->Stop();
  ShOk("touch \"$HOME/stopped\"");
  shell.join();
  // The last close's store runs after close() returned (FUSE releases in the background).
  for (int i = 0; i < 200 && Sh("ls \"$HOME\"/cache/unsaved/offline.txt.*").exit_code != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(ShOk("cat \"$HOME\"/cache/unsaved/offline.txt.*"), "before\nafter\n");
}

TEST_P(MountTest, AMountPointAlreadyMountedIsRefused) {
  Mount();
  EXPECT_TRUE(Contains(Fails({"mount", mnt_}, 6), "already a mount point"));
  EXPECT_TRUE(Contains(Fails({"mount", dir_.path() + "-nowhere"}, 1), "not a directory"));
}

TEST_P(MountTest, AReadOnlyMountRefusesEveryChange) {
  WriteThroughApi("/ro.txt", "ro\n");
  Mount({"--read-only"});
  EXPECT_EQ(ShOk("cat \"$M/ro.txt\""), "ro\n");
  for (const std::string change :
       {"echo x > \"$M/ro.txt\"", "echo x > \"$M/new.txt\"", "rm \"$M/ro.txt\"", "mkdir \"$M/d\"",
        "mv \"$M/ro.txt\" \"$M/moved.txt\""}) {
    const test::ChildResult r = Sh(change);
    EXPECT_NE(r.exit_code, 0) << change;
    EXPECT_TRUE(Contains(r.err, "Read-only file system")) << change << ": " << r.err;
  }
  EXPECT_EQ(ReadThroughApi("/ro.txt"), "ro\n");
}

TEST_P(MountTest, SigtermUnmountsAForegroundMountCleanly) {
  // A shell waits for the mount and keeps its exit status.
  ShOk("(\"" NEXUS_BINARY
       "\" mount -f \"$M\" > \"$HOME/mount.log\" 2>&1 & p=$!; "
       "echo $p > \"$HOME/mount.pid\"; wait $p; echo $? > \"$HOME/mount.rc\") "
       "> /dev/null 2>&1 &");
  for (int i = 0; i < 100 && !Mounted(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(Mounted()) << ShOk("cat \"$HOME/mount.log\"");
  ShOk("echo data > \"$M/f.txt\"");
  ShOk(
      "kill -TERM $(cat \"$HOME/mount.pid\") && "
      "while [ ! -s \"$HOME/mount.rc\" ]; do sleep 0.05; done");
  EXPECT_FALSE(Mounted());
  EXPECT_EQ(ShOk("cat \"$HOME/mount.rc\""), "0\n") << ShOk("cat \"$HOME/mount.log\"");
  EXPECT_EQ(ReadThroughApi("/f.txt"), "data\n");
}

TEST_P(MountTest, ExtendedAttributesShowTheFilesMetadata) {
  WriteThroughApi("/x.txt", "hello");
  Mount();
  EXPECT_EQ(ShOk("python3 -c \"import os; print(os.getxattr(os.environ['M'] + '/x.txt', "
                 "'user.nexus.etag').decode())\""),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n");
  EXPECT_TRUE(Contains(ShOk("python3 -c \"import os; print(os.listxattr(os.environ['M'] + "
                            "'/x.txt'))\""),
                       "user.nexus.mime_type"));
  EXPECT_NE(Sh("python3 -c \"import os; os.setxattr(os.environ['M'] + '/x.txt', 'user.a', "
               "b'1')\"")
                .exit_code,
            0);
}

// The mount is a client of the API: one engine shows it works; the engines' own behaviour is
// the rest of the suite's.
INSTANTIATE_TEST_SUITE_P(Sqlite, MountTest, ::testing::Values(Engine::kSqlite),
                         [](const auto&) { return "Sqlite"; });

}  // namespace
}  // namespace nexus::e2e
