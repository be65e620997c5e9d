// Hooks run inside the change's transaction: they see every creation, rename and removal,
// and a failing hook undoes the change.
#include <gtest/gtest.h>

#include "testing/test_store.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {
namespace {

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(test::EngineKind::kSqlite);
    PathTreeHooks hooks;
    hooks.created = [this](storage::Tx&, const std::string& path, const Actor& actor) {
      if (path == fail_on_) return Status(Code::kPermissionDenied, "hook refuses " + path);
      events_.push_back("created " + path + " by " + actor.user);
      return Status::OK();
    };
    hooks.renamed = [this](storage::Tx&, const std::string& from, const std::string& to) {
      events_.push_back("renamed " + from + " -> " + to);
      return Status::OK();
    };
    hooks.removed = [this](storage::Tx&, const std::string& path) {
      events_.push_back("removed " + path);
      return Status::OK();
    };
    PathTreeHooks feed;
    feed.written = [this](storage::Tx&, const FileInfo& info) {
      written_.push_back(info.path + " v" + std::to_string(info.version) + " " +
                         std::to_string(info.size) + (info.etag.empty() ? " no etag" : ""));
      return Status::OK();
    };
    feed.metadata_changed = [this](storage::Tx&, const std::string& path, const std::string& key) {
      written_.push_back("metadata " + path + " " + key);
      return Status::OK();
    };
    feed.committed = [this] { ++commits_; };
    hooks = ChainHooks(std::move(hooks), std::move(feed));
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs, hooks);
  }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
  std::vector<std::string> events_;
  std::vector<std::string> written_;  // from the second hook set, chained after the first
  int commits_ = 0;
  std::string fail_on_;
};

TEST_F(HooksTest, CreationsRenamesAndRemovals) {
  ASSERT_TRUE(tree_->Write(Actor{"ann"}, "/a/b/f", "x").ok());
  ASSERT_TRUE(tree_->Write(Actor{"ann"}, "/a/b/f", "y").ok());  // a new version creates nothing
  ASSERT_TRUE(tree_->Mkdir(Actor{"bob"}, "/a/c", false, false).ok());
  ASSERT_TRUE(tree_->Rename("/a/b", "/a/d").ok());
  ASSERT_TRUE(tree_->Delete("/a/d/f").ok());
  ASSERT_TRUE(tree_->Rmdir("/a", true).ok());
  EXPECT_EQ(events_,
            (std::vector<std::string>{"created /a by ann", "created /a/b by ann",
                                      "created /a/b/f by ann", "created /a/c by bob",
                                      "renamed /a/b -> /a/d", "removed /a/d/f", "removed /a"}));
}

TEST_F(HooksTest, AFailingHookUndoesTheChange) {
  fail_on_ = "/x/y";
  const Status s = tree_->Write(Actor{"ann"}, "/x/y", "data").status();
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_FALSE(*tree_->Exists("/x")) << "the parent created in the same unit is gone too";
  EXPECT_FALSE(*tree_->Exists("/x/y"));
}

TEST_F(HooksTest, EveryNewVersionAndMetadataChangeIsReported) {
  ASSERT_TRUE(tree_->Write(Actor{"ann"}, "/f", "ab").ok());
  ASSERT_TRUE(tree_->Append(Actor{"ann"}, "/f", "c").ok());
  ASSERT_TRUE(tree_->Copy(Actor{"ann"}, "/f", "/g").ok());
  ASSERT_TRUE(tree_->Rollback(Actor{"ann"}, "/f", 1).ok());
  ASSERT_TRUE(tree_->SetFileMetadata("/g", "k", "v").ok());
  ASSERT_TRUE(tree_->SetFileMetadata("/g", "k", std::nullopt).ok());
  const std::string hash = *tree_->StoreContent("zz");
  ASSERT_TRUE(tree_
                  ->ApplyBatch(Actor{"ann"}, {{TreeChange::Kind::kWrite, "/h", hash, 2},
                                              {TreeChange::Kind::kDelete, "/g", "", 0}})
                  .ok());
  EXPECT_EQ(written_, (std::vector<std::string>{"/f v1 2", "/f v2 3", "/g v1 3", "/f v3 2",
                                                "metadata /g k", "metadata /g k", "/h v1 2"}));
  EXPECT_EQ(commits_, 7);
  EXPECT_EQ(events_.back(), "removed /g");
}

TEST_F(HooksTest, AFailedChangeIsNotReportedAsCommitted) {
  fail_on_ = "/x";
  EXPECT_FALSE(tree_->Write(Actor{"ann"}, "/x/y", "data").ok());
  EXPECT_FALSE(tree_->SetFileMetadata("/missing", "k", "v").ok());
  EXPECT_EQ(commits_, 0);
  EXPECT_TRUE(written_.empty()) << "the first hook failed, the chained one did not run";
}

}  // namespace
}  // namespace nexus::vfs
