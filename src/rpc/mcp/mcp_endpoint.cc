#include "rpc/mcp/mcp_endpoint.h"

#include <algorithm>
#include <optional>

#include "rpc/dispatcher.h"
#include "rpc/errors.h"
#include "rpc/mcp/features.h"
#include "rpc/mcp/gateway.h"
#include "rpc/mcp/mcp_events.h"
#include "rpc/mcp/mcp_sessions.h"
#include "rpc/mcp/method_caller.h"
#include "rpc/mcp/tools.h"

namespace nexus::rpc {
namespace {

// Newest first: a client asking for a version we do not speak is offered the newest.
constexpr const char* kVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
// Codes of the MCP specification and of its reference SDKs.
constexpr int kResourceNotFound = -32002;
constexpr int kBadSessionRequest = -32000;
constexpr int kSessionNotFound = -32001;

constexpr char kInstructions[] =
    "Nexus is a shared file tree for agents and people. Paths are absolute, such as "
    "/workspace/notes.md; what you can see and change is what your API key may. Skills are "
    "offered as prompts, files as nexus:/// resources.";

bool Supported(const std::string& version) {
  return std::find(std::begin(kVersions), std::end(kVersions), version) != std::end(kVersions);
}

// JSON-RPC batches were part of these versions only.
bool TakesBatches(const std::string& version) {
  return version == "2025-03-26" || version == "2024-11-05";
}

Json ErrorMessage(const Json& id, Json error) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

McpResponse Answer(int http_status, const Json& body) {
  McpResponse response;
  response.http_status = http_status;
  response.body = EncodeWire(body);
  return response;
}

McpResponse Empty(int http_status) {
  McpResponse response;
  response.http_status = http_status;
  return response;
}

McpResponse Refuse(int http_status, int code, const std::string& message) {
  return Answer(http_status, ErrorMessage(nullptr, ErrorObject(code, message)));
}

bool ValidId(const Json& id) { return id.is_string() || id.is_number_integer(); }

// A request's result, or its error object.
struct Reply {
  Json result;
  Json error;
};

Reply Ok(Json result) { return Reply{std::move(result), nullptr}; }
Reply Fail(int code, const std::string& message) {
  return Reply{nullptr, ErrorObject(code, message)};
}
Reply Failed(const Status& status) { return Reply{nullptr, ErrorObject(status)}; }
Reply Of(StatusOr<Json> result) {
  return result.ok() ? Ok(std::move(result).value()) : Failed(result.status());
}

// The string member `name` of `params`; "" and false when absent or of another type.
bool StringParam(const Json& params, const char* name, std::string* out) {
  const auto it = params.find(name);
  if (it == params.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

Reply ListTools(const mcp::ToolSet& tools, const mcp::MethodCaller& caller) {
  Json list = tools.List();
  StatusOr<Json> mounted = mcp::GatewayTools(caller);
  if (!mounted.ok()) return Failed(mounted.status());
  for (Json& tool : *mounted) list["tools"].push_back(std::move(tool));
  return Ok(std::move(list));
}

Reply CallTool(const mcp::ToolSet& tools, Json& params, const mcp::MethodCaller& caller) {
  std::string name;
  if (!StringParam(params, "name", &name))
    return Fail(kInvalidParams, "tools/call needs a tool name");
  Json arguments = params.contains("arguments") ? std::move(params["arguments"]) : Json::object();
  StatusOr<Json> result = name.find(mcp::kGatewaySeparator) == std::string::npos
                              ? tools.Call(name, std::move(arguments), caller)
                              : mcp::CallGatewayTool(caller, name, std::move(arguments));
  if (result.status().code() == Code::kNotFound)
    return Fail(kInvalidParams, result.status().message());
  return Of(std::move(result));
}

Reply GetPrompt(const Json& params, const mcp::MethodCaller& caller) {
  std::string name;
  if (!StringParam(params, "name", &name))
    return Fail(kInvalidParams, "prompts/get needs a prompt name");
  StatusOr<Json> prompt = mcp::GetPrompt(caller, name);
  if (prompt.status().code() == Code::kNotFound)
    return Fail(kInvalidParams, prompt.status().message());
  return Of(std::move(prompt));
}

Reply ListResources(const Json& params, const mcp::MethodCaller& caller) {
  std::string cursor;
  if (params.contains("cursor") && !StringParam(params, "cursor", &cursor))
    return Fail(kInvalidParams, "cursor must be a string");
  return Of(mcp::ListResources(caller, cursor));
}

Reply ReadResource(const Json& params, const mcp::MethodCaller& caller) {
  std::string uri;
  if (!StringParam(params, "uri", &uri)) return Fail(kInvalidParams, "resources/read needs a uri");
  StatusOr<Json> read = mcp::ReadResource(caller, uri);
  if (read.status().code() == Code::kNotFound)
    return Fail(kResourceNotFound, "Resource not found: " + uri);
  return Of(std::move(read));
}

// What a request may touch besides the caller's methods: the tools, and its session's stream.
struct Scope {
  const mcp::ToolSet& tools;
  mcp::McpEvents& events;
  const std::string& session;
};

Reply Subscribe(const Json& params, const Scope& scope, const mcp::MethodCaller& caller,
                bool subscribe) {
  std::string uri;
  if (!StringParam(params, "uri", &uri)) return Fail(kInvalidParams, "a subscription needs a uri");
  StatusOr<std::string> path = mcp::ResourcePath(uri);
  if (!path.ok()) return Failed(path.status());
  if (!subscribe) {
    scope.events.Unsubscribe(scope.session, uri);
    return Ok(Json::object());
  }
  const Status s = scope.events.Subscribe(scope.session, caller.caller(), *path, uri);
  return s.ok() ? Ok(Json::object()) : Failed(s);
}

Reply Respond(const std::string& method, Json& params, const Scope& scope,
              const mcp::MethodCaller& caller) {
  const mcp::ToolSet& tools = scope.tools;
  if (method == "ping") return Ok(Json::object());
  if (method == "tools/list") return ListTools(tools, caller);
  if (method == "tools/call") return CallTool(tools, params, caller);
  if (method == "prompts/list") return Of(mcp::ListPrompts(caller));
  if (method == "prompts/get") return GetPrompt(params, caller);
  if (method == "resources/list") return ListResources(params, caller);
  if (method == "resources/read") return ReadResource(params, caller);
  if (method == "resources/templates/list") return Ok(mcp::ResourceTemplates());
  if (method == "resources/subscribe") return Subscribe(params, scope, caller, true);
  if (method == "resources/unsubscribe") return Subscribe(params, scope, caller, false);
  if (method == "initialize") return Fail(kInvalidRequest, "this session is already initialised");
  return Fail(kMethodNotFound, "Method not found: " + method);
}

Json Capabilities() {
  return Json{{"tools", {{"listChanged", false}}},
              {"prompts", {{"listChanged", true}}},
              {"resources", {{"subscribe", true}, {"listChanged", false}}}};
}

McpResponse Initialize(const Json& message, const std::string& owner, mcp::McpSessions& sessions) {
  const Json id = message.value("id", Json(nullptr));
  if (!ValidId(id) || message.value("jsonrpc", Json(nullptr)) != "2.0")
    return Refuse(400, kInvalidRequest,
                  "Invalid Request: initialize is a JSON-RPC 2.0 request with an id");
  const Json params = message.value("params", Json(nullptr));
  std::string requested;
  if (!params.is_object() || !StringParam(params, "protocolVersion", &requested))
    return Answer(400, ErrorMessage(id, ErrorObject(kInvalidParams,
                                                    "initialize needs params.protocolVersion")));
  const std::string version = Supported(requested) ? requested : kVersions[0];
  McpResponse response = Answer(
      200, Json{{"jsonrpc", "2.0"},
                {"id", id},
                {"result",
                 {{"protocolVersion", version},
                  {"capabilities", Capabilities()},
                  {"serverInfo", {{"name", "nexus"}, {"title", "Nexus"}, {"version", "1.0"}}},
                  {"instructions", kInstructions}}}});
  response.headers.emplace_back("Mcp-Session-Id", sessions.Open(owner, version));
  return response;
}

std::optional<Json> Process(Json& message, const Scope& scope, const mcp::MethodCaller& caller) {
  if (!message.is_object() || message.value("jsonrpc", Json(nullptr)) != "2.0")
    return ErrorMessage(
        nullptr, ErrorObject(kInvalidRequest, "Invalid Request: a JSON-RPC 2.0 message object"));
  const auto id = message.find("id");
  if (id != message.end() && !ValidId(*id))
    return ErrorMessage(nullptr, ErrorObject(kInvalidRequest,
                                             "Invalid Request: id must be a string or an integer"));
  const auto method = message.find("method");
  // A response to a request of ours: the server sends none, so there is nothing to match.
  if (method == message.end()) {
    if (id != message.end() && (message.contains("result") || message.contains("error")))
      return std::nullopt;
    return ErrorMessage(id == message.end() ? Json(nullptr) : *id,
                        ErrorObject(kInvalidRequest, "Invalid Request: no method"));
  }
  // Notifications (initialized, cancelled, ...) need no answer, and none changes anything
  // here: a call already running finishes.
  if (id == message.end()) return std::nullopt;
  if (!method->is_string())
    return ErrorMessage(*id,
                        ErrorObject(kInvalidRequest, "Invalid Request: method must be a string"));
  // Moved out, not copied: a tool's arguments can hold a file's content.
  Json params = message.contains("params") ? std::move(message["params"]) : Json::object();
  if (params.is_null()) params = Json::object();
  if (!params.is_object())
    return ErrorMessage(*id, ErrorObject(kInvalidParams, "params must be an object"));
  Reply reply;
  try {
    reply = Respond(method->get<std::string>(), params, scope, caller);
  } catch (const std::exception& e) {
    // An answer of a method that a tool did not expect is a bug; the caller still gets an
    // answer, and the server goes on.
    reply = Fail(kInternalError, std::string("Internal error: ") + e.what());
  }
  if (!reply.error.is_null()) return ErrorMessage(*id, std::move(reply.error));
  return Json{{"jsonrpc", "2.0"}, {"id", *id}, {"result", std::move(reply.result)}};
}

}  // namespace

McpEndpoint::McpEndpoint(session::Services services, const Dispatcher& dispatcher,
                         std::chrono::milliseconds poll)
    : services_(services),
      dispatcher_(dispatcher),
      sessions_(std::make_unique<mcp::McpSessions>()),
      tools_(std::make_unique<mcp::ToolSet>()) {
  // A caller's prompts as the list prompts/list would give; an error reads as no change.
  auto prompts = [this](const auth::Identity& who) -> std::string {
    const session::Session session(services_, who);
    CallContext context{who, services_, session, ""};
    StatusOr<Json> listed = mcp::ListPrompts(mcp::MethodCaller(dispatcher_.table(), context));
    return listed.ok() ? EncodeWire(*listed) : std::string();
  };
  events_ = std::make_unique<mcp::McpEvents>(services_, std::move(prompts), poll);
}

McpEndpoint::~McpEndpoint() = default;

size_t McpEndpoint::open_sessions() const { return sessions_->size(); }

McpResponse McpEndpoint::Handle(const McpRequest& request) const {
  if (request.http_method == "POST") return Post(request);
  if (request.http_method == "DELETE") return Delete(request);
  return Get(request);
}

// The session's server-to-client stream: notifications of subscribed files and of the prompt
// list, as Server-Sent Events.
McpResponse McpEndpoint::Get(const McpRequest& request) const {
  if (!request.refusal.ok())
    return Answer(403, ErrorMessage(nullptr, ErrorObject(request.refusal)));
  if (request.session_id.empty())
    return Refuse(400, kBadSessionRequest, "Bad Request: the Mcp-Session-Id header is required");
  const session::Session session(services_, *request.caller);
  if (!sessions_->Use(request.session_id, session.OwnerKey()))
    return Refuse(404, kSessionNotFound, "Session not found: initialize again");
  McpResponse stream;
  stream.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-store"}};
  mcp::McpEvents* events = events_.get();
  stream.open_stream = [events, id = request.session_id,
                        caller = *request.caller](std::shared_ptr<McpEventSink> sink) {
    events->Open(id, caller, std::move(sink));
  };
  return stream;
}

McpResponse McpEndpoint::Delete(const McpRequest& request) const {
  if (request.session_id.empty())
    return Refuse(400, kBadSessionRequest, "Bad Request: the Mcp-Session-Id header is required");
  const session::Session session(services_, *request.caller);
  if (!sessions_->Close(request.session_id, session.OwnerKey()))
    return Refuse(404, kSessionNotFound, "Session not found");
  events_->End(request.session_id);
  return Empty(204);
}

McpResponse McpEndpoint::Post(const McpRequest& request) const {
  if (!request.refusal.ok())
    return Answer(403, ErrorMessage(nullptr, ErrorObject(request.refusal)));
  StatusOr<Json> parsed = ParseJson(request.body);
  if (!parsed.ok()) return Refuse(400, kParseError, "Parse error: " + parsed.status().message());
  Json& message = *parsed;
  const session::Session session(services_, *request.caller);
  const std::string owner = session.OwnerKey();
  const auto is_initialize = [](const Json& m) {
    return m.is_object() && m.contains("method") && m["method"] == "initialize";
  };
  if (is_initialize(message)) return Initialize(message, owner, *sessions_);
  if (message.is_array() && std::any_of(message.begin(), message.end(), is_initialize))
    return Refuse(400, kInvalidRequest, "Invalid Request: initialize must be sent alone");
  if (request.session_id.empty())
    return Refuse(400, kBadSessionRequest,
                  "Bad Request: the Mcp-Session-Id header is required; send initialize first");
  const std::optional<std::string> version = sessions_->Use(request.session_id, owner);
  if (!version) return Refuse(404, kSessionNotFound, "Session not found: initialize again");
  if (!request.protocol_version.empty() && request.protocol_version != *version)
    return Refuse(400, kInvalidRequest,
                  "Bad Request: MCP-Protocol-Version " + request.protocol_version +
                      " is not the session's version " + *version);
  CallContext context{*request.caller, services_, session, ""};
  const mcp::MethodCaller caller(dispatcher_.table(), context, &request.call_node);
  const Scope scope{*tools_, *events_, request.session_id};
  if (!message.is_array()) {
    std::optional<Json> answer = Process(message, scope, caller);
    if (!answer) return Empty(202);
    // A message that is no request, notification or response is the HTTP request's fault.
    const bool malformed =
        answer->contains("error") && (*answer)["error"]["code"] == kInvalidRequest;
    return Answer(malformed ? 400 : 200, *answer);
  }
  if (!TakesBatches(*version))
    return Refuse(400, kInvalidRequest,
                  "Invalid Request: protocol version " + *version + " has no JSON-RPC batches");
  if (message.empty()) return Refuse(400, kInvalidRequest, "Invalid Request: an empty batch");
  Json answers = Json::array();
  for (Json& m : message) {
    if (std::optional<Json> answer = Process(m, scope, caller))
      answers.push_back(std::move(*answer));
  }
  return answers.empty() ? Empty(202) : Answer(200, answers);
}

}  // namespace nexus::rpc
