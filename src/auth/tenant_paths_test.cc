#include "auth/tenant_paths.h"

#include <gtest/gtest.h>

namespace nexus::auth {
namespace {

Identity Caller(std::string tenant, bool system = false) {
  Identity id;
  id.subject_type = "user";
  id.subject_id = id.user_id = "u";
  id.tenant_id = std::move(tenant);
  id.is_system = system;
  return id;
}

std::string Stored(const Identity& who, const std::string& raw) {
  auto scoped = ScopePath(who, raw);
  return scoped.ok() ? scoped->stored : "<" + std::string(CodeName(scoped.status().code())) + ">";
}

TEST(TenantPathsTest, LegacyNamespacesArePerTenant) {
  EXPECT_EQ(Stored(Caller("acme"), "/workspace/x"), "/tenant:acme/workspace/x");
  EXPECT_EQ(Stored(Caller("default"), "/workspace/x"), "/tenant:default/workspace/x");
  EXPECT_EQ(Stored(Caller("acme"), "mnt/gcs/a"), "/tenant:acme/mnt/gcs/a");
  EXPECT_TRUE(ScopePath(Caller("acme"), "/workspace/x")->legacy);
}

TEST(TenantPathsTest, ExplicitAndSystemWidePathsStayAsTheyAre) {
  EXPECT_EQ(Stored(Caller("acme"), "/tenant:acme/user:u/f"), "/tenant:acme/user:u/f");
  EXPECT_FALSE(ScopePath(Caller("acme"), "/tenant:acme/f")->legacy);
  EXPECT_EQ(Stored(Caller("acme"), "/skill/pdf/SKILL.md"), "/skill/pdf/SKILL.md");
  EXPECT_EQ(Stored(Caller("acme"), "/system/x"), "/system/x");
  EXPECT_EQ(Stored(Caller("acme"), "/"), "/");
}

TEST(TenantPathsTest, OtherTenantsAreClosedExceptToTheSystemAdmin) {
  EXPECT_EQ(Stored(Caller("acme"), "/tenant:default/secret"), "<PermissionDenied>");
  EXPECT_EQ(Stored(Caller("acme"), "/tenant:acmex/secret"), "<PermissionDenied>");
  EXPECT_EQ(Stored(Caller("default", true), "/tenant:acme/x"), "/tenant:acme/x");
  EXPECT_EQ(Stored(Caller("acme"), "/a/../b"), "<InvalidPath>");
}

TEST(TenantPathsTest, PresentUsesTheCallersForm) {
  const auto acme = Caller("acme");
  EXPECT_EQ(Present(acme, "/tenant:acme/workspace/x", true), "/workspace/x");
  EXPECT_EQ(Present(acme, "/tenant:acme/workspace/x", false), "/tenant:acme/workspace/x");
  EXPECT_EQ(Present(acme, "/tenant:acme/skill/x", true), "/tenant:acme/skill/x")
      << "/skill is system-wide";
  EXPECT_EQ(Present(acme, "/skill/x", true), "/skill/x");
}

TEST(TenantPathsTest, TenantOfStoredPaths) {
  EXPECT_EQ(StoredPathTenant("/tenant:acme/x"), "acme");
  EXPECT_EQ(StoredPathTenant("/tenant:acme"), "acme");
  EXPECT_EQ(StoredPathTenant("/skill/x"), "");
  EXPECT_TRUE(IsSystemWide("/skill"));
  EXPECT_TRUE(IsSystemWide("/system/a"));
  EXPECT_FALSE(IsSystemWide("/skills/a"));
}

}  // namespace
}  // namespace nexus::auth
