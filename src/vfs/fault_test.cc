// Writes through the path tree under injected disk-full and I/O failures, on both engines:
// the call fails with a clear error, nothing of it is visible (no node, no version, no
// reference), reads keep working, and writes work again once the fault is gone.
#include <gtest/gtest.h>

#include "testing/test_store.h"
#include "util/fault_injection.h"
#include "vfs/path_tree.h"
#include "vfs/test_tree.h"

namespace nexus::vfs {
namespace {

using test::EngineKind;

class PathTreeFaultTest : public TreeTest {
 protected:
  void TearDown() override {
    ClearFaults();
    TreeTest::TearDown();
  }

  // The points a content write passes, for this engine's blob store and commit.
  std::vector<std::string> WritePathRules() const {
    if (GetParam() == EngineKind::kPostgres) {
      return {"dbblob.write:1:ENOSPC", "postgres.commit:1:ENOSPC", "postgres.commit:1:EIO"};
    }
    return {"file.write:1:ENOSPC", "file.fsync:1:EIO", "file.rename:1:ENOSPC",
            "sqlite.commit:1:ENOSPC", "sqlite.commit:1:EIO"};
  }

  const Actor alice_{"alice"};
};

TEST_P(PathTreeFaultTest, FailedWriteOfANewFileLeavesNothing) {
  ASSERT_TRUE(tree_->Write(alice_, "/keep.txt", "kept").ok());
  const int64_t versions = store_.Count("SELECT COUNT(*) FROM versions");
  const int64_t refs = store_.Count("SELECT COALESCE(SUM(refcount), 0) FROM blobs");
  for (const std::string& rule : WritePathRules()) {
    SCOPED_TRACE(rule);
    ASSERT_TRUE(SetFaults(rule).ok());
    const std::string content = "new content for " + rule;
    StatusOr<FileInfo> written = tree_->Write(alice_, "/new.txt", content);
    ASSERT_FALSE(written.ok());
    const Code code = written.status().code();
    EXPECT_TRUE(code == Code::kStorageFull || code == Code::kIOError)
        << written.status().ToString();
    EXPECT_FALSE(*tree_->Exists("/new.txt"));
    EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM versions"), versions);
    EXPECT_EQ(store_.Count("SELECT COALESCE(SUM(refcount), 0) FROM blobs"), refs);
    EXPECT_EQ(store_.FilesInCas(".tmp."), 0);
    // Reads are not affected while the fault holds.
    EXPECT_EQ(tree_->Read("/keep.txt")->content, "kept");
  }
  ClearFaults();
  ASSERT_TRUE(tree_->Write(alice_, "/new.txt", "after").ok());
  EXPECT_EQ(tree_->Read("/new.txt")->content, "after");
}

TEST_P(PathTreeFaultTest, FailedOverwriteKeepsThePreviousVersion) {
  ASSERT_TRUE(tree_->Write(alice_, "/f.txt", "v1").ok());
  for (const std::string& rule : WritePathRules()) {
    SCOPED_TRACE(rule);
    ASSERT_TRUE(SetFaults(rule).ok());
    EXPECT_FALSE(tree_->Write(alice_, "/f.txt", "v2 " + rule).ok());
    StatusOr<FileContent> now = tree_->Read("/f.txt");
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    EXPECT_EQ(now->content, "v1");
    EXPECT_EQ(now->info.version, 1);
    EXPECT_EQ(tree_->ListVersions("/f.txt")->size(), 1u);
  }
  ClearFaults();
  ASSERT_TRUE(tree_->Write(alice_, "/f.txt", "v2").ok());
  EXPECT_EQ(tree_->Read("/f.txt")->info.version, 2);
}

TEST_P(PathTreeFaultTest, FailedAppendAndDeleteChangeNothing) {
  ASSERT_TRUE(tree_->Write(alice_, "/log.txt", "a").ok());
  const char* commit = GetParam() == EngineKind::kSqlite ? "sqlite.commit" : "postgres.commit";
  ASSERT_TRUE(SetFaults(std::string(commit) + ":every:ENOSPC").ok());
  EXPECT_EQ(tree_->Append(alice_, "/log.txt", "b").status().code(), Code::kStorageFull);
  EXPECT_EQ(tree_->Delete("/log.txt").code(), Code::kStorageFull);
  EXPECT_EQ(tree_->Mkdir(alice_, "/dir", true, false).code(), Code::kStorageFull);
  EXPECT_EQ(tree_->Read("/log.txt")->content, "a");
  EXPECT_FALSE(*tree_->Exists("/dir"));
  ClearFaults();
  ASSERT_TRUE(tree_->Append(alice_, "/log.txt", "b").ok());
  EXPECT_EQ(tree_->Read("/log.txt")->content, "ab");
}

// Faults in the middle of a run of writes (from the Nth blob write on, the Nth commit) fail
// exactly those writes; the others land whole.
TEST_P(PathTreeFaultTest, IntermittentFaultsFailOnlyTheirWrites) {
  const char* rule = GetParam() == EngineKind::kSqlite ? "file.write:3+:ENOSPC,sqlite.commit:2:EIO"
                                                       : "dbblob.write:3+:ENOSPC";
  ASSERT_TRUE(SetFaults(rule).ok());
  std::vector<std::string> landed;
  for (int i = 0; i < 12; ++i) {
    const std::string path = "/run/" + std::to_string(i);
    // Large enough for two chunks in the database store, so its fault lands mid-blob.
    const std::string content = std::string(1 << 20, 'a' + i % 26) + std::to_string(i);
    if (tree_->Write(alice_, path, content).ok()) landed.push_back(path);
  }
  ClearFaults();
  EXPECT_GE(landed.size(), 1u);
  EXPECT_LT(landed.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    const std::string path = "/run/" + std::to_string(i);
    const bool expected = std::find(landed.begin(), landed.end(), path) != landed.end();
    EXPECT_EQ(*tree_->Exists(path), expected) << path;
    if (expected) {
      EXPECT_EQ(tree_->Read(path)->content.size(), (1u << 20) + std::to_string(i).size());
    }
  }
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM versions"), static_cast<int64_t>(landed.size()));
  EXPECT_EQ(store_.FilesInCas(".tmp."), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, PathTreeFaultTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::vfs
