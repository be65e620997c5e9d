#include "server/outbound_http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>

#include "server/http_types.h"
#include "util/ip_address.h"
#include "util/url.h"

namespace nexus::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;
using Request = http::request<http::string_body>;
using services::OutboundRequest;
using services::OutboundResponse;

struct OutboundHttpClient::Tls {
  ssl::context context{ssl::context::tls_client};
};

namespace {

// RFC 9110 token characters: what a method or a header name may be made of.
bool IsToken(std::string_view s) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  if (s.empty()) return false;
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (!std::isalnum(byte) && kSymbols.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// Framing is the client's: it sends one sized body per connection and closes it.
bool IsFramingHeader(std::string_view name) {
  for (std::string_view framing : {"Host", "Content-Length", "Transfer-Encoding", "Connection"}) {
    if (EqualsIgnoreCase(name, framing)) return true;
  }
  return false;
}

// A CR or LF in a value would let a caller's data start a header or a request of its own.
bool IsFieldValue(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

Status CheckRequest(const OutboundRequest& request) {
  if (!IsToken(request.method)) {
    return InvalidArgument("outbound request method \"" + request.method + "\" is not a token");
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name)) return InvalidArgument("outbound header name \"" + name + "\" is invalid");
    if (IsFramingHeader(name)) {
      return InvalidArgument("outbound header " + name + " is set by the client, not the caller");
    }
    if (!IsFieldValue(value)) {
      return InvalidArgument("outbound header " + name + " has a control character in its value");
    }
  }
  if (request.timeout.count() <= 0) return InvalidArgument("outbound timeout must be positive");
  return Status::OK();
}

Request BuildRequest(const OutboundRequest& outbound, const HttpUrl& url) {
  Request request;
  request.method_string(outbound.method);
  request.target(url.target);
  request.version(11);
  for (const auto& [name, value] : outbound.headers) request.insert(name, value);
  request.set(http::field::host, url.HostHeader());
  request.set(http::field::connection, "close");
  const bool sends_body = request.method() == http::verb::post ||
                          request.method() == http::verb::put ||
                          request.method() == http::verb::patch;
  if (sends_body || !outbound.body.empty()) request.content_length(outbound.body.size());
  request.body() = outbound.body;
  return request;
}

OutboundResponse ToResponse(http::response<http::string_body>&& message) {
  OutboundResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

// One request on its own connection and its own io_context, so that concurrent Sends share
// nothing mutable. Each step runs the io_context until that step completes or the deadline
// of the whole exchange passes; a step left pending is abandoned with the exchange.
class Exchange {
 public:
  Exchange(const HttpUrl& url, const OutboundRequest& request, size_t max_body)
      : url_(url),
        what_(request.method + " " + url.scheme + "://" + url.HostHeader() + ": "),
        timeout_(request.timeout),
        deadline_(Clock::now() + request.timeout),
        max_body_(max_body),
        public_only_(request.public_addresses_only) {}

  StatusOr<OutboundResponse> Run(const Request& request, ssl::context* tls) {
    RETURN_IF_ERROR(Connect());
    if (tls == nullptr) return Transfer(socket_, request);
    ssl::stream<tcp::socket&> stream(socket_, *tls);
    RETURN_IF_ERROR(Handshake(stream));
    return Transfer(stream, request);
  }

 private:
  // Starts an operation with `start(done)` and waits for `done`; timed_out at the deadline.
  template <typename Start>
  ErrorCode Step(Start start) {
    std::optional<ErrorCode> result;
    start([&result](const ErrorCode& ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run_until(deadline_);
    return result.value_or(asio::error::timed_out);
  }

  Status Failure(std::string_view step, const ErrorCode& ec) const {
    const std::string message = ec == asio::error::timed_out
                                    ? what_ + "timed out after " +
                                          std::to_string(timeout_.count()) + " ms (" +
                                          std::string(step) + ")"
                                    : what_ + std::string(step) + " failed: " + ec.message();
    return Status(Code::kIOError, message, {{"step", std::string(step)}});
  }

  Status Connect() {
    tcp::resolver resolver(io_);
    tcp::resolver::results_type endpoints;
    ErrorCode ec = Step([&](auto done) {
      resolver.async_resolve(url_.host, std::to_string(url_.port), tcp::resolver::numeric_service,
                             [&endpoints, done](const ErrorCode& ec, auto results) {
                               endpoints = std::move(results);
                               done(ec);
                             });
    });
    if (ec) return Failure("resolve", ec);
    if (public_only_) RETURN_IF_ERROR(CheckPublic(endpoints));
    ec = Step([&](auto done) { asio::async_connect(socket_, endpoints, done); });
    if (ec) return Failure("connect", ec);
    return Status::OK();
  }

  // Every address, not just the first: connect tries them in turn.
  Status CheckPublic(const tcp::resolver::results_type& endpoints) const {
    for (const auto& entry : endpoints) {
      const std::string address = entry.endpoint().address().to_string();
      if (IsPublicIpLiteral(address) != true) {
        return Status(Code::kPermissionDenied, what_ + "refused: " + url_.host +
                                                   " is (or resolves to) " + address +
                                                   ", which is not a public address");
      }
    }
    return Status::OK();
  }

  Status Handshake(ssl::stream<tcp::socket&>& stream) {
    SSL* ssl = stream.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // OpenSSL's own host check (rather than a verify callback) records a mismatch as the
    // verify result, so the error can say what was wrong. SNI carries names, never addresses.
    const bool named = IsPublicIpLiteral(url_.host).has_value()
                           ? X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str()) == 1
                           : X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0) == 1 &&
                                 SSL_set_tlsext_host_name(ssl, url_.host.c_str()) == 1;
    if (!named) return IOError(what_ + "TLS setup failed for host " + url_.host);
    stream.set_verify_mode(ssl::verify_peer);
    const ErrorCode ec =
        Step([&](auto done) { stream.async_handshake(ssl::stream_base::client, done); });
    if (!ec) return Status::OK();
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK && ec != asio::error::timed_out) {
      return IOError(what_ +
                     "TLS certificate verify failed: " + X509_verify_cert_error_string(verify));
    }
    return Failure("TLS handshake", ec);
  }

  StatusOr<OutboundResponse> Transfer(auto& stream, const Request& request) {
    ErrorCode ec = Step([&](auto done) { http::async_write(stream, request, done); });
    if (ec) return Failure("send", ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_);
    if (request.method() == http::verb::head) parser.skip(true);
    // The header alone first: Beast 1.74 checks a Content-Length against the body limit
    // there, but loses that error when the body is parsed in the same (eager) pass.
    ec = Step([&](auto done) { http::async_read_header(stream, buffer, parser, done); });
    if (!ec && !parser.is_done()) {
      ec = Step([&](auto done) { http::async_read(stream, buffer, parser, done); });
    }
    if (ec) return ReadFailure(ec);
    return ToResponse(parser.release());
  }

  Status ReadFailure(const ErrorCode& ec) const {
    if (ec == http::error::body_limit) {
      return IOError(what_ + "response body is over " + std::to_string(max_body_) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      return IOError(what_ + "connection closed before a complete response");
    }
    if (ec.category() == make_error_code(http::error::bad_version).category()) {
      return IOError(what_ + "malformed response: " + ec.message());
    }
    return Failure("receive", ec);
  }

  const HttpUrl& url_;
  const std::string what_;  // "POST https://host:port: ", the start of every error
  const std::chrono::milliseconds timeout_;
  const Clock::time_point deadline_;
  const size_t max_body_;
  const bool public_only_;
  asio::io_context io_;  // declared before the socket, so it outlives it
  tcp::socket socket_{io_};
};

}  // namespace

StatusOr<std::unique_ptr<OutboundHttpClient>> OutboundHttpClient::Create(
    OutboundHttpOptions options) {
  auto tls = std::make_unique<Tls>();
  ErrorCode ec;
  if (options.ca_file.empty()) {
    tls->context.set_default_verify_paths(ec);
  } else {
    tls->context.load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    const std::string source = options.ca_file.empty() ? "the system store" : options.ca_file;
    return InvalidArgument("cannot load CA certificates from " + source + ": " + ec.message());
  }
  SSL_CTX_set_min_proto_version(tls->context.native_handle(), TLS1_2_VERSION);
  return std::unique_ptr<OutboundHttpClient>(
      new OutboundHttpClient(std::move(options), std::move(tls)));
}

OutboundHttpClient::OutboundHttpClient(OutboundHttpOptions options, std::unique_ptr<Tls> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {}

OutboundHttpClient::~OutboundHttpClient() = default;

StatusOr<OutboundResponse> OutboundHttpClient::Send(const OutboundRequest& request) {
  ASSIGN_OR_RETURN(const HttpUrl url, ParseHttpUrl(request.url));
  RETURN_IF_ERROR(CheckRequest(request));
  Exchange exchange(url, request, options_.max_response_bytes);
  return exchange.Run(BuildRequest(request, url), url.https() ? &tls_->context : nullptr);
}

}  // namespace nexus::server
