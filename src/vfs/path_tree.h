// The path tree: files with versions and directories, stored through a storage Engine
// with content in a BlobStore. This is the public face of the vfs module.
//
// Paths given to PathTree are raw: every method normalises and validates them (kInvalidPath).
// Every mutation is one write unit (one transaction): metadata, version row and blob
// reference change together or not at all, and content is stored before the transaction
// that references it. Reads never write.
//
// Choices where the reference is silent or unsafe (docs/path-tree.md has the full list):
// writes create missing parent directories as real directories, which stay when emptied;
// `..` is rejected rather than resolved; deleting a file deletes its version history (its
// blobs become unreferenced and are swept after the grace period); copy copies one file.
#ifndef NEXUS_VFS_PATH_TREE_H_
#define NEXUS_VFS_PATH_TREE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/blob_store.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/status.h"

namespace nexus::vfs {

// Metadata of a file or directory.
struct FileInfo {
  std::string path;
  bool is_directory = false;
  int64_t size = 0;
  std::string etag;       // SHA-256 of the content; empty for directories
  std::string mime_type;  // empty for directories
  int64_t version = 0;    // 0 for directories
  std::string owner;
  int64_t created_at = 0;  // microseconds since the epoch, UTC
  int64_t modified_at = 0;
};

struct FileContent {
  std::string content;
  FileInfo info;  // of the version read
};

struct VersionInfo {
  int64_t version = 0;
  std::string etag;
  int64_t size = 0;
  std::string mime_type;
  int64_t created_at = 0;
  std::string created_by;
  std::string source_type;  // "original" or "rollback"
  std::string change_reason;
};

// Who performs a mutation: recorded as owner of new nodes and creator of versions.
struct Actor {
  std::string user;
};

struct WriteOptions {
  std::optional<std::string> if_match;  // fail with kConflict unless the current etag is this
  bool if_none_match = false;           // fail with kAlreadyExists if the file exists
  bool force = false;                   // ignore both conditions
};

// The largest file Read returns whole: larger ones (written in parts, see vfs/uploads.h) are
// read in ranges, so that no call holds a whole large file in memory.
inline constexpr int64_t kMaxWholeRead = int64_t{64} << 20;

struct ListOptions {
  bool recursive = false;  // every descendant instead of the direct children
  std::string prefix;      // only entries whose path relative to the directory starts with this
  int64_t limit = 0;       // entries per page; 0 = all
  std::string cursor;      // next_cursor of the previous page
};

struct ListPage {
  std::vector<FileInfo> entries;  // sorted by path
  std::string next_cursor;        // empty when this is the last page
};

struct GrepOptions {
  std::string file_pattern;  // glob on the path relative to the search root; no '/' = basename
  bool ignore_case = false;
  bool literal = false;  // the pattern is plain text, not a regular expression
  int64_t max_results = 100;
  // The files to search (a caller's read permission, say); unset = every file. Files it
  // refuses are not read, so their lines never take a place within max_results.
  std::function<bool(const std::string& path)> include;
};

struct GrepMatch {
  std::string path;
  int64_t line = 0;     // 1-based
  std::string content;  // the whole line
  std::string match;    // the matched text
};

// Work other modules attach to changes of the tree (permission tuples that follow paths).
// Each runs inside the write unit of the change, so both commit or neither does. A hook
// that fails fails the change. Unset hooks do nothing.
struct PathTreeHooks {
  // A file or directory was created at `path` by `actor` (parents created on the way too).
  std::function<Status(storage::Tx&, const std::string& path, const Actor& actor)> created;
  // `from` (a file, or a directory with everything below it) now lives at `to`.
  std::function<Status(storage::Tx&, const std::string& from, const std::string& to)> renamed;
  // `path` (a file, or a directory with everything below it) is gone.
  std::function<Status(storage::Tx&, const std::string& path)> removed;
  // File `info.path` has a new current version `info` (write, append, copy, rollback, batch).
  std::function<Status(storage::Tx&, const FileInfo& info)> written;
  // Metadata key `key` of file `path` was set or removed.
  std::function<Status(storage::Tx&, const std::string& path, const std::string& key)>
      metadata_changed;
  // Runs outside any unit, after a write unit of the tree committed: what the unit's hooks
  // recorded is now visible to other connections (a change feed wakes its reader here).
  std::function<void()> committed;
};

// Hooks that run `first`'s hook, then `second`'s, for every event either one handles.
PathTreeHooks ChainHooks(PathTreeHooks first, PathTreeHooks second);

// One change of a batch (PathTree::ApplyBatch).
struct TreeChange {
  enum class Kind {
    kWrite,   // make blob `hash` (`size` bytes, already referenced elsewhere) file `path`'s content
    kDelete,  // delete file `path` and its history; nothing when there is no file there
  };
  Kind kind = Kind::kWrite;
  std::string path;
  std::string hash;
  int64_t size = 0;
};

struct BatchResult {
  int64_t written = 0;  // files given a new version; a write of the current content is none
  int64_t deleted = 0;  // files that existed and were deleted
};

// Runs inside a batch's write unit before its changes: what must still hold for them to
// apply (e.g. that a workspace is still registered). An error fails the batch.
using BatchPrecondition = std::function<Status(storage::Tx&)>;

// Whether a file or directory is at `path` as write unit `tx` sees it: for a precondition
// that a batch creates what was not there when its caller looked.
StatusOr<bool> ExistsInUnit(storage::Tx& tx, std::string_view path);

class PathTree {
 public:
  PathTree(storage::Engine& engine, storage::BlobStore& blobs, PathTreeHooks hooks = {})
      : engine_(engine), blobs_(blobs), hooks_(std::move(hooks)) {}

  // Files.
  StatusOr<FileInfo> Write(const Actor& actor, std::string_view path, std::string_view content,
                           const WriteOptions& options = {});
  StatusOr<FileInfo> Append(const Actor& actor, std::string_view path, std::string_view content,
                            const WriteOptions& options = {});
  // The current content, or that of `version` when given. A file larger than kMaxWholeRead
  // is refused (kValidation): read it in ranges.
  StatusOr<FileContent> Read(std::string_view path, std::optional<int64_t> version = {});
  // Bytes [offset, offset + length) of the current content, fewer at its end; `info` is
  // the file's.
  StatusOr<FileContent> ReadRange(std::string_view path, int64_t offset, int64_t length);
  // Makes blob `hash` (`size` bytes, already in the blob store and referenced while this
  // runs, e.g. by an upload's parts) file `path`'s new content under `options`, in one write
  // unit that first runs `also`, which may fail it or change more in the same unit.
  StatusOr<FileInfo> WriteStored(const Actor& actor, std::string_view path, const std::string& hash,
                                 int64_t size, const WriteOptions& options,
                                 const BatchPrecondition& also);
  Status Delete(std::string_view path);
  // Copies file `src` to `dst` (a new file, or a new version of an existing file).
  StatusOr<FileInfo> Copy(const Actor& actor, std::string_view src, std::string_view dst);

  // Applies `changes` in order as one write unit: all of them or, when one fails, none.
  // Writes take content already in the blob store by hash, so a caller that holds a
  // reference to it (a snapshot) can put it back without reading it; the content must be
  // referenced while the batch runs (kRetry if it was swept). A write of a file's current
  // content is skipped. Hooks run as for single writes and deletes. `change_reason` is
  // recorded on the new versions; `precondition`, when set, runs first in the unit.
  StatusOr<BatchResult> ApplyBatch(const Actor& actor, const std::vector<TreeChange>& changes,
                                   std::string_view change_reason = {},
                                   const BatchPrecondition& precondition = {});
  // Puts `content` into the blob store and returns its hash, for a batch to reference. Until
  // a batch does, nothing references the content: the sweeper leaves it alone for its grace
  // period, and a batch that comes later than that fails with kRetry (store it again).
  StatusOr<std::string> StoreContent(std::string_view content);

  // Directories.
  Status Mkdir(const Actor& actor, std::string_view path, bool parents, bool exist_ok);
  Status Rmdir(std::string_view path, bool recursive);

  // Either kind. Rename moves a file or a whole subtree atomically.
  Status Rename(std::string_view old_path, std::string_view new_path);
  StatusOr<bool> Exists(std::string_view path);
  StatusOr<bool> IsDirectory(std::string_view path);
  StatusOr<FileInfo> Stat(std::string_view path);

  // Listing and search.
  StatusOr<ListPage> List(std::string_view dir, const ListOptions& options = {});
  // Absolute paths (files and directories) matching `pattern`, sorted. A relative pattern is
  // taken relative to `base`.
  StatusOr<std::vector<std::string>> Glob(std::string_view pattern, std::string_view base = "/");
  // Lines matching the RE2 `pattern` in text files under `path` (or in file `path`).
  StatusOr<std::vector<GrepMatch>> Grep(std::string_view pattern, std::string_view path,
                                        const GrepOptions& options = {});

  // Versions, newest first.
  StatusOr<std::vector<VersionInfo>> ListVersions(std::string_view path);
  // Makes the content of `version` current again, as a new version.
  StatusOr<FileInfo> Rollback(const Actor& actor, std::string_view path, int64_t version);
  // Unified line diff of two versions; empty when their contents are equal.
  StatusOr<std::string> DiffVersions(std::string_view path, int64_t v1, int64_t v2);

  // The hooks of a removal or a move that happened outside the tree (on a mounted path, see
  // Router), so that what names `path` goes or follows as it would in the tree.
  Status RunRemovedHook(std::string_view path);
  Status RunRenamedHook(std::string_view from, std::string_view to);

  // Per-file key/value metadata. Setting std::nullopt removes the key.
  Status SetFileMetadata(std::string_view path, std::string_view key,
                         std::optional<std::string> value);
  StatusOr<std::optional<std::string>> GetFileMetadata(std::string_view path, std::string_view key);
  StatusOr<std::map<std::string, std::string>> ListFileMetadata(std::string_view path);

 private:
  // Inside a write unit: the new version of a write.
  Status CommitWrite(storage::Tx& tx, const Actor& actor, const std::string& path,
                     const std::string& hash, int64_t size, const WriteOptions& options,
                     FileInfo& out);
  // Stores content, then runs `commit` (which references its hash) as a write unit,
  // storing the content again if the sweeper removed it in between.
  StatusOr<FileInfo> StoreAndCommit(
      std::string_view content,
      const std::function<Status(storage::Tx&, const std::string&, FileInfo&)>& commit);

  // engine_.Write, then the committed hook when the unit committed.
  Status Commit(const storage::Unit& unit);

  storage::Engine& engine_;
  storage::BlobStore& blobs_;
  const PathTreeHooks hooks_;
};

// Migration 1, the path tree's tables and the blob tables they name: generated from
// migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> Schema();

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_PATH_TREE_H_
