#include "util/path.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

std::string Norm(std::string_view raw) {
  auto r = NormalizePath(raw);
  return r.ok() ? *r : "<" + std::string(CodeName(r.status().code())) + ">";
}

TEST(PathTest, Normalises) {
  EXPECT_EQ(Norm("/a/b"), "/a/b");
  EXPECT_EQ(Norm("a/b"), "/a/b");
  EXPECT_EQ(Norm("  /a/b/  "), "/a/b");
  EXPECT_EQ(Norm("//a///b//"), "/a/b");
  EXPECT_EQ(Norm("/a/./b/."), "/a/b");
  EXPECT_EQ(Norm("/"), "/");
  EXPECT_EQ(Norm("///"), "/");
  EXPECT_EQ(Norm("/tenant:default/user:admin/skill"), "/tenant:default/user:admin/skill");
  EXPECT_EQ(Norm("/日本/ファイル.txt"), "/日本/ファイル.txt");
  EXPECT_EQ(Norm("/a b/c d"), "/a b/c d");
}

TEST(PathTest, Rejects) {
  for (std::string_view bad : {"", "   ", "/a/../b", "..", "/a/..", "/a\nb", "/a\rb", "/a\tb",
                               "/a\x01", "/a\x7f", "/ a", "/a /b", "/a/b "}) {
    if (bad == "/a/b ") continue;  // trailing whitespace of the whole path is stripped
    EXPECT_EQ(Norm(bad), "<InvalidPath>") << "[" << bad << "]";
  }
  EXPECT_EQ(Norm(std::string("/a\0b", 4)), "<InvalidPath>");
  EXPECT_EQ(Norm("/\xc3"), "<InvalidPath>");          // truncated sequence
  EXPECT_EQ(Norm("/\xc0\xaf"), "<InvalidPath>");      // overlong '/'
  EXPECT_EQ(Norm("/\xed\xa0\x80"), "<InvalidPath>");  // surrogate
  EXPECT_EQ(Norm("/" + std::string(kMaxSegmentBytes + 1, 'a')), "<InvalidPath>");
  EXPECT_EQ(Norm("/" + std::string(kMaxSegmentBytes, 'a')).size(), kMaxSegmentBytes + 1);
  std::string deep;
  while (deep.size() <= kMaxPathBytes) deep += "/abcdefgh";
  EXPECT_EQ(Norm(deep), "<InvalidPath>");
}

TEST(PathTest, ErrorMessagesNameTheProblemAndThePath) {
  auto r = NormalizePath("/a/../b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Path contains '..' segments: /a/../b");
}

TEST(PathTest, FilePathRejectsRoot) {
  EXPECT_FALSE(NormalizeFilePath("/").ok());
  EXPECT_FALSE(NormalizeFilePath("//").ok());
  EXPECT_EQ(*NormalizeFilePath("x"), "/x");
}

TEST(PathTest, ParentBaseJoin) {
  EXPECT_EQ(ParentPath("/a/b"), "/a");
  EXPECT_EQ(ParentPath("/a"), "/");
  EXPECT_EQ(ParentPath("/"), "/");
  EXPECT_EQ(BaseName("/a/b"), "b");
  EXPECT_EQ(BaseName("/"), "");
  EXPECT_EQ(JoinPath("/", "a"), "/a");
  EXPECT_EQ(JoinPath("/x", "a"), "/x/a");
}

TEST(PathTest, SameOrUnder) {
  EXPECT_TRUE(IsSameOrUnder("/a", "/a"));
  EXPECT_TRUE(IsSameOrUnder("/a/b", "/a"));
  EXPECT_FALSE(IsSameOrUnder("/ab", "/a"));
  EXPECT_FALSE(IsSameOrUnder("/a", "/a/b"));
  EXPECT_TRUE(IsSameOrUnder("/anything", "/"));
}

TEST(PathTest, PathBelow) {
  EXPECT_EQ(PathBelow("/a/b/c", "/a"), "b/c");
  EXPECT_EQ(PathBelow("/a/b", "/"), "a/b");
  EXPECT_EQ(PathBelow("/a", "/a"), "");
  EXPECT_EQ(PathBelow("/", "/"), "");
}

TEST(PathTest, SubtreeRangeCoversExactlyTheDescendants) {
  const auto [low, high] = SubtreeRange("/a");
  auto inside = [&](const std::string& p) { return p >= low && p < high; };
  EXPECT_TRUE(inside("/a/b"));
  EXPECT_TRUE(inside("/a/\xe2\x9c\x93"));
  EXPECT_FALSE(inside("/a"));
  EXPECT_FALSE(inside("/a-b"));
  EXPECT_FALSE(inside("/a.b"));
  EXPECT_FALSE(inside("/ab"));
  const auto [rlow, rhigh] = SubtreeRange("/");
  EXPECT_TRUE(std::string("/x") >= rlow && std::string("/x") < rhigh);
}

TEST(PathTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));   // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x9c"));
}

}  // namespace
}  // namespace nexus
