#include "util/base64.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(*Base64Decode(encoded), plain);
  }
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(*Base64Decode("aGVsbG8A/w=="), std::string("hello\0\xff", 7));
}

TEST(Base64Test, AppendKeepsWhatIsThere) {
  std::string out = "data:";
  AppendBase64("fooba", &out);
  AppendBase64("", &out);
  AppendBase64("f", &out);
  EXPECT_EQ(out, "data:Zm9vYmE=Zg==");
}

TEST(Base64Test, UrlSafeWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(*Base64UrlDecode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64UrlDecode("+/8").ok()) << "the standard alphabet is not URL-safe";
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
}

TEST(Base64Test, WhitespaceIsSkipped) {
  EXPECT_EQ(*Base64Decode("Zm9v\nYmFy\r\n"), "foobar");
  EXPECT_EQ(*Base64Decode(" Zm\t9vYg =\n= "), "foob") << "inside a group of four as well";
  EXPECT_FALSE(Base64Decode("Zg= =Zg==").ok()) << "padding before the end, across a space";
}

TEST(Base64Test, DecodesToBytesAlike) {
  const std::vector<uint8_t> bytes = *Base64DecodeBytes("aGVs\nbG8A/w==");
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), std::string("hello\0\xff", 7));
  EXPECT_TRUE(Base64DecodeBytes("")->empty());
  EXPECT_EQ(Base64DecodeBytes("Zg=").status().code(), Code::kInvalidArgument);
}

TEST(Base64Test, RejectsMalformed) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "-_8=", "=AAA"}) {
    auto r = Base64Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace nexus
