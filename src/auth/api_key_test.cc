#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace nexus::auth {
namespace {

bool IsLowerHex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Splits a generated key after "sk-" into its '_'-separated parts.
std::vector<std::string> Parts(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 3;
  for (size_t pos; (pos = key.find('_', start)) != std::string::npos; start = pos + 1) {
    parts.push_back(key.substr(start, pos - start));
  }
  parts.push_back(key.substr(start));
  return parts;
}

TEST(ApiKeyTest, HashMatchesTheReference) {
  EXPECT_EQ(HashApiKey("sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"),
            "dd0f3e9f17d65a9ad48023146685c3db7c605609ac6f8cfa6dbe8ee870a8e378");
  const std::string h = HashApiKey("");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_TRUE(IsLowerHex(h));
  EXPECT_NE(HashApiKey("sk-a"), HashApiKey("sk-b"));
}

TEST(ApiKeyTest, WellFormedTokens) {
  EXPECT_TRUE(IsWellFormedApiKey("sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"));
  EXPECT_TRUE(IsWellFormedApiKey("sk-" + std::string(29, 'x')));   // exactly 32
  EXPECT_TRUE(IsWellFormedApiKey("sk-" + std::string(253, 'x')));  // exactly 256
  EXPECT_TRUE(IsWellFormedApiKey("sk-with space and ~punctuation!__________"));
}

TEST(ApiKeyTest, MalformedTokens) {
  EXPECT_FALSE(IsWellFormedApiKey(""));
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(28, 'x')));  // 31: too short
  EXPECT_FALSE(IsWellFormedApiKey("pk-" + std::string(40, 'x')));
  EXPECT_FALSE(IsWellFormedApiKey("SK-" + std::string(40, 'x')));
  EXPECT_FALSE(IsWellFormedApiKey(std::string(40, 'x')));
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(254, 'x')));        // 257
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(10 * 1024, 'x')));  // 10 KB
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(30, 'x') + "\n"));
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(30, 'x') + '\0' + "y"));
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(30, 'x') + "\x7f"));
  EXPECT_FALSE(IsWellFormedApiKey("sk-" + std::string(30, 'x') + "\xc3\xa9"));  // é
}

TEST(ApiKeyTest, GeneratedKeyFormat) {
  const std::string key = GenerateApiKey("default", "admin");
  EXPECT_TRUE(IsWellFormedApiKey(key)) << key;
  EXPECT_EQ(key.substr(0, 17), "sk-default_admin_");
  EXPECT_EQ(key.size(), 17u + 8 + 1 + 32);
  const auto parts = Parts(key);
  ASSERT_EQ(parts.size(), 4u) << key;
  EXPECT_EQ(parts[2].size(), 8u);
  EXPECT_TRUE(IsLowerHex(parts[2]));
  EXPECT_EQ(parts[3].size(), 32u);
  EXPECT_TRUE(IsLowerHex(parts[3]));
}

TEST(ApiKeyTest, GeneratedKeysAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(GenerateApiKey("t", "u")).second);
}

TEST(ApiKeyTest, GeneratedKeyTruncatesAndSanitises) {
  EXPECT_EQ(GenerateApiKey("averylongtenant", "bob").substr(0, 16), "sk-averylon_bob_");
  EXPECT_EQ(GenerateApiKey("", "bob").substr(0, 7), "sk-bob_");  // no tenant part
  // Non-ASCII and spaces are dropped, so the key stays well-formed.
  const std::string key = GenerateApiKey("t\xc3\xa9n ant", "j\xc3\xb6rg\n");
  EXPECT_EQ(key.substr(0, 13), "sk-tnant_jrg_");
  EXPECT_TRUE(IsWellFormedApiKey(key));
  // The longest possible key is still well within the limit.
  EXPECT_EQ(GenerateApiKey(std::string(100, 't'), std::string(100, 'p')).size(),
            3u + 9 + 12 + 1 + 8 + 1 + 32);
}

TEST(ApiKeyTest, SubjectPrefix) {
  EXPECT_EQ(ApiKeySubjectPrefix("user", "administrator", ""), "administ");
  EXPECT_EQ(ApiKeySubjectPrefix("service", "indexer-service", "x"), "indexer-");
  EXPECT_EQ(ApiKeySubjectPrefix("agent", "admin", "admin,UntrustedAgent"), "admin,Untrus");
  EXPECT_EQ(ApiKeySubjectPrefix("agent", "admin", ""), "admin");
  // The reference's demo agent key: sk-default_admin,Untrus_<8 hex>_<32 hex>.
  EXPECT_EQ(GenerateApiKey("default", ApiKeySubjectPrefix("agent", "admin", "admin,UntrustedAgent"))
                .substr(0, 24),
            "sk-default_admin,Untrus_");
}

}  // namespace
}  // namespace nexus::auth
