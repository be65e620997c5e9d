#include "services/provisioning.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/test_store.h"
#include "util/file.h"

namespace nexus::services {
namespace {

using test::EngineKind;

class ProvisioningTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    tree_ = std::make_unique<vfs::PathTree>(*store_.engine, *store_.blobs);
    keys_ = std::make_unique<auth::KeyStore>(*store_.engine);
    options_.data_dir = store_.dir->path();
  }

  test::TestStore store_;
  std::unique_ptr<vfs::PathTree> tree_;
  std::unique_ptr<auth::KeyStore> keys_;
  ProvisionOptions options_;
};

TEST_P(ProvisioningTest, FirstStartCreatesAdminKeyFileAndHome) {
  auto result = ProvisionFirstStart(options_, *tree_, *keys_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->created_key);
  auto file = ReadFile(result->key_file);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, result->raw_key + "\n");
  struct stat st;
  ASSERT_EQ(::stat(result->key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto identity = keys_->Authenticate(result->raw_key);
  ASSERT_TRUE(identity.ok() && identity->has_value());
  EXPECT_TRUE((*identity)->is_admin);
  EXPECT_TRUE((*identity)->is_system) << "the first key is the system administrator's";
  EXPECT_EQ((*identity)->tenant_id, "default");
  for (const char* folder : {"workspace", "memory", "skill", "agent", "connector", "resource"}) {
    EXPECT_TRUE(*tree_->IsDirectory(std::string("/tenant:default/user:admin/") + folder)) << folder;
  }
}

TEST_P(ProvisioningTest, SecondStartChangesNothing) {
  auto first = ProvisionFirstStart(options_, *tree_, *keys_);
  ASSERT_TRUE(first.ok());
  auto second = ProvisionFirstStart(options_, *tree_, *keys_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created_key);
  auto page = keys_->ListKeys("", auth::KeyFilter{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
}

TEST_P(ProvisioningTest, GivenKeyIsRegisteredOnce) {
  options_.admin_key = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  auto first = ProvisionFirstStart(options_, *tree_, *keys_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created_key);
  EXPECT_EQ(first->raw_key, options_.admin_key);
  auto again = ProvisionFirstStart(options_, *tree_, *keys_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created_key);
  auto identity = keys_->Authenticate(options_.admin_key);
  ASSERT_TRUE(identity.ok() && identity->has_value());
}

TEST_P(ProvisioningTest, MalformedGivenKeyIsRefused) {
  options_.admin_key = "not-a-key";
  auto result = ProvisionFirstStart(options_, *tree_, *keys_);
  EXPECT_FALSE(result.ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, ProvisioningTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
