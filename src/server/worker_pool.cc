#include "server/worker_pool.h"

#include "util/background.h"

namespace nexus::server {

WorkerPool::WorkerPool(int threads, size_t capacity) : capacity_(capacity) {
  const int count = threads < 1 ? 1 : threads;
  threads_.reserve(count);
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TrySubmit(std::function<void()> task) {
  {
    MutexLock lock(&mu_);
    if (shutting_down_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(task));
  }
  ready_.Signal();
  return true;
}

size_t WorkerPool::QueueDepth() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

void WorkerPool::Shutdown() {
  MutexLock join_lock(&join_mu_);
  {
    MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  ready_.SignalAll();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(&mu_);
      ready_.Wait(&mu_, [this]() REQUIRES(mu_) { return shutting_down_ || !queue_.empty(); });
      // Drain before exiting: every accepted task runs, so its connection gets an answer.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    // Tasks are expected to catch their own errors; this keeps a bug from killing the
    // process through std::terminate.
    RunGuarded("http_worker", task);
  }
}

}  // namespace nexus::server
