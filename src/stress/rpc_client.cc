#include "stress/rpc_client.h"

#include "util/base64.h"

namespace nexus::stress {
namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

Json BytesJson(std::string_view data) {
  return Json{{"__type__", "bytes"}, {"data", Base64Encode(data)}};
}

StatusOr<std::string> BytesOf(const Json& wrapper) {
  if (!wrapper.is_object() || wrapper.value("__type__", "") != "bytes" ||
      !wrapper.contains("data") || !wrapper["data"].is_string()) {
    return InvalidArgument("not a bytes wrapper: " + wrapper.dump().substr(0, 200));
  }
  return Base64Decode(wrapper["data"].get<std::string>());
}

RpcClient::RpcClient(ServerAddress address, std::string api_key, std::chrono::milliseconds timeout)
    : address_(std::move(address)),
      auth_headers_("Authorization: Bearer " + api_key + "\r\nContent-Type: application/json\r\n"),
      timeout_(timeout) {}

HttpConnection& RpcClient::Connection(size_t i) {
  while (connections_.size() <= i) {
    connections_.push_back(std::make_unique<HttpConnection>(address_, timeout_));
  }
  return *connections_[i];
}

std::string RpcClient::Body(const RpcCall& call) {
  return Json{
      {"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", call.method}, {"params", call.params}}
      .dump();
}

Status RpcClient::Send(size_t connection, const RpcCall& call) {
  return Connection(connection).Send("POST", "/api/nfs/" + call.method, auth_headers_, Body(call));
}

CallOutcome RpcClient::Classify(const std::string& method, const StatusOr<HttpReply>& reply) {
  CallOutcome out;
  out.method = method;
  if (!reply.ok()) {
    out.transport_error = reply.status().message();
    return out;
  }
  out.http_status = reply->status;
  if (reply->status != 200) {
    out.error_message = reply->body.substr(0, 200);
    return out;
  }
  Json body = Json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    out.rpc_code = -32700;
    out.error_message = "answer is not a JSON object: " + reply->body.substr(0, 200);
  } else if (body.contains("error")) {
    const Json& error = body["error"];
    out.rpc_code = error.value("code", -32603);
    out.error_message = error.value("message", "");
  } else if (body.contains("result")) {
    out.result = std::move(body["result"]);
  } else {
    out.rpc_code = -32700;
    out.error_message = "answer has neither result nor error";
  }
  return out;
}

CallOutcome RpcClient::Call(const std::string& method, const Json& params) {
  return CallAtOnce({{method, params}}).front();
}

std::vector<CallOutcome> RpcClient::CallAtOnce(const std::vector<RpcCall>& calls) {
  std::vector<CallOutcome> outcomes;
  outcomes.reserve(calls.size());
  for (size_t first = 0; first < calls.size(); first += kMaxParallel) {
    const size_t n = std::min(kMaxParallel, calls.size() - first);
    const Clock::time_point start = Clock::now();
    std::vector<Status> sent;
    for (size_t i = 0; i < n; ++i) sent.push_back(Send(i, calls[first + i]));
    for (size_t i = 0; i < n; ++i) {
      const std::string& method = calls[first + i].method;
      CallOutcome outcome =
          sent[i].ok() ? Classify(method, Connection(i).Receive()) : Classify(method, sent[i]);
      outcome.ms = MillisSince(start);
      outcomes.push_back(std::move(outcome));
    }
  }
  return outcomes;
}

StatusOr<Json> RpcClient::GetJson(const std::string& target) {
  ASSIGN_OR_RETURN(HttpReply reply, Connection(0).Request("GET", target, auth_headers_, ""));
  if (reply.status != 200) {
    return IOError("GET " + target + " answered " + std::to_string(reply.status));
  }
  Json body = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return IOError("GET " + target + " answered invalid JSON");
  return body;
}

}  // namespace nexus::stress
