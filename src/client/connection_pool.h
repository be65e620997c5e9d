// Keep-alive connections to one server, handed to one caller at a time.
#ifndef NEXUS_CLIENT_CONNECTION_POOL_H_
#define NEXUS_CLIENT_CONNECTION_POOL_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "client/http_connection.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::client {

class ConnectionPool {
 public:
  ConnectionPool(std::shared_ptr<const Origin> origin, size_t max_idle);

  // An idle connection the server has not closed, else a new one. `*reused` tells which:
  // only a reused connection can fail because the server dropped it while it sat idle.
  StatusOr<std::unique_ptr<HttpConnection>> Acquire(Deadline deadline, bool* reused) EXCLUDES(mu_);
  // Keeps `connection` for the next caller when it is reusable and the pool has room.
  void Release(std::unique_ptr<HttpConnection> connection) EXCLUDES(mu_);

 private:
  std::unique_ptr<HttpConnection> TakeIdle() EXCLUDES(mu_);

  const std::shared_ptr<const Origin> origin_;
  const size_t max_idle_;
  Mutex mu_;
  std::vector<std::unique_ptr<HttpConnection>> idle_ GUARDED_BY(mu_);
};

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_CONNECTION_POOL_H_
