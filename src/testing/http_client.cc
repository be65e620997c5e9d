#include "testing/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>

namespace nexus::test {

using server::HeaderList;

namespace {

using Clock = std::chrono::steady_clock;

std::string FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Parses "HTTP/1.1 200 OK\r\nName: value\r\n..." (without the blank line).
std::optional<ClientResponse> ParseHead(std::string_view head) {
  ClientResponse response;
  const size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) return std::nullopt;
  response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(pos, end - pos);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    response.headers.emplace_back(std::string(line.substr(0, colon)),
                                  std::string(Trim(line.substr(colon + 1))));
    pos = end + 2;
  }
  return response;
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

bool ClientResponse::HasHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

std::string BuildRequest(std::string_view method, std::string_view target,
                         const HeaderList& headers, std::string_view body) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::optional<std::string> Gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + 15) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    char chunk[16384];
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TestHttpClient::TestHttpClient(uint16_t port) : fd_(ConnectLoopback(port)) {}

TestHttpClient::~TestHttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestHttpClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

ssize_t TestHttpClient::Receive(Clock::time_point deadline, char* chunk, size_t size) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return -1;
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return -1;
    const ssize_t n = ::recv(fd_, chunk, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return n < 0 ? 0 : n;  // an error after poll said readable is a reset
  }
}

bool TestHttpClient::Fill(Clock::time_point deadline) {
  char chunk[16384];
  const ssize_t n = Receive(deadline, chunk, sizeof(chunk));
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<ClientResponse> TestHttpClient::ReadResponse(bool head_request,
                                                           std::chrono::milliseconds timeout) {
  if (fd_ < 0) return std::nullopt;
  const Clock::time_point deadline = Clock::now() + timeout;
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return std::nullopt;
  }
  std::optional<ClientResponse> response = ParseHead(std::string_view(buffer_).substr(0, head_end));
  buffer_.erase(0, head_end + 4);
  if (!response) return std::nullopt;
  const bool no_body =
      head_request || response->status < 200 || response->status == 204 || response->status == 304;
  if (no_body) return response;
  const std::string length_header = response->Header("Content-Length");
  if (length_header.empty()) {  // delimited by close
    while (Fill(deadline)) {
    }
    response->body = std::move(buffer_);
    buffer_.clear();
    return response;
  }
  const size_t length = std::strtoull(length_header.c_str(), nullptr, 10);
  while (buffer_.size() < length) {
    if (!Fill(deadline)) return std::nullopt;
  }
  response->body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

std::optional<ClientResponse> TestHttpClient::Request(std::string_view method,
                                                      std::string_view target,
                                                      const HeaderList& headers,
                                                      std::string_view body) {
  if (!Send(BuildRequest(method, target, headers, body))) return std::nullopt;
  return ReadResponse(method == "HEAD");
}

bool TestHttpClient::WaitForClose(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  char chunk[4096];
  for (;;) {
    const ssize_t n = Receive(deadline, chunk, sizeof(chunk));
    if (n < 0) return false;  // the deadline
    if (n == 0) return true;  // closed or reset
  }
}

ClientResponse Fetch(uint16_t port, std::string_view method, std::string_view target,
                     const HeaderList& headers, std::string_view body) {
  TestHttpClient client(port);
  std::optional<ClientResponse> response = client.Request(method, target, headers, body);
  return response ? *std::move(response) : ClientResponse{};
}

}  // namespace nexus::test
