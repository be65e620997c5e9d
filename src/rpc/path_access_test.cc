#include "rpc/path_access.h"

#include <gtest/gtest.h>

namespace nexus::rpc {
namespace {

auth::Identity User(std::string user, std::string tenant = "default", bool admin = false) {
  auth::Identity id;
  id.subject_type = "user";
  id.subject_id = user;
  id.user_id = user;
  id.tenant_id = std::move(tenant);
  id.is_admin = admin;
  return id;
}

bool Can(const auth::Identity& who, const std::string& path, Access access) {
  return CheckPathAccess(who, path, access).ok();
}

TEST(PathAccessTest, UsersWriteOnlyTheirHome) {
  const auto alice = User("alice");
  EXPECT_TRUE(Can(alice, "/tenant:default/user:alice/notes.md", Access::kWrite));
  EXPECT_FALSE(Can(alice, "/tenant:default/user:bob/notes.md", Access::kWrite));
  EXPECT_FALSE(Can(alice, "/tenant:default/skill/x/SKILL.md", Access::kWrite));
  EXPECT_FALSE(Can(alice, "/tenant:default/user:alicex/a", Access::kWrite));
  EXPECT_FALSE(Can(alice, "/anywhere", Access::kWrite));
}

TEST(PathAccessTest, UsersReadTheirTenantButNotOtherHomes) {
  const auto alice = User("alice");
  EXPECT_TRUE(Can(alice, "/tenant:default/skill/x/SKILL.md", Access::kRead));
  EXPECT_TRUE(Can(alice, "/skill/system-skill/SKILL.md", Access::kRead));
  EXPECT_FALSE(Can(alice, "/tenant:default/user:bob/secret", Access::kRead));
  EXPECT_FALSE(Can(alice, "/workspace/x", Access::kRead));
}

TEST(PathAccessTest, TenantsAreClosedToEachOtherEvenForAdmins) {
  const auto admin = User("admin", "default", true);
  EXPECT_TRUE(Can(admin, "/tenant:default/user:bob/secret", Access::kWrite));
  EXPECT_TRUE(Can(admin, "/workspace/x", Access::kWrite));
  EXPECT_FALSE(Can(admin, "/tenant:acme/user:x/file", Access::kRead));
  EXPECT_FALSE(Can(User("bob", "acme"), "/tenant:default/skill/a", Access::kRead));
  const Status s = CheckPathAccess(User("bob", "acme"), "/tenant:default/a", Access::kRead);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("READ"), std::string::npos);
}

TEST(PathAccessTest, ListingShowsTheWayHome) {
  const auto alice = User("alice");
  EXPECT_TRUE(MayList(alice, "/"));
  EXPECT_TRUE(MayList(alice, "/tenant:default"));
  EXPECT_TRUE(MayList(alice, "/tenant:default/user:alice"));
  EXPECT_FALSE(MayList(alice, "/tenant:default/user:bob"));
  EXPECT_FALSE(MayList(alice, "/tenant:acme"));
  EXPECT_FALSE(MayList(alice, "/workspace"));
}

}  // namespace
}  // namespace nexus::rpc
