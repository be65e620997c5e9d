#include "services/permission_hooks.h"

#include <gtest/gtest.h>

#include "services/test_tree_store.h"
#include "testing/test_store.h"

namespace nexus::services {
namespace {

TEST(PermissionHooksTest, WhoOwnsANewNode) {
  EXPECT_EQ(OwnerOfNewNode("/tenant:t/user:alice/notes/a.md", "alice"), "alice");
  EXPECT_EQ(OwnerOfNewNode("/tenant:t/workspace/x", "bob"), "bob");
  EXPECT_EQ(OwnerOfNewNode("/tenant:t/user:alice", "admin"), "alice")
      << "a home belongs to its user";
  EXPECT_EQ(OwnerOfNewNode("/tenant:t/workspace", "bob"), "")
      << "top-level directories belong to no one";
  EXPECT_EQ(OwnerOfNewNode("/tenant:t", "bob"), "");
  EXPECT_EQ(OwnerOfNewNode("/skill/pdf/SKILL.md", "root"), "")
      << "system-wide paths carry no tuples";
}

class PermissionHooksStoreTest : public TreeStoreTest {
 protected:
  bool Can(const std::string& user, const std::string& permission, const std::string& path) {
    auto r = rebac_->Check("t", {"user", user, ""}, permission, {"file", path});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }
};

TEST_P(PermissionHooksStoreTest, CreatorOwnsRenamesFollowRemovalsClean) {
  ASSERT_TRUE(tree_->Write(vfs::Actor{"alice"}, "/tenant:t/user:alice/d/a.md", "x").ok());
  EXPECT_TRUE(Can("alice", "write", "/tenant:t/user:alice/d/a.md"));
  EXPECT_TRUE(Can("alice", "write", "/tenant:t/user:alice/new-file")) << "she owns her home";
  EXPECT_FALSE(Can("bob", "read", "/tenant:t/user:alice/d/a.md"));
  ASSERT_TRUE(tree_->Write(vfs::Actor{"bob"}, "/tenant:t/workspace/b.md", "y").ok());
  EXPECT_TRUE(Can("bob", "write", "/tenant:t/workspace/b.md"));
  EXPECT_FALSE(Can("bob", "read", "/tenant:t/workspace/other.md")) << "bob does not own /workspace";

  ASSERT_TRUE(tree_->Rename("/tenant:t/workspace/b.md", "/tenant:t/workspace/c.md").ok());
  EXPECT_TRUE(Can("bob", "write", "/tenant:t/workspace/c.md"));
  EXPECT_FALSE(Can("bob", "write", "/tenant:t/workspace/b.md"));
  ASSERT_TRUE(tree_->Delete("/tenant:t/workspace/c.md").ok());
  ASSERT_TRUE(tree_->Write(vfs::Actor{"carol"}, "/tenant:t/workspace/c.md", "z").ok());
  EXPECT_FALSE(Can("bob", "read", "/tenant:t/workspace/c.md")) << "bob's tuple went with his file";
  EXPECT_TRUE(Can("carol", "read", "/tenant:t/workspace/c.md"));
}

INSTANTIATE_TEST_SUITE_P(Engines, PermissionHooksStoreTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
