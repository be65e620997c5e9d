// The workspace and memory registry methods and the workspace snapshot methods of api.md
// §6.7, scoped to the caller's tenant and checked against the caller's permissions.
#include "rpc/json_values.h"
#include "rpc/method_table.h"
#include "services/agents/agents.h"
#include "services/mounts/mounts.h"
#include "services/ownership.h"
#include "services/workspaces/workspace_config.h"
#include "services/workspaces/workspace_registry.h"
#include "services/workspaces/workspace_snapshots.h"
#include "util/clock.h"
#include "util/path.h"

namespace nexus::rpc {
namespace {

using P = ParamType;
using services::DirKind;
using session::Access;

Json RegistrationJson(const CallContext& ctx, const services::Registration& r, bool legacy) {
  return Json{{"path", ctx.session.Present(r.path, legacy)},
              {"name", OrNull(r.name)},
              {"description", r.description},
              {"created_at", FormatIsoMicros(r.created_at)},
              {"created_by", r.created_by},
              {"metadata", StoredJson(r.metadata_json, Json::object())}};
}

// Whether a listing shows `r` to the caller: their own registrations (an agent acting for
// itself only: those it made), and those they may read (an admin reads the whole tenant).
StatusOr<bool> Listed(const CallContext& ctx, const services::Registration& r) {
  if (services::IsOwnRecord(ctx.caller, r.user_id, r.agent_id)) return true;
  const Status s = ctx.session.Check(r.path, Access::kRead);
  if (s.code() == Code::kPermissionDenied) return false;
  RETURN_IF_ERROR(s);
  return true;
}

// Snapshots and memories work on the path tree directly, so their directories may neither lie
// in a mount nor hold one.
Status NotMounted(const CallContext& ctx, const std::string& path) {
  if (ctx.services.mounts == nullptr) return Status::OK();
  const vfs::MountTable& table = ctx.services.mounts->table();
  std::string point;
  if (const std::optional<vfs::Resolved> at = table.Resolve(path)) point = at->mount->mount_point;
  const auto below = table.Below(path);
  if (point.empty() && !below.empty()) point = below.front()->mount_point;
  if (point.empty()) return Status::OK();
  return Status(Code::kValidation,
                path + " is inside or holds the mount " + point +
                    ": a workspace or memory directory must be part of the path tree");
}

Handler RegisterOf(DirKind kind) {
  return [kind](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(const auth::ScopedPath path,
                     ctx.session.Authorize(p.Str("path"), Access::kWrite));
    RETURN_IF_ERROR(NotMounted(ctx, path.stored));
    services::NewRegistration reg;
    reg.path = path.stored;
    reg.legacy = path.legacy;
    reg.name = p.OptStr("name");
    reg.description = p.Str("description");
    reg.created_by = p.Str("created_by");
    reg.metadata_json = p.Has("metadata") ? p.Raw("metadata").dump() : "";
    reg.session_id = p.Str("session_id");
    reg.ttl_seconds = p.Seconds("ttl");
    ASSIGN_OR_RETURN(const services::Registration r,
                     ctx.services.workspaces->Register(kind, ctx.caller, reg));
    return MethodResult(RegistrationJson(ctx, r, path.legacy));
  };
}

Handler UnregisterOf(DirKind kind) {
  return [kind](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(const auth::ScopedPath path,
                     ctx.session.Authorize(p.Str("path"), Access::kWrite));
    ASSIGN_OR_RETURN(const bool removed, ctx.services.workspaces->Unregister(kind, path.stored));
    return MethodResult(removed);
  };
}

// Null for a registration the caller may not read, as for one that does not exist.
Handler InfoOf(DirKind kind) {
  return [kind](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    StatusOr<auth::ScopedPath> path = ctx.session.Authorize(p.Str("path"), Access::kRead);
    if (path.status().code() == Code::kPermissionDenied) return MethodResult(nullptr);
    RETURN_IF_ERROR(path.status());
    ASSIGN_OR_RETURN(const std::optional<services::Registration> r,
                     ctx.services.workspaces->Get(kind, path->stored));
    if (!r) return MethodResult(nullptr);
    return MethodResult(RegistrationJson(ctx, *r, path->legacy));
  };
}

Handler ListOf(DirKind kind) {
  return [kind](const Params&, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(const std::vector<services::Registration> all,
                     ctx.services.workspaces->List(kind, ctx.caller.tenant_id));
    Json out = Json::array();
    for (const services::Registration& r : all) {
      ASSIGN_OR_RETURN(const bool listed, Listed(ctx, r));
      if (listed) out.push_back(RegistrationJson(ctx, r, r.legacy));
    }
    return MethodResult(std::move(out));
  };
}

// The stored path of the workspace a snapshot method names: `workspace_path`, or the directory
// of agent `agent_id` (one the caller may see), checked for `access`.
StatusOr<std::string> WorkspaceOf(const Params& p, const CallContext& ctx, Access access) {
  const bool by_path = p.Has("workspace_path");
  if (by_path == p.Has("agent_id"))
    return InvalidArgument("give exactly one of workspace_path and agent_id");
  std::string raw = p.Str("workspace_path");
  if (!by_path) {
    const services::AgentCaller caller{ctx.caller.tenant_id, ctx.caller.user_id,
                                       ctx.caller.is_admin};
    ASSIGN_OR_RETURN(const std::optional<services::AgentRecord> agent,
                     ctx.services.agents->Get(caller, p.Str("agent_id")));
    if (!agent) return NotFound("Agent not found: " + p.Str("agent_id"));
    raw = std::string(ParentPath(agent->config_path));
  }
  ASSIGN_OR_RETURN(auth::ScopedPath path, ctx.session.Authorize(raw, access));
  return std::move(path.stored);
}

Json SnapshotJson(const services::Snapshot& s) {
  return Json{{"snapshot_id", s.snapshot_id},
              {"snapshot_number", s.snapshot_number},
              {"manifest_hash", s.manifest_hash},
              {"file_count", s.file_count},
              {"total_size_bytes", s.total_size_bytes},
              {"description", OrNull(s.description)},
              {"created_by", s.created_by},
              {"tags", Json::parse(s.tags_json)},
              {"created_at", DateTimeValue(s.created_at)}};
}

Json SnapshotRefJson(const services::Snapshot& s) {
  return Json{{"snapshot_id", s.snapshot_id},
              {"snapshot_number", s.snapshot_number},
              {"created_at", DateTimeValue(s.created_at)}};
}

vfs::Actor ActorOf(const CallContext& ctx) { return vfs::Actor{ctx.caller.user_id}; }

StatusOr<MethodResult> Snapshot(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string workspace, WorkspaceOf(p, ctx, Access::kWrite));
  services::NewSnapshot request;
  request.description = p.OptStr("description");
  request.created_by = p.Str("created_by");
  if (p.Has("tags")) request.tags_json = p.Raw("tags").dump();
  ASSIGN_OR_RETURN(const services::Snapshot s,
                   ctx.services.snapshots->Create(ActorOf(ctx), workspace, request));
  return MethodResult(SnapshotJson(s));
}

StatusOr<MethodResult> Restore(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string workspace, WorkspaceOf(p, ctx, Access::kWrite));
  ASSIGN_OR_RETURN(
      const services::RestoreResult r,
      ctx.services.snapshots->Restore(ActorOf(ctx), workspace, p.Int("snapshot_number")));
  return MethodResult(Json{{"files_restored", r.files_restored},
                           {"files_deleted", r.files_deleted},
                           {"snapshot_info", SnapshotJson(r.snapshot)}});
}

StatusOr<MethodResult> Log(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string workspace, WorkspaceOf(p, ctx, Access::kRead));
  ASSIGN_OR_RETURN(const std::vector<services::Snapshot> log,
                   ctx.services.snapshots->Log(workspace, p.OptInt("limit").value_or(100)));
  Json out = Json::array();
  for (const services::Snapshot& s : log) out.push_back(SnapshotJson(s));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Diff(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string workspace, WorkspaceOf(p, ctx, Access::kRead));
  ASSIGN_OR_RETURN(
      const services::SnapshotDiff d,
      ctx.services.snapshots->Diff(workspace, p.Int("snapshot_1"), p.Int("snapshot_2")));
  Json added = Json::array();
  for (const services::SizedPath& f : d.added)
    added.push_back({{"path", f.path}, {"size", f.size}});
  Json removed = Json::array();
  for (const services::SizedPath& f : d.removed)
    removed.push_back({{"path", f.path}, {"size", f.size}});
  Json modified = Json::array();
  for (const services::ModifiedFile& f : d.modified) {
    modified.push_back({{"path", f.path},
                        {"old_size", f.old_size},
                        {"new_size", f.new_size},
                        {"old_hash", f.old_hash},
                        {"new_hash", f.new_hash}});
  }
  return MethodResult(Json{{"snapshot_1", SnapshotRefJson(d.first)},
                           {"snapshot_2", SnapshotRefJson(d.second)},
                           {"added", std::move(added)},
                           {"removed", std::move(removed)},
                           {"modified", std::move(modified)},
                           {"unchanged", d.unchanged}});
}

// Registers the workspaces and memories a YAML file in the tree names. The file and every
// entry are checked (form, write permission, mounts) before the first registration; a path
// already registered is skipped.
StatusOr<MethodResult> LoadWorkspaceMemoryConfig(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const vfs::FileContent content, ctx.session.Read(p.Str("path")));
  ASSIGN_OR_RETURN(const std::vector<services::ConfigEntry> entries,
                   services::ParseWorkspaceConfig(content.content));
  std::vector<std::pair<auth::ScopedPath, services::NewRegistration>> regs;
  for (const services::ConfigEntry& e : entries) {
    ASSIGN_OR_RETURN(const auth::ScopedPath path, ctx.session.Authorize(e.path, Access::kWrite));
    RETURN_IF_ERROR(NotMounted(ctx, path.stored));
    services::NewRegistration reg;
    reg.path = path.stored;
    reg.legacy = path.legacy;
    reg.name = e.name;
    reg.description = e.description;
    reg.metadata_json = e.metadata_json;
    regs.emplace_back(path, std::move(reg));
  }
  Json out{{"workspaces", Json::array()}, {"memories", Json::array()}, {"skipped", Json::array()}};
  for (size_t i = 0; i < regs.size(); ++i) {
    const auto& [path, reg] = regs[i];
    const std::string shown = ctx.session.Present(path.stored, path.legacy);
    const bool workspace = entries[i].kind == DirKind::kWorkspace;
    StatusOr<services::Registration> r =
        ctx.services.workspaces->Register(entries[i].kind, ctx.caller, reg);
    if (r.status().code() == Code::kAlreadyExists) {
      out["skipped"].push_back(shown);
      continue;
    }
    RETURN_IF_ERROR(r.status());
    out[workspace ? "workspaces" : "memories"].push_back(shown);
  }
  return MethodResult(std::move(out));
}

// The parameters register_workspace and register_memory share.
std::vector<ParamSpec> RegistrationParams() {
  return {Required("path", P::kString),        Optional("name", P::kString),
          Optional("description", P::kString), Optional("created_by", P::kString),
          Optional("metadata", P::kObject),    Optional("session_id", P::kString),
          Optional("ttl", P::kTimedelta)};
}

void AddRegistry(MethodTable& t, DirKind kind, const std::string& register_name,
                 std::vector<ParamSpec> register_params, const std::string& unregister_name,
                 const std::string& info_name, const std::string& list_name) {
  const auto path = Required("path", P::kString);
  t.Add({register_name, std::move(register_params), RegisterOf(kind), kCacheNoStore});
  t.Add({unregister_name, {path}, UnregisterOf(kind), kCacheNoStore});
  t.Add({info_name, {path}, InfoOf(kind), kCacheDefault});
  t.Add({list_name, {}, ListOf(kind), kCacheDefault});
}

}  // namespace

void AddWorkspaceMethods(MethodTable& t) {
  std::vector<ParamSpec> workspace_params = RegistrationParams();
  workspace_params.push_back(Optional("tags", P::kStringList));
  AddRegistry(t, DirKind::kWorkspace, "register_workspace", std::move(workspace_params),
              "unregister_workspace", "get_workspace_info", "list_workspaces");
  AddRegistry(t, DirKind::kMemory, "register_memory", RegistrationParams(), "unregister_memory",
              "get_memory_info", "list_registered_memories");

  const auto workspace = Optional("workspace_path", P::kString);
  const auto agent = Optional("agent_id", P::kString);
  t.Add({"workspace_snapshot",
         {workspace, agent, Optional("description", P::kString), Optional("tags", P::kStringList),
          Optional("created_by", P::kString)},
         Snapshot,
         kCacheNoStore});
  t.Add({"workspace_restore",
         {Required("snapshot_number", P::kInt), workspace, agent},
         Restore,
         kCacheNoStore});
  t.Add({"load_workspace_memory_config",
         {Required("path", P::kString)},
         LoadWorkspaceMemoryConfig,
         kCacheNoStore});
  t.Add({"workspace_log", {workspace, agent, Optional("limit", P::kInt, 100)}, Log, kCacheDefault});
  t.Add({"workspace_diff",
         {Required("snapshot_1", P::kInt), Required("snapshot_2", P::kInt), workspace, agent},
         Diff,
         kCacheDefault});
}

}  // namespace nexus::rpc
