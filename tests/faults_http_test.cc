// Disk full and I/O errors against the real server: injected through NEXUS_FAULTS on both
// engines, and (where the machine lets us mount) a real full tmpfs under SQLite. A failed
// write is a clean JSON-RPC error, leaves nothing behind, reads and /health keep working,
// and writes work again once the fault or the shortage is gone.
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>

#include "tests/http_test_fixture.h"
#include "util/base64.h"
#include "util/fault_injection.h"

namespace nexus::e2e {
namespace {

class FaultsHttpTest : public HttpTest {
 protected:
  void TearDown() override {
    ::unsetenv(kFaultsEnvVar);
    if (!mounted_) return;
    server_.reset();  // the mount is busy while the server runs
    EXPECT_EQ(std::system(("umount " + dir_.path()).c_str()), 0);
  }

  // Stops the server and starts it again with `faults` in NEXUS_FAULTS (none when empty).
  void Restart(const std::string& faults) {
    ASSERT_EQ(server_->Stop(), 0);
    if (faults.empty()) {
      ::unsetenv(kFaultsEnvVar);
    } else {
      ::setenv(kFaultsEnvVar, faults.c_str(), 1);
    }
    Start();
  }

  bool sqlite() const { return GetParam() == Engine::kSqlite; }
  // Where this engine stores content: local files with SQLite, chunk rows with PostgreSQL.
  std::string BlobPoint() const { return sqlite() ? "file.write" : "dbblob.write"; }
  std::string CommitPoint() const { return sqlite() ? "sqlite.commit" : "postgres.commit"; }

  Json Write(const std::string& path, const std::string& content) {
    return Rpc("write", Json{{"path", path}, {"content", content}});
  }

  // The content of `path` as the read result carries it (a bytes wrapper).
  Json ReadBack(const std::string& path) { return Result("read", Json{{"path", path}}); }

  bool Exists(const std::string& path) {
    return Result("exists", Json{{"path", path}}).value("exists", true);
  }

  bool mounted_ = false;
};

TEST_P(FaultsHttpTest, InjectedDiskFullIsACleanErrorAndWritesResume) {
  ASSERT_TRUE(Write("/workspace/keep.txt", "kept").contains("result"));
  Restart(BlobPoint() + ":every:ENOSPC");

  const Json failed = Write("/workspace/new.txt", "new content");
  ASSERT_TRUE(failed.contains("error")) << failed.dump();
  EXPECT_EQ(failed["id"], 1);
  EXPECT_EQ(failed["error"]["code"], -32603);
  const std::string message = failed["error"]["message"];
  EXPECT_TRUE(message.starts_with("Storage full: ")) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_FALSE(Exists("/workspace/new.txt"));
  EXPECT_EQ(ErrorCode("append", Json{{"path", "/workspace/keep.txt"}, {"content", "more"}}),
            -32603);
  // Reads, listings and health are not writes: they keep working.
  EXPECT_EQ(ReadBack("/workspace/keep.txt"), Bytes(Base64Encode("kept")));
  EXPECT_EQ(Result("list", Json{{"path", "/workspace"}})["files"],
            Json::array({"/workspace/keep.txt"}));
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200);

  Restart("");
  ASSERT_TRUE(Write("/workspace/new.txt", "new content").contains("result"));
  EXPECT_EQ(ReadBack("/workspace/new.txt"), Bytes(Base64Encode("new content")));
  EXPECT_EQ(ReadBack("/workspace/keep.txt"), Bytes(Base64Encode("kept")));
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(Fsck(), 0);
}

// Opening the store commits too (migrations, recovery), and a store that cannot commit
// refuses to start with the reason. Rules "K+" for growing K find the first commit after
// start-up, however many start-up makes; from there on every commit fails.
TEST_P(FaultsHttpTest, FailingCommitsAreIOErrorsAndLeaveNothing) {
  ASSERT_TRUE(Write("/workspace/keep.txt", "kept").contains("result"));
  ASSERT_EQ(server_->Stop(), 0);
  server_.reset();
  for (int k = 1; k <= 32 && !server_; ++k) {
    const std::string rule = CommitPoint() + ":" + std::to_string(k) + "+:EIO";
    ::setenv(kFaultsEnvVar, rule.c_str(), 1);
    auto process = std::make_unique<test::ServerProcess>(NEXUS_BINARY, StoreArgs(), kAdminKey);
    if (process->started()) {
      server_ = std::move(process);
    } else {
      EXPECT_NE(process->output().find("Input/output error"), std::string::npos)
          << process->output();
    }
  }
  ASSERT_TRUE(server_) << "the server never came up";
  const Json failed = Write("/workspace/new.txt", "new content");
  ASSERT_TRUE(failed.contains("error")) << failed.dump();
  EXPECT_EQ(failed["error"]["code"], -32603);
  const std::string message = failed["error"]["message"];
  EXPECT_TRUE(message.starts_with("I/O error: ")) << message;
  EXPECT_EQ(ErrorCode("mkdir", Json{{"path", "/workspace/dir"}}), -32603);
  EXPECT_EQ(ErrorCode("delete", Json{{"path", "/workspace/keep.txt"}}), -32603);
  EXPECT_FALSE(Exists("/workspace/new.txt"));
  EXPECT_FALSE(Exists("/workspace/dir"));
  EXPECT_EQ(ReadBack("/workspace/keep.txt"), Bytes(Base64Encode("kept")));
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200);

  Restart("");
  ASSERT_TRUE(Write("/workspace/new.txt", "new content").contains("result"));
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(Fsck(), 0);
}

TEST_P(FaultsHttpTest, BadFaultRulesStopTheServerWithAClearMessage) {
  ASSERT_EQ(server_->Stop(), 0);
  ::setenv(kFaultsEnvVar, "file.write:sometimes:ENOSPC", 1);
  test::ServerProcess refused(NEXUS_BINARY, StoreArgs(), kAdminKey);
  EXPECT_FALSE(refused.started());
  EXPECT_NE(refused.output().find("invalid fault rules"), std::string::npos) << refused.output();
  EXPECT_NE(refused.output().find("file.write:sometimes:ENOSPC"), std::string::npos);
}

// With PostgreSQL the data directory holds no content: the full-disk test is SQLite's.
class SqliteFaultsHttpTest : public FaultsHttpTest {};

// A real full filesystem: an 8 MiB tmpfs as the data directory, filled until writes fail.
TEST_P(SqliteFaultsHttpTest, FullFilesystemRefusesWritesCleanlyAndRecovers) {
  ASSERT_EQ(server_->Stop(), 0);
  const std::string dir = dir_.path();
  if (std::system(("mount -t tmpfs -o size=8m tmpfs " + dir + " 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "mounting a tmpfs is not permitted here (needs CAP_SYS_ADMIN); "
                    "InjectedDiskFullIsACleanErrorAndWritesResume covers the same path";
  }
  mounted_ = true;
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);  // as private as the directory it covers
  Start();

  std::map<std::string, std::string> written;  // path -> content
  std::vector<std::string> refused;
  for (int i = 0; i < 64 && refused.size() < 3; ++i) {
    const std::string path = "/workspace/fill/" + std::to_string(i);
    const std::string content = std::string(512 << 10, 'a' + i % 26) + "#" + std::to_string(i);
    const Json answer = Write(path, content);
    if (answer.contains("result")) {
      written[path] = content;
      continue;
    }
    refused.push_back(path);
    EXPECT_EQ(answer["error"]["code"], -32603) << answer.dump();
    const std::string message = answer["error"].value("message", "");
    EXPECT_TRUE(message.starts_with("Storage full: ")) << message;
  }
  ASSERT_FALSE(refused.empty()) << "8 MiB never filled up";
  ASSERT_FALSE(written.empty());
  for (const std::string& path : refused) EXPECT_FALSE(Exists(path)) << path;
  EXPECT_EQ(ReadBack(written.begin()->first), Bytes(Base64Encode(written.begin()->second)));
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200);

  // Space comes back: the same writes now succeed.
  ASSERT_EQ(std::system(("mount -o remount,size=64m " + dir).c_str()), 0);
  for (const std::string& path : refused) {
    ASSERT_TRUE(Write(path, "written once there was room").contains("result")) << path;
  }

  // Everything acknowledged survives a restart, and the store is consistent.
  Restart("");
  for (const auto& [path, content] : written) {
    EXPECT_EQ(ReadBack(path), Bytes(Base64Encode(content))) << path;
  }
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(Fsck(), 0);
}

NEXUS_INSTANTIATE_ENGINES(FaultsHttpTest);
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteFaultsHttpTest, ::testing::Values(Engine::kSqlite),
                         [](const auto&) { return "Sqlite"; });

}  // namespace
}  // namespace nexus::e2e
