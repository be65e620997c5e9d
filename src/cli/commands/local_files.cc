#include "cli/commands/local_files.h"

#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace nexus::cli
