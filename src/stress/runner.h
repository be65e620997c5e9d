// Runs N Workers on their own threads for a duration or a number of scenarios, then merges
// what they measured.
#ifndef NEXUS_STRESS_RUNNER_H_
#define NEXUS_STRESS_RUNNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "stress/journal.h"
#include "stress/mix.h"
#include "stress/stats.h"
#include "stress/worker.h"

namespace nexus::stress {

struct RunOptions {
  ClientConfig client;
  int clients = 16;
  std::chrono::milliseconds duration{10000};
  int64_t count = 0;  // scenarios in all; 0: run until `duration` has passed
  uint64_t seed = 1;  // client i draws from seed + i
  JournalWriter* journal = nullptr;
  // Another thread sets it to end the run early (the crash test, before it kills the server).
  const std::atomic<bool>* stop = nullptr;
};

struct RunResult {
  Stats stats;
  double seconds = 0;
  int64_t scenarios = 0;
};

RunResult RunClients(const RunOptions& options, const Mix& mix, const Fixtures& fixtures);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_RUNNER_H_
