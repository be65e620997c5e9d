// The mount and connector methods of api.md §6.4.
//
// Mount points are named by callers like any path (scoped into their tenant) and shown as
// stored paths. Listings hold the caller's tenant's mounts and the system-wide ones, and a
// non-admin sees only those it may read.
#include "auth/tenant_paths.h"
#include "rpc/json_values.h"
#include "rpc/method_table.h"
#include "services/mounts/mounts.h"
#include "util/clock.h"
#include "util/path.h"

namespace nexus::rpc {
namespace {

using P = ParamType;
using services::MountService;

MountService& Mounts(const CallContext& ctx) { return *ctx.services.mounts; }

StatusOr<std::string> Stored(const CallContext& ctx, const std::string& raw) {
  ASSIGN_OR_RETURN(auth::ScopedPath scoped, auth::ScopePath(ctx.caller, raw));
  return std::move(scoped.stored);
}

// Every backend here is the reference's LocalBackend class: the root and `local` mounts.
// `node`: the node serving the mount, null for the root (every node serves the tree) and
// on a server that is no cluster's node.
Json MountJson(const std::string& point, int64_t priority, bool readonly, const std::string& node) {
  return Json{{"mount_point", point},
              {"priority", priority},
              {"readonly", readonly},
              {"backend_type", "LocalBackend"},
              {"node", node.empty() ? Json(nullptr) : Json(node)}};
}

Json RootMount() { return MountJson("/", 0, false, ""); }

Json ActiveMountJson(const CallContext& ctx, const vfs::Mount& m) {
  return MountJson(m.mount_point, m.priority, m.readonly,
                   m.served_here() ? Mounts(ctx).node_id() : m.node_id);
}

// The active mounts `ctx`'s caller may see.
StatusOr<std::vector<std::shared_ptr<const vfs::Mount>>> VisibleMounts(const CallContext& ctx) {
  std::vector<std::shared_ptr<const vfs::Mount>> all = Mounts(ctx).Active(ctx.caller);
  std::vector<std::string> points;
  for (const auto& m : all) points.push_back(m->mount_point);
  ASSIGN_OR_RETURN(const std::vector<bool> visible, ctx.session.Visible(points));
  std::vector<std::shared_ptr<const vfs::Mount>> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (visible[i]) out.push_back(std::move(all[i]));
  }
  return out;
}

StatusOr<std::shared_ptr<const vfs::Mount>> FindVisible(const CallContext& ctx,
                                                        const std::string& raw) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, raw));
  ASSIGN_OR_RETURN(const auto mounts, VisibleMounts(ctx));
  for (const auto& m : mounts) {
    if (m->mount_point == point) return m;
  }
  return std::shared_ptr<const vfs::Mount>();
}

StatusOr<MethodResult> ListMounts(const Params&, CallContext& ctx) {
  Json out = Json::array({RootMount()});
  ASSIGN_OR_RETURN(const auto mounts, VisibleMounts(ctx));
  for (const auto& m : mounts) out.push_back(ActiveMountJson(ctx, *m));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> GetMount(const Params& p, CallContext& ctx) {
  if (p.Str("mount_point") == "/") return MethodResult(RootMount());
  ASSIGN_OR_RETURN(const auto mount, FindVisible(ctx, p.Str("mount_point")));
  if (!mount) return MethodResult(nullptr);
  return MethodResult(ActiveMountJson(ctx, *mount));
}

StatusOr<MethodResult> HasMount(const Params& p, CallContext& ctx) {
  if (p.Str("mount_point") == "/") return MethodResult(true);
  ASSIGN_OR_RETURN(const auto mount, FindVisible(ctx, p.Str("mount_point")));
  return MethodResult(mount != nullptr);
}

StatusOr<services::MountSpec> SpecOf(const Params& p, const CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, p.Str("mount_point")));
  if (p.Int("priority") < 0)
    return Status(Code::kValidation,
                  "priority must be 0 or more, got " + std::to_string(p.Int("priority")));
  return services::MountSpec{point, p.Str("backend_type"), p.Raw("backend_config").dump(),
                             p.Int("priority"), p.Bool("readonly")};
}

StatusOr<MethodResult> AddMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const services::MountSpec spec, SpecOf(p, ctx));
  RETURN_IF_ERROR(Mounts(ctx).Add(ctx.caller, spec));
  return MethodResult(spec.mount_point);
}

StatusOr<MethodResult> RemoveMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, p.Str("mount_point")));
  ASSIGN_OR_RETURN(const services::RemoveOutcome out, Mounts(ctx).Remove(ctx.caller, point));
  return MethodResult(Json{{"removed", out.removed},
                           {"directory_deleted", out.directory_deleted},
                           {"permissions_cleaned", out.permissions_cleaned},
                           {"errors", out.errors}});
}

// Unavailable types say so in their description and in "available".
StatusOr<MethodResult> ListConnectors(const Params& p, CallContext&) {
  const std::optional<std::string> category = p.OptStr("category");
  Json out = Json::array();
  for (const services::ConnectorInfo& c : MountService::Connectors()) {
    if (category && c.category != *category) continue;
    out.push_back(
        Json{{"name", c.name},
             {"description", c.available ? c.description
                                         : c.description + " (not available on this server: "
                                                           "its service cannot be reached)"},
             {"category", c.category},
             {"requires", c.requires_},
             {"user_scoped", c.user_scoped},
             {"available", c.available}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> SaveMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::MountSpec spec, SpecOf(p, ctx));
  services::SaveRequest request{std::move(spec), p.OptStr("owner_user_id"), p.OptStr("tenant_id"),
                                p.Str("description")};
  ASSIGN_OR_RETURN(const std::string id, Mounts(ctx).Save(ctx.caller, request));
  return MethodResult(id);
}

StatusOr<MethodResult> ListSavedMounts(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(
      const std::vector<services::SavedMount> saved,
      Mounts(ctx).ListSaved(ctx.caller, p.OptStr("owner_user_id"), p.OptStr("tenant_id")));
  Json out = Json::array();
  for (const services::SavedMount& m : saved) {
    out.push_back(Json{{"mount_id", m.mount_id},
                       {"mount_point", m.spec.mount_point},
                       {"backend_type", m.spec.backend_type},
                       {"backend_config", Json::parse(m.spec.backend_config_json)},
                       {"priority", m.spec.priority},
                       {"readonly", m.spec.readonly},
                       {"owner_user_id", m.owner_user_id},
                       {"tenant_id", m.tenant_id},
                       {"description", m.description.empty() ? Json() : Json(m.description)},
                       {"created_at", DateTimeValue(m.created_at)},
                       {"updated_at", DateTimeValue(m.updated_at)}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> LoadMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, p.Str("mount_point")));
  RETURN_IF_ERROR(Mounts(ctx).Load(ctx.caller, point));
  return MethodResult(point);
}

StatusOr<MethodResult> DeleteSavedMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, p.Str("mount_point")));
  ASSIGN_OR_RETURN(const bool deleted, Mounts(ctx).DeleteSaved(ctx.caller, point));
  return MethodResult(deleted);
}

StatusOr<services::SyncOptions> SyncOptionsOf(const Params& p, const CallContext& ctx) {
  services::SyncOptions options;
  if (p.Has("path")) {
    ASSIGN_OR_RETURN(options.path, Stored(ctx, p.Str("path")));
  }
  options.recursive = p.Bool("recursive");
  options.dry_run = p.Bool("dry_run");
  if (p.Has("include_patterns")) options.include_patterns = p.StrList("include_patterns");
  if (p.Has("exclude_patterns")) options.exclude_patterns = p.StrList("exclude_patterns");
  return options;
}

Json ReportJson(const services::SyncReport& r) { return Json::parse(services::SyncReportJson(r)); }

// A sync needs read permission on the mount point.
StatusOr<std::string> ReadableMount(const CallContext& ctx, const std::string& raw) {
  ASSIGN_OR_RETURN(const std::string point, Stored(ctx, raw));
  RETURN_IF_ERROR(ctx.session.Check(point, session::Access::kRead));
  return point;
}

StatusOr<MethodResult> SyncMount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const services::SyncOptions options, SyncOptionsOf(p, ctx));
  if (p.Has("mount_point")) {
    ASSIGN_OR_RETURN(const std::string point, ReadableMount(ctx, p.Str("mount_point")));
    ASSIGN_OR_RETURN(const services::SyncReport report,
                     Mounts(ctx).Sync(ctx.caller, point, options));
    return MethodResult(ReportJson(report));
  }
  services::SyncReport total;
  int64_t synced = 0, skipped = 0;
  ASSIGN_OR_RETURN(const auto mounts, VisibleMounts(ctx));
  for (const auto& m : mounts) {
    // With `path`, only the mount holding it.
    if (options.path && !IsSameOrUnder(*options.path, m->mount_point)) {
      ++skipped;
      continue;
    }
    StatusOr<services::SyncReport> one = Mounts(ctx).Sync(ctx.caller, m->mount_point, options);
    if (!one.ok()) {
      ++skipped;
      continue;
    }
    ++synced;
    total.files_scanned += one->files_scanned;
    total.files_created += one->files_created;
    total.files_updated += one->files_updated;
    total.files_deleted += one->files_deleted;
    total.errors.insert(total.errors.end(), one->errors.begin(), one->errors.end());
  }
  Json out = ReportJson(total);
  out["mounts_synced"] = synced;
  out["mounts_skipped"] = skipped;
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> SyncMountAsync(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string point, ReadableMount(ctx, p.Str("mount_point")));
  ASSIGN_OR_RETURN(const services::SyncOptions options, SyncOptionsOf(p, ctx));
  Json params{{"mount_point", point},
              {"path", p.Raw("path")},
              {"recursive", options.recursive},
              {"dry_run", options.dry_run},
              {"sync_content", p.Bool("sync_content")},
              {"include_patterns", p.Raw("include_patterns")},
              {"exclude_patterns", p.Raw("exclude_patterns")},
              {"generate_embeddings", p.Bool("generate_embeddings")}};
  ASSIGN_OR_RETURN(const services::SyncJob job,
                   Mounts(ctx).SubmitSync(ctx.caller, point, options, params.dump()));
  return MethodResult(Json{{"job_id", job.id}, {"status", job.status}, {"mount_point", point}});
}

Json JobJson(const services::SyncJob& j) {
  return Json{{"id", j.id},
              {"mount_point", j.mount_point},
              {"status", j.status},
              {"progress_pct", j.progress_pct},
              {"progress_detail", StoredJson(j.progress_detail_json)},
              {"sync_params", StoredJson(j.sync_params_json)},
              {"created_at", FormatIsoMicros(j.created_at)},
              {"started_at", IsoOrNull(j.started_at)},
              {"completed_at", IsoOrNull(j.completed_at)},
              {"created_by", j.created_by},
              {"result", StoredJson(j.result_json)},
              {"error_message", j.error_message.empty() ? Json() : Json(j.error_message)}};
}

StatusOr<MethodResult> GetSyncJob(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<services::SyncJob> job,
                   Mounts(ctx).GetJob(ctx.caller, p.Str("job_id")));
  return MethodResult(job ? JobJson(*job) : Json());
}

StatusOr<MethodResult> CancelSyncJob(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const services::CancelOutcome out,
                   Mounts(ctx).CancelJob(ctx.caller, p.Str("job_id")));
  return MethodResult(
      Json{{"success", out.success}, {"job_id", p.Str("job_id")}, {"message", out.message}});
}

StatusOr<MethodResult> ListSyncJobs(const Params& p, CallContext& ctx) {
  std::optional<std::string> point;
  if (p.Has("mount_point")) {
    ASSIGN_OR_RETURN(point, Stored(ctx, p.Str("mount_point")));
  }
  ASSIGN_OR_RETURN(const std::vector<services::SyncJob> jobs,
                   Mounts(ctx).ListJobs(ctx.caller, point, p.OptStr("status"), p.Int("limit")));
  Json out = Json::array();
  for (const services::SyncJob& j : jobs) out.push_back(JobJson(j));
  return MethodResult(std::move(out));
}

}  // namespace

void AddMountMethods(MethodTable& t) {
  const auto point = Required("mount_point", P::kString);
  const std::vector<ParamSpec> spec = {
      point, Required("backend_type", P::kString), Required("backend_config", P::kObject),
      Optional("priority", P::kInt, 0), Optional("readonly", P::kBool, false)};
  std::vector<ParamSpec> save = spec;
  save.push_back(Optional("owner_user_id", P::kString));
  save.push_back(Optional("tenant_id", P::kString));
  save.push_back(Optional("description", P::kString));
  const std::vector<ParamSpec> sync_options = {Optional("path", P::kString),
                                               Optional("recursive", P::kBool, true),
                                               Optional("dry_run", P::kBool, false),
                                               Optional("sync_content", P::kBool, true),
                                               Optional("include_patterns", P::kStringList),
                                               Optional("exclude_patterns", P::kStringList),
                                               Optional("generate_embeddings", P::kBool, false)};
  std::vector<ParamSpec> sync = sync_options;
  sync.insert(sync.begin(), Optional("mount_point", P::kString));
  std::vector<ParamSpec> sync_async = sync_options;
  sync_async.insert(sync_async.begin(), point);
  const auto job = Required("job_id", P::kString);

  t.Add({"list_mounts", {}, ListMounts, kCacheDefault});
  t.Add({"get_mount", {point}, GetMount, kCacheDefault});
  t.Add({"has_mount", {point}, HasMount, kCacheDefault});
  t.Add({"add_mount", spec, AddMount, kCacheNoStore});
  t.Add({"remove_mount", {point}, RemoveMount, kCacheNoStore});
  t.Add({"list_connectors", {Optional("category", P::kString)}, ListConnectors, kCacheDefault});
  t.Add({"save_mount", save, SaveMount, kCacheNoStore});
  t.Add({"list_saved_mounts",
         {Optional("owner_user_id", P::kString), Optional("tenant_id", P::kString)},
         ListSavedMounts,
         kCacheDefault});
  t.Add({"load_mount", {point}, LoadMount, kCacheNoStore});
  t.Add({"delete_saved_mount", {point}, DeleteSavedMount, kCacheNoStore});
  t.Add({"sync_mount", sync, SyncMount, kCacheNoStore});
  t.Add({"sync_mount_async", sync_async, SyncMountAsync, kCacheNoStore});
  t.Add({"get_sync_job", {job}, GetSyncJob, kCacheDefault});
  t.Add({"cancel_sync_job", {job}, CancelSyncJob, kCacheNoStore});
  t.Add({"list_sync_jobs",
         {Optional("mount_point", P::kString), Optional("status", P::kString),
          Optional("limit", P::kInt, 50)},
         ListSyncJobs,
         kCacheDefault});
}

}  // namespace nexus::rpc
