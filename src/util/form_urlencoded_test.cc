#include "util/form_urlencoded.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(FormUrlencodedTest, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(FormEncode({{"grant_type", "authorization_code"}, {"redirect_uri", "http://x/cb?a=1"}}),
            "grant_type=authorization_code&redirect_uri=http%3A%2F%2Fx%2Fcb%3Fa%3D1");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(FormUrlencodedTest, DecodesWhatItEncodes) {
  const FormFields fields = {{"code", "4/0A+b c"}, {"empty", ""}, {"k&=", "v%"}};
  EXPECT_EQ(*FormDecode(FormEncode(fields)), fields);
  EXPECT_EQ(*FormDecode("a=1+2&&b&c=%41"), (FormFields{{"a", "1 2"}, {"b", ""}, {"c", "A"}}));
}

TEST(FormUrlencodedTest, MalformedEscapesAreErrors) {
  EXPECT_EQ(FormDecode("a=%4").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(FormDecode("a=%zz").ok());
  EXPECT_FALSE(FormDecode("%").ok());
}

}  // namespace
}  // namespace nexus
