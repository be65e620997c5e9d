// The Nexus client: JSON-RPC calls (api.md §3) and plain HTTP requests to one server, over a
// pool of keep-alive connections, for the command line and every other tool of the project.
//
// Errors keep what the server said: an RPC error becomes a Status whose code follows the
// JSON-RPC code (-32000 kNotFound, -32004 kPermissionDenied, -32006 kConflict, ...), whose
// message is the server's message, and whose details carry "rpc_code" (and, for a conflict,
// "path", "expected_etag" and "current_etag"). A server that cannot be reached, times out or
// answers 503 is kUnavailable; a refused key (HTTP 401) is kUnauthenticated. An error made of
// an HTTP status other than 200 (503 included) carries it as the detail "http_status", so a
// caller can tell a server that answered from one that could not be reached.
//
// Resending is automatic only where it cannot do a thing twice: a call refused with 503
// (honouring Retry-After), a connection that failed before the request was sent, and any
// transport failure of a call the caller marked idempotent (reads). Backoff doubles from
// 100 ms, with jitter, within the call's deadline. max_attempts = 1 turns resending off
// (nexus-stress, which must count every failure); a call made with Start and Finish is
// never resent.
//
// A Client is safe to use from many threads at once.
#ifndef NEXUS_CLIENT_CLIENT_H_
#define NEXUS_CLIENT_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/http.h"
#include "client/value.h"
#include "util/status.h"

namespace nexus::client {

struct ClientOptions {
  std::string url = "http://localhost:8080";  // a base: "https://host/nexus" is allowed
  std::string api_key;                        // sent as "Authorization: Bearer <key>"
  std::string ca_file;                        // PEM certificates to trust; empty: the system's
  std::chrono::milliseconds timeout{30000};   // per call, resends included
  size_t max_idle_connections = 8;
  int max_attempts = 4;                  // of one call, the first included
  size_t max_response_bytes = 1u << 30;  // a longer answer fails the call
  std::string user_agent = "nexus-client";
};

struct CallOptions {
  // Safe to resend after any transport failure: the method only reads.
  bool idempotent = false;
  // Overrides ClientOptions::timeout for this call.
  std::optional<std::chrono::milliseconds> timeout;
  // For `read`: the etag the caller holds; an unchanged file answers not_modified.
  std::string if_none_match;
};

// An RPC result with what the HTTP layer said about it.
struct Reply {
  Value result;
  std::string etag;           // the ETag header without quotes, "" when absent
  bool not_modified = false;  // 304 to if_none_match: `result` is null
};

class ConnectionPool;
class HttpConnection;

// A call whose request is sent and whose answer is not read yet (Client::Start). It holds its
// connection until Client::Finish; dropped unfinished, it closes the connection.
class PendingCall {
 public:
  PendingCall(PendingCall&&) noexcept;
  PendingCall& operator=(PendingCall&&) noexcept;
  ~PendingCall();

 private:
  friend class Client;
  PendingCall();

  std::string method_;
  std::chrono::steady_clock::time_point deadline_;
  bool conditional_ = false;  // sent with If-None-Match
  Status failure_;            // why the request was not sent
  std::unique_ptr<HttpConnection> connection_;
};

class Client {
 public:
  // kInvalidArgument for a URL that is not http(s), an API key with characters a header
  // cannot carry, or CA certificates that cannot be loaded. Connects lazily.
  static StatusOr<std::unique_ptr<Client>> Open(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // POST {base}/api/nfs/{method} with `params`; the result, or the error as described above.
  StatusOr<Value> Call(std::string_view method, Value params = Value::EmptyObject(),
                       const CallOptions& options = {});
  StatusOr<Reply> CallForReply(std::string_view method, Value params,
                               const CallOptions& options = {});

  // Bytes without base64 or JSON (docs/compatibility.md, "Raw bytes"). CallWithContent sends
  // `content` as the raw body of `method` (one with a bytes `content` parameter, such as
  // upload_part) and the other `params` (strings, integers, booleans) in the query string.
  // CallForBytes asks for a result that is bytes (read, read_range) raw, and returns it.
  StatusOr<Value> CallWithContent(std::string_view method, const Value& params, std::string content,
                                  const CallOptions& options = {});
  StatusOr<std::string> CallForBytes(std::string_view method, Value params,
                                     const CallOptions& options = {});

  // A call in two steps, so that one thread can have several calls in flight, each on its own
  // connection, as a browser sends a page's requests: Start sends the request and returns
  // without reading the answer; Finish reads it and returns what Call would have (a request
  // Start could not send included). Such a call is never resent.
  PendingCall Start(std::string_view method, Value params = Value::EmptyObject(),
                    const CallOptions& options = {});
  StatusOr<Value> Finish(PendingCall call);

  // A request to {base}{request.target} with the key and the retry rules above; any HTTP
  // status is returned as it is, except that 503 is resent and, in the end, kUnavailable.
  StatusOr<HttpResponse> Send(HttpRequest request, const CallOptions& options = {});
  // A request whose answer is a stream (text/event-stream, such as GET /mcp): `on_bytes` gets
  // the body as it arrives, each read waiting at most `idle`, until the server ends it or
  // `on_bytes` returns false; then the answer's status and headers. Never resent, and its
  // connection is not kept.
  StatusOr<HttpResponse> Stream(HttpRequest request, std::chrono::milliseconds idle,
                                const std::function<bool(std::string_view)>& on_bytes);
  // GET of a JSON document such as /api/auth/whoami or /health.
  StatusOr<Value> GetJson(std::string_view target);

  const ClientOptions& options() const { return options_; }

 private:
  Client(ClientOptions options, std::string base_path, std::unique_ptr<ConnectionPool> pool);

  // The JSON-RPC request of a call, ready for Send; the method name is checked first.
  StatusOr<HttpRequest> RpcRequest(std::string_view method, Value params,
                                   const CallOptions& options);
  // Puts the request under the base path, with the key and the user agent.
  void Address(HttpRequest& request) const;
  // The call's answer as a Reply or the Status it stands for.
  StatusOr<Reply> ReplyOf(std::string_view method, const HttpResponse& response,
                          bool conditional) const;

  const ClientOptions options_;
  const std::string base_path_;  // the URL's path without its trailing '/'
  const std::unique_ptr<ConnectionPool> pool_;
  std::atomic<int64_t> next_id_{1};
};

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_CLIENT_H_
