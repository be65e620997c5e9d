#include "util/background.h"

#include <exception>
#include <iostream>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus {
namespace {

// Errors are rare, so one lock over a map is plenty.
struct ErrorCounts {
  Mutex mu;
  std::map<std::string, uint64_t, std::less<>> by_thread GUARDED_BY(mu);
};

ErrorCounts& TheCounts() {
  static ErrorCounts* counts = new ErrorCounts;  // never destroyed: threads may count at exit
  return *counts;
}

void Count(std::string_view thread) {
  ErrorCounts& counts = TheCounts();
  MutexLock lock(&counts.mu);
  auto it = counts.by_thread.find(thread);
  if (it == counts.by_thread.end()) it = counts.by_thread.emplace(thread, 0).first;
  ++it->second;
}

}  // namespace

bool RunGuarded(std::string_view thread, const std::function<void()>& round) {
  try {
    round();
    return true;
  } catch (const std::exception& e) {
    std::cerr << "nexus: " << thread << " thread caught: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "nexus: " << thread << " thread caught a non-standard exception\n";
  }
  Count(thread);
  return false;
}

void ReportBackgroundError(std::string_view thread, std::string_view what) {
  std::cerr << "nexus: " << thread << " thread: " << what << "\n";
  Count(thread);
}

std::map<std::string, uint64_t> BackgroundErrorCounts() {
  ErrorCounts& counts = TheCounts();
  MutexLock lock(&counts.mu);
  return {counts.by_thread.begin(), counts.by_thread.end()};
}

}  // namespace nexus
