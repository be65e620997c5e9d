#include "mcp/stdio_bridge.h"

#include <cstdio>
#include <istream>
#include <ostream>
#include <thread>
#include <vector>

#include "util/sse.h"

namespace nexus::mcp {
namespace {

bool IsEventStream(const client::HttpResponse& response) {
  return response.Header("Content-Type").starts_with("text/event-stream");
}

// What kind of message a line holds, as far as the transport cares.
struct Shape {
  bool parsed = false;
  bool initialize = false;
  bool request = false;  // has a method and an id: an answer is owed
  client::Value id;
};

Shape ShapeOf(const std::string& line) {
  Shape shape;
  StatusOr<client::Value> message = client::ParseJson(line);
  if (!message.ok()) return shape;
  shape.parsed = true;
  const client::Value* method = message->Find("method");
  const client::Value* id = message->Find("id");
  shape.initialize = method != nullptr && method->AsString() == "initialize";
  shape.request = method != nullptr && id != nullptr && !id->is_null();
  if (id != nullptr) shape.id = *id;
  return shape;
}

}  // namespace

StdioBridge::StdioBridge(client::Client& client, std::istream& in, std::ostream& out,
                         BridgeOptions options)
    : client_(client), in_(in), out_(out), options_(options) {}

Status StdioBridge::Run() {
  std::vector<std::thread> workers;
  for (size_t i = 0; i < options_.max_in_flight; ++i)
    workers.emplace_back([this] { WorkerLoop(); });
  std::thread notifications([this] { StreamLoop(); });
  std::string line;
  while (std::getline(in_, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Forward(line);
  }
  {
    MutexLock lock(&queue_mu_);
    closed_ = true;
  }
  queue_cv_.SignalAll();
  for (std::thread& worker : workers) worker.join();
  std::string session;
  {
    MutexLock lock(&state_mu_);
    session = session_id_;
  }
  {
    MutexLock lock(&state_mu_);
    stopping_ = true;
  }
  state_cv_.SignalAll();
  if (!session.empty()) {
    // Ends the session on the server, and with it the stream; a server that is gone already
    // has nothing to end (and the stream's read gives up within its idle time).
    (void)client_.Send(client::HttpRequest{"DELETE", "/mcp", {{"Mcp-Session-Id", session}}, ""});
  }
  notifications.join();
  return Status::OK();
}

// The server's stream (GET /mcp) of the current session, its events written out as they
// come; opened again after it ends, for as long as the bridge runs.
void StdioBridge::StreamLoop() {
  for (;;) {
    client::HttpRequest get{"GET", "/mcp", {{"Accept", "text/event-stream"}}, ""};
    {
      MutexLock lock(&state_mu_);
      state_cv_.Wait(&state_mu_,
                     [this]() REQUIRES(state_mu_) { return stopping_ || !session_id_.empty(); });
      if (stopping_) return;
      get.headers.emplace_back("Mcp-Session-Id", session_id_);
      if (!protocol_version_.empty())
        get.headers.emplace_back("MCP-Protocol-Version", protocol_version_);
    }
    std::string pending;
    (void)client_.Stream(std::move(get), options_.stream_idle, [&](std::string_view bytes) {
      pending.append(bytes);
      for (size_t end; (end = pending.find("\n\n")) != std::string::npos;) {
        for (std::string& data : SseEventData(pending.substr(0, end + 2)))
          WriteLine(std::move(data));
        pending.erase(0, end + 2);
      }
      MutexLock lock(&state_mu_);
      return !stopping_;
    });
    // Ended, refused (a session the server forgot: a request renews it) or unreachable.
    MutexLock lock(&state_mu_);
    state_cv_.WaitFor(&state_mu_, std::chrono::seconds(1),
                      [this]() REQUIRES(state_mu_) { return stopping_; });
    if (stopping_) return;
  }
}

void StdioBridge::Forward(const std::string& line) {
  const Shape shape = ShapeOf(line);
  if (!shape.parsed) {
    WriteLine(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: )"
              R"(each line must be one JSON-RPC message"}})");
    return;
  }
  if (shape.initialize) {
    // Alone and first: every later message needs the session it opens.
    {
      MutexLock lock(&state_mu_);
      initialize_message_ = line;
      session_id_.clear();
      protocol_version_.clear();
    }
    Exchange(line, &shape.id);
    return;
  }
  if (!shape.request) {
    // Notifications and responses are quick and keep their order.
    Exchange(line, nullptr);
    return;
  }
  {
    MutexLock lock(&queue_mu_);
    queue_.push_back(line);
  }
  queue_cv_.Signal();
}

void StdioBridge::WorkerLoop() {
  for (;;) {
    std::string line;
    {
      MutexLock lock(&queue_mu_);
      queue_cv_.Wait(&queue_mu_,
                     [this]() REQUIRES(queue_mu_) { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      line = std::move(queue_.front());
      queue_.pop_front();
    }
    const Shape shape = ShapeOf(line);
    Exchange(line, &shape.id);
  }
}

StatusOr<client::HttpResponse> StdioBridge::Post(const std::string& body) {
  client::HttpRequest request{
      "POST",
      "/mcp",
      {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}},
      body};
  {
    MutexLock lock(&state_mu_);
    if (!session_id_.empty()) request.headers.emplace_back("Mcp-Session-Id", session_id_);
    if (!protocol_version_.empty())
      request.headers.emplace_back("MCP-Protocol-Version", protocol_version_);
  }
  client::CallOptions call;
  call.timeout = options_.timeout;
  return client_.Send(std::move(request), call);
}

void StdioBridge::Exchange(const std::string& body, const client::Value* id) {
  std::string session;
  bool renewable = false;
  {
    MutexLock lock(&state_mu_);
    session = session_id_;
    renewable = !session_id_.empty() && body != initialize_message_;
  }
  StatusOr<client::HttpResponse> response = Post(body);
  if (response.ok() && response->status == 404 && renewable && Renew(session))
    response = Post(body);
  if (!response.ok()) {
    std::fprintf(stderr, "nexus mcp: %s\n", response.status().message().c_str());
    if (id != nullptr) WriteError(id, "Nexus server unreachable: " + response.status().message());
    return;
  }
  WriteAnswer(*response, id);
}

bool StdioBridge::Renew(const std::string& lost) {
  // One renewal for all the requests that found the session gone at once.
  MutexLock renewing(&renew_mu_);
  std::string initialize;
  {
    MutexLock lock(&state_mu_);
    if (session_id_ != lost) return true;  // another request renewed it meanwhile
    initialize = initialize_message_;
  }
  StatusOr<client::HttpResponse> response = Post(initialize);
  if (!response.ok() || response->status != 200) return false;
  const std::string session = response->Header("Mcp-Session-Id");
  {
    MutexLock lock(&state_mu_);
    session_id_ = session;
  }
  state_cv_.SignalAll();
  std::fprintf(stderr, "nexus mcp: the server had lost the session; opened a new one\n");
  return Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").ok();
}

void StdioBridge::WriteAnswer(const client::HttpResponse& response, const client::Value* id) {
  if (response.status == 202) return;
  if (response.status == 200 && IsEventStream(response)) {
    for (std::string& data : SseEventData(response.body)) WriteLine(std::move(data));
    return;
  }
  StatusOr<client::Value> answer = client::ParseJson(response.body);
  const bool json_rpc = answer.ok() && answer->Find("jsonrpc") != nullptr;
  if (response.status == 200 && json_rpc) {
    if (const client::Value* result = answer->Find("result")) {
      const std::string session = response.Header("Mcp-Session-Id");
      MutexLock lock(&state_mu_);
      if (!session.empty()) session_id_ = session;
      if (const client::Value* version = result->Find("protocolVersion"))
        protocol_version_ = version->AsString();
      state_cv_.SignalAll();
    }
    WriteLine(response.body);
    return;
  }
  // An error of the transport (401, 404, 413, ...): the client still gets an answer to its
  // request, with the server's words.
  std::string message = "Nexus answered HTTP " + std::to_string(response.status);
  if (json_rpc && (*answer)["error"]["message"].is_string()) {
    message += ": " + (*answer)["error"]["message"].AsString();
  } else if (answer.ok() && (*answer)["detail"].is_string()) {
    message += ": " + (*answer)["detail"].AsString();
  }
  std::fprintf(stderr, "nexus mcp: %s\n", message.c_str());
  if (id != nullptr) WriteError(id, message);
}

void StdioBridge::WriteError(const client::Value* id, const std::string& message) {
  client::Value error{{"code", client::Value(int64_t{-32603})}, {"message", message}};
  WriteLine(client::ToJson(client::Value{{"jsonrpc", "2.0"}, {"id", *id}, {"error", error}}));
}

void StdioBridge::WriteLine(std::string message) {
  // A raw line break in JSON text can only be whitespace (inside strings it is escaped), so
  // replacing it keeps the message and makes it one line.
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  MutexLock lock(&out_mu_);
  out_ << message << '\n';
  out_.flush();
}

}  // namespace nexus::mcp
