// A fixed set of threads fed by a bounded FIFO queue: admission control for handlers.
//
// Handlers may block on the database, so they must not run on I/O threads. The queue in
// front of the workers is bounded so that overload turns into fast 503 answers (TrySubmit
// returns false) instead of unbounded memory and latency growth.
#ifndef NEXUS_SERVER_WORKER_POOL_H_
#define NEXUS_SERVER_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::server {

class WorkerPool {
 public:
  // Starts `threads` workers (at least one). At most `capacity` tasks wait in the queue;
  // tasks already picked up by a worker do not count.
  WorkerPool(int threads, size_t capacity);
  ~WorkerPool();  // Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and `task` dropped) when the queue is full or shut down.
  bool TrySubmit(std::function<void()> task) EXCLUDES(mu_);

  // Tasks waiting for a worker.
  size_t QueueDepth() const EXCLUDES(mu_);

  // Refuses new tasks, runs every task already queued, then joins the workers. Idempotent.
  // Must not be called from a worker.
  void Shutdown() EXCLUDES(join_mu_, mu_);

 private:
  void WorkerLoop() EXCLUDES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  CondVar ready_;  // signalled when a task arrives or on shutdown
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool shutting_down_ GUARDED_BY(mu_) = false;
  Mutex join_mu_;                                          // serialises concurrent Shutdown calls
  std::vector<std::thread> threads_ GUARDED_BY(join_mu_);  // and filled by the constructor
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_WORKER_POOL_H_
