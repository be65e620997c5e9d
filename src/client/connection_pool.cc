#include "client/connection_pool.h"

namespace nexus::client {

ConnectionPool::ConnectionPool(std::shared_ptr<const Origin> origin, size_t max_idle)
    : origin_(std::move(origin)), max_idle_(max_idle) {}

std::unique_ptr<HttpConnection> ConnectionPool::TakeIdle() {
  MutexLock lock(&mu_);
  while (!idle_.empty()) {
    std::unique_ptr<HttpConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->Reusable()) return connection;
  }
  return nullptr;
}

StatusOr<std::unique_ptr<HttpConnection>> ConnectionPool::Acquire(Deadline deadline, bool* reused) {
  std::unique_ptr<HttpConnection> connection = TakeIdle();
  *reused = connection != nullptr;
  if (connection) return connection;
  return HttpConnection::Open(origin_, deadline);
}

void ConnectionPool::Release(std::unique_ptr<HttpConnection> connection) {
  if (!connection->Reusable()) return;
  MutexLock lock(&mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

}  // namespace nexus::client
