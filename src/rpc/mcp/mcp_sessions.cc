#include "rpc/mcp/mcp_sessions.h"

#include <algorithm>

#include "util/ids.h"

namespace nexus::rpc::mcp {

std::string McpSessions::Open(const std::string& owner, const std::string& protocol_version) {
  // 128 random bits: a session id is not a credential (every request also carries the key),
  // but it must not be guessable either.
  std::string id = RandomHex(16);
  MutexLock lock(&mu_);
  MakeRoom(owner);
  sessions_[id] = Entry{owner, protocol_version, std::chrono::steady_clock::now()};
  return id;
}

std::optional<std::string> McpSessions::Use(const std::string& id, const std::string& owner) {
  MutexLock lock(&mu_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.owner != owner) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  if (now - it->second.last_used > limits_.idle_timeout) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.protocol_version;
}

bool McpSessions::Close(const std::string& id, const std::string& owner) {
  MutexLock lock(&mu_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.owner != owner) return false;
  sessions_.erase(it);
  return true;
}

size_t McpSessions::size() const {
  MutexLock lock(&mu_);
  return sessions_.size();
}

void McpSessions::MakeRoom(const std::string& owner) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(sessions_, [&](const auto& entry) {
    return now - entry.second.last_used > limits_.idle_timeout;
  });
  const auto older = [](const auto& a, const auto& b) {
    return a.second.last_used < b.second.last_used;
  };
  const auto owned = [&](const auto& entry) { return entry.second.owner == owner; };
  while (static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), owned)) >=
         limits_.max_per_owner) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (owned(*it) && (oldest == sessions_.end() || older(*it, *oldest))) oldest = it;
    }
    sessions_.erase(oldest);
  }
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions)
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), older));
}

}  // namespace nexus::rpc::mcp
