#include "cluster/change_feed.h"

namespace nexus::cluster {

Status BumpRevision(storage::Tx& tx, std::string_view topic) {
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO cluster_topics (topic, revision) VALUES (?, 1) "
              "ON CONFLICT (topic) DO UPDATE SET revision = cluster_topics.revision + 1",
              {std::string(topic)})
          .status());
  return NotifyNodes(tx, topic);
}

Status NotifyNodes(storage::Tx& tx, std::string_view payload) {
  if (tx.dialect() != storage::Dialect::kPostgres) return Status::OK();
  return tx.Query("SELECT pg_notify(?, ?)", {std::string(kChangeChannel), std::string(payload)})
      .status();
}

StatusOr<std::map<std::string, int64_t, std::less<>>> ReadRevisions(storage::Tx& tx) {
  ASSIGN_OR_RETURN(storage::Rows rows, tx.Query("SELECT topic, revision FROM cluster_topics"));
  std::map<std::string, int64_t, std::less<>> revisions;
  for (const storage::Row& r : rows) revisions[r.Text(0)] = r.Int(1);
  return revisions;
}

}  // namespace nexus::cluster
