// The stdio transport to an MCP server (McpConnection): the server is a program started in a
// sandbox (sandbox/provider.h: its own uid, limits, no host files but /usr and the directories
// it is given), one JSON-RPC message per line each way. A reader thread matches answers to
// requests by id, answers the server's own pings, and drains stderr, keeping its tail for
// error messages. A process that exits is started again by the next request.
#ifndef NEXUS_SERVICES_MCP_MOUNTS_MCP_STDIO_CONNECTION_H_
#define NEXUS_SERVICES_MCP_MOUNTS_MCP_STDIO_CONNECTION_H_

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "sandbox/provider.h"
#include "services/mcp_mounts/mcp_client.h"
#include "util/mutex.h"
#include "util/unique_fd.h"

namespace nexus::services {

struct McpStdioTarget {
  sandbox::Provider* provider = nullptr;  // must outlive the connection
  sandbox::SandboxSpec spec;
  sandbox::StartRequest start;
  std::chrono::milliseconds timeout{30000};  // per request
};

class McpStdioConnection final : public McpConnection {
 public:
  explicit McpStdioConnection(McpStdioTarget target) : target_(std::move(target)) {}
  ~McpStdioConnection() override;

  StatusOr<std::string> Send(const std::string& message, std::optional<int64_t> id) override;
  void Reset() override;

 private:
  // Starts the process when there is none; kNotFound when the one there has exited.
  Status EnsureStarted() REQUIRES(mu_);
  // Ends the process and its reader.
  void Stop() EXCLUDES(mu_);
  void ReadLoop(std::shared_ptr<sandbox::SandboxProcess> process, int wake);
  void OnLine(const sandbox::SandboxProcess& process, const std::string& line);
  void KeepStderr(const char* bytes, size_t size);
  // After stdout ended: what is left on stderr, for a short while.
  void DrainStderr(int err_fd);
  Status Write(const sandbox::SandboxProcess& process, const std::string& line);

  const McpStdioTarget target_;
  Mutex write_mu_;  // one message at a time on the server's stdin
  Mutex mu_;
  CondVar answered_;  // an answer arrived, or the process exited
  // Shared with the reader and with writers, so that its pipes stay open while they use them.
  std::shared_ptr<sandbox::SandboxProcess> process_ GUARDED_BY(mu_);
  std::thread reader_ GUARDED_BY(mu_);
  UniqueFd wake_read_ GUARDED_BY(mu_);
  UniqueFd wake_write_ GUARDED_BY(mu_);  // written to stop the reader
  bool exited_ GUARDED_BY(mu_) = false;
  std::set<int64_t> waiting_ GUARDED_BY(mu_);               // requests sent, not answered
  std::map<int64_t, std::string> answers_ GUARDED_BY(mu_);  // for waiting_ only
  std::string stderr_tail_ GUARDED_BY(mu_);
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MCP_MOUNTS_MCP_STDIO_CONNECTION_H_
