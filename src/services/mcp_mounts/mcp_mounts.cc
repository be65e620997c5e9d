#include "services/mcp_mounts/mcp_mounts.h"

#include <nlohmann/json.hpp>

#include "services/mcp_mounts/mcp_http_connection.h"
#include "services/mcp_mounts/mcp_stdio_connection.h"
#include "storage/rows.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/url.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;
using Pairs = std::vector<std::pair<std::string, std::string>>;
using storage::Row;
using storage::Tx;

constexpr const char* kColumns =
    "tenant_id, name, transport, url, command, args, description, tier, tools, mounted, "
    "last_sync, created_at";
// A stdio server's limits: those of a sandbox, but CPU for a long life (each process is
// started again by the next call once it is gone).
constexpr int64_t kServerCpuSeconds = 3600;

bool ValidName(const std::string& name) {
  // No "__" and no trailing '_': the first "__" of a gateway tool name is then the separator.
  if (name.empty() || name.size() > 64 || name.find("__") != std::string::npos ||
      name.back() == '_')
    return false;
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

std::vector<std::string> StringsOf(const std::optional<std::string>& text) {
  std::vector<std::string> out;
  const Json parsed = Json::parse(text.value_or("[]"), nullptr, false);
  if (!parsed.is_array()) return out;
  for (const Json& s : parsed) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

McpMount MountFromRow(const Row& r) {
  McpMount m;
  m.tenant_id = r.Text(0);
  m.name = r.Text(1);
  m.transport = r.Text(2);
  m.url = r.OptText(3).value_or("");
  m.command = r.OptText(4).value_or("");
  m.args = StringsOf(r.OptText(5));
  m.description = r.OptText(6).value_or("");
  m.tier = r.Text(7);
  m.tools = ToolsOf(r.Text(8));
  m.mounted = r.Int(9) != 0;
  m.last_sync = r.OptInt(10);
  m.created_at = r.Int(11);
  return m;
}

Json PairsJson(const Pairs& pairs) {
  Json out = Json::object();
  for (const auto& [name, value] : pairs) out[name] = value;
  return out;
}

Pairs PairsOf(const std::string& text) {
  Pairs out;
  const Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) out.emplace_back(key, value.get<std::string>());
  }
  return out;
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

// A stored secret (base64 of the sealed JSON object) in the clear.
StatusOr<Pairs> Unsealed(const Aead& sealer, const std::string& stored,
                         const std::string& sealed_with) {
  ASSIGN_OR_RETURN(const std::string raw, Base64Decode(stored));
  ASSIGN_OR_RETURN(const std::string opened, sealer.Open(raw, sealed_with));
  return PairsOf(opened);
}

}  // namespace

std::string ToolsJson(const std::vector<McpTool>& tools) { return ToolsArray(tools).dump(); }

McpMountService::McpMountService(storage::Engine& engine, OutboundHttp& http, Aead sealer,
                                 McpMountOptions options)
    : engine_(engine), http_(http), sealer_(std::move(sealer)), options_(options) {}

McpMountService::~McpMountService() = default;

StatusOr<std::shared_ptr<McpClient>> McpMountService::ClientFor(const std::string& tenant_id,
                                                                const McpMountSpec& spec) const {
  if (!spec.url.empty()) {
    McpHttpTarget target;
    target.url = spec.url;
    target.headers = spec.headers;
    target.public_addresses_only = !options_.allow_private_networks;
    return std::make_shared<McpClient>(
        std::make_unique<McpHttpConnection>(http_, std::move(target)));
  }
  if (options_.sandboxes == nullptr)
    return Status(Code::kValidation,
                  "stdio MCP servers run in sandboxes, which are off on this server");
  McpStdioTarget target;
  target.provider = options_.sandboxes;
  // One sandbox (and so one uid) per tenant and mount.
  target.spec.id = "mcp-" + Sha256Hex(tenant_id + "/" + spec.name).substr(0, 32);
  target.spec.limits.cpu_seconds = kServerCpuSeconds;
  target.start.argv.push_back(spec.command);
  target.start.argv.insert(target.start.argv.end(), spec.args.begin(), spec.args.end());
  target.start.env = spec.env;
  target.start.read_only_dirs = options_.server_dirs;
  return std::make_shared<McpClient>(std::make_unique<McpStdioConnection>(std::move(target)));
}

StatusOr<McpMount> McpMountService::Mount(const auth::Identity& caller, McpMountSpec spec) {
  RETURN_IF_ERROR(NeedAdmin(caller, "mount"));
  if (!ValidName(spec.name)) {
    return Status(Code::kValidation,
                  "an MCP mount's name is 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter "
                  "or digit, not ending with '_' and without '__': " +
                      spec.name);
  }
  if (spec.command.empty() == spec.url.empty())
    return Status(Code::kValidation, "give exactly one of command and url");
  const std::string transport = spec.command.empty() ? "http" : "stdio";
  if (!spec.transport.empty() && spec.transport != transport) {
    return Status(Code::kValidation, "the MCP transport " + spec.transport + " does not go with " +
                                         (transport == "http" ? "a url" : "a command") +
                                         " (SSE servers: mount their Streamable HTTP endpoint)");
  }
  if (!spec.url.empty()) {
    if (StatusOr<HttpUrl> url = ParseHttpUrl(spec.url); !url.ok())
      return Status(Code::kValidation, "bad MCP server url: " + url.status().message());
  }
  if (!spec.headers.empty() && transport == "stdio")
    return Status(Code::kValidation, "headers go with a url; a stdio server takes env");
  ASSIGN_OR_RETURN(std::shared_ptr<McpClient> client, ClientFor(caller.tenant_id, spec));
  StatusOr<std::vector<McpTool>> tools = client->ListTools();
  if (!tools.ok()) {
    return Status(Code::kValidation, "cannot list the tools of MCP server " + spec.name + ": " +
                                         tools.status().message());
  }
  McpMount mount;
  mount.tenant_id = caller.tenant_id;
  mount.name = spec.name;
  mount.transport = transport;
  mount.url = spec.url;
  mount.command = spec.command;
  mount.args = spec.args;
  mount.description = spec.description;
  mount.tier = spec.tier;
  mount.mounted = true;
  mount.tools = std::move(tools).value();
  mount.last_sync = NowMicros();
  mount.created_at = NowMicros();
  RETURN_IF_ERROR(Save(mount, spec));
  MutexLock lock(&mu_);
  clients_[{mount.tenant_id, mount.name}] = Cached{mount.created_at, std::move(client)};
  return mount;
}

Status McpMountService::Save(const McpMount& mount, const McpMountSpec& spec) {
  const std::string sealed_with = SealedWith(mount.tenant_id, mount.name);
  ASSIGN_OR_RETURN(const std::string headers,
                   sealer_.Seal(PairsJson(spec.headers).dump(), sealed_with));
  ASSIGN_OR_RETURN(const std::string env, sealer_.Seal(PairsJson(spec.env).dump(), sealed_with));
  // In the order of kColumns, then the sealed secrets and tool_count.
  const storage::Params row = {
      mount.tenant_id,
      mount.name,
      mount.transport,
      storage::OptionalValue(mount.url.empty() ? std::nullopt : std::optional(mount.url)),
      storage::OptionalValue(mount.command.empty() ? std::nullopt : std::optional(mount.command)),
      Json(mount.args).dump(),
      mount.description,
      mount.tier,
      ToolsJson(mount.tools),
      int64_t{1},
      storage::OptionalValue(mount.last_sync),
      mount.created_at,
      Base64Encode(headers),
      Base64Encode(env),
      static_cast<int64_t>(mount.tools.size())};
  return engine_.Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM mcp_mounts WHERE tenant_id = ? AND name = ?",
                            {mount.tenant_id, mount.name})
                        .status());
    return tx
        .Exec(std::string("INSERT INTO mcp_mounts (") + kColumns +
                  ", sealed_headers, sealed_env, tool_count) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

StatusOr<std::shared_ptr<McpClient>> McpMountService::ClientOf(const McpMount& mount) {
  const std::string& tenant_id = mount.tenant_id;
  const std::string& name = mount.name;
  {
    MutexLock lock(&mu_);
    const auto it = clients_.find({tenant_id, name});
    if (it != clients_.end() && it->second.created_at == mount.created_at) return it->second.client;
  }
  using Secrets = std::pair<std::string, std::string>;
  ASSIGN_OR_RETURN(const std::vector<Secrets> sealed,
                   storage::ReadAll(
                       engine_,
                       "SELECT sealed_headers, sealed_env FROM mcp_mounts WHERE "
                       "tenant_id = ? AND name = ?",
                       {tenant_id, name}, +[](const Row& r) {
                         return Secrets{r.OptText(0).value_or(""), r.OptText(1).value_or("")};
                       }));
  if (sealed.empty()) return NotMounted(name);
  const std::string sealed_with = SealedWith(tenant_id, name);
  McpMountSpec spec;
  spec.name = name;
  spec.url = mount.url;
  spec.command = mount.command;
  spec.args = mount.args;
  ASSIGN_OR_RETURN(spec.headers, Unsealed(sealer_, sealed.front().first, sealed_with));
  ASSIGN_OR_RETURN(spec.env, Unsealed(sealer_, sealed.front().second, sealed_with));
  ASSIGN_OR_RETURN(std::shared_ptr<McpClient> client, ClientFor(tenant_id, spec));
  MutexLock lock(&mu_);
  clients_[{tenant_id, name}] = Cached{mount.created_at, client};
  return client;
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
  ASSIGN_OR_RETURN(const McpMount mount, Find(caller.tenant_id, name));
  ASSIGN_OR_RETURN(const std::shared_ptr<McpClient> client, ClientOf(mount));
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

StatusOr<std::string> McpMountService::CallTool(const McpMount& mount, const std::string& tool,
                                                const std::string& arguments_json) {
  ASSIGN_OR_RETURN(const std::shared_ptr<McpClient> client, ClientOf(mount));
  return client->CallTool(tool, arguments_json);
}

}  // namespace nexus::services
