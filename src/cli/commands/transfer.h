// Copying between the local disk and a server: `nexus upload`, `download` and `sync`.
//
// A file whose content already matches (the server's etag is the SHA-256 of the content) is
// skipped, so running the same upload twice sends nothing the second time. Small files travel
// many to a request (write_batch), which is what makes a tree of small files fast; larger
// ones one to a request; several requests are in flight at once on the client's pool. Each
// file is written whole on both sides (one new version on the server; a temporary file
// renamed into place on disk), so an interrupted transfer leaves no half-written file.
#ifndef NEXUS_CLI_COMMANDS_TRANSFER_H_
#define NEXUS_CLI_COMMANDS_TRANSFER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cli/commands/remote.h"
#include "util/glob.h"

namespace nexus::cli {

// --exclude patterns. One without '/' matches a file or directory name at any depth
// ("*.o", "node_modules"); one with '/' matches the path from the transfer's root
// ("build/**", "docs/*.pdf"). An excluded directory is not entered.
class Excludes {
 public:
  static StatusOr<Excludes> Compile(const std::vector<std::string>& patterns);
  bool Excluded(const std::string& relative) const;

 private:
  std::vector<GlobMatcher> names_;
  std::vector<GlobMatcher> paths_;
};

struct TransferOptions {
  std::vector<std::string> excludes;
  int parallel = 4;           // requests in flight
  bool delete_extra = false;  // sync: remove remote files the local tree does not have
  bool dry_run = false;       // sync: say what would change, change nothing
  bool progress = true;       // on a terminal, unless --quiet or --json
};

struct TransferReport {
  std::vector<std::string> copied;   // remote paths (upload) or local paths (download)
  std::vector<std::string> deleted;  // remote paths removed by sync --delete
  int64_t copied_bytes = 0;
  int64_t unchanged = 0;
};

StatusOr<TransferReport> Upload(Remote& remote, const std::string& local,
                                const std::string& remote_path, const TransferOptions& options);
StatusOr<TransferReport> Download(Remote& remote, const std::string& remote_path,
                                  const std::string& local, const TransferOptions& options);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_TRANSFER_H_
