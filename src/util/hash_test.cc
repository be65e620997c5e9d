#include "util/hash.h"

#include <gtest/gtest.h>

#include "util/clock.h"

namespace nexus {
namespace {

TEST(HashTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(Sha256("abc").substr(0, 2), "\xba\x78");
}

TEST(HashTest, HmacKnownVectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex("", "").size(), 64u);
}

TEST(HashTest, RecognisesHashes) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_FALSE(IsSha256Hex("abc"));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'G')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));  // upper case is not ours
  EXPECT_FALSE(IsSha256Hex("../" + std::string(61, 'a')));
}

TEST(ClockTest, IsoFormatting) {
  EXPECT_EQ(FormatIsoMicros(0), "1970-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(FormatIsoMicros(1766000000123456), "2025-12-17T19:33:20.123456+00:00");
  EXPECT_EQ(FormatIsoMicros(-1), "1969-12-31T23:59:59.999999+00:00");
  EXPECT_GT(NowMicros(), 1766000000000000);
}

TEST(ClockTest, ParsesIsoTimestamps) {
  EXPECT_EQ(*ParseIsoMicros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIsoMicros("2025-12-17T19:33:20.123456+00:00"), 1766000000123456);
  EXPECT_EQ(*ParseIsoMicros("2025-12-17T20:33:20.123456+01:00"), 1766000000123456);
  EXPECT_EQ(*ParseIsoMicros("2025-12-17 19:33:20.1234567"), 1766000000123456)
      << "extra digits are cut";
  EXPECT_EQ(*ParseIsoMicros("2025-12-17T19:33"), 1766000000000000 - 20000000);
  EXPECT_EQ(*ParseIsoMicros("2024-02-29"), 1709164800000000);
  EXPECT_EQ(*ParseIsoMicros(FormatIsoMicros(1234567890123456)), 1234567890123456);
  for (const char* bad :
       {"", "2025", "2025-13-01", "2023-02-29", "2025-12-17T25:00", "2025-12-17T10:00:00+5",
        "2025-12-17T10:00:00.Z", "tomorrow", "2025-12-17T10:00:00Zjunk"}) {
    EXPECT_FALSE(ParseIsoMicros(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace nexus
