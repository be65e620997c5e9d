// What /health tells a load balancer: whether this node should be sent requests. Not while
// it drains (SIGTERM: it finishes what it has and takes nothing new), nor while it cannot
// reach its database. Read on the I/O threads, so nothing here blocks: the database's state
// is what the cluster thread last found (cluster/cluster.h), at most a heartbeat old.
#ifndef NEXUS_SERVER_HEALTH_H_
#define NEXUS_SERVER_HEALTH_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string_view>

namespace nexus::server {

class Health {
 public:
  // `database_reachable` is called on I/O threads and must not block; empty: always.
  explicit Health(std::function<bool()> database_reachable = {})
      : database_reachable_(std::move(database_reachable)) {}

  void BeginDrain() { draining_.store(true, std::memory_order_relaxed); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  bool database_reachable() const { return !database_reachable_ || database_reachable_(); }

  // Why the node should not be sent requests now; none when it should.
  std::optional<std::string_view> NotReadyReason() const {
    if (draining()) return "draining";
    if (!database_reachable()) return "database unreachable";
    return std::nullopt;
  }

 private:
  const std::function<bool()> database_reachable_;
  std::atomic<bool> draining_{false};
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_HEALTH_H_
