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

// An existing entry of the wanted kind is fine: another run made it first.
Status MakeMountPoint(const std::string& path, bool directory) {
  if (directory) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir " + path);
    }
    return Status::OK();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return ErrnoStatus(errno, "create " + path);
  ::close(fd);
  return Status::OK();
}

}  // namespace

StatusOr<std::unique_ptr<MountStage>> MountStage::Create() {
  StatusOr<std::string> path = MakeStageDir("/run");
  if (!path.ok()) path = MakeStageDir("/tmp");
  if (!path.ok()) return path.status();
  return std::unique_ptr<MountStage>(new MountStage(*std::move(path)));
}

MountStage::~MountStage() {
  std::error_code ec;  // best effort; the entries are empty and hold nothing
  std::filesystem::remove_all(path_, ec);
}

StatusOr<std::string> MountStage::MountPointFor(const std::string& source, size_t index) const {
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + source);
  const bool directory = S_ISDIR(st.st_mode);
  const std::string path = path_ + (directory ? "/dir-" : "/file-") + std::to_string(index);
  RETURN_IF_ERROR(MakeMountPoint(path, directory));
  return path;
}

}  // namespace nexus::sandbox
