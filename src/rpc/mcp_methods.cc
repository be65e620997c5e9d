// The MCP mount methods of api.md §6.10 over services/mcp_mounts: mount an external MCP
// server for the caller's tenant, list mounts and their tools, sync, unmount.
#include "rpc/mcp/gateway.h"
#include "rpc/method_table.h"
#include "services/mcp_mounts/mcp_mounts.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

StatusOr<services::McpMountService*> Mounts(const CallContext& ctx) {
  if (ctx.services.mcp_mounts == nullptr)
    return Status(Code::kValidation, "MCP mounts are not available on this server");
  return ctx.services.mcp_mounts;
}

Status CheckTier(const Params& p) {
  if (!p.Has("tier")) return Status::OK();
  const std::string tier = p.Str("tier");
  if (tier == "user" || tier == "tenant" || tier == "system") return Status::OK();
  return InvalidArgument("tier must be user, tenant or system, got '" + tier + "'");
}

std::vector<std::pair<std::string, std::string>> StringPairs(const Json& object, const char* what,
                                                             Status* status) {
  std::vector<std::pair<std::string, std::string>> out;
  if (object.is_null()) return out;
  for (const auto& [key, value] : object.items()) {
    if (!value.is_string()) {
      *status = InvalidArgument(std::string(what) + " values must be strings: " + key);
      return {};
    }
    out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

Json MountJson(const services::McpMount& m) {
  return Json{{"name", m.name},
              {"description", m.description},
              {"transport", m.transport},
              {"mounted", m.mounted},
              {"tool_count", m.tools.size()},
              {"last_sync", IsoOrNull(m.last_sync)},
              {"tools_path", "/mcp/" + m.name}};
}

StatusOr<MethodResult> Mount(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(CheckTier(p));
  if (p.Has("transport")) {
    const std::string transport = p.Str("transport");
    if (transport != "stdio" && transport != "sse" && transport != "http")
      return InvalidArgument("transport must be stdio, sse or http, got '" + transport + "'");
  }
  ASSIGN_OR_RETURN(services::McpMountService * mounts, Mounts(ctx));
  services::McpMountSpec spec;
  spec.name = p.Str("name");
  spec.transport = p.OptStr("transport").value_or("");
  spec.command = p.OptStr("command").value_or("");
  if (p.Has("args")) spec.args = p.StrList("args");
  Status bad = Status::OK();
  spec.env = StringPairs(p.Raw("env"), "env", &bad);
  spec.headers = StringPairs(p.Raw("headers"), "headers", &bad);
  RETURN_IF_ERROR(bad);
  spec.url = p.OptStr("url").value_or("");
  spec.description = p.OptStr("description").value_or("");
  spec.tier = p.Str("tier");
  ASSIGN_OR_RETURN(const services::McpMount m, mounts->Mount(ctx.caller, std::move(spec)));
  return MethodResult(Json{{"name", m.name},
                           {"transport", m.transport},
                           {"mounted", true},
                           {"tool_count", m.tools.size()}});
}

StatusOr<MethodResult> ListMounts(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(CheckTier(p));
  ASSIGN_OR_RETURN(services::McpMountService * mounts, Mounts(ctx));
  ASSIGN_OR_RETURN(
      const std::vector<services::McpMount> all,
      mounts->List(ctx.caller.tenant_id, p.OptStr("tier"), p.Bool("include_unmounted")));
  // A mount the caller may not list does not exist for them, here as in the gateway.
  Json out = Json::array();
  for (const services::McpMount& m : all) {
    ASSIGN_OR_RETURN(const bool visible,
                     mcp::MayUseMount(ctx.services, ctx.caller, m.name, "list"));
    if (visible) out.push_back(MountJson(m));
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> ListTools(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::McpMountService * mounts, Mounts(ctx));
  ASSIGN_OR_RETURN(const services::McpMount m, mounts->Find(ctx.caller.tenant_id, p.Str("name")));
  ASSIGN_OR_RETURN(const bool visible, mcp::MayUseMount(ctx.services, ctx.caller, m.name, "list"));
  if (!visible) return Status(Code::kValidation, "MCP server '" + m.name + "' is not mounted");
  return MethodResult(Json::parse(services::ToolsJson(m.tools)));
}

StatusOr<MethodResult> Sync(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::McpMountService * mounts, Mounts(ctx));
  ASSIGN_OR_RETURN(const services::McpMount m, mounts->Sync(ctx.caller, p.Str("name")));
  return MethodResult(Json{{"name", m.name}, {"tool_count", m.tools.size()}});
}

StatusOr<MethodResult> Unmount(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::McpMountService * mounts, Mounts(ctx));
  RETURN_IF_ERROR(mounts->Unmount(ctx.caller, p.Str("name")));
  return MethodResult(Json{{"success", true}, {"name", p.Str("name")}});
}

}  // namespace

void AddMcpMethods(MethodTable& t) {
  const auto name = Required("name", P::kString);
  t.Add({"mcp_list_mounts",
         {Optional("tier", P::kString), Optional("include_unmounted", P::kBool, true)},
         ListMounts,
         kCacheDefault});
  t.Add({"mcp_list_tools", {name}, ListTools, kCacheDefault});
  t.Add({"mcp_mount",
         {name, Optional("transport", P::kString), Optional("command", P::kString),
          Optional("url", P::kString), Optional("args", P::kStringList),
          Optional("env", P::kObject), Optional("headers", P::kObject),
          Optional("description", P::kString), Optional("tier", P::kString, "system")},
         Mount,
         kCacheDefault});
  t.Add({"mcp_unmount", {name}, Unmount, kCacheDefault});
  t.Add({"mcp_sync", {name}, Sync, kCacheDefault});
}

}  // namespace nexus::rpc
