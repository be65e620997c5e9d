// The server-to-client side of MCP sessions (GET /mcp): each session's open stream, the
// files it subscribed to (resources/subscribe), and what it is sent. Changes are found by
// polling, once per `poll`, what each subscribed file's etag and each caller's prompt list are
// now: so a change made anywhere (another connection, the JSON-RPC API, another node sharing
// the database) reaches the stream, at most one period late, with nothing to miss or replay.
// Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_MCP_EVENTS_H_
#define NEXUS_RPC_MCP_MCP_EVENTS_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "auth/identity.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "session/services.h"
#include "util/mutex.h"

namespace nexus::rpc::mcp {

inline constexpr size_t kMaxSubscriptions = 100;  // per session

class McpEvents {
 public:
  // What the caller's prompt list is now, as text that changes when the list does.
  using PromptsFingerprint = std::function<std::string(const auth::Identity&)>;

  McpEvents(session::Services services, PromptsFingerprint prompts, std::chrono::milliseconds poll);
  ~McpEvents();  // stops polling; open streams are ended by their connections

  // The session's stream (replacing one it had). Starts with a comment, so the client sees
  // the stream open.
  void Open(const std::string& session, const auth::Identity& caller,
            std::shared_ptr<McpEventSink> sink);
  // `path` as the caller names it. kPermissionDenied when the caller may not read it (a file
  // that does not exist yet may be subscribed to); kValidation past kMaxSubscriptions.
  Status Subscribe(const std::string& session, const auth::Identity& caller,
                   const std::string& path, const std::string& uri);
  void Unsubscribe(const std::string& session, const std::string& uri);
  void End(const std::string& session);

 private:
  struct Watch {
    auth::Identity caller;
    std::shared_ptr<McpEventSink> sink;  // null: no stream open now
    std::map<std::string, std::pair<std::string, std::string>> subscribed;  // uri -> (path, etag)
    std::string prompts;  // last fingerprint; "" before one
    std::chrono::steady_clock::time_point last_sent;
  };

  void PollLoop();
  void PollOnce();
  // The etag the caller sees at `path` now; "" when there is no file (or no right to it).
  std::string EtagOf(const auth::Identity& caller, const std::string& path) const;

  const session::Services services_;
  const PromptsFingerprint prompts_;
  const std::chrono::milliseconds poll_;
  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::map<std::string, Watch> watches_ GUARDED_BY(mu_);  // by session id
  std::thread poller_;
};

}  // namespace nexus::rpc::mcp

#endif  // NEXUS_RPC_MCP_MCP_EVENTS_H_
