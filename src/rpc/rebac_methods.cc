// The ReBAC and sharing methods of api.md §6.5, scoped to the caller's tenant.
//
// Who may change tuples: on a file, whoever may execute it (its owners; admins of its
// tenant); on any other object, admins of the tenant. File ids are paths as the caller
// names them (so /workspace/x is the caller's tenant's), stored in full.
#include "auth/tenant_paths.h"
#include "rebac/namespace_config.h"
#include "rebac/rebac.h"
#include "rpc/method_table.h"
#include "services/csv_view.h"
#include "session/file_system.h"
#include "util/clock.h"
#include "util/path.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

rebac::Rebac& Rebac(const CallContext& ctx) { return *ctx.services.rebac; }

// The engine reports unknown types and relations as invalid arguments; on the wire they
// are validation errors (-32005), unlike malformed parameters (-32602).
Status AsValidation(Status s) {
  return s.code() == Code::kInvalidArgument ? Status(Code::kValidation, s.message()) : s;
}
template <typename T>
StatusOr<T> AsValidation(StatusOr<T> r) {
  if (r.ok()) return r;
  return AsValidation(r.status());
}

// The tenant a call works in: the caller's, or another only for the system administrator.
StatusOr<std::string> TenantOf(const Params& p, const CallContext& ctx) {
  const std::string tenant = p.OptStr("tenant_id").value_or(ctx.caller.tenant_id);
  if (tenant != ctx.caller.tenant_id && !ctx.caller.is_system) {
    return PermissionDenied("Access denied: tenant '" + tenant + "' is not the caller's");
  }
  return tenant;
}

// A file id as the caller names it, stored in full; other ids unchanged.
StatusOr<std::string> StoredId(const CallContext& ctx, const std::string& type,
                               const std::string& id) {
  if (type != "file") return id;
  ASSIGN_OR_RETURN(const auth::ScopedPath path, auth::ScopePath(ctx.caller, id));
  return path.stored;
}

StatusOr<rebac::ObjectRef> ObjectParam(const Params& p, const CallContext& ctx,
                                       const std::string& name) {
  const Json& v = p.Raw(name);
  if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string()) {
    return InvalidArgument(name + " must be [type, id]");
  }
  const std::string type = v[0];
  ASSIGN_OR_RETURN(std::string id, StoredId(ctx, type, v[1]));
  return rebac::ObjectRef{type, std::move(id)};
}

StatusOr<rebac::SubjectRef> SubjectParam(const Params& p, const CallContext& ctx,
                                         bool allow_userset) {
  const Json& v = p.Raw("subject");
  const bool shape = v.is_array() && (v.size() == 2 || (allow_userset && v.size() == 3));
  if (!shape)
    return InvalidArgument(allow_userset ? "subject must be [type, id] or [type, id, relation]"
                                         : "subject must be [type, id]");
  for (const Json& part : v) {
    if (!part.is_string()) return InvalidArgument("subject parts must be strings");
  }
  const std::string type = v[0];
  ASSIGN_OR_RETURN(std::string id, StoredId(ctx, type, v[1]));
  return rebac::SubjectRef{type, std::move(id), v.size() == 3 ? v[2].get<std::string>() : ""};
}

// Whether the caller may change the tuples on `object` in `tenant`.
Status CheckManage(const CallContext& ctx, const std::string& tenant,
                   const rebac::ObjectRef& object) {
  if (object.type == "file") return ctx.session.Check(object.id, session::Access::kExecute);
  if (ctx.caller.is_system || (ctx.caller.is_admin && tenant == ctx.caller.tenant_id))
    return Status::OK();
  return PermissionDenied("Access denied: only admins manage permissions on " + object.type +
                          " objects");
}

// expires_at as an ISO string (or a decoded datetime wrapper); past or unparsable: -32005.
StatusOr<std::optional<int64_t>> ExpiresAt(const Params& p) {
  if (!p.Has("expires_at")) return std::optional<int64_t>();
  StatusOr<int64_t> when = ParseIsoMicros(p.Str("expires_at"));
  if (!when.ok()) return Status(Code::kValidation, "expires_at: " + when.status().message());
  if (*when <= NowMicros())
    return Status(Code::kValidation, "expires_at is in the past: " + p.Str("expires_at"));
  return std::optional<int64_t>(*when);
}

Json TupleJson(const rebac::Tuple& t) {
  Json out{{"tuple_id", t.tuple_id},
           {"subject_type", t.subject.type},
           {"subject_id", t.subject.id},
           {"relation", t.relation},
           {"object_type", t.object.type},
           {"object_id", t.object.id},
           {"created_at", IsoOrNull(t.created_at)},
           {"expires_at", IsoOrNull(t.expires_at)},
           {"tenant_id", t.tenant_id}};
  if (t.subject.is_userset()) out["subject_relation"] = t.subject.relation;
  return out;
}

StatusOr<std::string> Grant(const CallContext& ctx, rebac::TupleWrite write) {
  RETURN_IF_ERROR(CheckManage(ctx, write.tenant_id, write.object));
  ASSIGN_OR_RETURN(const rebac::WriteResult written, AsValidation(Rebac(ctx).WriteTuple(write)));
  return written.tuple_id;
}

// The conditions of a dynamic_viewer tuple: its column_config, which only that relation on
// a CSV file takes.
StatusOr<std::optional<std::string>> ColumnConditions(const Params& p,
                                                      const rebac::TupleWrite& write) {
  if (write.relation != "dynamic_viewer") {
    if (p.Has("column_config"))
      return InvalidArgument("column_config is only for the dynamic_viewer relation");
    return std::optional<std::string>();
  }
  if (write.object.type != "file" || !write.object.id.ends_with(".csv"))
    return InvalidArgument("dynamic_viewer needs a .csv file object");
  if (!p.Has("column_config")) return InvalidArgument("dynamic_viewer needs a column_config");
  ASSIGN_OR_RETURN(const services::ColumnConfig config,
                   services::ParseColumnConfig(p.Raw("column_config").dump()));
  return std::optional<std::string>(services::ColumnConfigJson(config));
}

StatusOr<MethodResult> Create(const Params& p, CallContext& ctx) {
  rebac::TupleWrite write;
  ASSIGN_OR_RETURN(write.tenant_id, TenantOf(p, ctx));
  ASSIGN_OR_RETURN(write.subject, SubjectParam(p, ctx, /*allow_userset=*/true));
  ASSIGN_OR_RETURN(write.object, ObjectParam(p, ctx, "object"));
  write.relation = p.Str("relation");
  ASSIGN_OR_RETURN(write.conditions, ColumnConditions(p, write));
  ASSIGN_OR_RETURN(write.expires_at, ExpiresAt(p));
  ASSIGN_OR_RETURN(const std::string id, Grant(ctx, std::move(write)));
  return MethodResult(id);
}

// The live tuple `id` of the caller's tenant, once the caller may manage it.
StatusOr<std::optional<rebac::Tuple>> ManageableTuple(const CallContext& ctx,
                                                      const std::string& id) {
  StatusOr<rebac::Tuple> tuple = Rebac(ctx).GetTuple(ctx.caller.tenant_id, id);
  if (!tuple.ok()) {
    if (tuple.status().code() == Code::kNotFound) return std::optional<rebac::Tuple>();
    return tuple.status();
  }
  RETURN_IF_ERROR(CheckManage(ctx, tuple->tenant_id, tuple->object));
  return std::optional<rebac::Tuple>(*std::move(tuple));
}

StatusOr<MethodResult> Delete(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<rebac::Tuple> tuple,
                   ManageableTuple(ctx, p.Str("tuple_id")));
  if (!tuple) return MethodResult(false);
  ASSIGN_OR_RETURN(const bool deleted,
                   Rebac(ctx).DeleteTuple(ctx.caller.tenant_id, tuple->tuple_id));
  return MethodResult(deleted);
}

StatusOr<MethodResult> Check(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string tenant, TenantOf(p, ctx));
  ASSIGN_OR_RETURN(const rebac::SubjectRef subject, SubjectParam(p, ctx, false));
  ASSIGN_OR_RETURN(const rebac::ObjectRef object, ObjectParam(p, ctx, "object"));
  ASSIGN_OR_RETURN(const bool allowed,
                   AsValidation(Rebac(ctx).Check(tenant, subject, p.Str("permission"), object)));
  return MethodResult(allowed);
}

StatusOr<MethodResult> CheckBatch(const Params& p, CallContext& ctx) {
  Json out = Json::array();
  for (const Json& check : p.Raw("checks")) {
    if (!check.is_array() || check.size() != 3 || !check[1].is_string()) {
      return InvalidArgument("checks must be a list of [subject, permission, object]");
    }
    ASSIGN_OR_RETURN(
        const Params one,
        Params::Bind("rebac_check",
                     {Required("subject", P::kArray), Required("permission", P::kString),
                      Required("object", P::kArray)},
                     Json{{"subject", check[0]}, {"permission", check[1]}, {"object", check[2]}}));
    ASSIGN_OR_RETURN(const MethodResult r, Check(one, ctx));
    out.push_back(r.result);
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Expand(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::ObjectRef object, ObjectParam(p, ctx, "object"));
  ASSIGN_OR_RETURN(
      const std::vector<rebac::SubjectRef> subjects,
      AsValidation(Rebac(ctx).Expand(ctx.caller.tenant_id, p.Str("permission"), object)));
  Json out = Json::array();
  for (const rebac::SubjectRef& s : subjects) out.push_back(Json::array({s.type, s.id}));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Explain(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string tenant, TenantOf(p, ctx));
  ASSIGN_OR_RETURN(const rebac::SubjectRef subject, SubjectParam(p, ctx, false));
  ASSIGN_OR_RETURN(const rebac::ObjectRef object, ObjectParam(p, ctx, "object"));
  ASSIGN_OR_RETURN(const rebac::Explanation e,
                   AsValidation(Rebac(ctx).Explain(tenant, subject, p.Str("permission"), object)));
  const Json path = e.allowed ? Json{{"steps", e.path}} : Json(nullptr);
  return MethodResult(
      Json{{"result", e.allowed},
           {"cached", false},
           {"reason", e.reason},
           {"paths", e.allowed ? Json::array({path}) : Json::array()},
           {"successful_path", path},
           {"metadata", {{"timestamp", FormatIsoMicros(NowMicros())}, {"tenant_id", tenant}}}});
}

StatusOr<MethodResult> ListTuples(const Params& p, CallContext& ctx) {
  rebac::TupleFilter filter;
  if (p.Has("subject")) {
    ASSIGN_OR_RETURN(filter.subject, SubjectParam(p, ctx, true));
  }
  if (p.Has("object")) {
    ASSIGN_OR_RETURN(filter.object, ObjectParam(p, ctx, "object"));
  }
  filter.relation = p.OptStr("relation");
  // Admins see their tenant's tuples; everyone else sees the tuples naming them.
  if (!ctx.caller.is_admin) {
    const rebac::SubjectRef self{ctx.caller.subject_type, ctx.caller.subject_id, ""};
    if (filter.subject && *filter.subject != self) return MethodResult(Json::array());
    filter.subject = self;
  }
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> tuples,
                   Rebac(ctx).ListTuples(ctx.caller.tenant_id, filter));
  Json out = Json::array();
  for (const rebac::Tuple& t : tuples) out.push_back(TupleJson(t));
  return MethodResult(std::move(out));
}

Status RequireAdmin(const CallContext& ctx) {
  if (ctx.caller.is_admin) return Status::OK();
  return PermissionDenied("Admin privileges required for this operation");
}

Json NamespaceJson(const rebac::NamespaceInfo& ns) {
  return Json{{"namespace_id", ns.object_type},
              {"object_type", ns.object_type},
              {"config", Json::parse(rebac::NamespaceConfigToJson(ns.config))},
              {"custom", ns.custom},
              {"created_at", ns.custom ? IsoOrNull(ns.created_at) : Json(nullptr)},
              {"updated_at", ns.custom ? IsoOrNull(ns.updated_at) : Json(nullptr)}};
}

StatusOr<MethodResult> NamespaceCreate(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(RequireAdmin(ctx));
  RETURN_IF_ERROR(AsValidation(Rebac(ctx).CreateNamespace(
      ctx.caller.tenant_id, p.Str("object_type"), p.Raw("config").dump())));
  return MethodResult(nullptr);
}

StatusOr<MethodResult> NamespaceList(const Params&, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<rebac::NamespaceInfo> all,
                   Rebac(ctx).ListNamespaces(ctx.caller.tenant_id));
  Json out = Json::array();
  for (const rebac::NamespaceInfo& ns : all) out.push_back(NamespaceJson(ns));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> NamespaceDelete(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(RequireAdmin(ctx));
  ASSIGN_OR_RETURN(const bool deleted, AsValidation(Rebac(ctx).DeleteNamespace(
                                           ctx.caller.tenant_id, p.Str("object_type"))));
  return MethodResult(deleted);
}

StatusOr<MethodResult> GetNamespace(const Params& p, CallContext& ctx) {
  StatusOr<rebac::NamespaceInfo> ns =
      Rebac(ctx).GetNamespace(ctx.caller.tenant_id, p.Str("object_type"));
  if (!ns.ok() && ns.status().code() == Code::kNotFound) return MethodResult(nullptr);
  if (!ns.ok()) return ns.status();
  return MethodResult(NamespaceJson(*ns));
}

// register_namespace({object_type, config}): namespace_create with one object parameter.
StatusOr<MethodResult> RegisterNamespace(const Params& p, CallContext& ctx) {
  const Json& ns = p.Raw("namespace");
  for (const auto& [key, value] : ns.items()) {
    if (key != "object_type" && key != "config")
      return InvalidArgument("namespace has unknown key '" + key + "'");
  }
  if (!ns.contains("object_type") || !ns["object_type"].is_string() || !ns.contains("config") ||
      !ns["config"].is_object())
    return InvalidArgument("namespace must be {object_type: string, config: object}");
  ASSIGN_OR_RETURN(
      const Params bound,
      Params::Bind("namespace_create",
                   {Required("object_type", P::kString), Required("config", P::kObject)}, ns));
  return NamespaceCreate(bound, ctx);
}

// The options of get_rebac_option / set_rebac_option. Results are cached until a tuple
// changes, never for a time, so cache_ttl is null and cannot be set.
constexpr int kMaxRebacDepth = 1000;

Status KnownOption(const std::string& key) {
  if (key == "max_depth" || key == "cache_ttl") return Status::OK();
  return Status(Code::kValidation,
                "unknown rebac option '" + key + "'; known options: cache_ttl, max_depth");
}

StatusOr<MethodResult> GetRebacOption(const Params& p, CallContext& ctx) {
  const std::string key = p.Str("key");
  RETURN_IF_ERROR(KnownOption(key));
  if (key == "max_depth") return MethodResult(Rebac(ctx).max_depth());
  return MethodResult(nullptr);
}

StatusOr<MethodResult> SetRebacOption(const Params& p, CallContext& ctx) {
  const std::string key = p.Str("key");
  RETURN_IF_ERROR(KnownOption(key));
  // The options hold for every tenant of the server, so only the system administrator sets them.
  if (!ctx.caller.is_system)
    return PermissionDenied("Access denied: rebac options are set by the system administrator");
  if (key == "cache_ttl")
    return Status(Code::kValidation,
                  "cache_ttl cannot be set: cached results last until a tuple changes");
  const Json& value = p.Raw("value");
  if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
      value.get<int64_t>() > kMaxRebacDepth)
    return Status(Code::kValidation,
                  "max_depth must be an integer from 1 to " + std::to_string(kMaxRebacDepth));
  Rebac(ctx).SetMaxDepth(value.get<int>());
  return MethodResult(nullptr);
}

// Whether `requester` may discover `subject`: it is the requester, has made itself public
// (public_discoverable), or gave the requester its consent (consent_granted).
StatusOr<bool> Discoverable(const CallContext& ctx, const rebac::SubjectRef& requester,
                            const rebac::SubjectRef& subject) {
  if (subject.type == requester.type && subject.id == requester.id) return true;
  rebac::TupleFilter filter;
  filter.object = rebac::ObjectRef{subject.type, subject.id};
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> tuples,
                   Rebac(ctx).ListTuples(ctx.caller.tenant_id, filter));
  for (const rebac::Tuple& t : tuples) {
    if (t.relation == "public_discoverable") return true;
    if (t.relation == "consent_granted" && t.subject.type == requester.type &&
        t.subject.id == requester.id)
      return true;
  }
  return false;
}

StatusOr<MethodResult> ExpandWithPrivacy(const Params& p, CallContext& ctx) {
  rebac::SubjectRef requester{ctx.caller.subject_type, ctx.caller.subject_id, ""};
  if (p.Has("requester")) {
    ASSIGN_OR_RETURN(const rebac::ObjectRef named, ObjectParam(p, ctx, "requester"));
    const bool self = named.type == requester.type && named.id == requester.id;
    if (!self && !ctx.caller.is_admin)
      return PermissionDenied("Access denied: only admins expand on behalf of another requester");
    requester = rebac::SubjectRef{named.type, named.id, ""};
  }
  ASSIGN_OR_RETURN(const MethodResult all, Expand(p, ctx));
  if (!p.Bool("respect_consent")) return all;
  Json out = Json::array();
  for (const Json& s : all.result) {
    ASSIGN_OR_RETURN(const bool shown,
                     Discoverable(ctx, requester, rebac::SubjectRef{s[0], s[1], ""}));
    if (shown) out.push_back(s);
  }
  return MethodResult(std::move(out));
}

// ---- dynamic_viewer: column views of CSV files.

// The column configuration `subject` holds on file `path` through dynamic_viewer, if any.
StatusOr<std::optional<services::ColumnConfig>> ViewerConfig(const CallContext& ctx,
                                                             const rebac::SubjectRef& subject,
                                                             const std::string& path) {
  rebac::TupleFilter filter;
  filter.subject = subject;
  filter.relation = "dynamic_viewer";
  filter.object = rebac::ObjectRef{"file", path};
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> tuples,
                   Rebac(ctx).ListTuples(ctx.caller.tenant_id, filter));
  for (const rebac::Tuple& t : tuples) {
    if (!t.conditions) continue;
    ASSIGN_OR_RETURN(services::ColumnConfig config, services::ParseColumnConfig(*t.conditions));
    return std::optional<services::ColumnConfig>(std::move(config));
  }
  return std::optional<services::ColumnConfig>();
}

bool IsCaller(const CallContext& ctx, const rebac::SubjectRef& subject) {
  return subject.type == ctx.caller.subject_type && subject.id == ctx.caller.subject_id;
}

// The file of `file_path`, stored, in the caller's tenant.
StatusOr<std::string> ViewedFile(const Params& p, const CallContext& ctx) {
  ASSIGN_OR_RETURN(const auth::ScopedPath path, auth::ScopePath(ctx.caller, p.Str("file_path")));
  if (auth::StoredPathTenant(path.stored) != ctx.caller.tenant_id && !ctx.caller.is_system)
    return PermissionDenied("Access denied: " + path.stored + " is not in the caller's tenant");
  return path.stored;
}

StatusOr<MethodResult> GetDynamicViewerConfig(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::SubjectRef subject, SubjectParam(p, ctx, false));
  ASSIGN_OR_RETURN(const std::string path, ViewedFile(p, ctx));
  // The subject may see its own view; whoever manages the file's permissions sees anyone's.
  if (!IsCaller(ctx, subject))
    RETURN_IF_ERROR(CheckManage(ctx, ctx.caller.tenant_id, {"file", path}));
  ASSIGN_OR_RETURN(const std::optional<services::ColumnConfig> config,
                   ViewerConfig(ctx, subject, path));
  if (!config) return MethodResult(nullptr);
  return MethodResult(Json::parse(services::ColumnConfigJson(*config)));
}

Json ViewJson(const services::CsvView& view) {
  Json aggregations = Json::object();
  for (const auto& [name, value] : view.aggregations)
    aggregations[name] = value ? Json(*value) : Json(nullptr);
  return Json{{"filtered_data", view.filtered_data},
              {"aggregations", std::move(aggregations)},
              {"columns_shown", view.columns_shown},
              {"aggregated_columns", view.aggregated_columns}};
}

StatusOr<MethodResult> ApplyDynamicViewerFilter(const Params& p, CallContext&) {
  if (p.Str("file_format") != "csv")
    return InvalidArgument("file_format must be csv, got '" + p.Str("file_format") + "'");
  ASSIGN_OR_RETURN(const services::ColumnConfig config,
                   services::ParseColumnConfig(p.Raw("column_config").dump()));
  ASSIGN_OR_RETURN(const services::CsvView view,
                   services::ApplyColumnConfig(p.Str("data"), config));
  return MethodResult(ViewJson(view));
}

// The subject's view of the file: filtered when it holds a dynamic_viewer configuration
// (which is what lets it read), else the whole file under the usual read permission.
StatusOr<MethodResult> ReadWithDynamicViewer(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::SubjectRef subject, SubjectParam(p, ctx, false));
  if (!IsCaller(ctx, subject) && !ctx.caller.is_admin)
    return PermissionDenied("Access denied: read as another subject needs an admin");
  ASSIGN_OR_RETURN(const std::string path, ViewedFile(p, ctx));
  ASSIGN_OR_RETURN(const std::optional<services::ColumnConfig> config,
                   ViewerConfig(ctx, subject, path));
  // With a configuration, the configuration is what lets the subject read; without one,
  // the usual read permission.
  if (!config) RETURN_IF_ERROR(ctx.session.Check(path, session::Access::kRead));
  ASSIGN_OR_RETURN(const vfs::FileContent file, ctx.session.ReadStored(path));
  if (!config) {
    Json content = IsValidUtf8(file.content) ? Json(file.content) : BytesValue(file.content);
    return MethodResult(Json{{"content", std::move(content)},
                             {"is_filtered", false},
                             {"config", nullptr},
                             {"aggregations", Json::object()},
                             {"columns_shown", Json::array()},
                             {"aggregated_columns", Json::array()}});
  }
  ASSIGN_OR_RETURN(const services::CsvView view,
                   services::ApplyColumnConfig(file.content, *config));
  Json out = ViewJson(view);
  out["content"] = out["filtered_data"];
  out.erase("filtered_data");
  out["is_filtered"] = true;
  out["config"] = Json::parse(services::ColumnConfigJson(*config));
  return MethodResult(std::move(out));
}

// "viewer" -> "shared-viewer"; anything else is a parameter error.
StatusOr<std::string> ShareRelation(const std::string& level) {
  if (level == "viewer" || level == "editor" || level == "owner") return "shared-" + level;
  return InvalidArgument("relation must be viewer, editor or owner, got '" + level + "'");
}

bool IsShare(const rebac::Tuple& t) { return t.relation.starts_with("shared-"); }

StatusOr<MethodResult> ShareWithUser(const Params& p, CallContext& ctx) {
  rebac::TupleWrite write;
  ASSIGN_OR_RETURN(write.tenant_id, TenantOf(p, ctx));
  if (p.Has("user_tenant_id") && p.Str("user_tenant_id") != write.tenant_id) {
    return PermissionDenied("Access denied: sharing across tenants is not allowed");
  }
  ASSIGN_OR_RETURN(write.object, ObjectParam(p, ctx, "resource"));
  ASSIGN_OR_RETURN(write.relation, ShareRelation(p.Str("relation")));
  write.subject = {"user", p.Str("user_id"), ""};
  ASSIGN_OR_RETURN(write.expires_at, ExpiresAt(p));
  ASSIGN_OR_RETURN(const std::string id, Grant(ctx, std::move(write)));
  return MethodResult(id);
}

StatusOr<int64_t> DeleteShares(const CallContext& ctx, const rebac::ObjectRef& object,
                               const std::string& user) {
  RETURN_IF_ERROR(CheckManage(ctx, ctx.caller.tenant_id, object));
  int64_t deleted = 0;
  for (const char* relation : {"shared-viewer", "shared-editor", "shared-owner"}) {
    rebac::TupleFilter filter;
    filter.object = object;
    filter.relation = relation;
    filter.subject = rebac::SubjectRef{"user", user, ""};
    ASSIGN_OR_RETURN(const int64_t n, Rebac(ctx).DeleteMatching(ctx.caller.tenant_id, filter));
    deleted += n;
  }
  return deleted;
}

StatusOr<MethodResult> RevokeShare(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::ObjectRef object, ObjectParam(p, ctx, "resource"));
  ASSIGN_OR_RETURN(const int64_t deleted, DeleteShares(ctx, object, p.Str("user_id")));
  return MethodResult(deleted > 0);
}

StatusOr<MethodResult> RevokeShareById(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<rebac::Tuple> tuple,
                   ManageableTuple(ctx, p.Str("share_id")));
  if (!tuple || !IsShare(*tuple)) return MethodResult(false);
  ASSIGN_OR_RETURN(const bool deleted,
                   Rebac(ctx).DeleteTuple(ctx.caller.tenant_id, tuple->tuple_id));
  return MethodResult(deleted);
}

// The shares of the caller's tenant matching `filter`, page by limit and offset.
StatusOr<std::vector<rebac::Tuple>> Shares(const Params& p, const CallContext& ctx,
                                           rebac::TupleFilter filter) {
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> tuples,
                   Rebac(ctx).ListTuples(ctx.caller.tenant_id, filter));
  std::vector<rebac::Tuple> shares;
  for (const rebac::Tuple& t : tuples) {
    if (IsShare(t)) shares.push_back(t);
  }
  const int64_t offset = std::max<int64_t>(0, p.Int("offset"));
  const int64_t limit = std::max<int64_t>(0, p.Int("limit"));
  if (offset >= static_cast<int64_t>(shares.size())) return std::vector<rebac::Tuple>{};
  shares.erase(shares.begin(), shares.begin() + offset);
  if (static_cast<int64_t>(shares.size()) > limit) shares.resize(static_cast<size_t>(limit));
  return shares;
}

StatusOr<MethodResult> ListOutgoingShares(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(TenantOf(p, ctx).status());  // only the caller's tenant is listed
  rebac::TupleFilter filter;
  if (p.Has("resource")) {
    ASSIGN_OR_RETURN(filter.object, ObjectParam(p, ctx, "resource"));
  }
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> shares, Shares(p, ctx, filter));
  Json out = Json::array();
  for (const rebac::Tuple& t : shares) {
    if (!CheckManage(ctx, t.tenant_id, t.object).ok()) continue;  // only what the caller shares
    out.push_back(Json{{"share_id", t.tuple_id},
                       {"resource_type", t.object.type},
                       {"resource_id", t.object.id},
                       {"recipient_id", t.subject.id},
                       {"permission_level", t.relation.substr(7)},
                       {"created_at", IsoOrNull(t.created_at)},
                       {"expires_at", IsoOrNull(t.expires_at)}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> ListIncomingShares(const Params& p, CallContext& ctx) {
  const std::string user = p.Str("user_id");
  if (user != ctx.caller.user_id && !ctx.caller.is_admin) {
    return PermissionDenied("Access denied: shares of another user");
  }
  rebac::TupleFilter filter;
  filter.subject = rebac::SubjectRef{"user", user, ""};
  ASSIGN_OR_RETURN(const std::vector<rebac::Tuple> shares, Shares(p, ctx, filter));
  Json out = Json::array();
  for (const rebac::Tuple& t : shares) {
    out.push_back(Json{{"share_id", t.tuple_id},
                       {"resource_type", t.object.type},
                       {"resource_id", t.object.id},
                       {"owner_tenant_id", t.tenant_id},
                       {"permission_level", t.relation.substr(7)},
                       {"created_at", IsoOrNull(t.created_at)},
                       {"expires_at", IsoOrNull(t.expires_at)}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> MakePublic(const Params& p, CallContext& ctx) {
  rebac::TupleWrite write;
  ASSIGN_OR_RETURN(write.tenant_id, TenantOf(p, ctx));
  ASSIGN_OR_RETURN(write.object, ObjectParam(p, ctx, "resource"));
  write.subject = rebac::SubjectRef::Wildcard();
  write.relation = "public_discoverable";
  ASSIGN_OR_RETURN(const std::string id, Grant(ctx, std::move(write)));
  return MethodResult(id);
}

StatusOr<MethodResult> MakePrivate(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::ObjectRef object, ObjectParam(p, ctx, "resource"));
  RETURN_IF_ERROR(CheckManage(ctx, ctx.caller.tenant_id, object));
  rebac::TupleFilter filter;
  filter.object = object;
  filter.relation = "public_discoverable";
  filter.subject = rebac::SubjectRef::Wildcard();
  ASSIGN_OR_RETURN(const int64_t deleted, Rebac(ctx).DeleteMatching(ctx.caller.tenant_id, filter));
  return MethodResult(deleted > 0);
}

// (to_subject) consent_granted (from_subject): the grantor lets the grantee discover it.
StatusOr<std::pair<rebac::SubjectRef, rebac::ObjectRef>> ConsentParties(const Params& p,
                                                                        const CallContext& ctx) {
  ASSIGN_OR_RETURN(const rebac::ObjectRef grantor, ObjectParam(p, ctx, "from_subject"));
  ASSIGN_OR_RETURN(const rebac::ObjectRef grantee, ObjectParam(p, ctx, "to_subject"));
  const bool self = grantor.type == ctx.caller.subject_type && grantor.id == ctx.caller.subject_id;
  if (!self && !ctx.caller.is_admin)
    return PermissionDenied("Access denied: only " + grantor.type + " '" + grantor.id +
                            "' gives its consent");
  return std::make_pair(rebac::SubjectRef{grantee.type, grantee.id, ""}, grantor);
}

StatusOr<MethodResult> GrantConsent(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const auto parties, ConsentParties(p, ctx));
  rebac::TupleWrite write;
  ASSIGN_OR_RETURN(write.tenant_id, TenantOf(p, ctx));
  write.subject = parties.first;
  write.relation = "consent_granted";
  write.object = parties.second;
  ASSIGN_OR_RETURN(write.expires_at, ExpiresAt(p));
  ASSIGN_OR_RETURN(const rebac::WriteResult written, AsValidation(Rebac(ctx).WriteTuple(write)));
  return MethodResult(written.tuple_id);
}

StatusOr<MethodResult> RevokeConsent(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const auto parties, ConsentParties(p, ctx));
  rebac::TupleFilter filter;
  filter.subject = parties.first;
  filter.relation = "consent_granted";
  filter.object = parties.second;
  ASSIGN_OR_RETURN(const int64_t deleted, Rebac(ctx).DeleteMatching(ctx.caller.tenant_id, filter));
  return MethodResult(deleted > 0);
}

}  // namespace

void AddRebacMethods(MethodTable& t) {
  const auto subject = Required("subject", P::kArray);
  const auto object = Required("object", P::kArray);
  const auto resource = Required("resource", P::kArray);
  const auto tenant = Optional("tenant_id", P::kString);
  const auto paging =
      std::vector<ParamSpec>{Optional("limit", P::kInt, 100), Optional("offset", P::kInt, 0)};
  t.Add({"rebac_create",
         {subject, Required("relation", P::kString), object, Optional("expires_at", P::kString),
          tenant, Optional("column_config", P::kObject)},
         Create,
         kCacheDefault});
  t.Add({"rebac_delete", {Required("tuple_id", P::kString)}, Delete, kCacheDefault});
  t.Add({"rebac_check",
         {subject, Required("permission", P::kString), object, tenant},
         Check,
         kCacheDefault});
  t.Add({"rebac_check_batch", {Required("checks", P::kArray)}, CheckBatch, kCacheDefault});
  t.Add({"rebac_expand", {Required("permission", P::kString), object}, Expand, kCacheDefault});
  t.Add({"rebac_explain",
         {subject, Required("permission", P::kString), object, tenant},
         Explain,
         kCacheDefault});
  t.Add({"rebac_list_tuples",
         {Optional("subject", P::kArray), Optional("relation", P::kString),
          Optional("object", P::kArray)},
         ListTuples,
         kCacheDefault});
  t.Add({"namespace_create",
         {Required("object_type", P::kString), Required("config", P::kObject)},
         NamespaceCreate,
         kCacheDefault});
  t.Add({"namespace_list", {}, NamespaceList, kCacheDefault});
  t.Add(
      {"namespace_delete", {Required("object_type", P::kString)}, NamespaceDelete, kCacheDefault});
  t.Add({"get_namespace", {Required("object_type", P::kString)}, GetNamespace, kCacheDefault});
  t.Add({"namespace_get", {Required("object_type", P::kString)}, GetNamespace, kCacheDefault});
  t.Add({"register_namespace",
         {Required("namespace", P::kObject)},
         RegisterNamespace,
         kCacheDefault});
  t.Add({"get_dynamic_viewer_config",
         {subject, Required("file_path", P::kString)},
         GetDynamicViewerConfig,
         kCacheDefault});
  t.Add({"apply_dynamic_viewer_filter",
         {Required("data", P::kString), Required("column_config", P::kObject),
          Optional("file_format", P::kString, "csv")},
         ApplyDynamicViewerFilter,
         kCacheDefault});
  t.Add({"read_with_dynamic_viewer",
         {Required("file_path", P::kString), subject},
         ReadWithDynamicViewer,
         kCacheDefault});
  t.Add({"get_rebac_option", {Required("key", P::kString)}, GetRebacOption, kCacheDefault});
  t.Add({"set_rebac_option",
         {Required("key", P::kString), Required("value", P::kAny)},
         SetRebacOption,
         kCacheDefault});
  t.Add({"rebac_expand_with_privacy",
         {Required("permission", P::kString), object, Optional("respect_consent", P::kBool, true),
          Optional("requester", P::kArray)},
         ExpandWithPrivacy,
         kCacheDefault});
  t.Add({"share_with_user",
         {resource, Required("user_id", P::kString), Optional("relation", P::kString, "viewer"),
          tenant, Optional("user_tenant_id", P::kString), Optional("expires_at", P::kString)},
         ShareWithUser,
         kCacheDefault});
  t.Add({"revoke_share", {resource, Required("user_id", P::kString)}, RevokeShare, kCacheDefault});
  t.Add({"revoke_share_by_id", {Required("share_id", P::kString)}, RevokeShareById, kCacheDefault});
  std::vector<ParamSpec> outgoing = {Optional("resource", P::kArray), tenant};
  outgoing.insert(outgoing.end(), paging.begin(), paging.end());
  t.Add({"list_outgoing_shares", outgoing, ListOutgoingShares, kCacheDefault});
  std::vector<ParamSpec> incoming = {Required("user_id", P::kString)};
  incoming.insert(incoming.end(), paging.begin(), paging.end());
  t.Add({"list_incoming_shares", incoming, ListIncomingShares, kCacheDefault});
  t.Add({"make_public", {resource, tenant}, MakePublic, kCacheDefault});
  t.Add({"make_private", {resource}, MakePrivate, kCacheDefault});
  const auto from = Required("from_subject", P::kArray);
  const auto to = Required("to_subject", P::kArray);
  t.Add({"grant_consent",
         {from, to, Optional("expires_at", P::kString), tenant},
         GrantConsent,
         kCacheDefault});
  t.Add({"revoke_consent", {from, to}, RevokeConsent, kCacheDefault});
}

}  // namespace nexus::rpc
