// The sandbox methods of api.md §6.9 over the sandbox service.
#include "rpc/method_table.h"
#include "services/sandboxes/sandboxes.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

StatusOr<services::SandboxService*> Sandboxes(const CallContext& ctx) {
  if (ctx.services.sandboxes == nullptr)
    return Status(Code::kValidation, "sandboxes are not enabled on this server");
  return ctx.services.sandboxes;
}

services::SandboxCaller CallerOf(const CallContext& ctx) {
  return services::SandboxCaller{ctx.caller.tenant_id, ctx.caller.user_id, ctx.caller.agent_id,
                                 ctx.caller.is_admin};
}

Json RecordJson(const services::SandboxRecord& r) {
  const int64_t end = r.stopped_at.value_or(NowMicros());
  Json out{{"sandbox_id", r.sandbox_id},
           {"name", r.name},
           {"user_id", r.user_id},
           {"agent_id", r.agent_id.empty() ? Json(nullptr) : Json(r.agent_id)},
           {"tenant_id", r.tenant_id},
           {"provider", r.provider},
           {"template_id", r.template_id.empty() ? Json(nullptr) : Json(r.template_id)},
           {"status", r.status},
           {"created_at", IsoOrNull(r.created_at)},
           {"last_active_at", IsoOrNull(r.last_active_at)},
           {"paused_at", IsoOrNull(r.paused_at)},
           {"stopped_at", IsoOrNull(r.stopped_at)},
           {"ttl_minutes", r.ttl_minutes},
           {"expires_at", IsoOrNull(r.expires_at)},
           {"uptime_seconds", static_cast<double>(end - r.created_at) / 1e6},
           {"connected", r.connected}};
  if (!r.requested_provider.empty()) out["requested_provider"] = r.requested_provider;
  return out;
}

using RecordOp = StatusOr<services::SandboxRecord> (services::SandboxService::*)(
    const services::SandboxCaller&, const std::string&);

// A handler applying `op` to the sandbox named by the `sandbox_id` parameter.
Handler RecordHandler(RecordOp op) {
  return [op](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
    ASSIGN_OR_RETURN(const services::SandboxRecord record,
                     (sandboxes->*op)(CallerOf(ctx), p.Str("sandbox_id")));
    return MethodResult(RecordJson(record));
  };
}

StatusOr<MethodResult> Create(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  ASSIGN_OR_RETURN(const services::SandboxRecord record,
                   sandboxes->Create(CallerOf(ctx), p.Str("name"), p.Int("ttl_minutes"),
                                     p.Str("provider"), p.Str("template_id")));
  return MethodResult(RecordJson(record));
}

StatusOr<MethodResult> GetOrCreate(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  const bool verify = p.Bool("verify_status");
  ASSIGN_OR_RETURN(const services::SandboxRecord record,
                   sandboxes->GetOrCreate(CallerOf(ctx), p.Str("name"), p.Int("ttl_minutes"),
                                          p.Str("provider"), p.Str("template_id"), verify));
  Json out = RecordJson(record);
  if (verify) {
    out["verified"] = true;
    out["provider_status"] = record.status;
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Run(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  ASSIGN_OR_RETURN(const sandbox::RunResult r,
                   sandboxes->Run(CallerOf(ctx), p.Str("sandbox_id"), p.Str("language"),
                                  p.Str("code"), p.Int("timeout")));
  return MethodResult(Json{{"stdout", r.stdout_text},
                           {"stderr", r.stderr_text},
                           {"exit_code", r.exit_code},
                           {"execution_time", static_cast<double>(r.execution_time_ms) / 1000.0},
                           {"timed_out", r.timed_out},
                           {"truncated", r.truncated},
                           {"killed_by", r.killed_by.empty() ? Json(nullptr) : Json(r.killed_by)}});
}

StatusOr<MethodResult> List(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  services::SandboxListFilter filter{p.OptStr("user_id"), p.OptStr("agent_id"), p.OptStr("status")};
  if (p.Has("tenant_id") && p.Str("tenant_id") != ctx.caller.tenant_id)
    return MethodResult(Json{{"sandboxes", Json::array()}});
  ASSIGN_OR_RETURN(const std::vector<services::SandboxRecord> all,
                   sandboxes->List(CallerOf(ctx), filter));
  Json out = Json::array();
  for (const services::SandboxRecord& r : all) {
    Json item = RecordJson(r);
    if (p.Bool("verify_status")) {
      item["verified"] = true;
      item["provider_status"] = r.status;
    }
    out.push_back(std::move(item));
  }
  return MethodResult(Json{{"sandboxes", std::move(out)}});
}

StatusOr<MethodResult> Connect(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  ASSIGN_OR_RETURN(const services::SandboxRecord record,
                   sandboxes->Connect(CallerOf(ctx), p.Str("sandbox_id"), p.Str("nexus_api_key")));
  return MethodResult(
      Json{{"success", true},
           {"sandbox_id", record.sandbox_id},
           {"provider", record.provider},
           {"mount_path", p.Str("mount_path")},
           {"mounted_at", FormatIsoMicros(NowMicros())},
           {"mount_status", {{"connected", true}, {"nexus_url", "unix:///run/nexus/nexus.sock"}}}});
}

StatusOr<MethodResult> Disconnect(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::SandboxService * sandboxes, Sandboxes(ctx));
  ASSIGN_OR_RETURN(const services::SandboxRecord record,
                   sandboxes->Disconnect(CallerOf(ctx), p.Str("sandbox_id")));
  return MethodResult(Json{{"success", true},
                           {"sandbox_id", record.sandbox_id},
                           {"provider", record.provider},
                           {"unmounted_at", FormatIsoMicros(NowMicros())}});
}

}  // namespace

void AddSandboxMethods(MethodTable& t) {
  const auto id = Required("sandbox_id", P::kString);
  const auto name = Required("name", P::kString);
  const auto ttl = Optional("ttl_minutes", P::kInt, 10);
  const auto provider = Optional("provider", P::kString);
  const auto template_id = Optional("template_id", P::kString);
  t.Add({"sandbox_create", {name, ttl, provider, template_id}, Create, kCacheDefault});
  t.Add({"sandbox_get_or_create",
         {name, ttl, provider, template_id, Optional("verify_status", P::kBool, true)},
         GetOrCreate,
         kCacheDefault});
  t.Add({"sandbox_run",
         {id, Required("language", P::kString), Required("code", P::kString),
          Optional("timeout", P::kInt, 300), Optional("nexus_url", P::kString),
          Optional("nexus_api_key", P::kString)},
         Run,
         kCacheDefault});
  t.Add({"sandbox_pause", {id}, RecordHandler(&services::SandboxService::Pause), kCacheDefault});
  t.Add({"sandbox_resume", {id}, RecordHandler(&services::SandboxService::Resume), kCacheDefault});
  t.Add({"sandbox_stop", {id}, RecordHandler(&services::SandboxService::Stop), kCacheDefault});
  t.Add({"sandbox_status", {id}, RecordHandler(&services::SandboxService::Get), kCacheDefault});
  t.Add({"sandbox_list",
         {Optional("verify_status", P::kBool, false), Optional("user_id", P::kString),
          Optional("tenant_id", P::kString), Optional("agent_id", P::kString),
          Optional("status", P::kString)},
         List,
         kCacheDefault});
  t.Add({"sandbox_connect",
         {id, Optional("provider", P::kString), Optional("sandbox_api_key", P::kString),
          Optional("mount_path", P::kString, "/mnt/nexus"), Optional("nexus_url", P::kString),
          Optional("nexus_api_key", P::kString), Optional("agent_id", P::kString)},
         Connect,
         kCacheDefault});
  t.Add({"sandbox_disconnect",
         {id, Optional("provider", P::kString), Optional("sandbox_api_key", P::kString)},
         Disconnect,
         kCacheDefault});
}

}  // namespace nexus::rpc
