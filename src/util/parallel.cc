#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "util/mutex.h"

namespace nexus {

Status RunParallel(const std::vector<std::function<Status()>>& tasks, int parallel) {
  std::atomic<size_t> next{0};
  Mutex mu;
  Status first_failure;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < tasks.size() && !failed; i = next++) {
      Status s = tasks[i]();
      if (!s.ok() && !failed.exchange(true)) {
        MutexLock lock(&mu);
        first_failure = std::move(s);
      }
    }
  };
  std::vector<std::thread> threads;
  const size_t n = std::min(tasks.size(), static_cast<size_t>(std::max(parallel, 1)));
  for (size_t i = 1; i < n; ++i) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  MutexLock lock(&mu);
  return first_failure;
}

}  // namespace nexus
