#include "services/oauth/oauth_key.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

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
  // The key was written under a temporary name and linked into place; nothing else is left.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(OAuthKeyTest, ConcurrentFirstStartsAgreeOnOneKey) {
  test::TempDir dir;
  const std::string path = dir.path() + "/oauth.key";
  std::vector<std::string> keys(8);
  std::vector<std::thread> threads;
  for (std::string& key : keys) {
    threads.emplace_back([&key, &path] {
      StatusOr<std::string> loaded = LoadOAuthKey("", path);
      if (loaded.ok()) key = *loaded;
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& key : keys) {
    EXPECT_EQ(key.size(), 32u);
    EXPECT_EQ(key, keys[0]);
  }
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
