#include "stress/rpc_client.h"

#include <algorithm>
#include <cstdlib>

namespace nexus::stress {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kParseError = -32700;
constexpr int kInternalError = -32603;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

client::ClientOptions StressClientOptions(const ClientConfig& config) {
  client::ClientOptions options;
  options.url = config.url;
  options.api_key = config.api_key;
  options.ca_file = config.ca_file;
  options.timeout = config.timeout;
  options.max_idle_connections = RpcClient::kMaxParallel;
  options.max_attempts = 1;  // no resend: every failure is counted
  options.user_agent = "nexus-stress";
  return options;
}

CallOutcome OutcomeOf(std::string method, StatusOr<Value> answer) {
  CallOutcome out;
  out.method = std::move(method);
  if (answer.ok()) {
    out.http_status = 200;
    out.result = std::move(answer).value();
    return out;
  }
  const Status& status = answer.status();
  if (const std::string rpc_code = status.detail("rpc_code"); !rpc_code.empty()) {
    out.http_status = 200;
    out.rpc_code = std::atoi(rpc_code.c_str());
    if (out.rpc_code == 0) out.rpc_code = kInternalError;  // an error object without a code
  } else if (const std::string http = status.detail("http_status"); !http.empty()) {
    out.http_status = std::atoi(http.c_str());
  } else if (status.code() == Code::kUnavailable) {
    out.transport_error = status.message();
    return out;
  } else {
    out.http_status = 200;
    out.rpc_code = kParseError;
  }
  out.error_message = status.message();
  return out;
}

RpcClient::RpcClient(const ClientConfig& config) {
  StatusOr<std::unique_ptr<client::Client>> opened =
      client::Client::Open(StressClientOptions(config));
  if (opened.ok()) {
    client_ = std::move(opened).value();
  } else {
    opened_ = opened.status();
  }
}

RpcClient::~RpcClient() = default;

CallOutcome RpcClient::Call(const std::string& method, Value params) {
  return CallAtOnce({{method, std::move(params)}}).front();
}

std::vector<CallOutcome> RpcClient::CallAtOnce(const std::vector<RpcCall>& calls) {
  std::vector<CallOutcome> outcomes;
  outcomes.reserve(calls.size());
  for (size_t first = 0; first < calls.size(); first += kMaxParallel) {
    const size_t n = std::min(kMaxParallel, calls.size() - first);
    const Clock::time_point start = Clock::now();
    std::vector<client::PendingCall> sent;
    if (client_) {
      for (size_t i = 0; i < n; ++i) {
        sent.push_back(client_->Start(calls[first + i].method, calls[first + i].params));
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const std::string& method = calls[first + i].method;
      CallOutcome outcome;
      if (client_) {
        outcome = OutcomeOf(method, client_->Finish(std::move(sent[i])));
      } else {
        outcome.method = method;
        outcome.transport_error = opened_.message();
      }
      outcome.ms = MillisSince(start);
      outcomes.push_back(std::move(outcome));
    }
  }
  return outcomes;
}

StatusOr<Value> RpcClient::GetJson(const std::string& target) {
  if (!client_) return opened_;
  return client_->GetJson(target);
}

}  // namespace nexus::stress
