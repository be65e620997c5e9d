#include "services/mcp_mounts/mcp_client.h"

#include <atomic>
#include <nlohmann/json.hpp>

namespace nexus::services {
namespace {

using Json = nlohmann::json;

// An answer nested deeper than this is refused before it is parsed: the JSON library writes
// and compares values recursively, and a hostile server must not exhaust the stack.
constexpr int kMaxDepth = 64;

bool NestedTooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

int64_t NextId() {
  static std::atomic<int64_t> next{1};
  return next.fetch_add(1);
}

}  // namespace

StatusOr<std::string> McpClient::RequestOnce(const std::string& method,
                                             const std::string& params_json) {
  const int64_t id = NextId();
  const std::string message = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" +
                              method + R"(","params":)" + params_json + "}";
  ASSIGN_OR_RETURN(const std::string text, connection_->Send(message, id));
  if (NestedTooDeep(text))
    return IOError("the MCP server's answer to " + method + " is nested too deeply");
  const Json answer = Json::parse(text, nullptr, false);
  if (!answer.is_object()) return IOError("the MCP server's answer to " + method + " is not JSON");
  if (const auto error = answer.find("error"); error != answer.end()) {
    const std::string why =
        error->is_object() && error->contains("message") && (*error)["message"].is_string()
            ? (*error)["message"].get<std::string>()
            : "no message";
    return Status(Code::kValidation, "the MCP server refused " + method + ": " + why);
  }
  const auto result = answer.find("result");
  if (result == answer.end())
    return IOError("the MCP server answered " + method + " without a result");
  return result->dump();
}

Status McpClient::Initialize() {
  RETURN_IF_ERROR(RequestOnce("initialize",
                              R"({"protocolVersion":"2025-06-18","capabilities":{},)"
                              R"("clientInfo":{"name":"nexus-gateway","version":"1.0"}})")
                      .status());
  RETURN_IF_ERROR(
      connection_->Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", std::nullopt)
          .status());
  MutexLock lock(&mu_);
  initialized_ = true;
  return Status::OK();
}

StatusOr<std::string> McpClient::Request(const std::string& method,
                                         const std::string& params_json) {
  for (int attempt = 0;; ++attempt) {
    bool initialized = false;
    {
      MutexLock lock(&mu_);
      initialized = initialized_;
    }
    Status ready = initialized ? Status::OK() : Initialize();
    StatusOr<std::string> result =
        ready.ok() ? RequestOnce(method, params_json) : StatusOr<std::string>(ready);
    // A server that forgot the session (a restart, a process that died): once more afresh.
    if (result.status().code() == Code::kNotFound && attempt == 0) {
      connection_->Reset();
      MutexLock lock(&mu_);
      initialized_ = false;
      continue;
    }
    return result;
  }
}

StatusOr<std::vector<McpTool>> McpClient::ListTools() {
  // A server that hands out cursors forever must not keep the caller forever.
  constexpr int kMaxPages = 100;
  constexpr size_t kMaxTools = 10000;
  std::vector<McpTool> tools;
  std::string cursor;
  int pages = 0;
  do {
    if (++pages > kMaxPages)
      return IOError("the MCP server's tools/list goes on past " + std::to_string(kMaxPages) +
                     " pages");
    const Json params = cursor.empty() ? Json::object() : Json{{"cursor", cursor}};
    ASSIGN_OR_RETURN(const std::string text, Request("tools/list", params.dump()));
    const Json page = Json::parse(text, nullptr, false);
    if (!page.is_object() || !page.contains("tools") || !page["tools"].is_array())
      return IOError("the MCP server's tools/list answer has no tools");
    for (const Json& tool : page["tools"]) {
      if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
      const auto description = tool.find("description");
      const auto schema = tool.find("inputSchema");
      tools.push_back(McpTool{tool["name"].get<std::string>(),
                              description != tool.end() && description->is_string()
                                  ? description->get<std::string>()
                                  : "",
                              schema != tool.end() && schema->is_object() ? schema->dump() : "{}"});
    }
    if (tools.size() > kMaxTools)
      return IOError("the MCP server offers more than " + std::to_string(kMaxTools) + " tools");
    const auto next = page.find("nextCursor");
    cursor = next != page.end() && next->is_string() ? next->get<std::string>() : "";
  } while (!cursor.empty());
  return tools;
}

StatusOr<std::string> McpClient::CallTool(const std::string& name,
                                          const std::string& arguments_json) {
  const Json arguments = Json::parse(arguments_json, nullptr, false);
  if (!arguments.is_object()) return InvalidArgument("tool arguments must be a JSON object");
  return Request("tools/call", Json{{"name", name}, {"arguments", arguments}}.dump());
}

}  // namespace nexus::services
