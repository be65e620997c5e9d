// The server as the mount sees it: the subtree at `root` of one server, in the terms a
// filesystem needs (attributes, listings, whole contents, stores), over the client library.
// Paths given here are the mount's ("/", "/src/a.c"); the server's are root + path.
//
// Thread-safe: every call is one or more independent requests on the client's pool.
#ifndef NEXUS_FUSE_REMOTE_FILES_H_
#define NEXUS_FUSE_REMOTE_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "util/status.h"

namespace nexus::fuse {

struct Attributes {
  bool is_directory = false;
  int64_t size = 0;
  std::string etag;         // the content's SHA-256; "" for a directory
  int64_t modified_us = 0;  // 0 when the server keeps none (directories)
};

struct DirectoryEntry {
  std::string name;
  Attributes attributes;
};

class RemoteFiles {
 public:
  RemoteFiles(client::Client& client, std::string root);

  // The server's path of mount path `path`.
  std::string RemotePath(std::string_view path) const;

  StatusOr<Attributes> Stat(std::string_view path);
  // Every child of directory `path` with its attributes, a page of 1,000 per request.
  StatusOr<std::vector<DirectoryEntry>> List(std::string_view path);
  // Writes version `etag` (`size` bytes) of `path` into `fd` from offset 0: one request
  // for a small file, ranges four at a time for a large one. kConflict when the file is no
  // longer that version.
  Status Fetch(std::string_view path, const std::string& etag, int64_t size, int fd);
  // Makes the content of local file `local` (`size` bytes) the new version of `path`; its
  // attributes after the store.
  StatusOr<Attributes> Store(std::string_view path, const std::string& local, int64_t size);
  // A new empty file; kAlreadyExists when one is there.
  StatusOr<Attributes> CreateEmpty(std::string_view path);

  Status Mkdir(std::string_view path);
  Status Rmdir(std::string_view path);
  Status Delete(std::string_view path);
  // Moves a file or directory to a free destination.
  Status Rename(std::string_view from, std::string_view to);
  // Makes file `from`'s content the new version of existing file `to` (sharing its blob).
  Status CopyOver(std::string_view from, std::string_view to);
  // The server's metadata of `path` (get_metadata): owner, group, mime_type, created_at, ...
  StatusOr<client::Value> Metadata(std::string_view path);

 private:
  StatusOr<client::Value> Read(std::string_view method, client::Value params);
  StatusOr<client::Value> Change(std::string_view method, client::Value params);

  client::Client& client_;
  const std::string root_;  // "" for the server's root, else "/a/b" without a trailing '/'
};

// The largest file the mount takes a server's word for (1 TiB).
inline constexpr int64_t kMaxFileSize = int64_t{1} << 40;

// The attributes in a stat or list answer; kIOError for a size below 0 or above
// kMaxFileSize, or a file whose etag is not a SHA-256.
StatusOr<Attributes> AttributesOf(const client::Value& answer);

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_REMOTE_FILES_H_
