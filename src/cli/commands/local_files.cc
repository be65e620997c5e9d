#include "cli/commands/local_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "util/file.h"
#include "util/hash.h"

namespace nexus::cli {

StatusOr<std::string> ReadLocalFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("no such local file: " + path);
    return ErrnoStatus(errno, "cannot read " + path);
  }
  if (S_ISDIR(st.st_mode)) return InvalidArgument(path + " is a directory");
  return ReadFile(path);
}

StatusOr<std::string> LocalSha256(const std::string& path) {
  constexpr int64_t kBlock = 1 << 20;
  Sha256Hasher hasher;
  for (int64_t offset = 0;; offset += kBlock) {
    ASSIGN_OR_RETURN(const std::string block, ReadFileRange(path, offset, kBlock));
    hasher.Update(block);
    if (static_cast<int64_t>(block.size()) < kBlock) return hasher.FinishHex();
  }
}

StatusOr<std::string> ReadStdin() { return ReadAll(STDIN_FILENO, "standard input"); }

StatusOr<std::string> ReadLocalFileOrStdin(const std::string& path) {
  return path == "-" ? ReadStdin() : ReadLocalFile(path);
}

Status WriteLocalFile(const std::string& path, std::string_view data) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return InvalidArgument(path + " is a directory");
  Status s = WriteFileAtomically(path, data, /*sync=*/false);
  if (!s.ok()) return Status(s.code(), "cannot write " + path + ": " + s.message());
  return s;
}

Status WriteStdout(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() || std::fflush(stdout) != 0)
    return IOError("cannot write to standard output");
  return Status::OK();
}

}  // namespace nexus::cli
