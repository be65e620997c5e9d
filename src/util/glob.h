// Glob patterns over virtual paths ("/a/b/c.txt").
//
// Syntax:
//   *        any run of characters except "/"
//   **       as a whole segment ("**/", "/**/", "/**" or the whole pattern): zero or more
//            whole segments, so "a/**/b" matches "a/b", "a/x/b" and "a/x/y/b". A trailing
//            "/**" matches everything strictly below ("a/**" matches "a/x", not "a"), and
//            "**" alone matches every path. Elsewhere ("a**b") it is the same as "*".
//   ?        one character (one UTF-8 code point, not one byte) except "/"
//   [...]    one character from a class: single characters and ranges ("[a-z0-9_]"),
//            negated by a leading "!" or "^". "]" is literal when it comes first, "\"
//            escapes inside the class too. A class never matches "/".
//   \c       the character c, literally
// Every other character matches itself. A pattern is matched against the whole path.
#ifndef NEXUS_UTIL_GLOB_H_
#define NEXUS_UTIL_GLOB_H_

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

// Keeps RE2 out of every file that only matches globs.
namespace re2 {
class RE2;
}  // namespace re2

namespace nexus {

inline constexpr size_t kMaxGlobBytes = 4096;

// The RE2 regular expression, anchored at both ends, that matches exactly the paths the
// glob `pattern` matches. Fails with kInvalidPattern for an empty or over-long pattern,
// invalid UTF-8, an unterminated "[", a reversed range ("[z-a]") or a trailing "\".
StatusOr<std::string> GlobToRegex(std::string_view pattern);

// The longest prefix of `pattern` that contains no wildcard and no escape. Every path the
// pattern matches starts with it, so it narrows a range scan ("/a/b*/c" -> "/a/b").
std::string GlobLiteralPrefix(std::string_view pattern);

// A compiled glob. Cheap to copy: copies share the immutable compiled expression.
class GlobMatcher {
 public:
  // Fails with kInvalidPattern as GlobToRegex does, or when RE2 rejects the translation.
  static StatusOr<GlobMatcher> Compile(std::string_view pattern);

  // True when the whole of `path` matches the pattern.
  bool Matches(std::string_view path) const;

  const std::string& pattern() const { return pattern_; }

 private:
  GlobMatcher(std::string pattern, std::shared_ptr<const re2::RE2> regex);

  std::string pattern_;
  std::shared_ptr<const re2::RE2> regex_;
};

}  // namespace nexus

#endif  // NEXUS_UTIL_GLOB_H_
