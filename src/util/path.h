// Virtual paths: normalisation and validation, done once where a path enters.
//
// A normalised path is absolute, has no empty, "." or ".." segments, no trailing slash
// (except the root "/"), no control characters, and no segment with surrounding
// whitespace. Everything below the edge of the system may assume these properties.
#ifndef NEXUS_UTIL_PATH_H_
#define NEXUS_UTIL_PATH_H_

#include <string>
#include <string_view>

#include "util/status.h"
#include "util/utf8.h"  // IsValidUtf8, for the callers that check paths and names

namespace nexus {

inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxSegmentBytes = 255;

// Strips surrounding whitespace, adds a leading "/", collapses runs of "/", drops "." segments
// and a trailing "/". Rejects (kInvalidPath) empty paths, "..", NUL and other control
// characters, invalid UTF-8, segments with leading or trailing whitespace, and over-long paths
// or segments. The root "/" is accepted; use NormalizeFilePath where the root is not allowed.
StatusOr<std::string> NormalizePath(std::string_view raw);

// As NormalizePath, but also rejects the root, which is not a file.
StatusOr<std::string> NormalizeFilePath(std::string_view raw);

// The parent of a normalised path ("/a/b" -> "/a", "/a" -> "/"). The root's parent is "/".
std::string_view ParentPath(std::string_view path);

// The last segment of a normalised path ("/a/b" -> "b"; "/" -> "").
std::string_view BaseName(std::string_view path);

// True when `path` equals `dir` or lies below it. Both must be normalised.
bool IsSameOrUnder(std::string_view path, std::string_view dir);

// The part of `path` below directory `dir`, without a leading "/" ("/a/b/c" below "/a" ->
// "b/c", "/a/b" below "/" -> "a/b"); empty when `path` is `dir`. `path` must be the same as or
// under `dir` (IsSameOrUnder), both normalised.
std::string_view PathBelow(std::string_view path, std::string_view dir);

// `dir` joined with a relative `name` ("/" + "a" -> "/a", "/x" + "a" -> "/x/a").
std::string JoinPath(std::string_view dir, std::string_view name);

// The half-open key range [low, high) of every path strictly below directory `dir` in
// byte order: "/a" -> ["/a/", "/a0"), "/" -> ["/", "0"). Used for range scans.
std::pair<std::string, std::string> SubtreeRange(std::string_view dir);

}  // namespace nexus

#endif  // NEXUS_UTIL_PATH_H_
