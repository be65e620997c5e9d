// Unlinks sent to the server in the background, several at a time. `rm -rf` unlinks one file
// after another and waits for each; one durable delete per request would make it cost a
// round trip and a commit per file. Here an unlink is queued and returns; workers send the
// queued deletes concurrently (the SQLite engine commits concurrent deletes together), and
// anything that could see a queued delete waits for the queue first (Drain).
//
// A queued path reads as missing at once. A delete the server refuses is reported on stderr
// and the file shows again: the cost of acknowledging an unlink before the server has it, as
// a local filesystem does before the directory is synced.
//
// Thread-safe.
#ifndef NEXUS_FUSE_DELETE_QUEUE_H_
#define NEXUS_FUSE_DELETE_QUEUE_H_

#include <deque>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"

namespace nexus::fuse {

class DeleteQueue {
 public:
  // `remove` deletes one path on the server; `done` hears of each path once its delete has
  // ended, either way. Both run on the workers.
  DeleteQueue(std::function<Status(const std::string&)> remove,
              std::function<void(const std::string&)> done, int workers);
  ~DeleteQueue();  // drains, then stops the workers
  DeleteQueue(const DeleteQueue&) = delete;
  DeleteQueue& operator=(const DeleteQueue&) = delete;

  void Add(const std::string& path) EXCLUDES(mu_);
  // Whether `path` is queued or being deleted.
  bool Pending(const std::string& path) const EXCLUDES(mu_);
  // Waits until every delete queued so far has ended.
  void Drain() EXCLUDES(mu_);

 private:
  void Work() EXCLUDES(mu_);

  const std::function<Status(const std::string&)> remove_;
  const std::function<void(const std::string&)> done_;
  const int workers_;

  mutable Mutex mu_;
  CondVar changed_;
  std::deque<std::string> queue_ GUARDED_BY(mu_);
  std::multiset<std::string> pending_ GUARDED_BY(mu_);  // queued or in flight
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ GUARDED_BY(mu_);  // started at the first Add
};

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_DELETE_QUEUE_H_
