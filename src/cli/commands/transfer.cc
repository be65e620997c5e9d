#include "cli/commands/transfer.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>

#include "cli/commands/large_files.h"
#include "cli/commands/local_files.h"
#include "cli/commands/progress.h"
#include "util/file.h"
#include "util/parallel.h"

namespace nexus::cli {
namespace {

namespace fs = std::filesystem;
using client::Value;

// What write_batch carries at most in one request: many small files, well under the
// server's request body limit.
constexpr size_t kBatchFiles = 200;
constexpr int64_t kBatchBytes = 4 << 20;
// Files up to this size go in batches; larger ones one to a request.
constexpr int64_t kSmallFile = 1 << 20;

struct LocalEntry {
  std::string relative;  // below the local root, '/'-separated
  std::string path;      // on disk
  int64_t size = 0;
};

struct LocalTree {
  std::vector<LocalEntry> files;
  std::vector<std::string> empty_dirs;  // relative
};

// The tree below `root` (or `root` itself when it is a file), without excluded entries.
StatusOr<LocalTree> WalkLocal(const std::string& root, const Excludes& excludes) {
  LocalTree tree;
  std::error_code ec;
  const fs::file_status status = fs::status(root, ec);
  if (ec || !fs::exists(status)) return NotFound("no such local file or directory: " + root);
  if (fs::is_regular_file(status)) {
    tree.files.push_back(
        {fs::path(root).filename().string(), root, static_cast<int64_t>(fs::file_size(root, ec))});
    return tree;
  }
  if (!fs::is_directory(status)) return InvalidArgument(root + " is not a file or directory");
  std::map<std::string, bool> dir_has_entries;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) return IOError("cannot read " + root + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return IOError("cannot read below " + root + ": " + ec.message());
    // Lexically: fs::relative resolves symbolic links, which would name a linked file by
    // its target's path ("../../etc/x") instead of its place in the tree.
    const std::string relative = it->path().lexically_relative(root).generic_string();
    if (excludes.Excluded(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const std::string parent = fs::path(relative).parent_path().generic_string();
    dir_has_entries[parent] = true;
    if (it->is_directory()) {
      dir_has_entries.emplace(relative, false);
    } else if (it->is_regular_file()) {
      tree.files.push_back({relative, it->path().string(), static_cast<int64_t>(it->file_size())});
    }
  }
  for (const auto& [dir, has_entries] : dir_has_entries) {
    if (!has_entries && !dir.empty()) tree.empty_dirs.push_back(dir);
  }
  return tree;
}

std::string JoinRemote(const std::string& dir, const std::string& relative) {
  return dir == "/" ? "/" + relative : dir + "/" + relative;
}

// A relative path safe to join to a directory: no "..", ".", empty or absolute parts and no
// control characters, whatever a server's listing (or a local tree) holds.
bool IsSafeRelative(const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return false;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t slash = relative.find('/', start);
    const std::string part =
        relative.substr(start, (slash == std::string::npos ? relative.size() : slash) - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (const char c : part) {
      if (static_cast<unsigned char>(c) < 0x20) return false;  // NUL would cut the path short
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

// Everything below `dir` on the server, by path, with its listing entry; empty when `dir`
// does not exist or is a file.
StatusOr<std::map<std::string, Value>> RemoteEntries(Remote& remote, const std::string& dir) {
  std::map<std::string, Value> entries;
  StatusOr<Value> listing =
      remote.Call("list", {{"path", dir}, {"recursive", true}, {"details", true}}, true);
  if (!listing.ok()) {
    const Code code = listing.status().code();
    if (code == Code::kNotFound || code == Code::kNotADirectory || code == Code::kValidation)
      return entries;
    return listing.status();
  }
  for (const Value& entry : (*listing)["files"].AsArray())
    entries[entry["path"].AsString()] = entry;
  return entries;
}

// The files among RemoteEntries.
StatusOr<std::map<std::string, Value>> RemoteFiles(Remote& remote, const std::string& dir) {
  using Entries = std::map<std::string, Value>;
  ASSIGN_OR_RETURN(Entries entries, RemoteEntries(remote, dir));
  std::erase_if(entries, [](const auto& e) { return e.second["is_directory"].AsBool(); });
  return entries;
}

// True when the local file at `path` has the content the server's etag names.
bool SameContent(const std::string& path, const Value& remote_entry) {
  const std::string& etag = remote_entry["etag"].AsString();
  if (etag.empty()) return false;
  StatusOr<std::string> hash = FileSha256Hex(path);
  return hash.ok() && *hash == etag;
}

// Groups files into requests: small ones many to a write_batch, large ones alone.
std::vector<std::vector<const LocalEntry*>> Batches(const std::vector<const LocalEntry*>& files) {
  std::vector<std::vector<const LocalEntry*>> batches;
  std::vector<const LocalEntry*> current;
  int64_t current_bytes = 0;
  for (const LocalEntry* f : files) {
    if (f->size > kSmallFile) {
      batches.push_back({f});
      continue;
    }
    if (current.size() == kBatchFiles || current_bytes + f->size > kBatchBytes) {
      batches.push_back(std::move(current));
      current.clear();
      current_bytes = 0;
    }
    current.push_back(f);
    current_bytes += f->size;
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

Status SendBatch(Remote& remote, const std::vector<const LocalEntry*>& batch,
                 const std::string& remote_dir, Progress& progress) {
  int64_t bytes = 0;
  Value entries = Value::EmptyArray();
  for (const LocalEntry* f : batch) {
    ASSIGN_OR_RETURN(std::string content, ReadLocalFile(f->path));
    bytes += static_cast<int64_t>(content.size());
    entries.Append(
        Value::Array{JoinRemote(remote_dir, f->relative), Value::Bytes(std::move(content))});
  }
  if (batch.size() == 1) {
    const Value::Array& only = entries.AsArray()[0].AsArray();
    RETURN_IF_ERROR(remote.Call("write", {{"path", only[0]}, {"content", only[1]}}).status());
  } else {
    RETURN_IF_ERROR(remote.Call("write_batch", {{"files", entries}}).status());
  }
  progress.Add(static_cast<int64_t>(batch.size()), bytes);
  return Status::OK();
}

// The remote files sync --delete removes: under `remote_dir`, not in the local tree, and
// not excluded (an excluded file is left alone on both sides).
std::vector<std::string> Extra(const std::map<std::string, Value>& remote_files,
                               const LocalTree& tree, const std::string& remote_dir,
                               const Excludes& excludes) {
  std::map<std::string, bool> local;
  for (const LocalEntry& f : tree.files) local[JoinRemote(remote_dir, f.relative)] = true;
  std::vector<std::string> extra;
  const std::string prefix = remote_dir == "/" ? "/" : remote_dir + "/";
  for (const auto& [path, entry] : remote_files) {
    // Only what the listing puts below remote_dir: a server's stray entry is left alone.
    if (!path.starts_with(prefix) || local.contains(path)) continue;
    if (!excludes.Excluded(path.substr(prefix.size()))) extra.push_back(path);
  }
  return extra;
}

struct DownloadJob {
  std::string remote;
  std::string local;
  int64_t size = 0;
  std::string etag;
};

// Reads one file and puts it in place atomically: a reader of the local tree never sees
// half of it.
Status Fetch(Remote& remote, const DownloadJob& job, Progress& progress) {
  ASSIGN_OR_RETURN(const Value content, remote.Call("read", {{"path", job.remote}}, true));
  if (!content.is_bytes() && !content.is_string())
    return IOError("read " + job.remote + ": the server's answer is not file content");
  const std::string parent = fs::path(job.local).parent_path().string();
  if (!parent.empty()) RETURN_IF_ERROR(CreateDirectories(parent));
  RETURN_IF_ERROR(WriteFileAtomically(job.local, content.AsString(), /*sync=*/false));
  progress.Add(1, static_cast<int64_t>(content.AsString().size()));
  return Status::OK();
}

// The server's entry for each remote target that exists, for the unchanged check: the
// directory's listing, or for a single file its stat (listing its parent could be the
// whole tree).
StatusOr<std::map<std::string, Value>> RemoteTargets(Remote& remote, const std::string& remote_dir,
                                                     const std::string& single_target) {
  if (single_target.empty()) return RemoteFiles(remote, remote_dir);
  std::map<std::string, Value> targets;
  StatusOr<Value> stat = remote.Call("stat", {{"path", single_target}}, true);
  if (stat.ok()) {
    targets[single_target] = *stat;
  } else if (stat.status().code() != Code::kNotFound) {
    return stat.status();
  }
  return targets;
}

}  // namespace

StatusOr<Excludes> Excludes::Compile(const std::vector<std::string>& patterns) {
  Excludes excludes;
  for (const std::string& pattern : patterns) {
    ASSIGN_OR_RETURN(GlobMatcher matcher, GlobMatcher::Compile(pattern));
    (pattern.find('/') == std::string::npos ? excludes.names_ : excludes.paths_)
        .push_back(std::move(matcher));
  }
  return excludes;
}

bool Excludes::Excluded(const std::string& relative) const {
  for (const GlobMatcher& m : paths_) {
    if (m.Matches(relative)) return true;
  }
  if (names_.empty()) return false;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t slash = relative.find('/', start);
    const size_t end = slash == std::string::npos ? relative.size() : slash;
    const std::string_view name(relative.data() + start, end - start);
    for (const GlobMatcher& m : names_) {
      if (m.Matches(name)) return true;
    }
    start = end + 1;
  }
  return false;
}

StatusOr<TransferReport> Upload(Remote& remote, const std::string& local,
                                const std::string& remote_path, const TransferOptions& options) {
  ASSIGN_OR_RETURN(const Excludes excludes, Excludes::Compile(options.excludes));
  ASSIGN_OR_RETURN(const LocalTree tree, WalkLocal(local, excludes));
  // A single file goes to remote_path itself, or into it when it names a directory ("/d/").
  const bool single = fs::is_regular_file(local);
  std::string remote_dir = remote_path;
  if (single && !remote_path.ends_with("/")) {
    remote_dir = fs::path(remote_path).parent_path().generic_string();
  }
  while (remote_dir.size() > 1 && remote_dir.ends_with("/")) remote_dir.pop_back();
  std::vector<LocalEntry> files = tree.files;
  if (single && !remote_path.ends_with("/")) files[0].relative = fs::path(remote_path).filename();

  const std::string single_target = single ? JoinRemote(remote_dir, files[0].relative) : "";
  ASSIGN_OR_RETURN(const auto remote_files, RemoteTargets(remote, remote_dir, single_target));
  TransferReport report;
  std::vector<const LocalEntry*> changed;
  int64_t total_bytes = 0;
  for (const LocalEntry& f : files) {
    if (!IsSafeRelative(f.relative))
      return InvalidArgument("cannot upload " + f.path + ": its name has control characters");
    const std::string target = JoinRemote(remote_dir, f.relative);
    const auto it = remote_files.find(target);
    if (it != remote_files.end() && it->second["size"].AsInt() == f.size &&
        SameContent(f.path, it->second)) {
      ++report.unchanged;
      continue;
    }
    changed.push_back(&f);
    total_bytes += f.size;
    report.copied.push_back(target);
  }
  if (options.delete_extra) report.deleted = Extra(remote_files, tree, remote_dir, excludes);
  report.copied_bytes = total_bytes;
  if (options.dry_run) return report;

  std::vector<std::function<Status()>> tasks;
  Progress progress("Uploading", static_cast<int64_t>(changed.size()), total_bytes,
                    options.progress);
  std::vector<const LocalEntry*> small;
  std::copy_if(changed.begin(), changed.end(), std::back_inserter(small),
               [](const LocalEntry* f) { return f->size <= client::kLargeFile; });
  for (const auto& batch : Batches(small)) {
    tasks.push_back([&remote, batch, &remote_dir, &progress] {
      return SendBatch(remote, batch, remote_dir, progress);
    });
  }
  for (const std::string& dir : tree.empty_dirs) {
    tasks.push_back([&remote, dir, &remote_dir] {
      return remote
          .Call("mkdir",
                {{"path", JoinRemote(remote_dir, dir)}, {"parents", true}, {"exist_ok", true}})
          .status();
    });
  }
  RETURN_IF_ERROR(RunParallel(tasks, options.parallel));
  // Large files one at a time, each with its parts in parallel.
  for (const LocalEntry* f : changed) {
    if (f->size <= client::kLargeFile) continue;
    RETURN_IF_ERROR(UploadInParts(remote, f->path, JoinRemote(remote_dir, f->relative), "",
                                  options.parallel, progress)
                        .status());
  }
  tasks.clear();
  for (const std::string& path : report.deleted) {
    tasks.push_back([&remote, path] { return remote.Call("delete", {{"path", path}}).status(); });
  }
  RETURN_IF_ERROR(RunParallel(tasks, options.parallel));
  return report;
}

StatusOr<TransferReport> Download(Remote& remote, const std::string& raw_remote_path,
                                  const std::string& local, const TransferOptions& options) {
  ASSIGN_OR_RETURN(const Excludes excludes, Excludes::Compile(options.excludes));
  std::string remote_path = raw_remote_path;
  while (remote_path.size() > 1 && remote_path.ends_with("/")) remote_path.pop_back();
  ASSIGN_OR_RETURN(const auto remote_entries, RemoteEntries(remote, remote_path));
  TransferReport report;
  std::vector<DownloadJob> jobs;
  std::vector<std::string> dirs;
  auto plan = [&](const std::string& path, const Value& entry, const std::string& target) {
    if (fs::exists(target) && fs::is_regular_file(target) &&
        static_cast<int64_t>(fs::file_size(target)) == entry["size"].AsInt() &&
        SameContent(target, entry)) {
      ++report.unchanged;
      return;
    }
    jobs.push_back({path, target, entry["size"].AsInt(), entry["etag"].AsString()});
    report.copied.push_back(target);
    report.copied_bytes += entry["size"].AsInt();
  };
  if (remote_entries.empty()) {
    // Not a directory with anything in it: one file, saved as `local` or into it.
    ASSIGN_OR_RETURN(const Value stat, remote.Call("stat", {{"path", remote_path}}, true));
    if (stat["is_directory"].AsBool()) return report;
    const std::string name = fs::path(remote_path).filename().string();
    plan(remote_path, stat, fs::is_directory(local) ? (fs::path(local) / name).string() : local);
  }
  const std::string prefix = remote_path == "/" ? "/" : remote_path + "/";
  for (const auto& [path, entry] : remote_entries) {
    const std::string relative = path.substr(std::min(prefix.size(), path.size()));
    if (!path.starts_with(prefix) || !IsSafeRelative(relative))
      return Status(Code::kInvalidArgument, "refusing the server's path " + path);
    if (excludes.Excluded(relative)) continue;
    const std::string target = (fs::path(local) / relative).string();
    if (entry["is_directory"].AsBool()) {
      dirs.push_back(target);
    } else {
      plan(path, entry, target);
    }
  }
  for (const std::string& dir : dirs) RETURN_IF_ERROR(CreateDirectories(dir));
  Progress progress("Downloading", static_cast<int64_t>(jobs.size()), report.copied_bytes,
                    options.progress);
  std::vector<std::function<Status()>> tasks;
  for (const DownloadJob& job : jobs) {
    if (job.size <= client::kLargeFile)
      tasks.push_back([&remote, &job, &progress] { return Fetch(remote, job, progress); });
  }
  RETURN_IF_ERROR(RunParallel(tasks, options.parallel));
  // Large files one at a time, each with its ranges in parallel.
  for (const DownloadJob& job : jobs) {
    if (job.size <= client::kLargeFile) continue;
    const std::string parent = fs::path(job.local).parent_path().string();
    if (!parent.empty()) RETURN_IF_ERROR(CreateDirectories(parent));
    RETURN_IF_ERROR(DownloadInRanges(remote, job.remote, job.size, job.etag, job.local,
                                     options.parallel, progress));
  }
  return report;
}

}  // namespace nexus::cli
