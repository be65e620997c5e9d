#include "util/glob.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "util/path.h"

namespace nexus {
namespace {

// Patterns are quoted in error messages, but a 4 KiB one would drown the message.
constexpr size_t kMaxQuotedBytes = 100;

std::string Quote(std::string_view pattern) {
  if (pattern.size() <= kMaxQuotedBytes) return std::string(pattern);
  size_t end = kMaxQuotedBytes;
  // Cut on a character boundary so the message stays valid UTF-8.
  while (end > 0 && (static_cast<unsigned char>(pattern[end]) & 0xc0) == 0x80) --end;
  return std::string(pattern.substr(0, end)) + "...";
}

Status Invalid(std::string_view problem, std::string_view pattern) {
  return Status(Code::kInvalidPattern, std::string(problem) + ": " + Quote(pattern));
}

// Decodes the UTF-8 character at the front of `s`, which must be non-empty valid UTF-8
// (patterns are validated before translation). Returns its length in bytes.
size_t DecodeUtf8(std::string_view s, char32_t* cp) {
  const auto lead = static_cast<unsigned char>(s[0]);
  size_t len = 1;
  if (lead >= 0xf0) {
    len = 4;
  } else if (lead >= 0xe0) {
    len = 3;
  } else if (lead >= 0xc0) {
    len = 2;
  }
  char32_t value = len == 1 ? lead : lead & (0xff >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    value = (value << 6) | (static_cast<unsigned char>(s[k]) & 0x3f);
  }
  *cp = value;
  return len;
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsAsciiPunct(char32_t c) { return c > 0x20 && c < 0x7f && !IsAsciiAlnum(c); }

std::string HexEscape(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "\\x{%X}", static_cast<unsigned>(c));
  return buf;
}

// One member of a character class in RE2 syntax. Escaping all punctuation keeps "]", "^",
// "-" and "\" from being read as class syntax; the rest is spelled out in hex.
std::string ClassMember(char32_t c) {
  if (IsAsciiAlnum(c)) return std::string(1, static_cast<char>(c));
  if (IsAsciiPunct(c)) return std::string{'\\', static_cast<char>(c)};
  return HexEscape(c);
}

struct Range {
  char32_t lo;
  char32_t hi;
};

// Sorts and merges overlapping or adjacent ranges.
std::vector<Range> Normalize(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](Range a, Range b) { return a.lo < b.lo; });
  std::vector<Range> merged;
  for (const Range& r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// Removes "/" from a normalised set, because a class never matches the separator.
std::vector<Range> WithoutSlash(const std::vector<Range>& ranges) {
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (r.hi < '/' || r.lo > '/') {
      out.push_back(r);
      continue;
    }
    if (r.lo < '/') out.push_back({r.lo, '/' - 1});
    if (r.hi > '/') out.push_back({'/' + 1, r.hi});
  }
  return out;
}

std::string ClassBody(const std::vector<Range>& ranges) {
  std::string body;
  for (const Range& r : ranges) {
    body += ClassMember(r.lo);
    if (r.hi != r.lo) body += "-" + ClassMember(r.hi);
  }
  return body;
}

// Walks a validated pattern once, appending the regex for each construct.
class Translator {
 public:
  explicit Translator(std::string_view pattern) : pattern_(pattern) {}

  StatusOr<std::string> Run() {
    out_ = "^";
    while (pos_ < pattern_.size()) {
      switch (pattern_[pos_]) {
        case '*':
          TranslateStars();
          break;
        case '?':
          out_ += "[^/]";  // RE2 matches one code point per class in UTF-8 mode
          ++pos_;
          break;
        case '[':
          RETURN_IF_ERROR(TranslateClass());
          break;
        case '\\':
          RETURN_IF_ERROR(TranslateEscape());
          break;
        default:
          TranslateLiteral();
      }
    }
    out_ += "$";
    return std::move(out_);
  }

 private:
  void TranslateStars() {
    size_t end = pos_;
    while (end < pattern_.size() && pattern_[end] == '*') ++end;
    const bool segment_start = pos_ == 0 || pattern_[pos_ - 1] == '/';
    const bool segment_end = end == pattern_.size() || pattern_[end] == '/';
    if (end - pos_ != 2 || !segment_start || !segment_end) {
      out_ += "[^/]*";  // runs of "*" inside a segment are one "*"
    } else if (end == pattern_.size()) {
      // The "/" before a trailing "**" is already emitted; "(?s)" lets "." cross newlines.
      out_ += pos_ == 0 ? "(?s:.*)" : "(?s:.+)";
    } else {
      out_ += "(?s:.*/)?";  // "**/": zero or more segments, each with its "/"
      ++end;
    }
    pos_ = end;
  }

  Status TranslateEscape() {
    if (pos_ + 1 == pattern_.size()) return Invalid("Trailing backslash in glob", pattern_);
    ++pos_;
    TranslateLiteral();
    return Status::OK();
  }

  void TranslateLiteral() {
    char32_t c;
    const size_t len = DecodeUtf8(pattern_.substr(pos_), &c);
    static constexpr std::string_view kMeta = "\\.+*?()|[]{}^$";
    if (c < 0x20 || c == 0x7f) {
      out_ += HexEscape(c);
    } else if (c < 0x80 && kMeta.find(static_cast<char>(c)) != std::string_view::npos) {
      out_ += '\\';
      out_ += static_cast<char>(c);
    } else {
      out_ += pattern_.substr(pos_, len);
    }
    pos_ += len;
  }

  Status TranslateClass() {
    size_t i = pos_ + 1;
    bool negated = false;
    if (i < pattern_.size() && (pattern_[i] == '!' || pattern_[i] == '^')) {
      negated = true;
      ++i;
    }
    std::vector<Range> ranges;
    for (bool first = true;; first = false) {
      if (i >= pattern_.size()) return Invalid("Unterminated '[' in glob", pattern_);
      if (pattern_[i] == ']' && !first) break;
      Range r;
      RETURN_IF_ERROR(ReadClassChar(&i, &r.lo));
      r.hi = r.lo;
      if (i + 1 < pattern_.size() && pattern_[i] == '-' && pattern_[i + 1] != ']') {
        ++i;
        RETURN_IF_ERROR(ReadClassChar(&i, &r.hi));
        if (r.hi < r.lo) return Invalid("Reversed range in glob character class", pattern_);
      }
      ranges.push_back(r);
    }
    pos_ = i + 1;
    EmitClass(Normalize(std::move(ranges)), negated);
    return Status::OK();
  }

  // Reads one possibly escaped character of a class at *i and advances past it.
  Status ReadClassChar(size_t* i, char32_t* c) {
    if (pattern_[*i] == '\\') {
      if (*i + 1 == pattern_.size()) return Invalid("Trailing backslash in glob", pattern_);
      ++*i;
    }
    *i += DecodeUtf8(pattern_.substr(*i), c);
    return Status::OK();
  }

  void EmitClass(const std::vector<Range>& ranges, bool negated) {
    if (negated) {
      out_ += "[^/" + ClassBody(ranges) + "]";
      return;
    }
    const std::vector<Range> allowed = WithoutSlash(ranges);
    // "[/]" can never match; RE2 accepts the empty class spelled as a full complement.
    out_ += allowed.empty() ? "[^\\x00-\\x{10FFFF}]" : "[" + ClassBody(allowed) + "]";
  }

  std::string_view pattern_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

StatusOr<std::string> GlobToRegex(std::string_view pattern) {
  if (pattern.empty()) return Status(Code::kInvalidPattern, "Empty glob pattern");
  if (pattern.size() > kMaxGlobBytes) {
    return Invalid("Glob pattern longer than " + std::to_string(kMaxGlobBytes) + " bytes", pattern);
  }
  // Not quoted: the message must stay valid UTF-8 for the JSON-RPC error.
  if (!IsValidUtf8(pattern)) return Status(Code::kInvalidPattern, "Glob is not valid UTF-8");
  return Translator(pattern).Run();
}

std::string GlobLiteralPrefix(std::string_view pattern) {
  return std::string(pattern.substr(0, pattern.find_first_of("*?[\\")));
}

GlobMatcher::GlobMatcher(std::string pattern, std::shared_ptr<const re2::RE2> regex)
    : pattern_(std::move(pattern)), regex_(std::move(regex)) {}

StatusOr<GlobMatcher> GlobMatcher::Compile(std::string_view pattern) {
  ASSIGN_OR_RETURN(std::string regex, GlobToRegex(pattern));
  re2::RE2::Options options;
  options.set_log_errors(false);  // the error is returned, not logged
  auto compiled = std::make_shared<const re2::RE2>(regex, options);
  if (!compiled->ok()) {
    return Invalid("Glob does not compile (" + compiled->error() + ")", pattern);
  }
  return GlobMatcher(std::string(pattern), std::move(compiled));
}

bool GlobMatcher::Matches(std::string_view path) const {
  return re2::RE2::FullMatch(path, *regex_);
}

}  // namespace nexus
