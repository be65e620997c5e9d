// PathTree::ApplyBatch: many writes and deletes as one unit, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <map>

#include "testing/blob_check.h"
#include "testing/test_store.h"
#include "util/hash.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {
namespace {

using test::EngineKind;
using Kind = TreeChange::Kind;

class BatchTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    PathTreeHooks hooks;
    hooks.created = [this](storage::Tx&, const std::string& path, const Actor&) {
      events_.push_back("created " + path);
      return Status::OK();
    };
    hooks.removed = [this](storage::Tx&, const std::string& path) {
      events_.push_back("removed " + path);
      return Status::OK();
    };
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs, hooks);
  }

  void TearDown() override { test::ExpectBlobsConsistent(store_); }

  // Writes `content` at `path` and returns the change that puts it back anywhere.
  TreeChange WriteOf(const std::string& path, const std::string& content) {
    auto info = tree_->Write(alice_, path, content);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return TreeChange{Kind::kWrite, path, info.ok() ? info->etag : "", info.ok() ? info->size : 0};
  }

  std::string MustRead(const std::string& path) {
    auto r = tree_->Read(path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() ? r->content : "";
  }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
  std::vector<std::string> events_;
  const Actor alice_{"alice"};
};

TEST_P(BatchTest, WritesHashesAndDeletesInOneUnit) {
  TreeChange old_a = WriteOf("/w/a", "one");
  ASSERT_TRUE(tree_->Write(alice_, "/w/a", "two").ok());
  TreeChange same_b = WriteOf("/w/b", "bee");
  WriteOf("/w/c", "sea");
  TreeChange new_d = old_a;
  new_d.path = "/w/sub/d";
  events_.clear();

  auto result =
      tree_->ApplyBatch(alice_, {old_a, same_b, new_d, TreeChange{Kind::kDelete, "/w/c", "", 0}},
                        "restore snapshot 1");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->written, 2) << "b already holds its content";
  EXPECT_EQ(result->deleted, 1);
  EXPECT_EQ(MustRead("/w/a"), "one");
  EXPECT_EQ(MustRead("/w/sub/d"), "one");
  EXPECT_EQ(MustRead("/w/b"), "bee");
  EXPECT_FALSE(*tree_->Exists("/w/c"));
  auto versions = tree_->ListVersions("/w/a");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u) << "the old content comes back as a new version";
  EXPECT_EQ((*versions)[0].change_reason, "restore snapshot 1");
  EXPECT_EQ(tree_->ListVersions("/w/b")->size(), 1u);
  EXPECT_EQ(events_,
            (std::vector<std::string>{"created /w/sub", "created /w/sub/d", "removed /w/c"}));
}

TEST_P(BatchTest, AFailingChangeLeavesNothingApplied) {
  TreeChange old_a = WriteOf("/w/a", "one");
  ASSERT_TRUE(tree_->Write(alice_, "/w/a", "two").ok());
  WriteOf("/w/b", "bee");
  TreeChange new_e = old_a;
  new_e.path = "/w/e";
  events_.clear();

  const TreeChange never_stored{Kind::kWrite, "/w/f", Sha256Hex("never stored"), 12};
  auto result = tree_->ApplyBatch(
      alice_, {old_a, new_e, TreeChange{Kind::kDelete, "/w/b", "", 0}, never_stored});
  EXPECT_EQ(result.status().code(), Code::kRetry) << result.status().ToString();
  EXPECT_EQ(MustRead("/w/a"), "two");
  EXPECT_EQ(tree_->ListVersions("/w/a")->size(), 2u);
  EXPECT_FALSE(*tree_->Exists("/w/e"));
  EXPECT_EQ(MustRead("/w/b"), "bee");

  ASSERT_TRUE(tree_->Mkdir(alice_, "/w/dir", false, false).ok());
  TreeChange over_dir = old_a;
  over_dir.path = "/w/dir";
  EXPECT_EQ(tree_->ApplyBatch(alice_, {new_e, over_dir}).status().code(), Code::kIsADirectory);
  EXPECT_EQ(tree_->ApplyBatch(alice_, {TreeChange{Kind::kDelete, "/w/dir", "", 0}}).status().code(),
            Code::kIsADirectory);
  EXPECT_FALSE(*tree_->Exists("/w/e"));
}

TEST_P(BatchTest, DeletingAMissingFileIsNothing) {
  WriteOf("/w/b", "bee");
  auto result = tree_->ApplyBatch(
      alice_, {TreeChange{Kind::kDelete, "/w/missing", "", 0},
               TreeChange{Kind::kDelete, "/w/b", "", 0}, TreeChange{Kind::kDelete, "/w/b", "", 0}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->deleted, 1) << "only files that existed are counted";
  EXPECT_FALSE(*tree_->Exists("/w/b"));
}

TEST_P(BatchTest, APreconditionRunsInTheUnitAndCanFailIt) {
  TreeChange a = WriteOf("/w/a", "one");
  a.path = "/w/copy";
  int runs = 0;
  auto refused = tree_->ApplyBatch(alice_, {a}, "", [&](storage::Tx& tx) -> Status {
    ++runs;
    RETURN_IF_ERROR(tx.Query("SELECT 1 FROM nodes").status());
    return NotFound("gone meanwhile");
  });
  EXPECT_EQ(refused.status().code(), Code::kNotFound);
  EXPECT_EQ(refused.status().message(), "gone meanwhile");
  EXPECT_FALSE(*tree_->Exists("/w/copy"));
  auto applied = tree_->ApplyBatch(alice_, {a}, "", [&](storage::Tx&) {
    ++runs;
    return Status::OK();
  });
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->written, 1);
  EXPECT_GE(runs, 2);
}

TEST_P(BatchTest, ExistsInUnitSeesFilesAndDirectories) {
  WriteOf("/w/a", "one");
  std::map<std::string, bool> seen;
  auto applied = tree_->ApplyBatch(alice_, {}, "", [&](storage::Tx& tx) -> Status {
    for (const char* path : {"/w", "/w/a", "/w/a/", "/w/b"}) {
      ASSIGN_OR_RETURN(seen[path], ExistsInUnit(tx, path));
    }
    return ExistsInUnit(tx, "/w/../x").status();
  });
  EXPECT_EQ(applied.status().code(), Code::kInvalidPath);
  EXPECT_EQ(seen, (std::map<std::string, bool>{
                      {"/w", true}, {"/w/a", true}, {"/w/a/", true}, {"/w/b", false}}));
}

TEST_P(BatchTest, BadInputFailsBeforeAnythingRuns) {
  TreeChange a = WriteOf("/w/a", "one");
  TreeChange bad_path = a;
  bad_path.path = "/w/../x";
  EXPECT_EQ(tree_->ApplyBatch(alice_, {a, bad_path}).status().code(), Code::kInvalidPath);
  TreeChange bad_hash = a;
  bad_hash.hash = "not-a-hash";
  EXPECT_EQ(tree_->ApplyBatch(alice_, {bad_hash}).status().code(), Code::kInvalidArgument);
  auto empty = tree_->ApplyBatch(alice_, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->written + empty->deleted, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, BatchTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::vfs
