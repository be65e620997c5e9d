#include "util/utf8.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(Utf8Test, ToValidUtf8KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(ToValidUtf8("plain \xc3\xa9t\xc3\xa9"), "plain \xc3\xa9t\xc3\xa9");
  EXPECT_EQ(ToValidUtf8("a\xff"
                        "b"),
            "a\xef\xbf\xbd"
            "b");
  // A truncated sequence: both of its bytes are replaced, the next character survives.
  EXPECT_EQ(ToValidUtf8("\xe2\x82z"), "\xef\xbf\xbd\xef\xbf\xbdz");
  EXPECT_EQ(ToValidUtf8(std::string_view("\0x", 2)), std::string("\0x", 2));
  EXPECT_EQ(ToValidUtf8(""), "");
}

TEST(Utf8Test, Utf8PrefixNeverCutsASequence) {
  const std::string euro = "ab\xe2\x82\xac";  // "ab€"
  EXPECT_EQ(Utf8Prefix(euro, 10), euro);
  EXPECT_EQ(Utf8Prefix(euro, 5), euro);
  EXPECT_EQ(Utf8Prefix(euro, 4), "ab");
  EXPECT_EQ(Utf8Prefix(euro, 3), "ab");
  EXPECT_EQ(Utf8Prefix(euro, 2), "ab");
  EXPECT_EQ(Utf8Prefix(euro, 0), "");
  // Continuation bytes without a lead: the cut backs off at most three bytes, then cuts.
  EXPECT_EQ(Utf8Prefix("\x80\x80\x80\x80\x80\x80", 5).size(), 2u);
}

}  // namespace
}  // namespace nexus
