#include "services/workspaces/workspace_registry.h"

#include <cmath>

#include "auth/tenant_paths.h"
#include "services/workspaces/workspace_snapshots.h"
#include "storage/rows.h"
#include "util/clock.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "kind, path, tenant_id, legacy, name, description, created_at, created_by, user_id,"
    " agent_id, session_id, expires_at, metadata";
constexpr const char* kLive = "(expires_at IS NULL OR expires_at > ?)";
// A century: long enough for any use, short enough that now + ttl cannot overflow.
constexpr double kMaxTtlSeconds = 100.0 * 365 * 24 * 3600;
constexpr size_t kMaxFieldBytes = 255;

std::string KindName(DirKind kind) { return kind == DirKind::kWorkspace ? "workspace" : "memory"; }
std::string KindTitle(DirKind kind) { return kind == DirKind::kWorkspace ? "Workspace" : "Memory"; }

storage::Value TextOrNull(const std::string& s) {
  return s.empty() ? storage::Null() : storage::Value(s);
}

Registration FromRow(const Row& r) {
  Registration reg;
  reg.kind = r.Text(0) == "workspace" ? DirKind::kWorkspace : DirKind::kMemory;
  reg.path = r.Text(1);
  reg.tenant_id = r.Text(2);
  reg.legacy = r.Int(3) != 0;
  reg.name = r.OptText(4);
  reg.description = r.Text(5);
  reg.created_at = r.Int(6);
  reg.created_by = r.Text(7);
  reg.user_id = r.Text(8);
  reg.agent_id = r.Text(9);
  reg.session_id = r.Text(10);
  reg.expires_at = r.OptInt(11);
  reg.metadata_json = r.Text(12);
  return reg;
}

Status Validate(const NewRegistration& reg) {
  if (auth::StoredPathTenant(reg.path).empty())
    return InvalidArgument("only a directory of a tenant's tree can be registered: " + reg.path);
  if (reg.name && reg.name->size() > kMaxFieldBytes)
    return InvalidArgument("name must be at most 255 bytes");
  if (reg.session_id.size() > kMaxFieldBytes || reg.created_by.size() > kMaxFieldBytes)
    return InvalidArgument("session_id and created_by must be at most 255 bytes");
  if (reg.ttl_seconds && !(std::isfinite(*reg.ttl_seconds) && *reg.ttl_seconds > 0 &&
                           *reg.ttl_seconds <= kMaxTtlSeconds)) {
    return InvalidArgument("ttl must be a positive duration of at most 100 years");
  }
  return Status::OK();
}

// Removes the registration at `path`, live or expired, with a workspace's snapshots.
// Returns whether a live one was removed.
StatusOr<bool> RemoveRegistration(Tx& tx, DirKind kind, const std::string& path, int64_t now) {
  ASSIGN_OR_RETURN(const bool live, IsRegistered(tx, kind, path, now));
  if (kind == DirKind::kWorkspace) RETURN_IF_ERROR(DropSnapshots(tx, path));
  RETURN_IF_ERROR(
      tx.Exec("DELETE FROM registered_dirs WHERE kind = ? AND path = ?", {KindName(kind), path})
          .status());
  return live;
}

}  // namespace

StatusOr<bool> IsRegistered(Tx& tx, DirKind kind, const std::string& path, int64_t now) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query(std::string("SELECT 1 FROM registered_dirs WHERE kind = ?"
                                                   " AND path = ? AND ") +
                                           kLive,
                                       {KindName(kind), path, now}));
  return !rows.empty();
}

StatusOr<Registration> WorkspaceRegistry::Register(DirKind kind, const auth::Identity& caller,
                                                   const NewRegistration& reg) {
  RETURN_IF_ERROR(Validate(reg));
  const Status duplicate = AlreadyExists(KindTitle(kind) + " already registered: " + reg.path);
  ASSIGN_OR_RETURN(const std::optional<Registration> existing, Get(kind, reg.path));
  if (existing) return duplicate;
  if (kind == DirKind::kWorkspace) {
    RETURN_IF_ERROR(tree_.Mkdir(vfs::Actor{caller.user_id}, reg.path, /*parents=*/true,
                                /*exist_ok=*/true));
  }
  Registration out;
  out.kind = kind;
  out.path = reg.path;
  out.legacy = reg.legacy;
  out.tenant_id = std::string(auth::StoredPathTenant(reg.path));
  out.name = reg.name;
  out.description = reg.description;
  out.created_at = NowMicros();
  out.created_by = reg.created_by.empty() ? caller.user_id : reg.created_by;
  out.user_id = caller.user_id;
  out.agent_id = caller.agent_id;
  out.session_id = reg.session_id;
  if (reg.ttl_seconds) out.expires_at = out.created_at + std::llround(*reg.ttl_seconds * 1e6);
  out.metadata_json = reg.metadata_json;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const bool live, RemoveRegistration(tx, kind, out.path, out.created_at));
    if (live) return duplicate;
    RETURN_IF_ERROR(
        tx.Exec(std::string("INSERT INTO registered_dirs (") + kColumns +
                    ", scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {KindName(kind), out.path, out.tenant_id, int64_t{out.legacy},
                 storage::OptionalValue(out.name), out.description, out.created_at, out.created_by,
                 out.user_id, TextOrNull(out.agent_id), TextOrNull(out.session_id),
                 storage::OptionalValue(out.expires_at), TextOrNull(out.metadata_json),
                 std::string(out.session_id.empty() ? "persistent" : "session")})
            .status());
    if (kind == DirKind::kMemory) return Status::OK();
    rebac::TupleWrite grant;
    grant.tenant_id = out.tenant_id;
    grant.subject = {"user", caller.user_id, ""};
    grant.relation = "direct_owner";
    grant.object = {"file", out.path};
    return rebac_.WriteTuple(tx, grant).status();
  }));
  return out;
}

StatusOr<bool> WorkspaceRegistry::Unregister(DirKind kind, const std::string& path) {
  bool removed = false;
  const int64_t now = NowMicros();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(removed, RemoveRegistration(tx, kind, path, now));
    return Status::OK();
  }));
  return removed;
}

StatusOr<std::optional<Registration>> WorkspaceRegistry::Get(DirKind kind,
                                                             const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<Registration> found, SelectLive(kind, "path", path));
  if (found.empty()) return std::optional<Registration>();
  return std::optional<Registration>(std::move(found[0]));
}

StatusOr<std::vector<Registration>> WorkspaceRegistry::List(DirKind kind,
                                                            const std::string& tenant_id) {
  return SelectLive(kind, "tenant_id", tenant_id);
}

StatusOr<std::vector<Registration>> WorkspaceRegistry::SelectLive(DirKind kind,
                                                                  const std::string& column,
                                                                  const std::string& value) {
  return storage::ReadAll(engine_,
                          std::string("SELECT ") + kColumns +
                              " FROM registered_dirs WHERE kind = ? AND " + column + " = ? AND " +
                              kLive + " ORDER BY created_at, path",
                          {KindName(kind), value, NowMicros()}, FromRow);
}

}  // namespace nexus::services
