#include "stress/runner.h"

#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace nexus::stress {

RunResult RunClients(const RunOptions& options, const Mix& mix, const Fixtures& fixtures) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + options.duration;
  std::atomic<int64_t> claimed{0};
  // True while the run goes on; a scenario is claimed before it starts, so a count is exact.
  const auto more = [&] {
    if (options.stop != nullptr && options.stop->load()) return false;
    if (options.count > 0) return claimed.fetch_add(1) < options.count;
    claimed.fetch_add(1);
    return Clock::now() < end;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < options.clients; ++i) {
    workers.push_back(std::make_unique<Worker>(
        options.client, fixtures, i, options.seed + static_cast<uint64_t>(i), options.journal));
  }
  std::vector<std::thread> threads;
  std::atomic<int64_t> done{0};
  for (int i = 0; i < options.clients; ++i) {
    threads.emplace_back([&, i] {
      Worker& worker = *workers[i];
      std::mt19937_64 rng(options.seed * 7919 + static_cast<uint64_t>(i));
      while (more()) {
        worker.Run(mix.Pick(rng));
        done.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  RunResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.scenarios = done.load();
  for (const auto& worker : workers) result.stats.Merge(worker->stats());
  return result;
}

}  // namespace nexus::stress
