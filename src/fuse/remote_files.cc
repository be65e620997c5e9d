#include "fuse/remote_files.h"

#include <algorithm>
#include <functional>
#include <set>

#include "client/large_files.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/parallel.h"

namespace nexus::fuse {
namespace {

using client::Value;

constexpr int64_t kListPage = 1000;
// A listing longer than this many pages is the server's fault (a cursor that never ends).
constexpr int kMaxListPages = 100000;
constexpr int kParallelRanges = 4;

// The name of `path` when it is a child of `dir` that a directory entry can carry, else "".
std::string ChildName(const std::string& dir, const std::string& path) {
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return "";
  std::string name = path.substr(prefix.size());
  if (name == "." || name == ".." || name.size() > 255 ||
      name.find_first_of(std::string("/\0", 2)) != std::string::npos)
    return "";
  return name;
}

}  // namespace

StatusOr<Attributes> AttributesOf(const Value& answer) {
  Attributes a;
  a.is_directory = answer["is_directory"].AsBool();
  a.size = answer["size"].AsInt();
  a.etag = answer["etag"].AsString();
  if (a.size < 0 || a.size > kMaxFileSize)
    return IOError("the server gave a size of " + std::to_string(a.size));
  if (!a.is_directory && !IsSha256Hex(a.etag))
    return IOError("the server gave a file an etag that is not a content hash");
  if (StatusOr<int64_t> at = ParseIsoMicros(answer["modified_at"].AsString()); at.ok())
    a.modified_us = *at;
  return a;
}

RemoteFiles::RemoteFiles(client::Client& client, std::string root)
    : client_(client), root_(root == "/" ? "" : std::move(root)) {}

std::string RemoteFiles::RemotePath(std::string_view path) const {
  if (path == "/") return root_.empty() ? "/" : root_;
  return root_ + std::string(path);
}

StatusOr<Value> RemoteFiles::Read(std::string_view method, Value params) {
  client::CallOptions options;
  options.idempotent = true;
  return client_.Call(method, std::move(params), options);
}

StatusOr<Value> RemoteFiles::Change(std::string_view method, Value params) {
  return client_.Call(method, std::move(params));
}

StatusOr<Attributes> RemoteFiles::Stat(std::string_view path) {
  ASSIGN_OR_RETURN(const Value answer, Read("stat", {{"path", RemotePath(path)}}));
  return AttributesOf(answer);
}

StatusOr<std::vector<DirectoryEntry>> RemoteFiles::List(std::string_view path) {
  const std::string remote = RemotePath(path);
  std::vector<DirectoryEntry> entries;
  std::set<std::string> names;
  std::string cursor;
  for (int pages = 0;; ++pages) {
    if (pages == kMaxListPages) return IOError("the listing of " + remote + " does not end");
    Value params = {
        {"path", remote}, {"recursive", false}, {"details", true}, {"limit", kListPage}};
    if (!cursor.empty()) params.Set("cursor", cursor);
    ASSIGN_OR_RETURN(const Value page, Read("list", std::move(params)));
    for (const Value& file : page["files"].AsArray()) {
      // Only what a directory can hold, once: the server's answer is outside input.
      std::string name = ChildName(remote, file["path"].AsString());
      if (name.empty() || !names.insert(name).second) continue;
      ASSIGN_OR_RETURN(Attributes attributes, AttributesOf(file));
      entries.push_back({std::move(name), std::move(attributes)});
    }
    std::string next = page["next_cursor"].AsString();
    if (!page["has_more"].AsBool() || next.empty() || next == cursor) return entries;
    cursor = std::move(next);
  }
}

Status RemoteFiles::Fetch(std::string_view path, const std::string& etag, int64_t size, int fd) {
  const std::string remote = RemotePath(path);
  std::vector<std::function<Status()>> tasks;
  for (int64_t offset = 0; offset < size; offset += client::kRangeBytes) {
    const int64_t length = std::min(client::kRangeBytes, size - offset);
    tasks.push_back([&, offset, length]() -> Status {
      ASSIGN_OR_RETURN(const std::string bytes,
                       client::ReadVersionRange(client_, remote, etag, offset, length));
      return WriteAllAt(fd, offset, bytes, "the mount's copy of " + remote);
    });
  }
  return RunParallel(tasks, kParallelRanges);
}

StatusOr<Attributes> RemoteFiles::Store(std::string_view path, const std::string& local,
                                        int64_t size) {
  const std::string remote = RemotePath(path);
  if (size > client::kLargeFile) {
    ASSIGN_OR_RETURN(const Value stored,
                     client::UploadInParts(client_, local, remote, "", kParallelRanges, nullptr));
    return AttributesOf(stored);
  }
  ASSIGN_OR_RETURN(std::string content, ReadFile(local));
  ASSIGN_OR_RETURN(const Value stored,
                   client_.CallWithContent("write", {{"path", remote}}, std::move(content)));
  return AttributesOf(stored["bytes_written"]);
}

StatusOr<Attributes> RemoteFiles::CreateEmpty(std::string_view path) {
  ASSIGN_OR_RETURN(
      const Value stored,
      client_.CallWithContent("write", {{"path", RemotePath(path)}, {"if_none_match", true}}, ""));
  return AttributesOf(stored["bytes_written"]);
}

Status RemoteFiles::Mkdir(std::string_view path) {
  return Change("mkdir", {{"path", RemotePath(path)}}).status();
}

Status RemoteFiles::Rmdir(std::string_view path) {
  return Change("rmdir", {{"path", RemotePath(path)}}).status();
}

Status RemoteFiles::Delete(std::string_view path) {
  return Change("delete", {{"path", RemotePath(path)}}).status();
}

Status RemoteFiles::Rename(std::string_view from, std::string_view to) {
  return Change("rename", {{"old_path", RemotePath(from)}, {"new_path", RemotePath(to)}}).status();
}

Status RemoteFiles::CopyOver(std::string_view from, std::string_view to) {
  return Change("copy", {{"src_path", RemotePath(from)}, {"dst_path", RemotePath(to)}}).status();
}

StatusOr<Value> RemoteFiles::Metadata(std::string_view path) {
  ASSIGN_OR_RETURN(Value answer, Read("get_metadata", {{"path", RemotePath(path)}}));
  Value metadata = answer.Take("metadata");
  if (metadata.is_null()) return NotFound("no such file: " + std::string(path));
  return metadata;
}

}  // namespace nexus::fuse
