#include "stress/http_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace nexus::stress {
namespace {

using Clock = std::chrono::steady_clock;

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// The value of header `name` ("Name:" prefix, case-insensitive) in a response head.
std::string_view HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const size_t start = pos + 2;
    const size_t end = head.find("\r\n", start);
    std::string_view line = head.substr(start, end == std::string_view::npos ? end : end - start);
    if (StartsWithIgnoreCase(line, name) && line.size() > name.size() && line[name.size()] == ':') {
      line.remove_prefix(name.size() + 1);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      return line;
    }
    pos = end;
  }
  return {};
}

}  // namespace

HttpConnection::HttpConnection(ServerAddress address, std::chrono::milliseconds timeout)
    : address_(std::move(address)), timeout_(timeout) {}

HttpConnection::~HttpConnection() { Close(); }

void HttpConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  close_after_reply_ = false;
}

Status HttpConnection::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address_.port);
  if (::getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return IOError("cannot resolve " + address_.host);
  }
  fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
  const int error = errno;
  ::freeaddrinfo(found);
  if (!connected) {
    Close();
    return IOError("connect to " + address_.host + ":" + port + ": " + std::strerror(error));
  }
  // Requests are small and answered one at a time: Nagle would only add delay.
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return Status::OK();
}

bool HttpConnection::ClosedByPeer() const {
  pollfd pfd{fd_, POLLIN, 0};
  return ::poll(&pfd, 1, 0) != 0;
}

Status HttpConnection::Send(const std::string& method, const std::string& target,
                            const std::string& headers, const std::string& body) {
  if (fd_ >= 0 && (close_after_reply_ || ClosedByPeer())) Close();
  if (fd_ < 0) RETURN_IF_ERROR(Connect());
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + address_.host + "\r\n" +
                        headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                        body;
  std::string_view rest = request;
  while (!rest.empty()) {
    const ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      Close();
      return IOError(std::string("send: ") + std::strerror(error));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status HttpConnection::Fill(Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return IOError("timed out waiting for the response");
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return IOError("connection closed before a complete response");
    if (n < 0) return IOError(std::string("recv: ") + std::strerror(errno));
    buffer_.append(chunk, static_cast<size_t>(n));
    return Status::OK();
  }
}

StatusOr<HttpReply> HttpConnection::Receive() {
  if (fd_ < 0) return IOError("not connected");
  const Clock::time_point deadline = Clock::now() + timeout_;
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (Status s = Fill(deadline); !s.ok()) {
      Close();
      return s;
    }
  }
  const std::string_view head = std::string_view(buffer_).substr(0, head_end);
  if (!head.starts_with("HTTP/1.") || head.size() < 12) {
    Close();
    return IOError("malformed status line");
  }
  HttpReply reply;
  reply.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  const std::string length = std::string(HeaderValue(head, "Content-Length"));
  close_after_reply_ = StartsWithIgnoreCase(HeaderValue(head, "Connection"), "close");
  const size_t body_length = std::strtoull(length.c_str(), nullptr, 10);
  buffer_.erase(0, head_end + 4);
  while (buffer_.size() < body_length) {
    if (Status s = Fill(deadline); !s.ok()) {
      Close();
      return s;
    }
  }
  reply.body = buffer_.substr(0, body_length);
  buffer_.erase(0, body_length);
  return reply;
}

StatusOr<HttpReply> HttpConnection::Request(const std::string& method, const std::string& target,
                                            const std::string& headers, const std::string& body) {
  RETURN_IF_ERROR(Send(method, target, headers, body));
  return Receive();
}

}  // namespace nexus::stress
