#include "services/mcp_mounts/mcp_http_client.h"

#include <atomic>
#include <nlohmann/json.hpp>

#include "util/ascii.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

constexpr char kProtocolVersion[] = "2025-06-18";

std::string HeaderOf(const OutboundResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

// The JSON-RPC message answering `id` in a JSON or event-stream body.
StatusOr<Json> AnswerIn(const OutboundResponse& response, int64_t id) {
  std::vector<std::string> candidates;
  if (HeaderOf(response, "Content-Type").starts_with("text/event-stream")) {
    std::string data;
    size_t start = 0;
    const std::string& body = response.body;
    while (start <= body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      std::string_view line(body.data() + start, end - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.starts_with("data:")) {
        line.remove_prefix(line.starts_with("data: ") ? 6 : 5);
        data += line;
      } else if (line.empty() && !data.empty()) {
        candidates.push_back(std::move(data));
        data.clear();
      }
      start = end + 1;
    }
    if (!data.empty()) candidates.push_back(std::move(data));
  } else {
    candidates.push_back(response.body);
  }
  for (const std::string& text : candidates) {
    Json message = Json::parse(text, nullptr, false);
    if (message.is_object() && message.value("id", Json()) == id) return message;
  }
  return IOError("the MCP server answered HTTP " + std::to_string(response.status) +
                 " without an answer to the request");
}

int64_t NextId() {
  static std::atomic<int64_t> next{1};
  return next.fetch_add(1);
}

}  // namespace

StatusOr<std::string> McpHttpClient::Exchange(const std::string& body, const std::string& session) {
  OutboundRequest request;
  request.url = target_.url;
  request.headers = target_.headers;
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json, text/event-stream");
  request.headers.emplace_back("MCP-Protocol-Version", kProtocolVersion);
  if (!session.empty()) request.headers.emplace_back("Mcp-Session-Id", session);
  request.body = body;
  request.timeout = target_.timeout;
  request.public_addresses_only = target_.public_addresses_only;
  ASSIGN_OR_RETURN(const OutboundResponse response, http_.Send(request));
  if (response.status == 404 && !session.empty()) return NotFound("the MCP session ended");
  if (response.status == 202) return std::string();
  if (response.status != 200) {
    return IOError("the MCP server answered HTTP " + std::to_string(response.status) + ": " +
                   response.body.substr(0, 200));
  }
  const Json sent = Json::parse(body);
  if (!sent.contains("id")) return std::string();
  ASSIGN_OR_RETURN(const Json answer, AnswerIn(response, sent["id"].get<int64_t>()));
  if (answer.contains("error")) {
    return Status(Code::kValidation,
                  "the MCP server refused " + sent.value("method", std::string()) + ": " +
                      answer["error"].value("message", std::string("no message")));
  }
  if (sent.value("method", "") == "initialize") {
    MutexLock lock(&mu_);
    session_ = HeaderOf(response, "Mcp-Session-Id");
  }
  return answer["result"].dump();
}

Status McpHttpClient::Initialize() {
  const Json init{{"jsonrpc", "2.0"},
                  {"id", NextId()},
                  {"method", "initialize"},
                  {"params",
                   {{"protocolVersion", kProtocolVersion},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "nexus-gateway"}, {"version", "1.0"}}}}}};
  RETURN_IF_ERROR(Exchange(init.dump(), "").status());
  std::string session;
  {
    MutexLock lock(&mu_);
    session = session_;
  }
  RETURN_IF_ERROR(
      Exchange(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", session).status());
  MutexLock lock(&mu_);
  initialized_ = true;
  return Status::OK();
}

StatusOr<std::string> McpHttpClient::Request(const std::string& method,
                                             const std::string& params_json) {
  for (int attempt = 0;; ++attempt) {
    std::string session;
    bool initialized = false;
    {
      MutexLock lock(&mu_);
      session = session_;
      initialized = initialized_;
    }
    if (!initialized) {
      RETURN_IF_ERROR(Initialize());
      MutexLock lock(&mu_);
      session = session_;
    }
    const std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(NextId()) +
                             R"(,"method":")" + method + R"(","params":)" + params_json + "}";
    StatusOr<std::string> result = Exchange(body, session);
    // A server that forgot the session (a restart): initialise again, once.
    if (result.status().code() == Code::kNotFound && attempt == 0) {
      MutexLock lock(&mu_);
      initialized_ = false;
      session_.clear();
      continue;
    }
    return result;
  }
}

StatusOr<std::vector<McpTool>> McpHttpClient::ListTools() {
  std::vector<McpTool> tools;
  std::string cursor;
  do {
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
    const auto next = page.find("nextCursor");
    cursor = next != page.end() && next->is_string() ? next->get<std::string>() : "";
  } while (!cursor.empty());
  return tools;
}

StatusOr<std::string> McpHttpClient::CallTool(const std::string& name,
                                              const std::string& arguments_json) {
  const Json arguments = Json::parse(arguments_json, nullptr, false);
  if (!arguments.is_object()) return InvalidArgument("tool arguments must be a JSON object");
  return Request("tools/call", Json{{"name", name}, {"arguments", arguments}}.dump());
}

}  // namespace nexus::services
