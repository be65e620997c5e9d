#include "sandbox/output_capture.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace nexus::sandbox {

OutputCapture::OutputCapture(int stdout_fd, int stderr_fd, size_t cap)
    : out_fd_(stdout_fd), err_fd_(stderr_fd), cap_(cap) {}

bool OutputCapture::Pump(int exit_fd, int timeout_ms) {
  pollfd fds[3] = {{out_.eof ? -1 : out_fd_, POLLIN, 0},
                   {err_.eof ? -1 : err_fd_, POLLIN, 0},
                   {exit_fd, POLLIN, 0}};
  const int n = ::poll(fds, 3, std::max(timeout_ms, 0));
  if (n <= 0) return false;  // timeout, or EINTR: the caller loops
  // POLLHUP without POLLIN is how a pipe reports its writers gone: read() then sees EOF.
  if (fds[0].revents != 0) Drain(out_fd_, &out_);
  if (fds[1].revents != 0) Drain(err_fd_, &err_);
  return exit_fd >= 0 && (fds[2].revents & POLLIN) != 0;
}

// One read: poll tells us it will not block, and a chatty stream is fairly interleaved
// with the other one.
void OutputCapture::Drain(int fd, CapturedStream* s) {
  char buf[64 * 1024];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) {
    if (errno != EINTR && errno != EAGAIN) s->eof = true;
    return;
  }
  if (n == 0) {
    s->eof = true;
    return;
  }
  const size_t got = static_cast<size_t>(n);
  const size_t keep = std::min(got, cap_ - std::min(cap_, s->data.size()));
  s->data.append(buf, keep);
  if (keep < got) s->truncated = true;
  s->tail.append(buf, got);
  if (s->tail.size() > kTailBytes) s->tail.erase(0, s->tail.size() - kTailBytes);
}

}  // namespace nexus::sandbox
