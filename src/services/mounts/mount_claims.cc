#include "services/mounts/mount_claims.h"

#include "cluster/cluster.h"
#include "storage/rows.h"
#include "util/clock.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

Status ClaimMount(storage::Engine& engine, const vfs::Mount& mount, const std::string& node_id) {
  return engine.Write([&](Tx& tx) -> Status {
    // Not LIKE: SQLite's ignores case and takes '_' and '%' in paths as wildcards.
    const std::string& point = mount.mount_point;
    ASSIGN_OR_RETURN(
        const Rows holder,
        tx.Query("SELECT mount_point, node_id FROM active_mounts WHERE mount_point = ? OR "
                 "substr(CAST(? AS TEXT), 1, length(mount_point) + 1) = mount_point || '/' OR "
                 "substr(mount_point, 1, length(CAST(? AS TEXT)) + 1) = CAST(? AS TEXT) || '/'",
                 {point, point, point, point}));
    if (!holder.empty()) {
      const std::string at = holder[0].Text(0);
      return Status(Code::kValidation,
                    "Mount point " + point +
                        (at == point ? " is mounted already" : " overlaps the mount " + at) +
                        ", served by node " + holder[0].Text(1) + ": mounts cannot be nested");
    }
    RETURN_IF_ERROR(tx.Exec("INSERT INTO active_mounts (mount_point, node_id, backend_type, "
                            "priority, readonly, owner_user_id, mounted_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            {mount.mount_point, node_id, mount.backend_type, mount.priority,
                             int64_t{mount.readonly}, mount.owner, NowMicros()})
                        .status());
    return cluster::Cluster::MarkChanged(tx, cluster::kMountsTopic);
  });
}

namespace {

vfs::Mount ClaimFromRow(const Row& r) {
  vfs::Mount m;
  m.mount_point = r.Text(0);
  m.node_id = r.Text(1);
  m.backend_type = r.Text(2);
  m.priority = r.Int(3);
  m.readonly = r.Int(4) != 0;
  m.owner = r.Text(5);
  return m;
}

// Deletes the claims matching `where` (a condition on `params`) and tells the other nodes.
Status DeleteClaims(storage::Engine& engine, const char* where, const storage::Params& params) {
  return engine.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const int64_t deleted,
                     tx.Exec(std::string("DELETE FROM active_mounts WHERE ") + where, params));
    if (deleted == 0) return Status::OK();
    return cluster::Cluster::MarkChanged(tx, cluster::kMountsTopic);
  });
}

}  // namespace

Status ReleaseMount(storage::Engine& engine, const std::string& mount_point,
                    const std::string& node_id) {
  return DeleteClaims(engine, "mount_point = ? AND node_id = ?", {mount_point, node_id});
}

Status ReleaseNodeMounts(storage::Engine& engine, const std::string& node_id) {
  return DeleteClaims(engine, "node_id = ?", {node_id});
}

StatusOr<std::vector<vfs::Mount>> OtherNodesMounts(storage::Engine& engine,
                                                   const std::string& node_id) {
  return storage::ReadAll(
      engine,
      "SELECT mount_point, node_id, backend_type, priority, readonly, owner_user_id "
      "FROM active_mounts WHERE node_id <> ? ORDER BY mount_point",
      {node_id}, ClaimFromRow);
}

}  // namespace nexus::services
