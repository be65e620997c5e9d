#include "services/mcp_mounts/mcp_http_connection.h"

#include <nlohmann/json.hpp>

#include "util/ascii.h"
#include "util/sse.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

std::string HeaderOf(const OutboundResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

// The messages of a body: itself, or the data of each event of a text/event-stream.
std::vector<std::string> MessagesIn(const OutboundResponse& response) {
  if (!HeaderOf(response, "Content-Type").starts_with("text/event-stream")) return {response.body};
  return SseEventData(response.body);
}

}  // namespace

StatusOr<std::string> McpHttpConnection::Send(const std::string& message,
                                              std::optional<int64_t> id) {
  std::string session;
  {
    MutexLock lock(&mu_);
    session = session_;
  }
  OutboundRequest request;
  request.url = target_.url;
  request.headers = target_.headers;
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json, text/event-stream");
  request.headers.emplace_back("MCP-Protocol-Version", "2025-06-18");
  if (!session.empty()) request.headers.emplace_back("Mcp-Session-Id", session);
  request.body = message;
  request.timeout = target_.timeout;
  request.public_addresses_only = target_.public_addresses_only;
  ASSIGN_OR_RETURN(const OutboundResponse response, http_.Send(request));
  if (response.status == 404 && !session.empty()) return NotFound("the MCP session ended");
  if (!id) {
    if (response.status / 100 == 2) return std::string();
    return IOError("the MCP server answered a notification with HTTP " +
                   std::to_string(response.status));
  }
  if (response.status != 200) {
    return IOError("the MCP server answered HTTP " + std::to_string(response.status) + ": " +
                   response.body.substr(0, 200));
  }
  if (const std::string opened = HeaderOf(response, "Mcp-Session-Id"); !opened.empty()) {
    MutexLock lock(&mu_);
    session_ = opened;
  }
  for (std::string& text : MessagesIn(response)) {
    const Json answer = Json::parse(text, nullptr, false);
    if (answer.is_object() && answer.value("id", Json()) == *id) return std::move(text);
  }
  return IOError("the MCP server answered HTTP 200 without an answer to the request");
}

void McpHttpConnection::Reset() {
  MutexLock lock(&mu_);
  session_.clear();
}

}  // namespace nexus::services
