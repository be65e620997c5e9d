#include "cluster/secrets.h"

#include "cluster/node_registry.h"

namespace nexus::cluster {

StatusOr<std::string> AgreeOnSecret(storage::Engine& engine, std::string_view name,
                                    const std::string& proposed) {
  std::string agreed;
  RETURN_IF_ERROR(engine.Write([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const int64_t now, DatabaseNow(tx));
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO cluster_secrets (name, value, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                {std::string(name), proposed, now})
            .status());
    ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query("SELECT value FROM cluster_secrets WHERE name = ?", {std::string(name)}));
    if (rows.size() != 1) return Internal("cluster secret " + std::string(name) + " vanished");
    agreed = rows[0].Text(0);
    return Status::OK();
  }));
  return agreed;
}

}  // namespace nexus::cluster
