#include "rebac/purger.h"

#include <functional>

#include "util/background.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::rebac {

namespace {

// Runs `batch` until it deletes fewer than `batch_size` rows or `stopping` says so; adds
// what it deleted to `total`.
Status Drain(int64_t batch_size, const std::function<StatusOr<int64_t>()>& batch,
             const std::function<bool()>& stopping, int64_t* total) {
  for (int64_t deleted = batch_size; deleted == batch_size && !stopping();) {
    ASSIGN_OR_RETURN(deleted, batch());
    *total += deleted;
  }
  return Status::OK();
}

}  // namespace

StatusOr<PurgeReport> Purger::RunOnce() {
  if (options_.batch_size < 1) return InvalidArgument("purge batch size must be at least 1");
  const int64_t batch = options_.batch_size;
  const int64_t retention =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.changelog_retention).count();
  const auto stopping = [this] { return Stopping(); };
  PurgeReport report;
  RETURN_IF_ERROR(Drain(
      batch, [&] { return rebac_.PurgeExpiredTuples(batch); }, stopping, &report.expired_tuples));
  RETURN_IF_ERROR(Drain(
      batch, [&] { return rebac_.PurgeChangelog(retention, batch); }, stopping,
      &report.changelog_rows));
  return report;
}

void Purger::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Purger::Stop() {
  {
    MutexLock lock(&mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.SignalAll();
  thread_.join();
}

void Purger::Loop() {
  while (!StoppedWithin(options_.interval)) {
    // A failed pass (the database away) is the next pass's work.
    if (options_.may_run && !options_.may_run()) continue;
    RunGuarded("rebac_purger", [this] { (void)RunOnce(); });
  }
}

bool Purger::StoppedWithin(std::chrono::milliseconds period) {
  MutexLock lock(&mu_);
  return cv_.WaitFor(&mu_, period, [this]() REQUIRES(mu_) { return stopping_; });
}

bool Purger::Stopping() {
  MutexLock lock(&mu_);
  return stopping_;
}

}  // namespace nexus::rebac
