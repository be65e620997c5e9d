// ReBAC upkeep in the background: a thread that every `interval` deletes expired tuples and
// changelog rows past their retention, each in write units of at most `batch_size` rows so
// that a large backlog never holds the writer (SQLite) or one transaction (PostgreSQL) for
// long. A pass goes on batch after batch until a batch comes back short.
//
// Several nodes on one PostgreSQL may each run one: their batches conflict and are re-run
// like any writes, and each row goes once.
#ifndef NEXUS_REBAC_PURGER_H_
#define NEXUS_REBAC_PURGER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include "rebac/rebac.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::rebac {

struct PurgeOptions {
  int64_t batch_size = 500;                    // rows per write unit
  std::chrono::milliseconds interval{60'000};  // between passes
  // How long changelog rows are kept. Graphs in use catch up within moments of a change;
  // a graph idle for longer than this reloads its tenant whole at its next use, which is
  // correct and, for an idle tenant, cheap.
  std::chrono::seconds changelog_retention{3600};
  // Whether this process should run the next pass; empty: always. Nodes sharing a database
  // let one of them (a lease's holder) purge for all.
  std::function<bool()> may_run;
};

struct PurgeReport {
  int64_t expired_tuples = 0;
  int64_t changelog_rows = 0;
};

class Purger {
 public:
  // `rebac` must outlive the purger.
  Purger(Rebac& rebac, PurgeOptions options) : rebac_(rebac), options_(options) {}
  ~Purger() { Stop(); }
  Purger(const Purger&) = delete;
  Purger& operator=(const Purger&) = delete;

  // One pass, on the calling thread. Stops early, between batches, when Stop() is called.
  StatusOr<PurgeReport> RunOnce();

  // Starts the thread; the first pass runs one interval from now.
  void Start();
  // Stops the thread after the batch in progress.
  void Stop();

 private:
  void Loop() EXCLUDES(mu_);
  // Sleeps up to `period`; whether Stop() was called.
  bool StoppedWithin(std::chrono::milliseconds period) EXCLUDES(mu_);
  bool Stopping() EXCLUDES(mu_);

  Rebac& rebac_;
  const PurgeOptions options_;

  Mutex mu_;
  CondVar cv_;  // signalled by Stop()
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_PURGER_H_
