#include "util/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace nexus {
namespace {

// Compiles `pattern`, failing the test when it does not compile.
GlobMatcher MustCompile(std::string_view pattern) {
  StatusOr<GlobMatcher> m = GlobMatcher::Compile(pattern);
  EXPECT_TRUE(m.ok()) << pattern << ": " << m.status().ToString();
  if (!m.ok()) return *GlobMatcher::Compile("/never/matches/\\*");
  return *std::move(m);
}

bool Match(std::string_view pattern, std::string_view path) {
  return MustCompile(pattern).Matches(path);
}

void ExpectInvalid(std::string_view pattern, std::string_view problem) {
  StatusOr<std::string> regex = GlobToRegex(pattern);
  ASSERT_FALSE(regex.ok()) << pattern << " -> " << *regex;
  EXPECT_EQ(regex.status().code(), Code::kInvalidPattern);
  EXPECT_NE(regex.status().message().find(problem), std::string::npos) << regex.status().message();
  StatusOr<GlobMatcher> m = GlobMatcher::Compile(pattern);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kInvalidPattern);
}

TEST(GlobToRegexTest, Translations) {
  EXPECT_EQ(*GlobToRegex("/a/b.txt"), "^/a/b\\.txt$");
  EXPECT_EQ(*GlobToRegex("/a/*.txt"), "^/a/[^/]*\\.txt$");
  EXPECT_EQ(*GlobToRegex("/a/?"), "^/a/[^/]$");
  EXPECT_EQ(*GlobToRegex("/a/**/b"), "^/a/(?s:.*/)?b$");
  EXPECT_EQ(*GlobToRegex("/a/**"), "^/a/(?s:.+)$");
  EXPECT_EQ(*GlobToRegex("**"), "^(?s:.*)$");
  EXPECT_EQ(*GlobToRegex("[a-c]"), "^[a-c]$");
  EXPECT_EQ(*GlobToRegex("[!a-c]"), "^[^/a-c]$");
}

TEST(GlobToRegexTest, EscapesRegexMetacharacters) {
  EXPECT_EQ(*GlobToRegex("/a+(b)|{c}^$.d"), "^/a\\+\\(b\\)\\|\\{c\\}\\^\\$\\.d$");
  EXPECT_TRUE(Match("/a+(b)|{c}^$.d", "/a+(b)|{c}^$.d"));
  EXPECT_FALSE(Match("/a.b", "/axb"));
  EXPECT_FALSE(Match("/a+", "/aa"));
}

TEST(GlobMatcherTest, LiteralMatchesOnlyItself) {
  EXPECT_TRUE(Match("/a/b.txt", "/a/b.txt"));
  EXPECT_FALSE(Match("/a/b.txt", "/a/b.txt2"));
  EXPECT_FALSE(Match("/a/b.txt", "/x/a/b.txt"));
  EXPECT_FALSE(Match("/a/b.txt", "/a/B.txt"));
}

TEST(GlobMatcherTest, StarStaysInsideSegment) {
  EXPECT_TRUE(Match("/a/*.txt", "/a/b.txt"));
  EXPECT_TRUE(Match("/a/*.txt", "/a/.txt"));
  EXPECT_FALSE(Match("/a/*.txt", "/a/b/c.txt"));
  EXPECT_TRUE(Match("/a/*", "/a/b"));
  EXPECT_FALSE(Match("/a/*", "/a/b/c"));
  EXPECT_TRUE(Match("/*/c", "/b/c"));
  EXPECT_TRUE(Match("/a*b", "/ab"));
  EXPECT_TRUE(Match("/a*b", "/axyzb"));
  EXPECT_FALSE(Match("/a*b", "/ax/b"));
}

TEST(GlobMatcherTest, StarsInsideSegmentAreOneStar) {
  EXPECT_EQ(*GlobToRegex("/a**b"), "^/a[^/]*b$");
  EXPECT_TRUE(Match("/a**b", "/axxb"));
  EXPECT_FALSE(Match("/a**b", "/ax/xb"));
  EXPECT_FALSE(Match("/a/**b", "/a/x/b"));
  EXPECT_FALSE(Match("/a/b**/c", "/a/bx/y/c"));
  // Three stars are not a "**" segment.
  EXPECT_FALSE(Match("/a/***/b", "/a/x/y/b"));
  EXPECT_TRUE(Match("/a/***/b", "/a/x/b"));
}

TEST(GlobMatcherTest, DoubleStarMatchesZeroOrMoreSegments) {
  EXPECT_TRUE(Match("a/**/b", "a/b"));
  EXPECT_TRUE(Match("a/**/b", "a/x/b"));
  EXPECT_TRUE(Match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(Match("a/**/b", "a/xb"));
  EXPECT_FALSE(Match("a/**/b", "ab"));
  EXPECT_TRUE(Match("/a/**/*.txt", "/a/c.txt"));
  EXPECT_TRUE(Match("/a/**/*.txt", "/a/b/c/d.txt"));
  EXPECT_FALSE(Match("/a/**/*.txt", "/a/b/c/d.md"));
  EXPECT_TRUE(Match("/a/**/**/b", "/a/b"));
  EXPECT_TRUE(Match("/a/**/**/b", "/a/x/y/z/b"));
}

TEST(GlobMatcherTest, LeadingDoubleStar) {
  EXPECT_TRUE(Match("**/c.txt", "c.txt"));
  EXPECT_TRUE(Match("**/c.txt", "/c.txt"));
  EXPECT_TRUE(Match("**/c.txt", "/a/b/c.txt"));
  EXPECT_FALSE(Match("**/c.txt", "/a/bc.txt"));
  EXPECT_TRUE(Match("/**/c.txt", "/c.txt"));
  EXPECT_TRUE(Match("/**/c.txt", "/a/b/c.txt"));
}

TEST(GlobMatcherTest, TrailingDoubleStarMatchesEverythingBelow) {
  EXPECT_TRUE(Match("/a/**", "/a/b"));
  EXPECT_TRUE(Match("/a/**", "/a/b/c/d"));
  EXPECT_FALSE(Match("/a/**", "/a"));
  EXPECT_FALSE(Match("/a/**", "/ab"));
  EXPECT_FALSE(Match("/a/**", "/b/a/c"));
  EXPECT_TRUE(Match("/**", "/a"));
  EXPECT_TRUE(Match("/**", "/a/b/c"));
  EXPECT_FALSE(Match("/**", "/"));
}

TEST(GlobMatcherTest, DoubleStarAloneMatchesEverything) {
  EXPECT_TRUE(Match("**", "/"));
  EXPECT_TRUE(Match("**", "/a"));
  EXPECT_TRUE(Match("**", "/a/b/c.txt"));
  EXPECT_TRUE(Match("**", ""));
}

TEST(GlobMatcherTest, DoubleStarCrossesNewlines) {
  // Paths never hold control characters, but the translation must not depend on that.
  EXPECT_TRUE(Match("/a/**", "/a/x\ny"));
  EXPECT_TRUE(Match("/a/*", "/a/x\ny"));
  EXPECT_TRUE(Match("/a/**/b", "/a/x\n/b"));
}

TEST(GlobMatcherTest, QuestionMarkIsOneCharacter) {
  EXPECT_TRUE(Match("/a/?", "/a/b"));
  EXPECT_FALSE(Match("/a/?", "/a/"));
  EXPECT_FALSE(Match("/a/?", "/a/bc"));
  EXPECT_FALSE(Match("/a?b", "/a/b"));
  EXPECT_TRUE(Match("/a/??.txt", "/a/bc.txt"));
}

TEST(GlobMatcherTest, QuestionMarkIsOneUtf8Character) {
  EXPECT_TRUE(Match("/a/?", "/a/\xc3\xa9"));          // é, two bytes
  EXPECT_TRUE(Match("/a/?", "/a/\xe2\x82\xac"));      // €, three bytes
  EXPECT_TRUE(Match("/a/?", "/a/\xf0\x9f\x98\x80"));  // an emoji, four bytes
  EXPECT_FALSE(Match("/a/??", "/a/\xc3\xa9"));
  EXPECT_TRUE(Match("/a/?x", "/a/\xc3\xa9x"));
}

TEST(GlobMatcherTest, NonAsciiLiterals) {
  EXPECT_TRUE(Match("/caf\xc3\xa9/*.txt", "/caf\xc3\xa9/menu.txt"));
  EXPECT_FALSE(Match("/caf\xc3\xa9/*.txt", "/cafe/menu.txt"));
  EXPECT_TRUE(Match("/\xe6\x97\xa5\xe6\x9c\xac/*", "/\xe6\x97\xa5\xe6\x9c\xac/x"));
}

TEST(GlobMatcherTest, CharacterClasses) {
  EXPECT_TRUE(Match("/f[abc]", "/fa"));
  EXPECT_TRUE(Match("/f[abc]", "/fc"));
  EXPECT_FALSE(Match("/f[abc]", "/fd"));
  EXPECT_FALSE(Match("/f[abc]", "/f"));
  EXPECT_TRUE(Match("/f[a-c0-9]", "/f7"));
  EXPECT_TRUE(Match("/f[a-c0-9]", "/fb"));
  EXPECT_FALSE(Match("/f[a-c0-9]", "/fz"));
  EXPECT_TRUE(Match("/[A-Z]*.md", "/README.md"));
  EXPECT_FALSE(Match("/[A-Z]*.md", "/readme.md"));
}

TEST(GlobMatcherTest, NegatedClasses) {
  EXPECT_TRUE(Match("/f[!abc]", "/fd"));
  EXPECT_FALSE(Match("/f[!abc]", "/fa"));
  EXPECT_TRUE(Match("/f[^abc]", "/fd"));
  EXPECT_FALSE(Match("/f[^abc]", "/fb"));
  EXPECT_FALSE(Match("/f[!a-z]", "/fq"));
  EXPECT_TRUE(Match("/f[!a-z]", "/fQ"));
  EXPECT_TRUE(Match("/f[!a]", "/f\xc3\xa9"));  // one whole UTF-8 character
  EXPECT_FALSE(Match("/f[!a]", "/f\xc3\xa9x"));
}

TEST(GlobMatcherTest, ClassesNeverMatchSlash) {
  EXPECT_FALSE(Match("/a[!x]b", "/a/b"));
  EXPECT_FALSE(Match("/a[/]b", "/a/b"));
  EXPECT_FALSE(Match("/a[+-0]b", "/a/b"));  // the range "+-0" spans "/"
  EXPECT_TRUE(Match("/a[+-0]b", "/a.b"));
  EXPECT_TRUE(Match("/a[+-0]b", "/a0b"));
  EXPECT_TRUE(Match("/a[/x]b", "/axb"));
}

TEST(GlobMatcherTest, ClassSyntaxCharacters) {
  // "]" first is a member; "-" first or last is a member.
  EXPECT_TRUE(Match("/[]]", "/]"));
  EXPECT_TRUE(Match("/[!]]", "/x"));
  EXPECT_FALSE(Match("/[!]]", "/]"));
  EXPECT_TRUE(Match("/[-a]", "/-"));
  EXPECT_TRUE(Match("/[a-]", "/-"));
  EXPECT_FALSE(Match("/[a-]", "/b"));
  // "^" and "!" after the first position are members.
  EXPECT_TRUE(Match("/[a^]", "/^"));
  EXPECT_TRUE(Match("/[a!]", "/!"));
  // Escapes inside a class.
  EXPECT_TRUE(Match("/[\\]a]", "/]"));
  EXPECT_TRUE(Match("/[\\\\]", "/\\"));
  EXPECT_TRUE(Match("/[a\\-z]", "/-"));
  EXPECT_FALSE(Match("/[a\\-z]", "/m"));
  // Regex syntax inside a class is literal.
  EXPECT_TRUE(Match("/[.*]", "/*"));
  EXPECT_FALSE(Match("/[.*]", "/x"));
  EXPECT_TRUE(Match("/[[]", "/["));
}

TEST(GlobMatcherTest, NonAsciiClassMembersAndRanges) {
  EXPECT_TRUE(Match("/[\xc3\xa9\xc3\xa8]", "/\xc3\xa8"));
  EXPECT_FALSE(Match("/[\xc3\xa9\xc3\xa8]", "/e"));
  // U+03B1..U+03C9, Greek lower case.
  EXPECT_TRUE(Match("/[\xce\xb1-\xcf\x89]", "/\xce\xbb"));
  EXPECT_FALSE(Match("/[\xce\xb1-\xcf\x89]", "/l"));
}

TEST(GlobMatcherTest, BackslashEscapes) {
  EXPECT_TRUE(Match("/a\\*b", "/a*b"));
  EXPECT_FALSE(Match("/a\\*b", "/axb"));
  EXPECT_TRUE(Match("/a\\?", "/a?"));
  EXPECT_FALSE(Match("/a\\?", "/ab"));
  EXPECT_TRUE(Match("/a\\[b]", "/a[b]"));
  EXPECT_TRUE(Match("/a\\\\b", "/a\\b"));
  EXPECT_TRUE(Match("/\\x", "/x"));
  EXPECT_TRUE(Match("/\\\xc3\xa9", "/\xc3\xa9"));
  // An escaped star is not part of a "**" segment.
  EXPECT_FALSE(Match("/a/\\**/b", "/a/x/y/b"));
  EXPECT_TRUE(Match("/a/\\**/b", "/a/*x/b"));
}

TEST(GlobMatcherTest, UnmatchedCloseBracketIsLiteral) {
  EXPECT_TRUE(Match("/a]", "/a]"));
  EXPECT_FALSE(Match("/a]", "/a"));
}

TEST(GlobMatcherTest, SpacesAndControlCharactersAreLiteral) {
  EXPECT_TRUE(Match("/my file.txt", "/my file.txt"));
  EXPECT_TRUE(Match(std::string_view("/a\0b", 4), std::string_view("/a\0b", 4)));
  EXPECT_FALSE(Match(std::string_view("/a\0b", 4), "/a"));
  EXPECT_TRUE(Match("/a\tb", "/a\tb"));
}

TEST(GlobMatcherTest, CopiesShareTheCompiledPattern) {
  GlobMatcher a = MustCompile("/x/*.txt");
  GlobMatcher b = a;
  EXPECT_EQ(b.pattern(), "/x/*.txt");
  EXPECT_TRUE(b.Matches("/x/y.txt"));
  a = MustCompile("/other");
  EXPECT_TRUE(b.Matches("/x/y.txt"));
  EXPECT_FALSE(a.Matches("/x/y.txt"));
}

TEST(GlobErrorTest, EmptyPattern) { ExpectInvalid("", "Empty"); }

TEST(GlobErrorTest, UnterminatedClass) {
  ExpectInvalid("/a/[bc", "Unterminated '['");
  ExpectInvalid("/a/[", "Unterminated '['");
  ExpectInvalid("/a/[]", "Unterminated '['");
  ExpectInvalid("/a/[!]", "Unterminated '['");
  ExpectInvalid("/a/[\\]", "Unterminated '['");
}

TEST(GlobErrorTest, TrailingBackslash) {
  ExpectInvalid("/a/b\\", "Trailing backslash");
  ExpectInvalid("\\", "Trailing backslash");
  ExpectInvalid("/a/[b\\", "Trailing backslash");
}

TEST(GlobErrorTest, ReversedRange) { ExpectInvalid("/a/[z-a]", "Reversed range"); }

TEST(GlobErrorTest, TooLong) {
  ExpectInvalid(std::string(kMaxGlobBytes + 1, 'a'), "longer than 4096 bytes");
  EXPECT_TRUE(GlobToRegex(std::string(kMaxGlobBytes, 'a')).ok());
}

TEST(GlobErrorTest, InvalidUtf8) {
  ExpectInvalid("/a/\xff", "not valid UTF-8");
  ExpectInvalid("/a/\xc3", "not valid UTF-8");
}

TEST(GlobErrorTest, MessageNamesThePattern) {
  StatusOr<std::string> regex = GlobToRegex("/docs/[abc");
  ASSERT_FALSE(regex.ok());
  EXPECT_EQ(regex.status().message(), "Unterminated '[' in glob: /docs/[abc");
}

TEST(GlobErrorTest, LongPatternIsShortenedInTheMessage) {
  const std::string pattern = std::string(200, 'a') + "[";
  StatusOr<std::string> regex = GlobToRegex(pattern);
  ASSERT_FALSE(regex.ok());
  EXPECT_LT(regex.status().message().size(), 150u);
  EXPECT_NE(regex.status().message().find("aaa..."), std::string::npos);
}

TEST(GlobMatcherTest, LargestPatternsCompile) {
  // A pattern of maximum length made of the constructs with the largest UTF-8 automata
  // stays within RE2's memory budget.
  std::string pattern;
  std::string path;
  while (pattern.size() + 4 <= kMaxGlobBytes) {
    pattern += "[!a]";
    path += "\xc3\xa9";
  }
  GlobMatcher m = MustCompile(pattern);
  EXPECT_TRUE(m.Matches(path));
  EXPECT_FALSE(m.Matches(path + "b"));
}

TEST(GlobLiteralPrefixTest, StopsAtFirstWildcardOrEscape) {
  EXPECT_EQ(GlobLiteralPrefix("/a/b/c.txt"), "/a/b/c.txt");
  EXPECT_EQ(GlobLiteralPrefix("/a/b*/c"), "/a/b");
  EXPECT_EQ(GlobLiteralPrefix("/a/**/c"), "/a/");
  EXPECT_EQ(GlobLiteralPrefix("/a/?"), "/a/");
  EXPECT_EQ(GlobLiteralPrefix("/a/[bc]"), "/a/");
  EXPECT_EQ(GlobLiteralPrefix("/a/\\*"), "/a/");
  EXPECT_EQ(GlobLiteralPrefix("**/x"), "");
  EXPECT_EQ(GlobLiteralPrefix("/a]b"), "/a]b");
  EXPECT_EQ(GlobLiteralPrefix(""), "");
}

TEST(GlobLiteralPrefixTest, EveryMatchStartsWithThePrefix) {
  const char* patterns[] = {"/a/**", "/a/**/b", "/a/b*", "/a/?/c"};
  const char* paths[] = {"/a/b", "/a/x/b", "/a/bcd", "/a/z/c", "/a/b/c/d"};
  for (const char* pattern : patterns) {
    GlobMatcher m = MustCompile(pattern);
    const std::string prefix = GlobLiteralPrefix(pattern);
    for (const char* path : paths) {
      if (m.Matches(path)) {
        EXPECT_EQ(std::string_view(path).substr(0, prefix.size()), prefix);
      }
    }
  }
}

}  // namespace
}  // namespace nexus
