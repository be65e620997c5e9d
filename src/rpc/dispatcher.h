// The rpc module's face: turns the body of `POST /api/nfs/{method}` into the body of its
// answer. Knows nothing of HTTP beyond the few headers that change an RPC's meaning.
#ifndef NEXUS_RPC_DISPATCHER_H_
#define NEXUS_RPC_DISPATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/identity.h"
#include "session/services.h"
#include "util/status.h"

namespace nexus::rpc {

class MethodTable;

struct RpcRequest {
  std::string method;     // from the URL
  std::string_view body;  // not copied: a file's content may be most of it
  std::string if_none_match;
  const auth::Identity* caller = nullptr;
  // Not OK: the credentials may not make the call (X-Agent-ID naming an agent the key may
  // not act as). Once the envelope decodes, the answer is this error, and no method runs.
  Status refusal = Status::OK();
  // A body of raw bytes (Content-Type: application/octet-stream) instead of a JSON-RPC
  // envelope: it is the method's `content`, and the other parameters come from `query`
  // (form-encoded). Only methods with a bytes `content` parameter take one (upload_part,
  // write, ...): the bytes skip base64 and JSON both ways.
  bool raw_body = false;
  std::string_view query = {};
  // Accept: application/octet-stream: a result that is bytes (read, read_range) is the
  // answer's body, raw; errors stay JSON-RPC.
  bool raw_result = false;
  // Another node sent the call here as the owner of what it needs: a call that needs what a
  // third node holds too (mounts of two nodes) cannot be answered by either, and is refused
  // rather than answered 503, which would have it resent for ever.
  bool forwarded = false;
};

struct RpcResponse {
  int http_status = 200;  // 200, or 304 for a conditional read
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string outcome;  // "ok" or the JSON-RPC error code, for metrics
  // Whether the URL named a method of the table. Metrics label only known methods: the
  // name comes from the caller, and every distinct label is a series kept for good.
  bool method_known = false;
  // The call is for something another node runs (a sandbox): that node's id. The server
  // forwards the request there; the body above is the answer when it cannot.
  std::string owner_node;
};

class Dispatcher {
 public:
  explicit Dispatcher(session::Services services);
  ~Dispatcher();

  RpcResponse Handle(const RpcRequest& request) const;

  // Decodes `request` as Handle does (envelope, `__type__` wrappers, parameter schema) but
  // runs no method: the error response Handle would give, or none when the method would run.
  // Needs no services and no caller, so hostile bodies can be checked in isolation.
  std::optional<RpcResponse> Reject(const RpcRequest& request) const;

  // Every method name that answers, sorted.
  std::vector<std::string> MethodNames() const;

  // The methods themselves, for the other front ends over them (MCP).
  const MethodTable& table() const { return *table_; }

 private:
  RpcResponse Answer(const RpcRequest& request) const;  // Handle without method_known

  session::Services services_;
  std::unique_ptr<MethodTable> table_;
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_DISPATCHER_H_
