#include "cli/commands/local_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "util/file.h"

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
