#include "util/aead.h"

#include <gtest/gtest.h>

#include "util/ids.h"

namespace nexus {
namespace {

Aead NewAead() { return *Aead::Create(RandomBytes(kAeadKeyBytes)); }

TEST(AeadTest, RoundTripWithFreshNonces) {
  const Aead aead = NewAead();
  const StatusOr<std::string> a = aead.Seal("ya29.secret-token", "row 1");
  const StatusOr<std::string> b = aead.Seal("ya29.secret-token", "row 1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b) << "each seal draws a new nonce";
  EXPECT_EQ(a->size(), kAeadNonceBytes + 17 + kAeadTagBytes);
  EXPECT_EQ(a->find("ya29"), std::string::npos);
  EXPECT_EQ(*aead.Open(*a, "row 1"), "ya29.secret-token");
  EXPECT_EQ(*aead.Open(*aead.Seal("", ""), ""), "");
}

TEST(AeadTest, TamperedValuesAreErrors) {
  const Aead aead = NewAead();
  const std::string sealed = *aead.Seal("token", "ctx");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string changed = sealed;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_EQ(aead.Open(changed, "ctx").status().code(), Code::kInternal) << "byte " << i;
  }
  EXPECT_FALSE(aead.Open(sealed.substr(0, sealed.size() - 1), "ctx").ok());
  EXPECT_FALSE(aead.Open(sealed.substr(0, 10), "ctx").ok());
  EXPECT_FALSE(aead.Open(sealed, "other row").ok()) << "associated data is authenticated";
}

TEST(AeadTest, WrongKeyIsAnError) {
  const std::string sealed = *NewAead().Seal("token", "");
  EXPECT_EQ(NewAead().Open(sealed, "").status().code(), Code::kInternal);
}

TEST(AeadTest, KeyMustBe32Bytes) {
  EXPECT_EQ(Aead::Create("short").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(Aead::Create(std::string(33, 'k')).ok());
  EXPECT_TRUE(Aead::Create(std::string(32, 'k')).ok());
}

}  // namespace
}  // namespace nexus
