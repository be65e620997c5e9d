#include "client/client.h"

#include <random>
#include <thread>
#include <vector>

#include "client/connection_pool.h"
#include "client/rpc_error.h"
#include "util/ascii.h"
#include "util/etag.h"
#include "util/form_urlencoded.h"
#include "util/url.h"

namespace nexus::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxRetryAfter{10000};

// What a header value may carry: visible ASCII, so that a pasted key with a stray newline
// fails here rather than splitting the request.
bool IsVisibleAscii(std::string_view s) {
  for (const char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// JSON-RPC method names are identifiers; anything else would change the URL's path.
bool IsMethodName(std::string_view method) {
  if (method.empty() || method.size() > 128) return false;
  for (const char c : method) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

// Doubling from kFirstBackoff, each wait drawn from [half, full] so that many clients
// refused together do not come back together.
milliseconds Backoff(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int64_t full = kFirstBackoff.count() << std::min(attempt - 1, 6);
  return milliseconds(std::uniform_int_distribution<int64_t>(full / 2, full)(random));
}

// Retry-After in seconds (the HTTP-date form is left to the backoff), capped.
std::optional<milliseconds> RetryAfter(const HttpResponse& response) {
  const std::string value = response.Header("Retry-After");
  if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != value.npos)
    return std::nullopt;
  return std::min(milliseconds(std::stoll(value) * 1000), kMaxRetryAfter);
}

// The server's words for a status other than 200: FastAPI's {"detail": ...}, else the start
// of the body.
std::string Detail(const HttpResponse& response) {
  StatusOr<Value> body = ParseJson(response.body);
  if (body.ok() && (*body)["detail"].is_string()) return (*body)["detail"].AsString();
  return response.body.substr(0, 200);
}

// The detail every error made of an HTTP status carries.
std::vector<Status::Detail> HttpStatusDetail(int status) {
  return {{"http_status", std::to_string(status)}};
}

Status StatusOfHttp(const HttpResponse& response, std::string_view url) {
  const std::string detail = Detail(response);
  if (response.status == 401) {
    return Status(Code::kUnauthenticated,
                  std::string(url) + " refused the API key" +
                      (detail.empty() ? std::string() : " (" + detail + ")"),
                  HttpStatusDetail(401));
  }
  const Code code =
      response.status == 502 || response.status == 504 ? Code::kUnavailable : Code::kIOError;
  return Status(code,
                std::string(url) + " answered HTTP " + std::to_string(response.status) +
                    (detail.empty() ? std::string() : ": " + detail),
                HttpStatusDetail(response.status));
}

Status Busy(const std::string& url) {
  return Status(Code::kUnavailable, url + " is busy (HTTP 503)", HttpStatusDetail(503));
}

}  // namespace

PendingCall::PendingCall() = default;
PendingCall::PendingCall(PendingCall&&) noexcept = default;
PendingCall& PendingCall::operator=(PendingCall&&) noexcept = default;
PendingCall::~PendingCall() = default;

StatusOr<std::unique_ptr<Client>> Client::Open(ClientOptions options) {
  StatusOr<HttpUrl> url = ParseHttpUrl(options.url);
  if (!url.ok()) return InvalidArgument("server URL: " + url.status().message());
  if (url->target.find('?') != std::string::npos)
    return InvalidArgument("server URL: a base URL has no query: " + options.url);
  if (!IsVisibleAscii(options.api_key))
    return InvalidArgument("the API key has spaces, line breaks or non-ASCII characters");
  if (options.max_attempts < 1 || options.timeout.count() <= 0)
    return InvalidArgument("max_attempts and timeout must be positive");
  std::string base_path = url->target;
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  ASSIGN_OR_RETURN(std::shared_ptr<const Origin> origin,
                   Origin::Make(std::move(url).value(), options.ca_file));
  auto pool = std::make_unique<ConnectionPool>(std::move(origin), options.max_idle_connections);
  return std::unique_ptr<Client>(
      new Client(std::move(options), std::move(base_path), std::move(pool)));
}

Client::Client(ClientOptions options, std::string base_path, std::unique_ptr<ConnectionPool> pool)
    : options_(std::move(options)), base_path_(std::move(base_path)), pool_(std::move(pool)) {}

Client::~Client() = default;

StatusOr<HttpResponse> Client::Send(HttpRequest request, const CallOptions& options) {
  const Clock::time_point deadline = Clock::now() + options.timeout.value_or(options_.timeout);
  Address(request);
  for (int attempt = 1;; ++attempt) {
    bool reused = false;
    bool resend_safe = true;  // nothing reached the server
    std::optional<milliseconds> wait;
    Status failure;
    StatusOr<std::unique_ptr<HttpConnection>> connection = pool_->Acquire(deadline, &reused);
    if (!connection.ok()) {
      failure = connection.status();
    } else {
      FailureStage stage = FailureStage::kConnect;
      StatusOr<HttpResponse> response =
          (*connection)->Exchange(request, deadline, options_.max_response_bytes, &stage);
      if (response.ok()) {
        pool_->Release(std::move(connection).value());
        if (response->status != 503) return response;
        failure = Busy(options_.url);
        wait = RetryAfter(*response);
      } else {
        failure = response.status();
        resend_safe = options.idempotent || (reused && stage == FailureStage::kSend);
      }
    }
    if (!resend_safe || failure.code() != Code::kUnavailable || attempt >= options_.max_attempts)
      return failure;
    const milliseconds pause = wait.value_or(Backoff(attempt));
    if (Clock::now() + pause >= deadline) return failure;
    std::this_thread::sleep_for(pause);
  }
}

StatusOr<HttpResponse> Client::Stream(HttpRequest request, std::chrono::milliseconds idle,
                                      const std::function<bool(std::string_view)>& on_bytes) {
  const Clock::time_point deadline = Clock::now() + options_.timeout;
  Address(request);
  bool reused = false;
  ASSIGN_OR_RETURN(std::unique_ptr<HttpConnection> connection, pool_->Acquire(deadline, &reused));
  return connection->Stream(request, deadline, idle, on_bytes);
}

void Client::Address(HttpRequest& request) const {
  request.target = base_path_ + request.target;
  if (!options_.api_key.empty())
    request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  request.headers.emplace_back("User-Agent", options_.user_agent);
}

StatusOr<HttpRequest> Client::RpcRequest(std::string_view method, Value params,
                                         const CallOptions& options) {
  if (!IsMethodName(method))
    return InvalidArgument("not a method name: \"" + std::string(method) + "\"");
  const int64_t id = next_id_.fetch_add(1);
  Value envelope = {
      {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  HttpRequest request{"POST",
                      "/api/nfs/" + std::string(method),
                      {{"Content-Type", "application/json"}},
                      ToJson(envelope)};
  if (!options.if_none_match.empty())
    request.headers.emplace_back("If-None-Match", "\"" + options.if_none_match + "\"");
  return request;
}

StatusOr<Reply> Client::ReplyOf(std::string_view method, const HttpResponse& response,
                                bool conditional) const {
  Reply reply;
  reply.etag = BareEtag(response.Header("ETag"));
  if (response.status == 304 && conditional) {
    reply.not_modified = true;
    return reply;
  }
  if (response.status != 200) return StatusOfHttp(response, options_.url);
  StatusOr<Value> answer = ParseJson(response.body);
  if (!answer.ok() || !answer->is_object())
    return Status(Code::kIOError, options_.url + " answered " + std::string(method) +
                                      " with something that is not a JSON-RPC response");
  if (const Value* error = answer->Find("error"); error && !error->is_null())
    return StatusFromRpcError(*error);
  reply.result = answer->Take("result");
  return reply;
}

StatusOr<Reply> Client::CallForReply(std::string_view method, Value params,
                                     const CallOptions& options) {
  ASSIGN_OR_RETURN(HttpRequest request, RpcRequest(method, std::move(params), options));
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), options));
  return ReplyOf(method, response, !options.if_none_match.empty());
}

StatusOr<Value> Client::CallWithContent(std::string_view method, const Value& params,
                                        std::string content, const CallOptions& options) {
  if (!IsMethodName(method))
    return InvalidArgument("not a method name: \"" + std::string(method) + "\"");
  if (!params.is_object()) return InvalidArgument("the parameters of a call are an object");
  FormFields query;
  for (const auto& [name, value] : params.AsObject()) {
    if (value.is_string()) {
      query.emplace_back(name, value.AsString());
    } else if (value.kind() == Value::Kind::kInt) {
      query.emplace_back(name, std::to_string(value.AsInt()));
    } else if (value.is_bool()) {
      query.emplace_back(name, value.AsBool() ? "true" : "false");
    } else {
      return InvalidArgument("parameter " + name + " cannot travel in a query string");
    }
  }
  HttpRequest request{"POST",
                      "/api/nfs/" + std::string(method) + "?" + FormEncode(query),
                      {{"Content-Type", "application/octet-stream"}},
                      std::move(content)};
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), options));
  ASSIGN_OR_RETURN(Reply reply, ReplyOf(method, response, false));
  return std::move(reply.result);
}

StatusOr<std::string> Client::CallForBytes(std::string_view method, Value params,
                                           const CallOptions& options) {
  ASSIGN_OR_RETURN(HttpRequest request, RpcRequest(method, std::move(params), options));
  request.headers.emplace_back("Accept", "application/octet-stream");
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), options));
  const std::string type = response.Header("Content-Type");
  if (response.status == 200 && EqualsIgnoreCase(std::string_view(type).substr(0, type.find(';')),
                                                 "application/octet-stream"))
    return std::move(response.body);
  // An error, or a server that answers JSON whatever it is asked.
  ASSIGN_OR_RETURN(Reply reply, ReplyOf(method, response, false));
  if (!reply.result.is_bytes() && !reply.result.is_string())
    return Status(Code::kIOError, options_.url + " answered " + std::string(method) +
                                      " with something that is not bytes");
  return reply.result.AsString();
}

PendingCall Client::Start(std::string_view method, Value params, const CallOptions& options) {
  PendingCall call;
  call.method_ = std::string(method);
  call.deadline_ = Clock::now() + options.timeout.value_or(options_.timeout);
  call.conditional_ = !options.if_none_match.empty();
  StatusOr<HttpRequest> request = RpcRequest(method, std::move(params), options);
  if (!request.ok()) {
    call.failure_ = request.status();
    return call;
  }
  Address(*request);
  bool reused = false;
  StatusOr<std::unique_ptr<HttpConnection>> connection = pool_->Acquire(call.deadline_, &reused);
  if (!connection.ok()) {
    call.failure_ = connection.status();
    return call;
  }
  if (Status sent = (*connection)->Write(*request, call.deadline_); !sent.ok()) {
    call.failure_ = sent;
    return call;
  }
  call.connection_ = std::move(connection).value();
  return call;
}

StatusOr<Value> Client::Finish(PendingCall call) {
  if (!call.connection_)
    return call.failure_.ok() ? Internal("the call was finished already") : call.failure_;
  StatusOr<HttpResponse> response =
      call.connection_->Read(call.deadline_, options_.max_response_bytes);
  if (!response.ok()) return response.status();
  pool_->Release(std::move(call.connection_));
  if (response->status == 503) return Busy(options_.url);
  ASSIGN_OR_RETURN(Reply reply, ReplyOf(call.method_, *response, call.conditional_));
  return std::move(reply.result);
}

StatusOr<Value> Client::Call(std::string_view method, Value params, const CallOptions& options) {
  ASSIGN_OR_RETURN(Reply reply, CallForReply(method, std::move(params), options));
  return std::move(reply.result);
}

StatusOr<Value> Client::GetJson(std::string_view target) {
  CallOptions options;
  options.idempotent = true;
  ASSIGN_OR_RETURN(HttpResponse response,
                   Send(HttpRequest{"GET", std::string(target), {}, {}}, options));
  if (response.status != 200) return StatusOfHttp(response, options_.url);
  StatusOr<Value> value = ParseJson(response.body);
  if (!value.ok())
    return Status(Code::kIOError,
                  options_.url + std::string(target) + " is not JSON: " + value.status().message());
  return value;
}

}  // namespace nexus::client
