#include "services/mcp_mounts/mcp_mounts.h"

#include <nlohmann/json.hpp>

#include "storage/rows.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/url.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string, std::string>>;
using storage::Row;
using storage::Tx;

constexpr const char* kColumns =
    "tenant_id, name, transport, url, sealed_headers, description, tier, tools, mounted, "
    "last_sync";

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.find("__") != std::string::npos) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

Json ToolsArray(const std::vector<McpTool>& tools) {
  Json out = Json::array();
  for (const McpTool& t : tools) {
    out.push_back(Json{{"name", t.name},
                       {"description", t.description},
                       {"input_schema", Json::parse(t.input_schema_json, nullptr, false)}});
  }
  return out;
}

std::vector<McpTool> ToolsOf(const std::string& text) {
  std::vector<McpTool> tools;
  const Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_array()) return tools;
  for (const Json& t : parsed) {
    tools.push_back(McpTool{t.value("name", ""), t.value("description", ""),
                            t.contains("input_schema") ? t["input_schema"].dump() : "{}"});
  }
  return tools;
}

McpMount MountFromRow(const Row& r) {
  McpMount m;
  m.tenant_id = r.Text(0);
  m.name = r.Text(1);
  m.transport = r.Text(2);
  m.url = r.OptText(3).value_or("");
  m.description = r.OptText(5).value_or("");
  m.tier = r.Text(6);
  m.tools = ToolsOf(r.Text(7));
  m.mounted = r.Int(8) != 0;
  m.last_sync = r.OptInt(9);
  return m;
}

std::string SealedWith(const std::string& tenant_id, const std::string& name) {
  return "mcp_mount:" + tenant_id + "/" + name;
}

Status NotMounted(const std::string& name) {
  return Status(Code::kValidation, "MCP server '" + name + "' is not mounted");
}

Status NeedAdmin(const auth::Identity& caller, const char* what) {
  if (caller.is_admin) return Status::OK();
  return PermissionDenied(std::string("only a tenant administrator may ") + what + " MCP servers");
}

}  // namespace

std::string ToolsJson(const std::vector<McpTool>& tools) { return ToolsArray(tools).dump(); }

McpMountService::McpMountService(storage::Engine& engine, OutboundHttp& http, Aead sealer,
                                 McpMountOptions options)
    : engine_(engine), http_(http), sealer_(std::move(sealer)), options_(options) {}

McpMountService::~McpMountService() = default;

McpHttpTarget McpMountService::TargetOf(std::string url, Pairs headers) const {
  McpHttpTarget target;
  target.url = std::move(url);
  target.headers = std::move(headers);
  target.public_addresses_only = !options_.allow_private_networks;
  return target;
}

StatusOr<McpMount> McpMountService::Mount(const auth::Identity& caller, McpMountSpec spec) {
  RETURN_IF_ERROR(NeedAdmin(caller, "mount"));
  if (!ValidName(spec.name)) {
    return Status(Code::kValidation,
                  "an MCP mount's name is 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter "
                  "or digit and without '__': " +
                      spec.name);
  }
  if (spec.command.empty() == spec.url.empty())
    return Status(Code::kValidation, "give exactly one of command and url");
  if (!spec.command.empty() || spec.transport == "stdio") {
    return Status(Code::kValidation,
                  "stdio MCP servers cannot be mounted on this server yet (they will run in a "
                  "sandbox); mount a Streamable HTTP server with url");
  }
  if (!spec.transport.empty() && spec.transport != "http")
    return Status(Code::kValidation,
                  "the MCP transport " + spec.transport +
                      " is not supported; mount a Streamable HTTP server (http)");
  if (StatusOr<HttpUrl> url = ParseHttpUrl(spec.url); !url.ok())
    return Status(Code::kValidation, "bad MCP server url: " + url.status().message());
  auto client = std::make_shared<McpHttpClient>(http_, TargetOf(spec.url, spec.headers));
  StatusOr<std::vector<McpTool>> tools = client->ListTools();
  if (!tools.ok()) {
    return Status(Code::kValidation, "cannot list the tools of MCP server " + spec.url + ": " +
                                         tools.status().message());
  }
  McpMount mount;
  mount.tenant_id = caller.tenant_id;
  mount.name = spec.name;
  mount.transport = "http";
  mount.url = spec.url;
  mount.description = spec.description;
  mount.tier = spec.tier;
  mount.mounted = true;
  mount.tools = std::move(tools).value();
  mount.last_sync = NowMicros();
  RETURN_IF_ERROR(Save(mount, spec.headers));
  MutexLock lock(&mu_);
  clients_[{mount.tenant_id, mount.name}] = std::move(client);
  return mount;
}

Status McpMountService::Save(const McpMount& mount, const Pairs& headers) {
  Json header_json = Json::object();
  for (const auto& [name, value] : headers) header_json[name] = value;
  ASSIGN_OR_RETURN(const std::string sealed,
                   sealer_.Seal(header_json.dump(), SealedWith(mount.tenant_id, mount.name)));
  // In the order of kColumns, then tool_count and created_at.
  const storage::Params row = {mount.tenant_id,
                               mount.name,
                               mount.transport,
                               mount.url,
                               Base64Encode(sealed),
                               mount.description,
                               mount.tier,
                               ToolsJson(mount.tools),
                               int64_t{1},
                               storage::OptionalValue(mount.last_sync),
                               static_cast<int64_t>(mount.tools.size()),
                               NowMicros()};
  return engine_.Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM mcp_mounts WHERE tenant_id = ? AND name = ?",
                            {mount.tenant_id, mount.name})
                        .status());
    return tx
        .Exec(std::string("INSERT INTO mcp_mounts (") + kColumns +
                  ", tool_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              row)
        .status();
  });
}

StatusOr<std::vector<McpMount>> McpMountService::List(const std::string& tenant_id,
                                                      const std::optional<std::string>& tier,
                                                      bool include_unmounted) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM mcp_mounts WHERE tenant_id = ?";
  storage::Params params = {tenant_id};
  if (tier) {
    sql += " AND tier = ?";
    params.push_back(*tier);
  }
  if (!include_unmounted) sql += " AND mounted = 1";
  return storage::ReadAll(engine_, sql + " ORDER BY name", params, MountFromRow);
}

StatusOr<McpMount> McpMountService::Find(const std::string& tenant_id, const std::string& name) {
  ASSIGN_OR_RETURN(const std::vector<McpMount> found,
                   storage::ReadAll(engine_,
                                    std::string("SELECT ") + kColumns +
                                        " FROM mcp_mounts WHERE tenant_id = ? AND name = ? AND "
                                        "mounted = 1",
                                    {tenant_id, name}, MountFromRow));
  if (found.empty()) return NotMounted(name);
  return found.front();
}

StatusOr<std::shared_ptr<McpHttpClient>> McpMountService::ClientOf(const std::string& tenant_id,
                                                                   const std::string& name) {
  {
    MutexLock lock(&mu_);
    if (const auto it = clients_.find({tenant_id, name}); it != clients_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(const McpMount mount, Find(tenant_id, name));
  ASSIGN_OR_RETURN(const std::vector<std::string> sealed,
                   storage::ReadAll(
                       engine_,
                       "SELECT sealed_headers FROM mcp_mounts WHERE tenant_id = ? "
                       "AND name = ?",
                       {tenant_id, name}, +[](const Row& r) { return r.Text(0); }));
  if (sealed.empty()) return NotMounted(name);
  ASSIGN_OR_RETURN(const std::string raw, Base64Decode(sealed.front()));
  ASSIGN_OR_RETURN(const std::string opened, sealer_.Open(raw, SealedWith(tenant_id, name)));
  Pairs headers;
  const Json header_json = Json::parse(opened, nullptr, false);
  for (const auto& [key, value] : header_json.items()) {
    if (value.is_string()) headers.emplace_back(key, value.get<std::string>());
  }
  auto client = std::make_shared<McpHttpClient>(http_, TargetOf(mount.url, std::move(headers)));
  MutexLock lock(&mu_);
  return clients_.try_emplace({tenant_id, name}, std::move(client)).first->second;
}

void McpMountService::Forget(const std::string& tenant_id, const std::string& name) {
  MutexLock lock(&mu_);
  clients_.erase({tenant_id, name});
}

Status McpMountService::SaveTools(const std::string& tenant_id, const std::string& name,
                                  const std::vector<McpTool>& tools) {
  return engine_.Write([&](Tx& tx) -> Status {
    return tx
        .Exec(
            "UPDATE mcp_mounts SET tools = ?, tool_count = ?, last_sync = ? WHERE tenant_id = ? "
            "AND name = ?",
            {ToolsJson(tools), static_cast<int64_t>(tools.size()), NowMicros(), tenant_id, name})
        .status();
  });
}

StatusOr<McpMount> McpMountService::Sync(const auth::Identity& caller, const std::string& name) {
  RETURN_IF_ERROR(NeedAdmin(caller, "sync"));
  ASSIGN_OR_RETURN(const std::shared_ptr<McpHttpClient> client, ClientOf(caller.tenant_id, name));
  StatusOr<std::vector<McpTool>> tools = client->ListTools();
  if (!tools.ok()) {
    return Status(Code::kValidation,
                  "cannot list the tools of MCP mount " + name + ": " + tools.status().message());
  }
  RETURN_IF_ERROR(SaveTools(caller.tenant_id, name, *tools));
  return Find(caller.tenant_id, name);
}

Status McpMountService::Unmount(const auth::Identity& caller, const std::string& name) {
  RETURN_IF_ERROR(NeedAdmin(caller, "unmount"));
  int64_t changed = 0;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(changed, tx.Exec("UPDATE mcp_mounts SET mounted = 0 WHERE tenant_id = ? AND "
                                      "name = ? AND mounted = 1",
                                      {caller.tenant_id, name}));
    return Status::OK();
  }));
  Forget(caller.tenant_id, name);
  if (changed == 0) return NotMounted(name);
  return Status::OK();
}

StatusOr<std::string> McpMountService::CallTool(const std::string& tenant_id,
                                                const std::string& name, const std::string& tool,
                                                const std::string& arguments_json) {
  ASSIGN_OR_RETURN(const std::shared_ptr<McpHttpClient> client, ClientOf(tenant_id, name));
  return client->CallTool(tool, arguments_json);
}

}  // namespace nexus::services
