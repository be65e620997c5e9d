#include "fuse/delete_queue.h"

#include <cstdio>

namespace nexus::fuse {

DeleteQueue::DeleteQueue(std::function<Status(const std::string&)> remove,
                         std::function<void(const std::string&)> done, int workers)
    : remove_(std::move(remove)), done_(std::move(done)), workers_(workers) {}

DeleteQueue::~DeleteQueue() {
  Drain();
  std::vector<std::thread> threads;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
    changed_.SignalAll();
  }
  for (std::thread& t : threads) t.join();
}

void DeleteQueue::Add(const std::string& path) {
  MutexLock lock(&mu_);
  if (threads_.empty()) {
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
  }
  queue_.push_back(path);
  pending_.insert(path);
  changed_.SignalAll();
}

bool DeleteQueue::Pending(const std::string& path) const {
  MutexLock lock(&mu_);
  return pending_.count(path) > 0;
}

void DeleteQueue::Drain() {
  MutexLock lock(&mu_);
  changed_.Wait(&mu_, [this]() REQUIRES(mu_) { return pending_.empty(); });
}

void DeleteQueue::Work() {
  for (;;) {
    std::string path;
    {
      MutexLock lock(&mu_);
      changed_.Wait(&mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      path = std::move(queue_.front());
      queue_.pop_front();
    }
    const Status removed = remove_(path);
    // Gone already is what was asked for.
    if (!removed.ok() && removed.code() != Code::kNotFound)
      std::fprintf(stderr, "nexus mount: cannot delete %s: %s\n", path.c_str(),
                   removed.ToString().c_str());
    done_(path);
    MutexLock lock(&mu_);
    pending_.erase(pending_.find(path));
    changed_.SignalAll();
  }
}

}  // namespace nexus::fuse
