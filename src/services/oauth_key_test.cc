#include "services/oauth_key.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include "util/base64.h"
#include "util/file.h"

namespace nexus::services {
namespace {

TEST(OAuthKeyTest, ConfiguredKeyMustBe32Bytes) {
  const std::string key(32, 'k');
  EXPECT_EQ(*LoadOAuthKey(Base64Encode(key), "/nonexistent/oauth.key"), key);
  const StatusOr<std::string> short_key = LoadOAuthKey(Base64Encode("short"), "/x");
  EXPECT_EQ(short_key.status().code(), Code::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("oauth.encryption_key"), std::string::npos);
  EXPECT_FALSE(LoadOAuthKey("not base64!", "/x").ok());
}

TEST(OAuthKeyTest, GeneratesAPrivateKeyFileOnceAndReusesIt) {
  test::TempDir dir;
  const std::string path = dir.path() + "/oauth.key";
  const StatusOr<std::string> first = LoadOAuthKey("", path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*LoadOAuthKey("", path), *first);
}

TEST(OAuthKeyTest, RefusesLooseOrDamagedKeyFiles) {
  test::TempDir dir;
  const std::string path = dir.path() + "/oauth.key";
  ASSERT_TRUE(LoadOAuthKey("", path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  const StatusOr<std::string> loose = LoadOAuthKey("", path);
  EXPECT_EQ(loose.status().code(), Code::kInvalidArgument);
  EXPECT_NE(loose.status().message().find(path), std::string::npos);

  ASSERT_TRUE(WriteFileAtomically(path, Base64Encode("sixteen bytes!!!"), false).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_EQ(LoadOAuthKey("", path).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace nexus::services
