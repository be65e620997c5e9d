#include "cluster/node_registry.h"

#include <algorithm>

#include "util/clock.h"

namespace nexus::cluster {

namespace {

StatusOr<int64_t> PostgresClock(storage::Tx& tx, const char* clock) {
  ASSIGN_OR_RETURN(storage::Rows rows, tx.Query(std::string("SELECT CAST(extract(epoch FROM ") +
                                                clock + "()) * 1000000 AS BIGINT)"));
  if (rows.size() != 1) return Internal("the database's clock gave no answer");
  return rows[0].Int(0);
}

}  // namespace

StatusOr<int64_t> DatabaseNow(storage::Tx& tx) {
  if (tx.dialect() == storage::Dialect::kSqlite) return NowMicros();
  return PostgresClock(tx, "clock_timestamp");
}

StatusOr<int64_t> StatementStart(storage::Tx& tx) {
  if (tx.dialect() == storage::Dialect::kSqlite) return NowMicros();
  return PostgresClock(tx, "statement_timestamp");
}

Status RecordHeartbeat(storage::Tx& tx, const std::string& node_id, const std::string& address,
                       int64_t at, bool synced, int64_t node_timeout_us) {
  // A heartbeat after a silence longer than node_timeout begins a new run.
  return tx
      .Exec(std::string("INSERT INTO cluster_nodes (node_id, address, started_at, heartbeat_at, "
                        "synced_at, live_since) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (node_id) "
                        "DO UPDATE SET address = excluded.address, live_since = CASE WHEN "
                        "cluster_nodes.heartbeat_at < excluded.heartbeat_at - ? THEN "
                        "excluded.heartbeat_at ELSE cluster_nodes.live_since END, "
                        "heartbeat_at = excluded.heartbeat_at") +
                (synced ? ", synced_at = excluded.synced_at" : ""),
            {node_id, address, at, at, synced ? at : int64_t{0}, at, node_timeout_us})
      .status();
}

Status DeleteNode(storage::Tx& tx, const std::string& node_id) {
  return tx.Exec("DELETE FROM cluster_nodes WHERE node_id = ?", {node_id}).status();
}

StatusOr<std::vector<NodeInfo>> ReadNodes(storage::Tx& tx,
                                          const std::optional<std::string>& node_id, int64_t now,
                                          int64_t node_timeout_us, int64_t takeover_after_us) {
  ASSIGN_OR_RETURN(storage::Rows rows,
                   tx.Query("SELECT node_id, address, started_at, heartbeat_at, live_since "
                            "FROM cluster_nodes ORDER BY node_id"));
  std::vector<NodeInfo> all;
  std::vector<int64_t> live_since;
  for (const storage::Row& r : rows) {
    NodeInfo n{.node_id = r.Text(0),
               .address = r.Text(1),
               .started_at = r.Int(2),
               .heartbeat_at = r.Int(3)};
    n.alive = n.heartbeat_at > now - node_timeout_us;
    all.push_back(std::move(n));
    live_since.push_back(r.Int(4));
  }
  // Gone: some live node has heartbeated without a break for takeover_after since the silent
  // node's last heartbeat. A pause of every heartbeat (a failover) starts every run anew.
  std::vector<NodeInfo> nodes;
  for (NodeInfo& n : all) {
    if (node_id && n.node_id != *node_id) continue;
    for (size_t i = 0; i < all.size() && !n.alive; ++i) {
      if (all[i].alive &&
          all[i].heartbeat_at - std::max(live_since[i], n.heartbeat_at) > takeover_after_us) {
        n.gone = true;
        break;
      }
    }
    nodes.push_back(n);
  }
  return nodes;
}

StatusOr<int64_t> CountAlive(storage::Tx& tx, int64_t now, int64_t node_timeout_us) {
  ASSIGN_OR_RETURN(storage::Rows rows,
                   tx.Query("SELECT COUNT(*) FROM cluster_nodes WHERE heartbeat_at > ?",
                            {now - node_timeout_us}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

StatusOr<int64_t> CountBehind(storage::Tx& tx, int64_t at, int64_t now, int64_t node_timeout_us) {
  ASSIGN_OR_RETURN(storage::Rows rows,
                   tx.Query("SELECT COUNT(*) FROM cluster_nodes WHERE heartbeat_at > ? AND "
                            "synced_at < ?",
                            {now - node_timeout_us, at}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

}  // namespace nexus::cluster
