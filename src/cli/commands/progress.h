// The progress line of long commands (uploads, downloads, syncs): files, bytes, rate and time
// left on one line of stderr, redrawn in place at most ten times a second. Only on a
// terminal: a pipe or a log file gets nothing of it.
#ifndef NEXUS_CLI_COMMANDS_PROGRESS_H_
#define NEXUS_CLI_COMMANDS_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::cli {

class Progress {
 public:
  // Draws nothing unless `enabled` and stderr is a terminal.
  Progress(std::string verb, int64_t total_files, int64_t total_bytes, bool enabled);
  ~Progress();

  // Counts files and bytes done; safe from many threads.
  void Add(int64_t files, int64_t bytes) EXCLUDES(mu_);

  // "12/340 files  4.2 MiB/1.1 GiB  31 MiB/s  0:35 left" for the given state.
  static std::string Line(const std::string& verb, int64_t files, int64_t total_files,
                          int64_t bytes, int64_t total_bytes, double seconds);

 private:
  void Draw(bool last) REQUIRES(mu_);

  const std::string verb_;
  const int64_t total_files_;
  const int64_t total_bytes_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  Mutex mu_;
  int64_t files_ GUARDED_BY(mu_) = 0;
  int64_t bytes_ GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point drawn_ GUARDED_BY(mu_);
};

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_PROGRESS_H_
