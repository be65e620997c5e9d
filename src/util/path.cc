#include "util/path.h"

#include <vector>

namespace nexus {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status Reject(std::string_view reason, std::string_view raw) {
  return InvalidPath(std::string(reason) + ": " + std::string(raw));
}

Status CheckCharacters(std::string_view raw) {
  for (unsigned char c : raw) {
    if (c == 0) return Reject("Path contains NUL byte", raw);
    if (c < 0x20 || c == 0x7f) return Reject("Path contains control character", raw);
  }
  if (!IsValidUtf8(raw)) return Reject("Path is not valid UTF-8", raw);
  return Status::OK();
}

}  // namespace

StatusOr<std::string> NormalizePath(std::string_view raw) {
  const std::string_view trimmed = Trim(raw);
  if (trimmed.empty()) return Reject("Path is empty", raw);
  if (raw.size() > kMaxPathBytes) return Reject("Path is too long", raw.substr(0, 64));
  RETURN_IF_ERROR(CheckCharacters(trimmed));

  std::string out;
  out.reserve(trimmed.size() + 1);
  size_t pos = 0;
  while (pos <= trimmed.size()) {
    size_t end = trimmed.find('/', pos);
    if (end == std::string_view::npos) end = trimmed.size();
    const std::string_view seg = trimmed.substr(pos, end - pos);
    pos = end + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return Reject("Path contains '..' segments", raw);
    if (seg.size() > kMaxSegmentBytes) return Reject("Path segment is too long", raw);
    if (IsSpace(seg.front()) || IsSpace(seg.back())) {
      return Reject("Path segment has leading or trailing whitespace", raw);
    }
    out += '/';
    out += seg;
  }
  if (out.empty()) out = "/";
  return out;
}

StatusOr<std::string> NormalizeFilePath(std::string_view raw) {
  StatusOr<std::string> path = NormalizePath(raw);
  if (path.ok() && *path == "/") return Reject("Root is not a file", raw);
  return path;
}

std::string_view ParentPath(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool IsSameOrUnder(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  if (path.size() < dir.size() || path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

std::string_view PathBelow(std::string_view path, std::string_view dir) {
  const size_t skip = dir == "/" ? 1 : dir.size() + 1;
  return skip >= path.size() ? std::string_view() : path.substr(skip);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out != "/") out += '/';
  out += name;
  return out;
}

std::pair<std::string, std::string> SubtreeRange(std::string_view dir) {
  // '0' is the byte after '/', so every "<dir>/..." sorts inside the range.
  if (dir == "/") return {"/", "0"};
  return {std::string(dir) + "/", std::string(dir) + "0"};
}

}  // namespace nexus
