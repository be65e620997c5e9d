// The MCP sessions of one node (Streamable HTTP's Mcp-Session-Id): which caller opened each
// and which protocol version it negotiated. Held in memory: a restarted node forgets them, and
// a client whose session is unknown gets 404 and initialises again, as the transport
// specifies. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_MCP_SESSIONS_H_
#define NEXUS_RPC_MCP_MCP_SESSIONS_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "util/mutex.h"

namespace nexus::rpc::mcp {

struct SessionLimits {
  std::chrono::seconds idle_timeout{3600};  // a session unused this long ends
  size_t max_sessions = 10000;              // past it, the least recently used one ends
  size_t max_per_owner = 100;               // past it, the owner's least recently used ends
};

class McpSessions {
 public:
  explicit McpSessions(SessionLimits limits = {}) : limits_(limits) {}

  // A new session of `owner` (who may use it) speaking `protocol_version`; its id.
  std::string Open(const std::string& owner, const std::string& protocol_version);

  // The protocol version of session `id` when it is open and `owner`'s (another caller's
  // session is as unknown as one that never was); marks it used.
  std::optional<std::string> Use(const std::string& id, const std::string& owner);

  // Ends session `id` of `owner`; false when there was no such session.
  bool Close(const std::string& id, const std::string& owner);

  size_t size() const;

 private:
  struct Entry {
    std::string owner;
    std::string protocol_version;
    std::chrono::steady_clock::time_point last_used;
  };

  // Drops expired sessions, then the least recently used while at a cap: `owner`'s own first,
  // so that one caller opening sessions in a loop ends only its own.
  void MakeRoom(const std::string& owner) REQUIRES(mu_);

  const SessionLimits limits_;
  mutable Mutex mu_;
  std::map<std::string, Entry> sessions_ GUARDED_BY(mu_);
};

}  // namespace nexus::rpc::mcp

#endif  // NEXUS_RPC_MCP_MCP_SESSIONS_H_
