// JSON-RPC over HttpConnection (api.md §3): one call, or a page's calls fired at once on
// several keep-alive connections, each answer classified and timed.
#ifndef NEXUS_STRESS_RPC_CLIENT_H_
#define NEXUS_STRESS_RPC_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "stress/http_connection.h"
#include "util/status.h"

namespace nexus::stress {

using Json = nlohmann::json;

struct CallOutcome {
  std::string method;
  double ms = 0;
  int http_status = 0;          // 0 when the transport failed
  std::string transport_error;  // set when http_status is 0
  int rpc_code = 0;             // the JSON-RPC error code; 0 for a result
  std::string error_message;    // of an RPC error, or the body of a non-200 answer
  Json result;

  bool ok() const { return http_status == 200 && rpc_code == 0; }
};

struct RpcCall {
  std::string method;
  Json params = Json::object();
};

class RpcClient {
 public:
  RpcClient(ServerAddress address, std::string api_key, std::chrono::milliseconds timeout);

  CallOutcome Call(const std::string& method, const Json& params = Json::object());
  // Fires the calls as a browser fires a page's requests: up to kMaxParallel at a time, each
  // on its own connection, every request of a round sent before any answer is read.
  std::vector<CallOutcome> CallAtOnce(const std::vector<RpcCall>& calls);
  // GET of a JSON document such as /api/auth/whoami.
  StatusOr<Json> GetJson(const std::string& target);

  static constexpr size_t kMaxParallel = 4;

 private:
  HttpConnection& Connection(size_t i);
  std::string Body(const RpcCall& call);
  Status Send(size_t connection, const RpcCall& call);
  static CallOutcome Classify(const std::string& method, const StatusOr<HttpReply>& reply);

  const ServerAddress address_;
  const std::string auth_headers_;
  const std::chrono::milliseconds timeout_;
  std::vector<std::unique_ptr<HttpConnection>> connections_;
  int64_t next_id_ = 1;
};

// The bytes wrapper of api.md §3.5, both ways.
Json BytesJson(std::string_view data);
StatusOr<std::string> BytesOf(const Json& wrapper);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_RPC_CLIENT_H_
