#include "util/ascii.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(AsciiTest, LowersOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("HTTPS://Example.COM:80/"), "https://example.com:80/");
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_EQ(AsciiLower("\xC3\x84-Z_9"), "\xC3\x84-z_9") << "non-ASCII bytes stay as they are";
}

}  // namespace
}  // namespace nexus
