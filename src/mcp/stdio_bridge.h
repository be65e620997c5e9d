// `nexus mcp`: MCP over stdio for desktop clients that spawn a process (Claude Desktop,
// Claude Code, Cursor), bridged to a server's Streamable HTTP endpoint /mcp over the client
// library. Each line read is one JSON-RPC message (or batch), POSTed as it is; what the
// server answers is written back one message per line. The bridge keeps the transport's
// state (the session id, the negotiated version) and nothing of the protocol's: tools,
// prompts and resources are the server's. The server's own stream (GET /mcp: notifications)
// is read by a thread of its own and its messages written out between the answers.
#ifndef NEXUS_MCP_STDIO_BRIDGE_H_
#define NEXUS_MCP_STDIO_BRIDGE_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <iosfwd>
#include <string>

#include "client/client.h"
#include "client/value.h"
#include "util/mutex.h"
#include "util/status.h"

namespace nexus::mcp {

struct BridgeOptions {
  // Requests answered at once; a long tool call (code in a sandbox) does not hold up a ping.
  size_t max_in_flight = 8;
  // Per message: the longest tool call (300 s in a sandbox) and some.
  std::chrono::milliseconds timeout{330000};
  // The server's stream says something at least every 15 s; this long silent, it is opened
  // again.
  std::chrono::milliseconds stream_idle{45000};
};

class StdioBridge {
 public:
  // `client` must outlive the bridge; `out` receives only protocol messages (diagnostics go
  // to stderr).
  StdioBridge(client::Client& client, std::istream& in, std::ostream& out,
              BridgeOptions options = {});

  // Forwards until `in` ends, waits for the answers in flight, then ends the server's
  // session. OK once `in` ended.
  Status Run();

 private:
  // One message from the client; `line` is its text.
  void Forward(const std::string& line);
  // POSTs `body`, renewing a session the server forgot (404) once; writes what comes back.
  void Exchange(const std::string& body, const client::Value* id);
  StatusOr<client::HttpResponse> Post(const std::string& body);
  // initialize again with the client's own first message, for a server that lost session
  // `lost`; true when a session is open again (this call's or a concurrent one's).
  bool Renew(const std::string& lost);
  void WriteAnswer(const client::HttpResponse& response, const client::Value* id);
  void WriteError(const client::Value* id, const std::string& message);
  void WriteLine(std::string message);
  void WorkerLoop();
  void StreamLoop();

  client::Client& client_;
  std::istream& in_;
  std::ostream& out_;
  const BridgeOptions options_;

  Mutex out_mu_;  // one message per line, whole, whatever thread writes it

  Mutex renew_mu_;  // one renewal at a time
  Mutex state_mu_;
  std::string session_id_ GUARDED_BY(state_mu_);
  std::string protocol_version_ GUARDED_BY(state_mu_);
  std::string initialize_message_ GUARDED_BY(state_mu_);  // the client's, for Renew
  bool stopping_ GUARDED_BY(state_mu_) = false;           // stdin ended
  CondVar state_cv_;                                      // a session opened, or stopping

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<std::string> queue_ GUARDED_BY(queue_mu_);  // requests for the workers
  bool closed_ GUARDED_BY(queue_mu_) = false;
};

}  // namespace nexus::mcp

#endif  // NEXUS_MCP_STDIO_BRIDGE_H_
