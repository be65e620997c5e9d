// Internal to the cluster module: the rows of `cluster_nodes` and the database's clock.
// Functions run on the caller's Tx.
#ifndef NEXUS_CLUSTER_NODE_REGISTRY_H_
#define NEXUS_CLUSTER_NODE_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::cluster {

// Now in microseconds since the epoch: the database server's clock on PostgreSQL (one clock
// for every node), this machine's on SQLite.
StatusOr<int64_t> DatabaseNow(storage::Tx& tx);

// The start of the current statement on the database's clock: a transaction's snapshot is
// taken at or after it, when this is its first statement.
StatusOr<int64_t> StatementStart(storage::Tx& tx);

// Inserts or refreshes the node's row: the heartbeat becomes `at`, and synced_at too when
// the node has `synced` (run every callback of what changed before `at`). A heartbeat more
// than `node_timeout_us` after the previous one begins a new run (live_since).
Status RecordHeartbeat(storage::Tx& tx, const std::string& node_id, const std::string& address,
                       int64_t at, bool synced, int64_t node_timeout_us);

Status DeleteNode(storage::Tx& tx, const std::string& node_id);

// Registered nodes (one, or all when `node_id` is none): alive as of `now`; gone when a live
// node has heartbeated without a break for `takeover_after_us` since their last heartbeat.
StatusOr<std::vector<NodeInfo>> ReadNodes(storage::Tx& tx,
                                          const std::optional<std::string>& node_id, int64_t now,
                                          int64_t node_timeout_us, int64_t takeover_after_us);

// How many nodes are alive as of `now`.
StatusOr<int64_t> CountAlive(storage::Tx& tx, int64_t now, int64_t node_timeout_us);

// How many nodes alive as of `now` have not caught up with `at` yet.
StatusOr<int64_t> CountBehind(storage::Tx& tx, int64_t at, int64_t now, int64_t node_timeout_us);

}  // namespace nexus::cluster

#endif  // NEXUS_CLUSTER_NODE_REGISTRY_H_
