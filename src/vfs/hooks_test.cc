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
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs, hooks);
  }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
  std::vector<std::string> events_;
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

}  // namespace
}  // namespace nexus::vfs
