#include "util/hash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>

#include "util/clock.h"

namespace nexus {
namespace {

TEST(HashTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(Sha256("abc").substr(0, 2), "\xba\x78");
}

TEST(HashTest, PiecesHashAsTheWhole) {
  const std::string whole = std::string(100000, 'x') + "tail";
  Sha256Hasher hasher;
  for (size_t at = 0; at < whole.size(); at += 4096) hasher.Update(whole.substr(at, 4096));
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex(whole));
  Sha256Hasher empty;
  EXPECT_EQ(empty.FinishHex(), Sha256Hex(""));
}

TEST(HashTest, HmacKnownVectors) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test cases 1 and 6 (a key longer than the block is hashed first).
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
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
  EXPECT_EQ(FormatIsoMicros(951782400000000), "2000-02-29T00:00:00.000000+00:00");
  EXPECT_EQ(FormatIsoMicros(-2208988800000001), "1899-12-31T23:59:59.999999+00:00");
}

// The hand-written calendar agrees with the C library's across four centuries.
TEST(ClockTest, FormatAgreesWithGmtime) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> seconds(-2208988800, 13569465600);  // 1900 to 2400
  for (int i = 0; i < 20000; ++i) {
    const int64_t secs = seconds(rng);
    const int64_t frac = static_cast<int64_t>(rng() % 1000000);
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac));
    ASSERT_EQ(FormatIsoMicros(secs * 1000000 + frac), expected) << secs;
  }
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
