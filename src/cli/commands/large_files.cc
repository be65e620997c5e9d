#include "cli/commands/large_files.h"

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "cli/commands/local_files.h"
#include "cli/commands/parallel.h"
#include "util/file.h"

namespace nexus::cli {
namespace {

using client::Value;

// Concatenating a large file on the server takes a while (seconds per GiB on a local disk,
// more on PostgreSQL): a commit may take 30 minutes, and one more per GiB.
std::chrono::milliseconds CommitTimeout(int64_t size) {
  return std::chrono::minutes(30) + std::chrono::minutes(size >> 30);
}

// After a commit whose answer was lost: the file's stat when it now has the local content.
std::optional<Value> CommittedAnyway(Remote& remote, const std::string& local,
                                     const std::string& remote_path) {
  StatusOr<Value> stat = remote.Call("stat", {{"path", remote_path}}, true);
  StatusOr<std::string> hash = LocalSha256(local);
  if (!stat.ok() || !hash.ok() || (*stat)["etag"].AsString() != *hash) return std::nullopt;
  return *std::move(stat);
}

client::CallOptions Resendable() {
  client::CallOptions call;
  call.idempotent = true;  // reads, and parts: a part sent again replaces itself
  return call;
}

Status SendPart(Remote& remote, const std::string& local, const std::string& id, int64_t index,
                int64_t part_size, Progress& progress) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileRange(local, index * part_size, part_size));
  const auto sent = static_cast<int64_t>(bytes.size());
  ASSIGN_OR_RETURN(client::Client * client, remote.Client());
  RETURN_IF_ERROR(client
                      ->CallWithContent("upload_part", {{"upload_id", id}, {"index", index}},
                                        std::move(bytes), Resendable())
                      .status());
  progress.Add(0, sent);
  return Status::OK();
}

// Bytes [offset, offset + length) of version `etag` of `remote_path`, all of them.
StatusOr<std::string> Range(Remote& remote, const std::string& remote_path, const std::string& etag,
                            int64_t offset, int64_t length) {
  ASSIGN_OR_RETURN(client::Client * client, remote.Client());
  ASSIGN_OR_RETURN(
      std::string bytes,
      client->CallForBytes(
          "read_range",
          {{"path", remote_path}, {"start", offset}, {"end", offset + length}, {"if_match", etag}},
          Resendable()));
  if (static_cast<int64_t>(bytes.size()) != length)
    return IOError(remote_path + " changed on the server while it was read");
  return bytes;
}

Status FetchRange(Remote& remote, const std::string& remote_path, const std::string& etag,
                  int64_t offset, int64_t length, FileBuilder& out, Progress& progress) {
  ASSIGN_OR_RETURN(const std::string bytes, Range(remote, remote_path, etag, offset, length));
  RETURN_IF_ERROR(out.WriteAt(offset, bytes));
  progress.Add(0, length);
  return Status::OK();
}

}  // namespace

StatusOr<Value> UploadInParts(Remote& remote, const std::string& local,
                              const std::string& remote_path, const std::string& if_match,
                              int parallel, Progress& progress) {
  struct stat st {};
  if (::stat(local.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot read " + local);
  const int64_t size = st.st_size;
  Value begin = {{"path", remote_path}};
  if (!if_match.empty()) begin.Set("if_match", if_match);
  ASSIGN_OR_RETURN(const Value begun, remote.Call("upload_begin", std::move(begin)));
  const std::string id = begun["upload_id"].AsString();
  const int64_t part_size = begun["part_size"].AsInt();
  if (id.empty() || part_size <= 0)
    return IOError("upload_begin " + remote_path + ": the server's answer has no session");
  const int64_t parts = (size + part_size - 1) / part_size;
  std::vector<std::function<Status()>> tasks;
  for (int64_t i = 0; i < parts; ++i) {
    tasks.push_back([&, i] { return SendPart(remote, local, id, i, part_size, progress); });
  }
  if (Status sent = RunParallel(tasks, parallel); !sent.ok()) {
    (void)remote.Call("upload_abort", {{"upload_id", id}});  // best effort: it expires anyway
    return sent;
  }
  client::CallOptions commit;
  commit.timeout = CommitTimeout(size);
  StatusOr<Value> committed =
      remote.Call("upload_commit", {{"upload_id", id}, {"parts", parts}, {"size", size}}, commit);
  // A commit that timed out or lost its answer may still have happened: look before failing.
  if (!committed.ok() && committed.status().code() == Code::kUnavailable) {
    if (std::optional<Value> stat = CommittedAnyway(remote, local, remote_path))
      committed = *std::move(stat);
  }
  if (committed.ok()) progress.Add(1, 0);
  return committed;
}

Status DownloadInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                        const std::string& etag, const std::string& local, int parallel,
                        Progress& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileBuilder> out, FileBuilder::Create(local));
  std::vector<std::function<Status()>> tasks;
  for (int64_t offset = 0; offset < size; offset += kRangeBytes) {
    const int64_t length = std::min(kRangeBytes, size - offset);
    tasks.push_back([&, offset, length] {
      return FetchRange(remote, remote_path, etag, offset, length, *out, progress);
    });
  }
  RETURN_IF_ERROR(RunParallel(tasks, parallel));
  // Ranges of one version could still mix two if the file changed between them (the last
  // range's size would not show it): the whole must hash to the etag listed.
  ASSIGN_OR_RETURN(const std::string hash, LocalSha256(out->temp_path()));
  if (hash != etag)
    return IOError(remote_path + " changed on the server while it was downloaded; run again");
  RETURN_IF_ERROR(out->Install(local, /*sync=*/false));
  progress.Add(1, 0);
  return Status::OK();
}

Status PrintInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                     const std::string& etag) {
  for (int64_t offset = 0; offset < size; offset += kRangeBytes) {
    ASSIGN_OR_RETURN(const std::string bytes, Range(remote, remote_path, etag, offset,
                                                    std::min(kRangeBytes, size - offset)));
    RETURN_IF_ERROR(WriteStdout(bytes));
  }
  return Status::OK();
}

}  // namespace nexus::cli
