#include "vfs/path_tree.h"

#include "util/clock.h"
#include "util/hash.h"
#include "util/path.h"
#include "vfs/node_store.h"
#include "vfs/write_conditions.h"

namespace nexus::vfs {

using storage::Rows;
using storage::Tx;

namespace {

// Times a unit is re-run when its content was swept, or an append lost a race.
constexpr int kMaxAttempts = 16;

FileInfo RootInfo() {
  FileInfo info;
  info.path = "/";
  info.is_directory = true;
  return info;
}

}  // namespace

Status PathTree::Commit(const storage::Unit& unit) {
  RETURN_IF_ERROR(engine_.Write(unit));
  if (hooks_.committed) hooks_.committed();
  return Status::OK();
}

StatusOr<FileInfo> PathTree::StoreAndCommit(
    std::string_view content,
    const std::function<Status(Tx&, const std::string&, FileInfo&)>& commit) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(const std::string hash, blobs_.Put(content));
    FileInfo info;
    Status s = Commit([&](Tx& tx) { return commit(tx, hash, info); });
    if (s.ok()) return info;
    if (s.code() != Code::kRetry || attempt + 1 >= kMaxAttempts) return s;
  }
}

StatusOr<FileInfo> PathTree::Write(const Actor& actor, std::string_view raw_path,
                                   std::string_view content, const WriteOptions& options) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  const int64_t size = static_cast<int64_t>(content.size());
  return StoreAndCommit(content, [&](Tx& tx, const std::string& hash, FileInfo& out) {
    return CommitWrite(tx, actor, path, hash, size, options, out);
  });
}

Status PathTree::CommitWrite(Tx& tx, const Actor& actor, const std::string& path,
                             const std::string& hash, int64_t size, const WriteOptions& options,
                             FileInfo& out) {
  ASSIGN_OR_RETURN(std::optional<Node> node, LoadWritable(tx, path));
  RETURN_IF_ERROR(CheckWriteConditions(
      path, node ? std::optional<std::string>(node->info.etag) : std::nullopt, options));
  return CommitVersion(tx, blobs_, path, node, NewVersion{hash, size, "original", ""}, actor,
                       hooks_, &out);
}

StatusOr<FileInfo> PathTree::WriteStored(const Actor& actor, std::string_view raw_path,
                                         const std::string& hash, int64_t size,
                                         const WriteOptions& options,
                                         const BatchPrecondition& also) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  FileInfo out;
  RETURN_IF_ERROR(Commit([&](Tx& tx) -> Status {
    if (also) RETURN_IF_ERROR(also(tx));
    return CommitWrite(tx, actor, path, hash, size, options, out);
  }));
  return out;
}

StatusOr<FileInfo> PathTree::Append(const Actor& actor, std::string_view raw_path,
                                    std::string_view content, const WriteOptions& options) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  // Optimistic: read the current content, write old + new on condition that nothing changed
  // meanwhile, and start over if something did (unless the caller set its own condition).
  for (int attempt = 0;; ++attempt) {
    StatusOr<FileContent> current = Read(path);
    if (!current.ok() && current.status().code() != Code::kNotFound) return current.status();
    WriteOptions conditional;
    if (!options.force && options.if_match) {
      conditional.if_match = options.if_match;  // the caller's condition, reported as theirs
    } else if (current.ok()) {
      conditional.if_match = current->info.etag;
    } else {
      conditional.if_none_match = true;
    }
    const std::string combined =
        current.ok() ? current->content + std::string(content) : std::string(content);
    StatusOr<FileInfo> written = Write(actor, path, combined, conditional);
    const Code code = written.status().code();
    const bool lost_race = code == Code::kConflict || code == Code::kAlreadyExists;
    const bool own_condition = !options.force && options.if_match;
    if (!lost_race || own_condition || attempt + 1 >= kMaxAttempts) return written;
  }
}

StatusOr<FileContent> PathTree::Read(std::string_view raw_path, std::optional<int64_t> version) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  FileContent out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadFile(tx, path));
    out.info = node.info;
    if (!version) return Status::OK();
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT hash, size, mime_type, created_at FROM versions"
                                         " WHERE node_id = ? AND version = ?",
                                         {node.id, *version}));
    if (rows.empty()) {
      return NotFound("File not found: " + path + " (version " + std::to_string(*version) + ")");
    }
    out.info.etag = rows[0].Text(0);
    out.info.size = rows[0].Int(1);
    out.info.mime_type = rows[0].Text(2);
    out.info.modified_at = rows[0].Int(3);
    out.info.version = *version;
    return Status::OK();
  }));
  if (out.info.size > kMaxWholeRead) {
    return Status(Code::kValidation, path + " is " + std::to_string(out.info.size) +
                                         " bytes, more than one call returns whole (" +
                                         std::to_string(kMaxWholeRead) + "): read it in ranges");
  }
  ASSIGN_OR_RETURN(out.content, blobs_.Get(out.info.etag));
  return out;
}

StatusOr<FileContent> PathTree::ReadRange(std::string_view raw_path, int64_t offset,
                                          int64_t length) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  if (offset < 0 || length < 0) return InvalidArgument("negative range of " + path);
  FileContent out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadFile(tx, path));
    out.info = node.info;
    return Status::OK();
  }));
  // The blob of a version that has since been replaced stays for the sweeper's grace period,
  // so the bytes read here are those of the version `info` names.
  ASSIGN_OR_RETURN(out.content, blobs_.GetRange(out.info.etag, offset, length));
  return out;
}

Status PathTree::Delete(std::string_view raw_path) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  return Commit([&](Tx& tx) { return DeleteFile(tx, path, hooks_); });
}

StatusOr<FileInfo> PathTree::Copy(const Actor& actor, std::string_view raw_src,
                                  std::string_view raw_dst) {
  ASSIGN_OR_RETURN(const std::string src, NormalizeFilePath(raw_src));
  ASSIGN_OR_RETURN(const std::string dst, NormalizeFilePath(raw_dst));
  FileInfo out;
  RETURN_IF_ERROR(Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node from, LoadFile(tx, src));
    ASSIGN_OR_RETURN(std::optional<Node> to, LoadWritable(tx, dst));
    // The source's blob is referenced, so it cannot be swept while this unit runs.
    return CommitVersion(tx, blobs_, dst, to,
                         NewVersion{from.info.etag, from.info.size, "original", ""}, actor, hooks_,
                         &out);
  }));
  return out;
}

namespace {

// The changes with their paths normalised, so that a bad path fails the batch before it runs.
StatusOr<std::vector<TreeChange>> NormalizedChanges(const std::vector<TreeChange>& changes) {
  std::vector<TreeChange> out = changes;
  for (TreeChange& change : out) {
    ASSIGN_OR_RETURN(change.path, NormalizeFilePath(change.path));
    if (change.kind == TreeChange::Kind::kWrite && !IsSha256Hex(change.hash))
      return InvalidArgument("not a content hash: '" + change.hash + "'");
  }
  return out;
}

}  // namespace

StatusOr<bool> ExistsInUnit(Tx& tx, std::string_view raw_path) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  ASSIGN_OR_RETURN(const std::optional<Node> node, LoadNode(tx, path));
  return node.has_value();
}

StatusOr<BatchResult> PathTree::ApplyBatch(const Actor& actor,
                                           const std::vector<TreeChange>& raw_changes,
                                           std::string_view change_reason,
                                           const BatchPrecondition& precondition) {
  ASSIGN_OR_RETURN(const std::vector<TreeChange> changes, NormalizedChanges(raw_changes));
  BatchResult result;
  RETURN_IF_ERROR(Commit([&](Tx& tx) -> Status {
    result = BatchResult{};
    if (precondition) RETURN_IF_ERROR(precondition(tx));
    for (const TreeChange& change : changes) {
      ASSIGN_OR_RETURN(std::optional<Node> node, LoadWritable(tx, change.path));
      if (change.kind == TreeChange::Kind::kDelete) {
        // Callers build deletions from a listing taken before the unit: a file deleted since
        // is already what they asked for.
        if (!node) continue;
        RETURN_IF_ERROR(DeleteFile(tx, change.path, hooks_));
        ++result.deleted;
        continue;
      }
      if (node && node->info.etag == change.hash) continue;
      FileInfo written;
      RETURN_IF_ERROR(CommitVersion(
          tx, blobs_, change.path, node,
          NewVersion{change.hash, change.size, "original", std::string(change_reason)}, actor,
          hooks_, &written));
      ++result.written;
    }
    return Status::OK();
  }));
  return result;
}

StatusOr<std::string> PathTree::StoreContent(std::string_view content) {
  return blobs_.Put(content);
}

Status PathTree::Mkdir(const Actor& actor, std::string_view raw_path, bool parents, bool exist_ok) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  return Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<Node> node, LoadNode(tx, path));
    if (node) {
      if (!node->info.is_directory) return AlreadyExists("File exists: " + path);
      if (exist_ok || parents) return Status::OK();
      return AlreadyExists("Directory already exists: " + path);
    }
    const int64_t now = NowMicros();
    const std::string parent(ParentPath(path));
    if (parents) {
      RETURN_IF_ERROR(EnsureDirectories(tx, parent, actor, now, hooks_));
    } else if (parent != "/") {
      ASSIGN_OR_RETURN(std::optional<Node> up, LoadNode(tx, parent));
      if (!up) return NotFound("Parent directory does not exist: " + parent);
      if (!up->info.is_directory) return Status(Code::kNotADirectory, "Not a directory: " + parent);
    }
    return InsertDirectory(tx, path, actor, now, hooks_);
  });
}

Status PathTree::Rmdir(std::string_view raw_path, bool recursive) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  return Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
    if (!node.info.is_directory) return Status(Code::kNotADirectory, "Not a directory: " + path);
    const auto [low, high] = SubtreeRange(path);
    ASSIGN_OR_RETURN(
        Rows child,
        tx.Query("SELECT 1 FROM nodes WHERE path >= ? AND path < ? LIMIT 1", {low, high}));
    if (!child.empty()) {
      if (!recursive) return Status(Code::kDirectoryNotEmpty, "Directory not empty: " + path);
      RETURN_IF_ERROR(DropSubtreeVersionRefs(tx, path));
      RETURN_IF_ERROR(
          tx.Exec("DELETE FROM nodes WHERE path >= ? AND path < ?", {low, high}).status());
    }
    RETURN_IF_ERROR(tx.Exec("DELETE FROM nodes WHERE id = ?", {node.id}).status());
    return hooks_.removed ? hooks_.removed(tx, path) : Status::OK();
  });
}

namespace {

// Number of characters (not bytes) in UTF-8 `s`: SQL substr() counts characters.
int64_t CharCount(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

Status PathTree::Rename(std::string_view raw_old, std::string_view raw_new) {
  ASSIGN_OR_RETURN(const std::string from, NormalizeFilePath(raw_old));
  ASSIGN_OR_RETURN(const std::string to, NormalizeFilePath(raw_new));
  if (from == to) return Status::OK();
  if (IsSameOrUnder(to, from)) {
    return InvalidArgument("Cannot move a directory into itself: " + from + " -> " + to);
  }
  return Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, from));
    ASSIGN_OR_RETURN(std::optional<Node> target, LoadNode(tx, to));
    if (target) return AlreadyExists("Destination already exists: " + to);
    RETURN_IF_ERROR(EnsureDirectories(tx, std::string(ParentPath(to)), Actor{node.info.owner},
                                      NowMicros(), hooks_));
    if (node.info.is_directory) {
      // Every descendant's path and parent start with `from`; swap that prefix for `to`.
      const auto [low, high] = SubtreeRange(from);
      const int64_t tail = CharCount(from) + 1;
      RETURN_IF_ERROR(tx.Exec("UPDATE nodes SET path = ? || substr(path, ?),"
                              " parent = ? || substr(parent, ?) WHERE path >= ? AND path < ?",
                              {to, tail, to, tail, low, high})
                          .status());
    }
    RETURN_IF_ERROR(tx.Exec("UPDATE nodes SET path = ?, parent = ? WHERE id = ?",
                            {to, std::string(ParentPath(to)), node.id})
                        .status());
    return hooks_.renamed ? hooks_.renamed(tx, from, to) : Status::OK();
  });
}

Status PathTree::RunRemovedHook(std::string_view path) {
  if (!hooks_.removed) return Status::OK();
  return Commit([&](Tx& tx) { return hooks_.removed(tx, std::string(path)); });
}

Status PathTree::RunRenamedHook(std::string_view from, std::string_view to) {
  if (!hooks_.renamed) return Status::OK();
  return Commit([&](Tx& tx) { return hooks_.renamed(tx, std::string(from), std::string(to)); });
}

StatusOr<FileInfo> PathTree::Stat(std::string_view raw_path) {
  ASSIGN_OR_RETURN(const std::string path, NormalizePath(raw_path));
  if (path == "/") return RootInfo();
  FileInfo info;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
    info = std::move(node.info);
    return Status::OK();
  }));
  return info;
}

StatusOr<bool> PathTree::Exists(std::string_view path) {
  StatusOr<FileInfo> info = Stat(path);
  if (info.ok()) return true;
  if (info.status().code() == Code::kNotFound) return false;
  return info.status();
}

StatusOr<bool> PathTree::IsDirectory(std::string_view path) {
  StatusOr<FileInfo> info = Stat(path);
  if (info.ok()) return info->is_directory;
  if (info.status().code() == Code::kNotFound) return false;
  return info.status();
}

Status PathTree::SetFileMetadata(std::string_view raw_path, std::string_view key,
                                 std::optional<std::string> value) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  if (key.empty() || key.size() > 255) {
    return InvalidArgument("metadata key must be 1 to 255 bytes");
  }
  return Commit([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
    if (!value) {
      RETURN_IF_ERROR(
          tx.Exec("DELETE FROM file_kv WHERE node_id = ? AND key = ?", {node.id, std::string(key)})
              .status());
    } else {
      RETURN_IF_ERROR(tx.Exec("INSERT INTO file_kv (node_id, key, value) VALUES (?, ?, ?)"
                              " ON CONFLICT (node_id, key) DO UPDATE SET value = excluded.value",
                              {node.id, std::string(key), *value})
                          .status());
    }
    return hooks_.metadata_changed ? hooks_.metadata_changed(tx, path, std::string(key))
                                   : Status::OK();
  });
}

StatusOr<std::optional<std::string>> PathTree::GetFileMetadata(std::string_view raw_path,
                                                               std::string_view key) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  std::optional<std::string> value;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT value FROM file_kv WHERE node_id = ? AND key = ?",
                                         {node.id, std::string(key)}));
    if (!rows.empty()) value = rows[0].Text(0);
    return Status::OK();
  }));
  return value;
}

StatusOr<std::map<std::string, std::string>> PathTree::ListFileMetadata(std::string_view raw_path) {
  ASSIGN_OR_RETURN(const std::string path, NormalizeFilePath(raw_path));
  std::map<std::string, std::string> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Node node, LoadExisting(tx, path));
    ASSIGN_OR_RETURN(Rows rows,
                     tx.Query("SELECT key, value FROM file_kv WHERE node_id = ?", {node.id}));
    for (const auto& r : rows) out.emplace(r.Text(0), r.Text(1));
    return Status::OK();
  }));
  return out;
}

}  // namespace nexus::vfs
