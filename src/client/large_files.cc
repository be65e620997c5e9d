#include "client/large_files.h"

#include <sys/stat.h>

#include <chrono>
#include <optional>
#include <vector>

#include "util/file.h"
#include "util/parallel.h"

namespace nexus::client {
namespace {

// Concatenating a large file on the server takes a while (seconds per GiB on a local disk,
// more on PostgreSQL): a commit may take 30 minutes, and one more per GiB.
std::chrono::milliseconds CommitTimeout(int64_t size) {
  return std::chrono::minutes(30) + std::chrono::minutes(size >> 30);
}

CallOptions Resendable() {
  CallOptions call;
  call.idempotent = true;  // reads, and parts: a part sent again replaces itself
  return call;
}

// After a commit whose answer was lost: the file's stat when it now has the local content.
std::optional<Value> CommittedAnyway(Client& client, const std::string& local,
                                     const std::string& remote_path) {
  StatusOr<Value> stat = client.Call("stat", {{"path", remote_path}}, Resendable());
  StatusOr<std::string> hash = FileSha256Hex(local);
  if (!stat.ok() || !hash.ok() || (*stat)["etag"].AsString() != *hash) return std::nullopt;
  return *std::move(stat);
}

Status SendPart(Client& client, const std::string& local, const std::string& id, int64_t index,
                int64_t part_size, const std::function<void(int64_t)>& on_sent) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileRange(local, index * part_size, part_size));
  const auto sent = static_cast<int64_t>(bytes.size());
  RETURN_IF_ERROR(client
                      .CallWithContent("upload_part", {{"upload_id", id}, {"index", index}},
                                       std::move(bytes), Resendable())
                      .status());
  if (on_sent) on_sent(sent);
  return Status::OK();
}

}  // namespace

StatusOr<Value> UploadInParts(Client& client, const std::string& local,
                              const std::string& remote_path, const std::string& if_match,
                              int parallel, const std::function<void(int64_t bytes)>& on_sent) {
  struct stat st {};
  if (::stat(local.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot read " + local);
  const int64_t size = st.st_size;
  Value begin = {{"path", remote_path}};
  if (!if_match.empty()) begin.Set("if_match", if_match);
  ASSIGN_OR_RETURN(const Value begun, client.Call("upload_begin", std::move(begin)));
  const std::string id = begun["upload_id"].AsString();
  const int64_t part_size = begun["part_size"].AsInt();
  if (id.empty() || part_size <= 0)
    return IOError("upload_begin " + remote_path + ": the server's answer has no session");
  const int64_t parts = (size + part_size - 1) / part_size;
  std::vector<std::function<Status()>> tasks;
  for (int64_t i = 0; i < parts; ++i) {
    tasks.push_back([&, i] { return SendPart(client, local, id, i, part_size, on_sent); });
  }
  if (Status sent = RunParallel(tasks, parallel); !sent.ok()) {
    (void)client.Call("upload_abort", {{"upload_id", id}});  // best effort: it expires anyway
    return sent;
  }
  CallOptions commit;
  commit.timeout = CommitTimeout(size);
  StatusOr<Value> committed =
      client.Call("upload_commit", {{"upload_id", id}, {"parts", parts}, {"size", size}}, commit);
  // A commit that timed out or lost its answer may still have happened: look before failing.
  if (!committed.ok() && committed.status().code() == Code::kUnavailable) {
    if (std::optional<Value> stat = CommittedAnyway(client, local, remote_path))
      committed = *std::move(stat);
  }
  return committed;
}

StatusOr<std::string> ReadVersionRange(Client& client, const std::string& remote_path,
                                       const std::string& etag, int64_t offset, int64_t length) {
  ASSIGN_OR_RETURN(
      std::string bytes,
      client.CallForBytes(
          "read_range",
          {{"path", remote_path}, {"start", offset}, {"end", offset + length}, {"if_match", etag}},
          Resendable()));
  if (static_cast<int64_t>(bytes.size()) != length)
    return IOError(remote_path + " changed on the server while it was read");
  return bytes;
}

}  // namespace nexus::client
