#include "cli/commands/large_files.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "cli/commands/local_files.h"
#include "util/file.h"
#include "util/parallel.h"

namespace nexus::cli {
namespace {

Status FetchRange(Remote& remote, const std::string& remote_path, const std::string& etag,
                  int64_t offset, int64_t length, FileBuilder& out, Progress& progress) {
  ASSIGN_OR_RETURN(client::Client * client, remote.Client());
  ASSIGN_OR_RETURN(const std::string bytes,
                   client::ReadVersionRange(*client, remote_path, etag, offset, length));
  RETURN_IF_ERROR(out.WriteAt(offset, bytes));
  progress.Add(0, length);
  return Status::OK();
}

}  // namespace

StatusOr<client::Value> UploadInParts(Remote& remote, const std::string& local,
                                      const std::string& remote_path, const std::string& if_match,
                                      int parallel, Progress& progress) {
  ASSIGN_OR_RETURN(client::Client * client, remote.Client());
  StatusOr<client::Value> committed =
      client::UploadInParts(*client, local, remote_path, if_match, parallel,
                            [&progress](int64_t bytes) { progress.Add(0, bytes); });
  if (committed.ok()) progress.Add(1, 0);
  return committed;
}

Status DownloadInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                        const std::string& etag, const std::string& local, int parallel,
                        Progress& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileBuilder> out, FileBuilder::Create(local));
  std::vector<std::function<Status()>> tasks;
  for (int64_t offset = 0; offset < size; offset += client::kRangeBytes) {
    const int64_t length = std::min(client::kRangeBytes, size - offset);
    tasks.push_back([&, offset, length] {
      return FetchRange(remote, remote_path, etag, offset, length, *out, progress);
    });
  }
  RETURN_IF_ERROR(RunParallel(tasks, parallel));
  // Ranges of one version could still mix two if the file changed between them (the last
  // range's size would not show it): the whole must hash to the etag listed.
  ASSIGN_OR_RETURN(const std::string hash, FileSha256Hex(out->temp_path()));
  if (hash != etag)
    return IOError(remote_path + " changed on the server while it was downloaded; run again");
  RETURN_IF_ERROR(out->Install(local, /*sync=*/false));
  progress.Add(1, 0);
  return Status::OK();
}

Status PrintInRanges(Remote& remote, const std::string& remote_path, int64_t size,
                     const std::string& etag) {
  ASSIGN_OR_RETURN(client::Client * client, remote.Client());
  for (int64_t offset = 0; offset < size; offset += client::kRangeBytes) {
    ASSIGN_OR_RETURN(const std::string bytes,
                     client::ReadVersionRange(*client, remote_path, etag, offset,
                                              std::min(client::kRangeBytes, size - offset)));
    RETURN_IF_ERROR(WriteStdout(bytes));
  }
  return Status::OK();
}

}  // namespace nexus::cli
