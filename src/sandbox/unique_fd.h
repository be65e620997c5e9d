// UniqueFd: owns a file descriptor and closes it on destruction.
#ifndef NEXUS_SANDBOX_UNIQUE_FD_H_
#define NEXUS_SANDBOX_UNIQUE_FD_H_

#include <string_view>
#include <utility>

#include "util/status.h"

namespace nexus::sandbox {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset();

 private:
  int fd_ = -1;
};

// An anonymous in-memory file (memfd, close-on-exec) holding `data`, positioned at its
// start, so that a child can read it like a pipe without the writer having to stay around.
// This is how file contents (code, /etc/passwd) reach bwrap without touching the host disk.
StatusOr<UniqueFd> MakeDataFd(const char* name, std::string_view data);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_UNIQUE_FD_H_
