#include "sandbox/mount_stage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

#include "util/file.h"

namespace nexus::sandbox {
namespace {

StatusOr<std::string> MakeStageDir(const std::string& parent) {
  std::string pattern = parent + "/nexus-sandbox-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return ErrnoStatus(errno, "mkdtemp " + pattern);
  const std::string path = buf.data();
  if (::chmod(path.c_str(), 0711) != 0) {
    const Status s = ErrnoStatus(errno, "chmod " + path);
    ::rmdir(path.c_str());
    return s;
  }
  return path;
}

// An existing entry is fine when it is what this stage itself would have made: only root can
// add entries to the stage, but the check costs one lstat and guards the root-run mount.
Status MakeMountPoint(const std::string& path, bool directory) {
  const int made = directory ? ::mkdir(path.c_str(), 0755)
                             : ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (made < 0 && errno != EEXIST) return ErrnoStatus(errno, "create " + path);
  if (!directory && made >= 0) ::close(made);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "lstat " + path);
  const bool kind_ok = directory ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
  if (!kind_ok || st.st_uid != 0) {
    return PermissionDenied("sandbox mount point " + path + " is not a root-owned " +
                            (directory ? "directory" : "file"));
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::unique_ptr<MountStage>> MountStage::Create() {
  ASSIGN_OR_RETURN(std::string path, MakeStageDir("/run"));
  return std::unique_ptr<MountStage>(new MountStage(std::move(path)));
}

MountStage::~MountStage() {
  std::error_code ec;  // best effort; the entries are empty and hold nothing
  std::filesystem::remove_all(path_, ec);
}

StatusOr<std::string> MountStage::MountPoint(size_t index, bool directory) const {
  const std::string path = path_ + (directory ? "/dir-" : "/file-") + std::to_string(index);
  RETURN_IF_ERROR(MakeMountPoint(path, directory));
  return path;
}

}  // namespace nexus::sandbox
