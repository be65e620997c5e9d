// The agent methods of api.md §6.6, scoped to the caller's tenant.
#include "rpc/method_table.h"
#include "services/agents/agents.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

services::AgentCaller CallerOf(const CallContext& ctx) {
  return services::AgentCaller{ctx.caller.tenant_id, ctx.caller.user_id, ctx.caller.is_admin};
}

Json ListedJson(const services::AgentRecord& a) {
  Json out{{"agent_id", a.agent_id},
           {"user_id", a.user_id},
           {"name", a.name},
           {"created_at", FormatIsoMicros(a.created_at)},
           {"has_api_key", a.has_api_key},
           {"inherit_permissions", a.inherit_permissions}};
  if (!a.description.empty()) out["description"] = a.description;
  return out;
}

StatusOr<MethodResult> Register(const Params& p, CallContext& ctx) {
  services::NewAgent agent{
      p.Str("agent_id"),          p.Str("name"),
      p.Str("description"),       p.Has("metadata") ? p.Raw("metadata").dump() : "",
      p.Bool("generate_api_key"), p.Bool("inherit_permissions")};
  ASSIGN_OR_RETURN(const auto registered, ctx.services.agents->Register(CallerOf(ctx), agent));
  const services::AgentRecord& a = registered.first;
  Json out{
      {"agent_id", a.agent_id},
      {"user_id", a.user_id},
      {"name", a.name},
      {"tenant_id", a.tenant_id},
      {"metadata", a.description.empty() ? Json::object() : Json{{"description", a.description}}},
      {"created_at", FormatIsoMicros(a.created_at)},
      {"config_path", a.config_path},
      {"has_api_key", a.has_api_key}};
  if (!registered.second.empty()) out["api_key"] = registered.second;
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> List(const Params&, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<services::AgentRecord> all,
                   ctx.services.agents->List(CallerOf(ctx)));
  Json out = Json::array();
  for (const services::AgentRecord& a : all) out.push_back(ListedJson(a));
  return MethodResult(std::move(out));
}

// What get_agent and update_agent answer: the listed fields plus where the agent lives.
Json DetailJson(const services::AgentRecord& a) {
  Json out = ListedJson(a);
  out["tenant_id"] = a.tenant_id;
  out["config_path"] = a.config_path;
  if (!a.metadata_json.empty()) out["metadata"] = Json::parse(a.metadata_json);
  return out;
}

StatusOr<MethodResult> Get(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<services::AgentRecord> a,
                   ctx.services.agents->Get(CallerOf(ctx), p.Str("agent_id")));
  if (!a) return MethodResult(nullptr);
  return MethodResult(DetailJson(*a));
}

StatusOr<MethodResult> Update(const Params& p, CallContext& ctx) {
  services::AgentUpdate update;
  if (p.Has("name")) update.name = p.Str("name");
  if (p.Has("description")) update.description = p.Str("description");
  if (p.Has("metadata")) update.metadata_json = p.Raw("metadata").dump();
  ASSIGN_OR_RETURN(const services::AgentRecord a,
                   ctx.services.agents->Update(CallerOf(ctx), p.Str("agent_id"), update));
  return MethodResult(DetailJson(a));
}

StatusOr<MethodResult> Delete(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const bool deleted,
                   ctx.services.agents->Delete(CallerOf(ctx), p.Str("agent_id")));
  return MethodResult(deleted);
}

}  // namespace

void AddAgentMethods(MethodTable& t) {
  const auto id = Required("agent_id", P::kString);
  t.Add({"register_agent",
         {id, Required("name", P::kString), Optional("description", P::kString),
          Optional("generate_api_key", P::kBool, false),
          Optional("inherit_permissions", P::kBool, false), Optional("metadata", P::kObject)},
         Register,
         kCacheDefault});
  t.Add({"list_agents", {}, List, kCacheDefault});
  t.Add({"get_agent", {id}, Get, kCacheDefault});
  t.Add({"update_agent",
         {id, Optional("name", P::kString), Optional("description", P::kString),
          Optional("metadata", P::kObject)},
         Update,
         kCacheDefault});
  t.Add({"delete_agent", {id}, Delete, kCacheDefault});
}

}  // namespace nexus::rpc
