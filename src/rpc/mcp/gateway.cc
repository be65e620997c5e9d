#include "rpc/mcp/gateway.h"

#include "rebac/rebac.h"
#include "services/mcp_mounts/mcp_mounts.h"

namespace nexus::rpc::mcp {
namespace {

Json ErrorResult(const std::string& message) {
  return Json{{"content", Json::array({Json{{"type", "text"}, {"text", "Error: " + message}}})},
              {"isError", true}};
}

}  // namespace

StatusOr<bool> MayUseMount(const session::Services& services, const auth::Identity& who,
                           const std::string& mount, const char* permission) {
  if (who.is_admin) return true;
  if (services.rebac == nullptr) return false;
  return services.rebac->Check(who.tenant_id, rebac::SubjectRef{who.subject_type, who.subject_id},
                               permission, rebac::ObjectRef{"mcp_server", mount});
}

StatusOr<Json> GatewayTools(const MethodCaller& c) {
  Json tools = Json::array();
  services::McpMountService* mounts = c.services().mcp_mounts;
  if (mounts == nullptr) return tools;
  ASSIGN_OR_RETURN(const std::vector<services::McpMount> all,
                   mounts->List(c.caller().tenant_id, std::nullopt, false));
  for (const services::McpMount& m : all) {
    ASSIGN_OR_RETURN(const bool visible, MayUseMount(c.services(), c.caller(), m.name, "list"));
    if (!visible) continue;
    for (const services::McpTool& t : m.tools) {
      Json schema = Json::parse(t.input_schema_json, nullptr, false);
      if (!schema.is_object() || schema.value("type", "") != "object")
        schema = Json{{"type", "object"}};
      tools.push_back(Json{{"name", m.name + kGatewaySeparator + t.name},
                           {"title", t.name + " (" + m.name + ")"},
                           {"description", t.description},
                           {"inputSchema", std::move(schema)}});
    }
  }
  return tools;
}

StatusOr<Json> CallGatewayTool(const MethodCaller& c, const std::string& name, Json arguments) {
  const size_t separator = name.find(kGatewaySeparator);
  services::McpMountService* mounts = c.services().mcp_mounts;
  if (separator == std::string::npos || mounts == nullptr) return NotFound("Unknown tool: " + name);
  const std::string mount = name.substr(0, separator);
  const std::string tool = name.substr(separator + 2);
  StatusOr<services::McpMount> found = mounts->Find(c.caller().tenant_id, mount);
  if (!found.ok()) return NotFound("Unknown tool: " + name);
  bool offered = false;
  for (const services::McpTool& t : found->tools) offered |= t.name == tool;
  ASSIGN_OR_RETURN(const bool visible, MayUseMount(c.services(), c.caller(), mount, "list"));
  if (!offered || !visible) return NotFound("Unknown tool: " + name);
  ASSIGN_OR_RETURN(const bool callable, MayUseMount(c.services(), c.caller(), mount, "call"));
  if (!callable) {
    return ErrorResult("Permission denied: " + c.caller().subject_type + " " +
                       c.caller().subject_id + " may not call the tools of MCP server " + mount);
  }
  if (arguments.is_null()) arguments = Json::object();
  if (!arguments.is_object()) return ErrorResult("arguments must be an object");
  StatusOr<std::string> result = mounts->CallTool(*found, tool, arguments.dump());
  if (!result.ok()) return ErrorResult("MCP server " + mount + ": " + result.status().message());
  Json answer = Json::parse(*result, nullptr, false);
  if (!answer.is_object()) return ErrorResult("MCP server " + mount + " answered no result");
  return answer;
}

}  // namespace nexus::rpc::mcp
