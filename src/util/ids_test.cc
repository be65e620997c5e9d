#include "util/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace nexus {
namespace {

TEST(IdsTest, RandomHexHasTheRequestedLength) {
  EXPECT_EQ(RandomHex(0), "");
  const std::string h = RandomHex(16);
  ASSERT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(16), h);
}

TEST(IdsTest, RandomBytesHasTheRequestedLength) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(12).size(), 12u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(IdsTest, Uuid4IsCanonicalAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid4();
    ASSERT_TRUE(IsUuid4(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, RecognisesUuid4) {
  EXPECT_TRUE(IsUuid4("123e4567-e89b-42d3-a456-426614174000"));
  EXPECT_FALSE(IsUuid4("123e4567-e89b-12d3-a456-426614174000"));  // version 1
  EXPECT_FALSE(IsUuid4("123e4567-e89b-42d3-c456-426614174000"));  // wrong variant
  EXPECT_FALSE(IsUuid4("123E4567-E89B-42D3-A456-426614174000"));  // upper case
  EXPECT_FALSE(IsUuid4("123e4567e89b42d3a456426614174000"));
  EXPECT_FALSE(IsUuid4(""));
}

}  // namespace
}  // namespace nexus
