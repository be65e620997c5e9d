#include "testing/loopback_http_server.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct LoopbackHttpServer::Impl {
  asio::io_context io;  // never run: the server uses blocking calls on its own threads
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> tls;
};

namespace {

// Large enough for any test body; webhook and token payloads are small.
constexpr uint64_t kMaxRequestBody = 64 << 20;

std::optional<ReceivedRequest> ReadRequest(auto& stream) {
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(kMaxRequestBody);
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec) return std::nullopt;
  http::request<http::string_body>& message = parser.get();
  ReceivedRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

void WriteReply(auto& stream, const CannedReply& reply) {
  http::response<http::string_body> response;
  response.result(static_cast<unsigned>(reply.status));
  for (const auto& [name, value] : reply.headers) response.insert(name, value);
  response.set(http::field::connection, "close");
  response.body() = reply.body;
  response.prepare_payload();
  beast::error_code ec;
  http::write(stream, response, ec);  // a client that went away is not the server's problem
}

void ServeOne(auto& stream, std::string_view server_name,
              const std::function<CannedReply(ReceivedRequest)>& respond) {
  std::optional<ReceivedRequest> request = ReadRequest(stream);
  if (!request) return;
  request->server_name = server_name;
  WriteReply(stream, respond(*std::move(request)));
}

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

LoopbackHttpServer::LoopbackHttpServer(Handler handler, const TlsIdentity* tls)
    : handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "LoopbackHttpServer: cannot listen: %s\n", ec.message().c_str());
    std::abort();
  }
  port_ = impl_->acceptor.local_endpoint().port();
  if (tls != nullptr) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain(asio::buffer(tls->certificate_pem));
    impl_->tls->use_private_key(asio::buffer(tls->private_key_pem), asio::ssl::context::pem);
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stopping_ = true;
  // Shutting a listening socket down wakes the blocked accept() with an error.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  acceptor_.join();
  std::vector<std::thread> connections;
  {
    MutexLock lock(&mu_);
    for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    connections.swap(connections_);
  }
  for (std::thread& thread : connections) thread.join();
}

void LoopbackHttpServer::AcceptLoop() {
  while (!stopping_) {
    beast::error_code ec;
    tcp::socket socket = impl_->acceptor.accept(ec);
    if (ec) continue;
    const int fd = socket.native_handle();
    MutexLock lock(&mu_);
    open_fds_.insert(fd);
    connections_.emplace_back([this, fd, socket = std::move(socket)]() mutable {
      const auto respond = [this](ReceivedRequest request) { return Respond(std::move(request)); };
      if (impl_->tls) {
        asio::ssl::stream<tcp::socket&> stream(socket, *impl_->tls);
        beast::error_code handshake_error;
        stream.handshake(asio::ssl::stream_base::server, handshake_error);
        const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        if (!handshake_error) ServeOne(stream, sni == nullptr ? "" : sni, respond);
      } else {
        ServeOne(socket, "", respond);
      }
      MutexLock done(&mu_);
      open_fds_.erase(fd);  // before the close, so the destructor never shuts a reused fd
      beast::error_code ignored;
      socket.close(ignored);
    });
  }
}

CannedReply LoopbackHttpServer::Respond(ReceivedRequest request) {
  {
    MutexLock lock(&mu_);
    requests_.push_back(request);
  }
  arrived_.SignalAll();
  return handler_(request);
}

uint16_t LoopbackHttpServer::port() const { return port_; }

std::string LoopbackHttpServer::url(std::string_view path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

std::vector<ReceivedRequest> LoopbackHttpServer::requests() const {
  MutexLock lock(&mu_);
  return requests_;
}

size_t LoopbackHttpServer::request_count() const {
  MutexLock lock(&mu_);
  return requests_.size();
}

bool LoopbackHttpServer::WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
  MutexLock lock(&mu_);
  return arrived_.WaitFor(&mu_, timeout, [&]() REQUIRES(mu_) { return requests_.size() >= n; });
}

}  // namespace nexus::test
