#include "client/http_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "util/ascii.h"
#include "util/ip_address.h"

namespace nexus::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

struct Origin::Tls {
  ssl::context context{ssl::context::tls_client};
};

StatusOr<std::shared_ptr<const Origin>> Origin::Make(HttpUrl url, const std::string& ca_file) {
  std::unique_ptr<Tls> tls;
  if (url.https()) {
    tls = std::make_unique<Tls>();
    ErrorCode ec;
    if (ca_file.empty()) {
      tls->context.set_default_verify_paths(ec);
    } else {
      tls->context.load_verify_file(ca_file, ec);
    }
    if (ec) {
      return InvalidArgument("cannot load CA certificates from " +
                             (ca_file.empty() ? std::string("the system store") : ca_file) + ": " +
                             ec.message());
    }
    SSL_CTX_set_min_proto_version(tls->context.native_handle(), TLS1_2_VERSION);
  }
  return std::shared_ptr<const Origin>(new Origin(std::move(url), std::move(tls)));
}

Origin::Origin(HttpUrl url, std::unique_ptr<Tls> tls)
    : url_(std::move(url)), tls_(std::move(tls)) {}

Origin::~Origin() = default;

std::string Origin::Name() const { return url_.scheme + "://" + url_.HostHeader(); }

namespace {

// Framing is the connection's business; a caller's value with CR or LF would start a header
// (or a request) of its own.
Status CheckHeaders(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    for (std::string_view framing : {"Host", "Content-Length", "Transfer-Encoding", "Connection"}) {
      if (EqualsIgnoreCase(name, framing))
        return InvalidArgument("header " + name + " is set by the connection");
    }
    if (name.find_first_of("\r\n: ") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("header " + name + " has a line break or a bad name");
    }
  }
  return Status::OK();
}

}  // namespace

// The socket and, for https, the TLS stream over it, with their own event loop: each step
// runs the loop until the step completes or the deadline passes.
struct HttpConnection::Io {
  // Beast reads what the buffer has room for, at least 512 bytes, and a buffer that is
  // consumed after each answer never grows: without the reservation every answer would be
  // read 512 bytes per system call.
  static constexpr size_t kReadChunk = 16 * 1024;

  explicit Io(std::shared_ptr<const Origin> o) : origin(std::move(o)) {
    buffer.reserve(kReadChunk);
  }

  // Runs the operation `start(done)` until `done` or the deadline. A step still pending at
  // the deadline is cancelled and drained here, so no handler outlives this frame. One step
  // cannot be cut short: a host name lookup runs getaddrinfo on Asio's resolver thread, and
  // draining waits for it, so a slow DNS server can hold a call past its deadline.
  template <typename Start>
  ErrorCode Await(Deadline deadline, Start start) {
    std::optional<ErrorCode> result;
    start([&result](const ErrorCode& ec, auto&&...) { result = ec; });
    io.restart();
    io.run_until(deadline);
    if (result) return *result;
    ErrorCode ignored;
    socket.close(ignored);
    io.restart();
    io.run();
    return asio::error::timed_out;
  }

  Status Failure(std::string_view step, const ErrorCode& ec, Code code) const {
    if (ec == asio::error::timed_out) {
      return Status(Code::kUnavailable, origin->Name() + ": timed out " + std::string(step));
    }
    return Status(code, origin->Name() + ": " + std::string(step) + " failed: " + ec.message());
  }

  // "cannot connect to http://127.0.0.1:1: Connection refused".
  Status Unreachable(std::string_view what, const ErrorCode& ec) const {
    if (ec == asio::error::timed_out) return Failure("connecting", ec, Code::kUnavailable);
    return Status(Code::kUnavailable, std::string(what) + origin->Name() + ": " + ec.message());
  }

  Status Connect(Deadline deadline) {
    const HttpUrl& url = origin->url();
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    ErrorCode ec = Await(deadline, [&](auto done) {
      resolver.async_resolve(url.host, std::to_string(url.port), tcp::resolver::numeric_service,
                             [&endpoints, done](const ErrorCode& ec, auto results) {
                               endpoints = std::move(results);
                               done(ec);
                             });
    });
    if (ec) return Unreachable("cannot resolve ", ec);
    ec = Await(deadline, [&](auto done) { asio::async_connect(socket, endpoints, done); });
    if (ec) return Unreachable("cannot connect to ", ec);
    socket.set_option(tcp::no_delay(true), ec);
    if (origin->tls_) return Handshake(deadline);
    return Status::OK();
  }

  Status Handshake(Deadline deadline) {
    tls = std::make_unique<ssl::stream<tcp::socket&>>(socket, origin->tls_->context);
    const std::string& host = origin->url().host;
    SSL* handle = tls->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // SNI carries names, never addresses; an address is checked against the certificate's
    // IP entries instead.
    const bool named = IsPublicIpLiteral(host).has_value()
                           ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1 &&
                                 SSL_set_tlsext_host_name(handle, host.c_str()) == 1;
    if (!named) return Status(Code::kUnavailable, origin->Name() + ": TLS setup failed");
    tls->set_verify_mode(ssl::verify_peer);
    const ErrorCode ec =
        Await(deadline, [&](auto done) { tls->async_handshake(ssl::stream_base::client, done); });
    if (!ec) return Status::OK();
    const long verify = SSL_get_verify_result(handle);
    if (verify != X509_V_OK && ec != asio::error::timed_out) {
      return Status(Code::kUnavailable, origin->Name() + ": TLS certificate verification failed: " +
                                            X509_verify_cert_error_string(verify));
    }
    return Failure("in the TLS handshake", ec, Code::kUnavailable);
  }

  template <typename Stream>
  Status WriteTo(Stream& stream, const http::request<http::string_body>& request,
                 Deadline deadline) {
    const ErrorCode ec =
        Await(deadline, [&](auto done) { http::async_write(stream, request, done); });
    if (ec) return Failure("sending the request", ec, Code::kUnavailable);
    return Status::OK();
  }

  template <typename Stream>
  StatusOr<HttpResponse> ReadFrom(Stream& stream, Deadline deadline, size_t max_body) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(max_body);
    if (head) parser.skip(true);
    // The header alone first: Beast checks a Content-Length against the body limit there,
    // and loses that error when the body is parsed in the same pass.
    ErrorCode ec =
        Await(deadline, [&](auto done) { http::async_read_header(stream, buffer, parser, done); });
    if (!ec && !parser.is_done()) {
      ec = Await(deadline, [&](auto done) { http::async_read(stream, buffer, parser, done); });
    }
    if (ec == http::error::body_limit) {
      return Status(Code::kIOError,
                    origin->Name() + ": the answer is over " + std::to_string(max_body) + " bytes");
    }
    if (ec) return Failure("receiving the answer", ec, Code::kUnavailable);
    http::response<http::string_body> message = parser.release();
    keep_alive = message.keep_alive();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    return response;
  }

  template <typename Stream>
  StatusOr<HttpResponse> StreamFrom(Stream& stream, Deadline deadline,
                                    std::chrono::milliseconds idle,
                                    const std::function<bool(std::string_view)>& on_bytes) {
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(boost::none);  // a stream has no length
    ErrorCode ec =
        Await(deadline, [&](auto done) { http::async_read_header(stream, buffer, parser, done); });
    if (ec) return Failure("receiving the answer", ec, Code::kUnavailable);
    keep_alive = false;
    HttpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    char chunk[kReadChunk];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      ec = Await(std::chrono::steady_clock::now() + idle,
                 [&](auto done) { http::async_read_some(stream, buffer, parser, done); });
      if (ec == http::error::need_buffer) ec = {};
      const size_t got = sizeof chunk - parser.get().body().size;
      if (got > 0 && !on_bytes(std::string_view(chunk, got))) break;
      if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
      if (ec) return Failure("receiving the stream", ec, Code::kUnavailable);
    }
    return response;
  }

  const std::shared_ptr<const Origin> origin;
  asio::io_context io;  // declared before the socket, so that it outlives it
  tcp::socket socket{io};
  std::unique_ptr<ssl::stream<tcp::socket&>> tls;
  beast::flat_buffer buffer;
  bool keep_alive = true;  // false after a failure or "Connection: close"
  bool head = false;       // the request written was a HEAD: its answer has no body
  bool awaiting = false;   // a request was written and its answer not read
};

StatusOr<std::unique_ptr<HttpConnection>> HttpConnection::Open(std::shared_ptr<const Origin> origin,
                                                               Deadline deadline) {
  auto io = std::make_unique<Io>(std::move(origin));
  RETURN_IF_ERROR(io->Connect(deadline));
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(io)));
}

HttpConnection::HttpConnection(std::unique_ptr<Io> io) : io_(std::move(io)) {}

HttpConnection::~HttpConnection() = default;

StatusOr<HttpResponse> HttpConnection::Exchange(const HttpRequest& request, Deadline deadline,
                                                size_t max_body, FailureStage* stage) {
  *stage = FailureStage::kSend;
  RETURN_IF_ERROR(Write(request, deadline));
  *stage = FailureStage::kReceive;
  return Read(deadline, max_body);
}

Status HttpConnection::Write(const HttpRequest& request, Deadline deadline) {
  RETURN_IF_ERROR(CheckHeaders(request.headers));
  io_->keep_alive = false;  // until an answer says otherwise
  http::request<http::string_body> message;
  message.method_string(request.method);
  message.target(request.target);
  message.version(11);
  for (const auto& [name, value] : request.headers) message.insert(name, value);
  message.set(http::field::host, io_->origin->url().HostHeader());
  if (!request.body.empty() || message.method() == http::verb::post ||
      message.method() == http::verb::put) {
    message.content_length(request.body.size());
  }
  message.body() = request.body;
  io_->head = message.method() == http::verb::head;
  RETURN_IF_ERROR(io_->tls ? io_->WriteTo(*io_->tls, message, deadline)
                           : io_->WriteTo(io_->socket, message, deadline));
  io_->awaiting = true;
  return Status::OK();
}

StatusOr<HttpResponse> HttpConnection::Read(Deadline deadline, size_t max_body) {
  if (!io_->awaiting) return Status(Code::kInternal, "no request is waiting for its answer");
  io_->awaiting = false;
  if (io_->tls) return io_->ReadFrom(*io_->tls, deadline, max_body);
  return io_->ReadFrom(io_->socket, deadline, max_body);
}

StatusOr<HttpResponse> HttpConnection::Stream(
    const HttpRequest& request, Deadline deadline, std::chrono::milliseconds idle,
    const std::function<bool(std::string_view)>& on_bytes) {
  RETURN_IF_ERROR(Write(request, deadline));
  io_->awaiting = false;
  if (io_->tls) return io_->StreamFrom(*io_->tls, deadline, idle, on_bytes);
  return io_->StreamFrom(io_->socket, deadline, idle, on_bytes);
}

bool HttpConnection::Reusable() const {
  if (!io_->keep_alive || io_->awaiting || io_->buffer.size() > 0 || !io_->socket.is_open())
    return false;
  // An idle connection has nothing to read: readable means the server closed it (or sent
  // something no request asked for).
  pollfd p{io_->socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace nexus::client
