// JSON-RPC for nexus-stress over the client library (client::Client, api.md §3): one call,
// or a page's calls fired at once, each answer classified and timed. Nothing is resent: a
// resend would hide the very errors a stress run is there to count.
#ifndef NEXUS_STRESS_RPC_CLIENT_H_
#define NEXUS_STRESS_RPC_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/value.h"
#include "util/status.h"

namespace nexus::stress {

using client::Value;

// How every client of a run reaches the server.
struct ClientConfig {
  std::string url = "http://127.0.0.1:8080";  // http or https, a base path allowed
  std::string ca_file;                        // PEM certificates to trust; empty: the system's
  std::string api_key;
  std::chrono::milliseconds timeout{30000};  // per call
  std::string prefix = "stress";             // the folder under the caller's home for written files
  // A run across failures (a node killed, the database failing over): calls that such a
  // failure interrupts are expected (Stats) and followed by a short pause.
  bool failover = false;
};

struct CallOutcome {
  std::string method;
  double ms = 0;
  int http_status = 0;          // 0 when the transport failed
  std::string transport_error;  // set when http_status is 0
  int rpc_code = 0;             // the JSON-RPC error code; 0 for a result
  std::string error_message;    // of an RPC error, or of an answer other than 200
  Value result;

  bool ok() const { return http_status == 200 && rpc_code == 0; }
};

// What a call's answer counts as: an RPC error by the Status detail "rpc_code"; an answer
// other than 200 by the detail "http_status"; a server that could not be reached or did not
// answer in time (kUnavailable) as a transport failure; a 200 that is not a JSON-RPC
// response as a parse error (-32700).
CallOutcome OutcomeOf(std::string method, StatusOr<Value> answer);

struct RpcCall {
  std::string method;
  Value params = Value::EmptyObject();
};

class RpcClient {
 public:
  explicit RpcClient(const ClientConfig& config);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  CallOutcome Call(const std::string& method, Value params = Value::EmptyObject());
  // Fires the calls as a browser fires a page's requests: up to kMaxParallel at a time, each
  // on its own keep-alive connection, every request of a round sent (client::Client::Start)
  // before any answer is read. Each call is timed from the start of its round.
  std::vector<CallOutcome> CallAtOnce(const std::vector<RpcCall>& calls);
  // GET of a JSON document such as /api/auth/whoami.
  StatusOr<Value> GetJson(const std::string& target);

  static constexpr size_t kMaxParallel = 4;

 private:
  Status opened_;  // why client_ is null
  std::unique_ptr<client::Client> client_;
};

// The client library's options for a stress client: one attempt per call, up to
// kMaxParallel connections kept.
client::ClientOptions StressClientOptions(const ClientConfig& config);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_RPC_CLIENT_H_
