#include "sandbox/unique_fd.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "util/file.h"

namespace nexus::sandbox {

StatusOr<UniqueFd> MakeDataFd(const char* name, std::string_view data) {
  UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "memfd_create");
  while (!data.empty()) {
    const ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write memfd");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return ErrnoStatus(errno, "lseek memfd");
  return fd;
}

}  // namespace nexus::sandbox
