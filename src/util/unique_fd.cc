#include "util/unique_fd.h"

#include <unistd.h>

namespace nexus {

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace nexus
