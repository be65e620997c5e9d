// OutputCapture: reads a child's stdout and stderr concurrently, up to a cap each.
//
// Both pipes are drained in one poll loop, so a child that fills one pipe while we wait on
// the other cannot deadlock us. Past the cap, output is read and discarded rather than left
// in the pipe: the child never blocks on a full pipe, runs to its natural end, and its exit
// status stays meaningful. The last few KiB are kept aside for classifying the exit (a
// MemoryError at the end of a long traceback).
#ifndef NEXUS_SANDBOX_OUTPUT_CAPTURE_H_
#define NEXUS_SANDBOX_OUTPUT_CAPTURE_H_

#include <cstddef>
#include <string>

namespace nexus::sandbox {

struct CapturedStream {
  std::string data;        // the first `cap` bytes
  std::string tail;        // the last kTailBytes bytes of the whole stream
  bool truncated = false;  // more than `cap` bytes were written
  bool eof = false;
};

class OutputCapture {
 public:
  static constexpr size_t kTailBytes = 4096;

  // Does not own the descriptors.
  OutputCapture(int stdout_fd, int stderr_fd, size_t cap);

  // Waits up to `timeout_ms` for output on either stream or for `exit_fd` (a pidfd; -1 for
  // none) to become readable, and reads what is there. Returns true when `exit_fd` is
  // readable. Never blocks once both streams are at EOF and `exit_fd` is ready.
  bool Pump(int exit_fd, int timeout_ms);

  bool eof() const { return out_.eof && err_.eof; }
  CapturedStream& out() { return out_; }
  CapturedStream& err() { return err_; }

 private:
  void Drain(int fd, CapturedStream* stream);

  const int out_fd_;
  const int err_fd_;
  const size_t cap_;
  CapturedStream out_;
  CapturedStream err_;
};

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_OUTPUT_CAPTURE_H_
