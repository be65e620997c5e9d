// `nexus fsck`: verifies a store (database integrity, every referenced blob present with
// the right hash and the right reference count, every hash a row names recorded in `blobs`)
// and lists orphan blobs.
#ifndef NEXUS_CLI_FSCK_H_
#define NEXUS_CLI_FSCK_H_

#include <string>

namespace nexus::cli {

struct FsckOptions {
  std::string data_dir;
  std::string database_url;
  bool sweep = false;
};

// Exit status: 0 clean, 1 problems found, 2 could not check (e.g. the store is in use).
int RunFsck(const FsckOptions& options);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_FSCK_H_
