#include "cluster/node_registry.h"

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
                       int64_t at, bool synced) {
  return tx
      .Exec(std::string("INSERT INTO cluster_nodes (node_id, address, started_at, heartbeat_at, "
                        "synced_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET "
                        "address = excluded.address, heartbeat_at = excluded.heartbeat_at") +
                (synced ? ", synced_at = excluded.synced_at" : ""),
            {node_id, address, at, at, synced ? at : int64_t{0}})
      .status();
}

Status DeleteNode(storage::Tx& tx, const std::string& node_id) {
  return tx.Exec("DELETE FROM cluster_nodes WHERE node_id = ?", {node_id}).status();
}

StatusOr<std::vector<NodeInfo>> ReadNodes(storage::Tx& tx,
                                          const std::optional<std::string>& node_id, int64_t now,
                                          int64_t node_timeout_us, int64_t takeover_after_us) {
  ASSIGN_OR_RETURN(storage::Rows newest,
                   tx.Query("SELECT COALESCE(MAX(heartbeat_at), 0) FROM cluster_nodes"));
  const int64_t newest_heartbeat = newest.empty() ? 0 : newest[0].Int(0);
  std::string sql = "SELECT node_id, address, started_at, heartbeat_at FROM cluster_nodes";
  storage::Params params;
  if (node_id) {
    sql += " WHERE node_id = ?";
    params.push_back(*node_id);
  }
  ASSIGN_OR_RETURN(storage::Rows rows, tx.Query(sql + " ORDER BY node_id", params));
  std::vector<NodeInfo> nodes;
  for (const storage::Row& r : rows) {
    NodeInfo n{.node_id = r.Text(0),
               .address = r.Text(1),
               .started_at = r.Int(2),
               .heartbeat_at = r.Int(3)};
    n.alive = n.heartbeat_at > now - node_timeout_us;
    n.gone = !n.alive && n.heartbeat_at < newest_heartbeat - takeover_after_us;
    nodes.push_back(std::move(n));
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
