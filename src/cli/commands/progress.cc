#include "cli/commands/progress.h"

#include <unistd.h>

#include <cstdio>

#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kRedrawEvery{100};

std::string Duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string verb, int64_t total_files, int64_t total_bytes, bool enabled)
    : verb_(std::move(verb)),
      total_files_(total_files),
      total_bytes_(total_bytes),
      enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()) {}

Progress::~Progress() {
  MutexLock lock(&mu_);
  Draw(/*last=*/true);
}

std::string Progress::Line(const std::string& verb, int64_t files, int64_t total_files,
                           int64_t bytes, int64_t total_bytes, double seconds) {
  std::string line = verb + " " + std::to_string(files) + "/" + std::to_string(total_files) +
                     " files  " + HumanSize(bytes) + "/" + HumanSize(total_bytes);
  if (seconds > 0.5 && bytes > 0) {
    const double rate = static_cast<double>(bytes) / seconds;
    line += "  " + HumanSize(static_cast<int64_t>(rate)) + "/s";
    if (bytes < total_bytes)
      line += "  " + Duration(static_cast<double>(total_bytes - bytes) / rate) + " left";
  }
  return line;
}

void Progress::Add(int64_t files, int64_t bytes) {
  MutexLock lock(&mu_);
  files_ += files;
  bytes_ += bytes;
  Draw(/*last=*/false);
}

void Progress::Draw(bool last) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (!last && now - drawn_ < kRedrawEvery) return;
  drawn_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  // \r back to the start, \033[K clears what a longer previous line left.
  std::fprintf(stderr, "\r%s\033[K%s",
               Line(verb_, files_, total_files_, bytes_, total_bytes_, seconds).c_str(),
               last ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace nexus::cli
