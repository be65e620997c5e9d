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
    ASSIGN_OR_RETURN(const Rows holder, tx.Query("SELECT node_id FROM active_mounts WHERE "
                                                 "mount_point = ?",
                                                 {mount.mount_point}));
    if (!holder.empty()) {
      return Status(Code::kValidation, "Mount point " + mount.mount_point +
                                           " is mounted already, served by node " +
                                           holder[0].Text(0));
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

Status DeleteClaims(storage::Engine& engine, const char* column, const std::string& value) {
  return engine.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        const int64_t deleted,
        tx.Exec(std::string("DELETE FROM active_mounts WHERE ") + column + " = ?", {value}));
    if (deleted == 0) return Status::OK();
    return cluster::Cluster::MarkChanged(tx, cluster::kMountsTopic);
  });
}

}  // namespace

Status ReleaseMount(storage::Engine& engine, const std::string& mount_point) {
  return DeleteClaims(engine, "mount_point", mount_point);
}

Status ReleaseNodeMounts(storage::Engine& engine, const std::string& node_id) {
  return DeleteClaims(engine, "node_id", node_id);
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
