#include "services/mcp_mounts/mcp_stdio_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

namespace nexus::services {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// A line longer than this is no message a server should send: the connection ends.
constexpr size_t kMaxLineBytes = size_t{64} << 20;
constexpr size_t kStderrTail = 2048;
// How long a server that closed its stdout has to finish saying why on stderr.
constexpr auto kStderrGrace = std::chrono::milliseconds(500);

// Writes all of `data` to the pipe `fd` (non-blocking) by `deadline`, without the SIGPIPE a
// reader that is gone would raise (it would end the server): the signal is blocked for this
// thread, and one left pending is taken before unblocking.
Status WriteToPipe(int fd, std::string_view data, Clock::time_point deadline) {
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  Status status = Status::OK();
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd, POLLOUT, 0};
      if (left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) > 0) continue;
      status = IOError("the MCP server does not read its input");
      break;
    }
    status = errno == EPIPE ? NotFound("the MCP server exited")
                            : IOError("write to the MCP server failed");
    break;
  }
  if (status.code() == Code::kNotFound) {
    const timespec now{0, 0};
    sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace

McpStdioConnection::~McpStdioConnection() { Stop(); }

Status McpStdioConnection::EnsureStarted() {
  if (exited_) {
    return NotFound("the MCP server exited" +
                    (stderr_tail_.empty() ? std::string() : ": " + stderr_tail_));
  }
  if (process_) return Status::OK();
  if (target_.provider == nullptr)
    return Status(Code::kValidation, "sandboxes are off on this server");
  ASSIGN_OR_RETURN(std::unique_ptr<sandbox::SandboxProcess> started,
                   target_.provider->Start(target_.spec, target_.start));
  process_ = std::move(started);
  ::fcntl(process_->stdin_fd(), F_SETFL, ::fcntl(process_->stdin_fd(), F_GETFL) | O_NONBLOCK);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) return IOError("pipe2 failed");
  wake_read_ = UniqueFd(wake[0]);
  wake_write_ = UniqueFd(wake[1]);
  reader_ = std::thread([this, process = process_, fd = wake[0]] { ReadLoop(process, fd); });
  return Status::OK();
}

void McpStdioConnection::Stop() {
  std::thread reader;
  std::shared_ptr<sandbox::SandboxProcess> process;
  UniqueFd wake_read, wake_write;
  {
    MutexLock lock(&mu_);
    reader = std::move(reader_);
    process = std::move(process_);
    wake_read = std::move(wake_read_);
    wake_write = std::move(wake_write_);
    exited_ = false;
    stderr_tail_.clear();
  }
  answered_.SignalAll();
  if (wake_write.valid()) {
    const char byte = 1;
    (void)::write(wake_write.get(), &byte, 1);
  }
  if (reader.joinable()) reader.join();
  // The last reference (here, or a writer's) kills and reaps the process tree.
}

void McpStdioConnection::Reset() { Stop(); }

Status McpStdioConnection::Write(const sandbox::SandboxProcess& process, const std::string& line) {
  MutexLock lock(&write_mu_);
  return WriteToPipe(process.stdin_fd(), line + "\n", Clock::now() + target_.timeout);
}

StatusOr<std::string> McpStdioConnection::Send(const std::string& message,
                                               std::optional<int64_t> id) {
  std::shared_ptr<sandbox::SandboxProcess> process;
  {
    MutexLock lock(&mu_);
    RETURN_IF_ERROR(EnsureStarted());
    process = process_;
    if (id) waiting_.insert(*id);
  }
  Status written = Write(*process, message);
  MutexLock lock(&mu_);
  if (written.ok() && id) {
    answered_.WaitFor(&mu_, target_.timeout,
                      [&]() REQUIRES(mu_) { return answers_.contains(*id) || exited_; });
  }
  if (!id) return written.ok() ? StatusOr<std::string>(std::string()) : written;
  waiting_.erase(*id);
  if (const auto it = answers_.find(*id); it != answers_.end()) {
    std::string answer = std::move(it->second);
    answers_.erase(it);
    return answer;
  }
  RETURN_IF_ERROR(written);
  if (exited_) {
    return NotFound("the MCP server exited" +
                    (stderr_tail_.empty() ? std::string() : ": " + stderr_tail_));
  }
  return IOError("the MCP server did not answer within " +
                 std::to_string(target_.timeout.count() / 1000) + " s");
}

void McpStdioConnection::OnLine(const sandbox::SandboxProcess& process, const std::string& line) {
  const Json message = Json::parse(line, nullptr, false);
  if (!message.is_object()) return;
  const auto id = message.find("id");
  if (message.contains("method")) {
    // A request of the server's: ping is answered, anything else (sampling, roots) we did
    // not offer. Notifications (logging, progress) are dropped.
    if (id == message.end()) return;
    Json reply{{"jsonrpc", "2.0"}, {"id", *id}};
    if (message["method"] == "ping") {
      reply["result"] = Json::object();
    } else {
      reply["error"] = Json{{"code", -32601}, {"message", "Method not found"}};
    }
    (void)Write(process, reply.dump());
    return;
  }
  if (id == message.end() || !id->is_number_integer()) return;
  MutexLock lock(&mu_);
  const int64_t number = id->get<int64_t>();
  if (!waiting_.contains(number)) return;
  answers_[number] = line;
  answered_.SignalAll();
}

void McpStdioConnection::KeepStderr(const char* bytes, size_t size) {
  MutexLock lock(&mu_);
  stderr_tail_.append(bytes, size);
  if (stderr_tail_.size() > kStderrTail) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTail);
}

void McpStdioConnection::DrainStderr(int err_fd) {
  const auto deadline = Clock::now() + kStderrGrace;
  char chunk[4096];
  while (err_fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{err_fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return;
    const ssize_t n = ::read(err_fd, chunk, sizeof chunk);
    if (n <= 0) return;
    KeepStderr(chunk, static_cast<size_t>(n));
  }
}

void McpStdioConnection::ReadLoop(std::shared_ptr<sandbox::SandboxProcess> process, int wake) {
  std::string pending;
  bool open = true;
  int err_fd = process->stderr_fd();  // -1 once it is closed, which poll then skips
  while (open) {
    pollfd fds[3] = {{process->stdout_fd(), POLLIN, 0}, {err_fd, POLLIN, 0}, {wake, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) return;  // Stop: the process is being ended anyway
    char chunk[65536];
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(err_fd, chunk, sizeof chunk);
      if (n <= 0) err_fd = -1;
      if (n > 0) KeepStderr(chunk, static_cast<size_t>(n));
    }
    if (fds[0].revents == 0) continue;
    const ssize_t n = ::read(process->stdout_fd(), chunk, sizeof chunk);
    if (n <= 0) {
      DrainStderr(err_fd);  // why it ended comes last, and maybe after stdout closed
      break;
    }
    pending.append(chunk, static_cast<size_t>(n));
    for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
      OnLine(*process, pending.substr(0, end));
      pending.erase(0, end + 1);
    }
    open = pending.size() <= kMaxLineBytes;
  }
  MutexLock lock(&mu_);
  exited_ = true;
  answered_.SignalAll();
}

}  // namespace nexus::services
