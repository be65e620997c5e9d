// Glob patterns (util/glob.h): users send them to `glob` and the skills search. The input is
// "<pattern>\n<path>"; the pattern is compiled and matched against the path.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "util/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view pattern = input.substr(0, newline);
  const std::string_view path =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const nexus::StatusOr<nexus::GlobMatcher> glob = nexus::GlobMatcher::Compile(pattern);
  if (!glob.ok()) {
    FUZZ_CHECK(glob.status().code() == nexus::Code::kInvalidPattern);
    return 0;
  }
  // The literal prefix narrows range scans, so a match outside it would be a missed file.
  const std::string prefix = nexus::GlobLiteralPrefix(pattern);
  if (glob->Matches(path)) FUZZ_CHECK(path.starts_with(prefix));
  // A pattern without wildcards or escapes is its own literal prefix and matches itself.
  if (prefix == pattern) FUZZ_CHECK(glob->Matches(pattern));
  return 0;
}
