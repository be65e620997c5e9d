// The Boost.Beast side of the server: the acceptor, one Connection per socket, and the
// hand-off between I/O threads and the worker pool. The only library file that includes
// Beast, so its compile cost is paid once.
//
// A connection is a small state machine that runs on its own strand:
//   WaitForRequest (idle timeout) → ReadRequest → OnHeader [→ 100 Continue] → OnRequest
//   → Dispatch (inline, or on a worker and posted back) → Respond → OnWrite → WaitForRequest
// Pending socket operations hold the connection's shared_ptr, so it lives exactly as long
// as something may still call it; its timer holds only a weak_ptr.
//
// Every request pays this file's cost, so the hot path avoids what made it dominate a
// small request (docs/performance.md, "HTTP layer"): bytes already buffered are parsed
// without an asynchronous operation, the response head is formatted here instead of by
// Beast's serializer, one timer per connection serves all its timeouts, and the socket
// and timer are typed on the strand instead of the type-erased any_io_executor.
#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/body_budget.h"
#include "server/cors.h"
#include "server/finalize_response.h"
#include "server/request_metrics.h"
#include "server/response_stream.h"
#include "server/worker_pool.h"
#include "util/background.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = net::strand<net::io_context::executor_type>;
// Typed on the strand: with the default any_io_executor every handler dispatch copies the
// type-erased executor, a shared_ptr copy (atomic increment and decrement) each time.
using Socket = net::basic_stream_socket<tcp, Strand>;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Strand>;

constexpr size_t kReadChunk = 16 * 1024;
// After an error response we stop sending but keep reading (and discarding) for a moment:
// closing with unread request bytes makes the kernel send RST, which can destroy the
// response before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

class Connection;
class ConnectionSink;

// A stream may run ahead of a slow client by this much; past it the client is cut off.
constexpr size_t kMaxStreamBacklog = size_t{1} << 20;

// What the server and all its connections share. Declared before the io_context in
// HttpServer::Impl, so it outlives the connections that the io_context's pending handlers
// keep alive until it is destroyed.
struct ServerState {
  ServerState(ServerOptions opts, RequestHandler& h, Metrics& m)
      : options(std::move(opts)),
        handler(h),
        metrics(m),
        request_metrics(m),
        pool(options.workers, options.queue_capacity),
        body_budget(options.body_memory_budget) {}

  const ServerOptions options;
  RequestHandler& handler;
  Metrics& metrics;
  RequestMetrics request_metrics;
  WorkerPool pool;
  BodyBudget body_budget;
  std::atomic<bool> stopping{false};  // set once by Stop(); read by every connection

  Mutex mu;
  CondVar drained;  // signalled whenever a connection goes away
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections GUARDED_BY(mu);
};

void LogError(std::string_view what, const HttpRequest& req, std::string_view detail) {
  std::cerr << "nexus: " << what << " on " << req.method << " " << req.path << ": " << detail
            << "\n";
}

HttpResponse BusyResponse() {
  HttpResponse resp = DetailResponse(503, "Server busy, retry later");
  resp.SetHeader("Retry-After", "1");
  return resp;
}

HttpResponse TooLargeResponse() { return DetailResponse(413, "Request body too large"); }

HttpResponse InternalErrorResponse() { return DetailResponse(500, "Internal Server Error"); }

// `call()`, or `fallback()` when it throws (logged as `what`): no request may take the
// process down, whatever the handler does.
template <typename Call, typename Fallback>
auto Guarded(std::string_view what, const HttpRequest& req, Call&& call, Fallback&& fallback)
    -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& e) {
    LogError(what, req, e.what());
  } catch (...) {
    LogError(what, req, "non-standard exception");
  }
  return fallback();
}

// The handler's answer, or a 500 when it throws.
HttpResponse CallHandler(RequestHandler& handler, const HttpRequest& req) {
  return Guarded(
      "handler threw", req, [&] { return handler.Handle(req); }, InternalErrorResponse);
}

// `bytes` times `factor`, saturating instead of wrapping around.
size_t Times(std::uint64_t bytes, size_t factor) {
  constexpr size_t kMax = std::numeric_limits<size_t>::max();
  return factor != 0 && bytes > kMax / factor ? kMax : static_cast<size_t>(bytes) * factor;
}

// RFC 9110 token characters, the only ones allowed in a field name.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Rejects what would let a handler's header split the response (CR, LF, NUL).
bool IsValidHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Headers that frame the message; the server computes them itself.
bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

// `value` without surrounding spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
std::string_view TrimOws(std::string_view value) {
  const size_t first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  out->append(name).append(": ").append(value).append("\r\n");
}

// The plain request, taking the body out of `msg`.
HttpRequest ToHttpRequest(http::request<http::string_body>& msg, const std::string& remote) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const size_t question = req.target.find('?');
  req.path = req.target.substr(0, question);
  if (question != std::string::npos) req.query = req.target.substr(question + 1);
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  req.remote = remote;
  return req;
}

// Errors that mean the bytes were not HTTP (as opposed to the peer going away).
bool IsParseError(const beast::error_code& ec) {
  static const auto& category = http::make_error_code(http::error::bad_method).category();
  return ec.category() == category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerState& server, Socket socket)
      : server_(server),
        socket_(std::move(socket)),
        executor_(socket_.get_executor()),
        timer_(executor_),
        reservation_(server.body_budget),
        charge_chunk_([this](std::uint64_t size, beast::string_view /*extensions*/,
                             beast::error_code& ec) { ChargeChunk(size, ec); }) {
    beast::error_code ec;
    const tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  }

  ~Connection() {
    MutexLock lock(&server_.mu);
    server_.connections.erase(this);
    server_.drained.SignalAll();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the server (so Stop can reach it), then starts reading.
  void Start() {
    {
      MutexLock lock(&server_.mu);
      server_.connections.emplace(this, weak_from_this());
    }
    net::post(executor_, [self = shared_from_this()] { self->ReadRequest(); });
  }

  // From Stop(), on any thread: close now when no request is being served, otherwise after
  // the current response is written.
  void Shutdown() {
    net::post(executor_, [self = shared_from_this()] { self->OnShutdown(); });
  }

  // From a stream's sink, on any thread (response_stream.h).
  void PostStreamBytes(std::string bytes) {
    net::post(executor_, [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
      self->QueueStreamBytes(std::move(bytes));
    });
  }
  void PostStreamEnd() {
    net::post(executor_, [self = shared_from_this()] { self->EndStreamWhenSent(); });
  }

 private:
  enum class State { kIdle, kReading, kProcessing, kWriting, kStreaming, kClosing };

  bool Stopping() const { return server_.stopping.load(std::memory_order_acquire); }

  void OnShutdown() {
    if (state_ == State::kStreaming) return EndStream();
    // A partly read request is dropped: the client has no answer yet and will retry.
    if (state_ == State::kIdle || state_ == State::kReading) {
      beast::error_code ec;
      socket_.cancel(ec);
    }
  }

  // All timeouts of the connection share one timer. Moving the deadline later (idle →
  // reading → writing, the usual order) only stores it: the timer, when it fires, finds
  // the deadline moved and waits again. Only an earlier deadline re-arms it at once. So a
  // busy keep-alive connection arms the timer about once per header_timeout, where a
  // timer per socket operation cost a wait, a cancel and a handler for every read and write.
  void SetDeadline(Clock::time_point deadline) {
    deadline_ = deadline;
    if (deadline < timer_at_) ArmTimer(deadline);
  }

  void ArmTimer(Clock::time_point at) {
    timer_at_ = at;
    timer_.expires_at(at);  // cancels the pending wait, if any
    timer_.async_wait([weak = weak_from_this()](beast::error_code /*ec*/) {
      if (auto self = weak.lock()) self->OnTimer();
    });
  }

  void OnTimer() {
    const Clock::time_point now = Clock::now();
    // A wait that ArmTimer replaced (or Close cancelled) may still run: the timer's
    // expiry is then in the future, and the newer wait, if any, is the pending one.
    if (timer_.expiry() > now) return;
    timer_at_ = Clock::time_point::max();
    if (now >= deadline_) return OnTimeout();
    if (deadline_ != Clock::time_point::max()) ArmTimer(deadline_);
  }

  // As Beast's tcp_stream did: closing the socket makes the pending operation fail, and
  // its handler closes the connection.
  void OnTimeout() {
    beast::error_code ec;
    socket_.close(ec);
  }

  // Between keep-alive requests: wait for the first byte under the idle timeout, so the
  // (shorter) header timeout only starts once the client actually sends something.
  void WaitForRequest() {
    if (Stopping()) return Close();
    if (buffer_.size() > 0) return ReadRequest();  // a pipelined request is already here
    state_ = State::kIdle;
    SetDeadline(Clock::now() + server_.options.idle_timeout);
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Connection::OnIdleRead, shared_from_this()));
  }

  void OnIdleRead(beast::error_code ec, size_t bytes) {
    buffer_.commit(bytes);
    if (ec) return Close();  // idle timeout, peer closed, or Stop
    ReadRequest();
  }

  // Reads one request head; the head and body together must arrive within header_timeout.
  void ReadRequest() {
    if (Stopping()) return Close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    SetDeadline(Clock::now() + server_.options.header_timeout);
    beast::error_code ec;
    ParseBuffered(/*whole_request=*/false, ec);
    if (ec) return OnReadError(ec);
    if (parser_->is_header_done()) return OnHeader({}, 0);
    http::async_read_header(socket_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  // Feeds the parser the bytes already buffered, up to the end of the head or of the whole
  // request. A request that arrived in one read is then parsed without an asynchronous
  // read, which Beast completes through a post to the strand even when no byte is read.
  // Leaves `ec` clear when the parser simply needs more bytes.
  void ParseBuffered(bool whole_request, beast::error_code& ec) {
    auto done = [&] { return whole_request ? parser_->is_done() : parser_->is_header_done(); };
    while (!done() && buffer_.size() > 0) {
      buffer_.consume(parser_->put(buffer_.data(), ec));
      if (ec == http::error::need_more) {
        ec = {};
        return;
      }
      if (ec) return;
    }
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return OnReadError(ec);
    if (BodyNeedsAdmission()) return AdmitBody();
    StartBody();
  }

  // A body over kSmallBodyBytes, or a chunked one of unknown size, is admitted before a
  // byte of it is read, so that it costs nothing until the caller is known and its memory
  // is within the budget. Smaller ones are read at once: the common case keeps its path.
  bool BodyNeedsAdmission() const {
    return parser_->chunked() || parser_->content_length().value_or(0) > kSmallBodyBytes;
  }

  // The checks that need only the request line, here on the strand; then the handler's
  // admission (it may block on the database) on a worker.
  void AdmitBody() {
    auto head = std::make_shared<const HttpRequest>(ToHttpRequest(parser_->get(), remote_));
    const size_t limit = std::min(
        server_.options.body_limit,
        Guarded(
            "MaxBodyBytes threw", *head, [&] { return server_.handler.MaxBodyBytes(*head); },
            [] { return kSmallBodyBytes; }));
    if (parser_->content_length().value_or(0) > limit) {
      return RespondAndClose(*head, TooLargeResponse());
    }
    parser_->body_limit(limit);  // what the chunks of a chunked body may add up to
    state_ = State::kProcessing;
    const bool queued =
        server_.pool.TrySubmit([self = shared_from_this(), head] { self->AdmitOnWorker(head); });
    if (!queued) RespondAndClose(*head, BusyResponse());
  }

  // On a worker thread, like RunOnWorker.
  void AdmitOnWorker(std::shared_ptr<const HttpRequest> head) {
    std::optional<HttpResponse> refusal = Guarded(
        "AdmitBody threw", *head, [&] { return server_.handler.AdmitBody(*head); },
        [] { return std::optional<HttpResponse>(InternalErrorResponse()); });
    net::post(executor_, [self = shared_from_this(), head = std::move(head),
                          refusal = std::move(refusal)]() mutable {
      self->OnAdmitted(*head, std::move(refusal));
    });
  }

  // A body of known length is charged in full before it is read: it fits, or it is not read.
  void OnAdmitted(const HttpRequest& head, std::optional<HttpResponse> refusal) {
    if (Stopping()) return Close();  // dropped like any half-read request
    if (refusal) return RespondAndClose(head, std::move(*refusal));
    if (const auto length = parser_->content_length()) {
      const size_t charge = Times(*length, server_.options.body_memory_factor);
      if (charge > server_.body_budget.capacity()) {
        return RespondAndClose(head, TooLargeResponse());  // would never fit
      }
      if (!reservation_.Grow(charge)) return RespondAndClose(head, BusyResponse());
    } else {
      parser_->on_chunk_header(charge_chunk_);
    }
    state_ = State::kReading;
    StartBody();
  }

  // Beast's callback before each chunk of a chunked body is read: the chunk is charged, with
  // one byte more per byte for the slack of the growing body buffer. Failing stops the read:
  // 413 when the body could never fit in the budget, 503 when it does not fit now.
  void ChargeChunk(std::uint64_t size, beast::error_code& ec) {
    const size_t charge = Times(size, server_.options.body_memory_factor + 1);
    if (charge > server_.body_budget.capacity() - reservation_.bytes()) {
      ec = http::error::body_limit;
    } else if (!reservation_.Grow(charge)) {
      ec = net::error::no_buffer_space;
    }
  }

  void StartBody() {
    // curl and others wait (about a second) for this before sending a large body. An
    // HTTP/1.0 client does not know the interim answer (RFC 9110 §10.1.1 says to ignore it).
    if (!parser_->is_done() && parser_->get().version() >= 11 &&
        beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       beast::bind_front_handler(&Connection::OnContinueSent, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinueSent(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return Close();
    ReadBody();
  }

  void ReadBody() {
    beast::error_code ec;
    ParseBuffered(/*whole_request=*/true, ec);
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRequest({}, 0);
    http::async_read(socket_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::OnRequest, shared_from_this()));
  }

  void OnReadError(const beast::error_code& ec) {
    if (ec == http::error::body_limit) return RespondToBadInput(TooLargeResponse());
    if (ec == net::error::no_buffer_space) return RespondToBadInput(BusyResponse());  // budget
    if (ec == http::error::header_limit) {
      return RespondToBadInput(DetailResponse(431, "Request header fields too large"));
    }
    if (IsParseError(ec)) return RespondToBadInput(DetailResponse(400, "Bad Request"));
    Close();  // timeout (Beast has closed the socket), peer gone, or Stop
  }

  void OnRequest(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return OnReadError(ec);
    SetDeadline(Clock::time_point::max());  // nothing is pending until the response is written
    request_start_ = Clock::now();
    http::request<http::string_body>& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == http::verb::head;
    HttpRequest req = ToHttpRequest(msg, remote_);
    parser_.reset();
    if (head_) req.method = "GET";  // answered like GET; the body is dropped when writing
    req.deadline = request_start_ + server_.options.request_deadline;
    request_path_ = req.path;
    Dispatch(std::move(req));
  }

  // Answers input we refuse to serve.
  void RespondToBadInput(HttpResponse resp) {
    // As much of the request as was parsed, for CORS and metrics. Beast reports an
    // oversized Content-Length before it marks the head done, but the fields are there.
    HttpRequest req;
    if (parser_) {
      req = ToHttpRequest(parser_->get(), remote_);
      req.body.clear();
    }
    RespondAndClose(req, std::move(resp));
  }

  // Answers `req` with `resp`, then closes: the rest of the stream (a body not read, or
  // input we could not parse) cannot be trusted to start at a request boundary.
  void RespondAndClose(const HttpRequest& req, HttpResponse resp) {
    parser_.reset();
    request_start_ = Clock::now();
    request_path_ = req.path;
    keep_alive_ = false;
    linger_ = true;
    head_ = false;
    FinalizeResponse(req, &resp);
    Respond(std::move(resp));
  }

  void Dispatch(HttpRequest req) {
    if (IsCorsPreflight(req)) return Respond(CorsPreflightResponse(req));
    // A worker is the safe choice when NeedsWorker itself fails.
    const bool needs_worker = Guarded(
        "NeedsWorker threw", req, [&] { return server_.handler.NeedsWorker(req); },
        [] { return true; });
    if (!needs_worker) {
      HttpResponse resp = CallHandler(server_.handler, req);
      FinalizeResponse(req, &resp);
      return Respond(std::move(resp));
    }
    state_ = State::kProcessing;
    auto shared_req = std::make_shared<const HttpRequest>(std::move(req));
    const bool queued = server_.pool.TrySubmit([self = shared_from_this(), shared_req]() mutable {
      self->RunOnWorker(std::move(shared_req));
    });
    if (!queued) {
      HttpResponse resp = BusyResponse();
      FinalizeResponse(*shared_req, &resp);
      Respond(std::move(resp));
    }
  }

  // On a worker thread: touches only the handler, const state and the executor, then
  // posts the finished response back to the connection's strand.
  void RunOnWorker(std::shared_ptr<const HttpRequest> req) {
    HttpResponse resp = Guarded(
        "finalizing the response failed", *req,
        [&] {
          // A request that waited past its deadline is not worth running: the client has
          // likely given up, and running it would only deepen the overload.
          HttpResponse answer =
              Clock::now() > req->deadline ? BusyResponse() : CallHandler(server_.handler, *req);
          FinalizeResponse(*req, &answer);
          return answer;
        },
        InternalErrorResponse);
    // The request, and its body above all, is freed before the response goes back: the
    // response gives the body's memory back to the budget.
    req.reset();
    net::post(executor_, [self = shared_from_this(), resp = std::move(resp)]() mutable {
      self->Respond(std::move(resp));
    });
  }

  void Respond(HttpResponse resp) {
    reservation_.Release();  // the body is handled and gone
    // A handler's status outside what a status line can carry is sent, and counted, as 500.
    if (resp.status < 100 || resp.status > 999) resp.status = 500;
    const Clock::time_point now = Clock::now();
    const std::chrono::duration<double> elapsed = now - request_start_;
    server_.request_metrics.Record(request_path_, resp.status, elapsed.count());
    close_after_ = !keep_alive_ || linger_ || Stopping() ||
                   EqualsIgnoreCase(resp.Header("Connection"), "close");
    // A stream's body ends with the connection; HEAD gets only the head.
    stream_ = head_ ? nullptr : std::move(resp.stream);
    if (stream_) close_after_ = true;
    BuildResponse(std::move(resp));
    state_ = State::kWriting;
    SetDeadline(now + server_.options.request_deadline);
    const std::array<net::const_buffer, 2> buffers = {net::buffer(response_head_),
                                                      net::buffer(response_body_)};
    net::async_write(socket_, buffers,
                     beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
  }

  // Formats the status line and header fields into response_head_ and keeps the body to
  // send after it. Done here rather than by Beast's serializer, whose buffer-sequence views
  // cost about a third of the instructions of a small request. The bytes are what Beast
  // wrote: the handler's headers in order (framing and unsafe ones dropped, values without
  // surrounding whitespace), then Server unless the handler set one, Content-Length unless
  // the status forbids a body, and the Connection token HTTP/1.0 or 1.1 needs.
  void BuildResponse(HttpResponse resp) {
    const int status = resp.status;      // Respond has brought it into 100..999
    std::string& head = response_head_;  // cleared, not freed: its capacity is reused
    head.assign("HTTP/1.1 ");
    head[5] = static_cast<char>('0' + version_ / 10);
    head[7] = static_cast<char>('0' + version_ % 10);
    head += std::to_string(status);
    head += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    bool has_server = false;
    for (const auto& [name, value] : resp.headers) {
      if (IsFramingHeader(name)) continue;
      if (!IsValidHeader(name, value)) {
        std::cerr << "nexus: dropped an invalid response header \"" << name << "\"\n";
        continue;
      }
      has_server = has_server || EqualsIgnoreCase(name, "Server");
      AppendHeader(name, TrimOws(value), &head);
    }
    if (!has_server) AppendHeader("Server", "nexus", &head);
    // HEAD keeps the Content-Length the GET body would have, without the body.
    const bool forbids_body = StatusForbidsBody(status);
    if (!forbids_body && !stream_) {
      AppendHeader("Content-Length", std::to_string(resp.body.size()), &head);
    }
    // HTTP/1.1 is persistent unless told otherwise, HTTP/1.0 the reverse.
    if (version_ >= 11 && close_after_) AppendHeader("Connection", "close", &head);
    if (version_ < 11 && !close_after_) AppendHeader("Connection", "keep-alive", &head);
    head += "\r\n";
    if (!head_ && !forbids_body) response_body_ = std::move(resp.body);
  }

  void OnWrite(beast::error_code ec, size_t /*bytes*/) {
    response_body_ = std::string();  // free the body now rather than at the next response
    if (ec) {
      stream_.reset();
      return Close();
    }
    if (stream_) return StartStream();
    if (close_after_) return linger_ ? Linger() : Close();
    WaitForRequest();
  }

  // ---- Streams (response_stream.h): after the head, bytes as the stream writes them, until
  // it ends, the client goes, or the server stops.
  void StartStream();
  void QueueStreamBytes(std::string bytes);
  void WriteStreamBytes();
  void EndStreamWhenSent();
  void EndStream();
  // A streaming client sends nothing more; a read that ends is the client going away.
  void WatchPeer();

  void Close() {
    state_ = State::kClosing;
    parser_.reset();  // a half-read body is freed now, and its budget given back
    reservation_.Release();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  void Linger() {
    state_ = State::kClosing;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    SetDeadline(Clock::now() + kLingerTime);
    DiscardInput();
  }

  void DiscardInput() {
    buffer_.consume(buffer_.size());
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->DiscardInput();
                            });
  }

  ServerState& server_;
  Socket socket_;
  const Strand executor_;  // the connection's strand; read by workers
  Timer timer_;
  std::string remote_;

  // Everything below is touched only on the strand.
  State state_ = State::kIdle;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Clock::time_point deadline_ = Clock::time_point::max();  // of the pending operation
  Clock::time_point timer_at_ = Clock::time_point::max();  // of the pending wait; max: none
  Clock::time_point request_start_;
  std::string request_path_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool linger_ = false;
  bool close_after_ = false;
  std::string response_head_;
  std::string response_body_;
  std::shared_ptr<ResponseStream> stream_;  // of the response being written
  std::shared_ptr<ConnectionSink> sink_;
  std::deque<std::string> stream_queue_;
  size_t stream_queued_bytes_ = 0;
  bool stream_writing_ = false;
  bool stream_ending_ = false;   // end once the queue is sent
  BodyReservation reservation_;  // what the current request's body holds of the budget
  // ChargeChunk, in the form Beast's parser takes (it keeps a reference).
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> charge_chunk_;
};

// What a stream writes to: posts to its connection's strand, and says false once the
// connection has ended the stream.
class ConnectionSink final : public StreamSink {
 public:
  explicit ConnectionSink(std::weak_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  bool Write(std::string bytes) override {
    if (ended_.load(std::memory_order_acquire)) return false;
    std::shared_ptr<Connection> connection = connection_.lock();
    if (!connection) return false;
    connection->PostStreamBytes(std::move(bytes));
    return true;
  }

  void Close() override {
    if (std::shared_ptr<Connection> connection = connection_.lock()) connection->PostStreamEnd();
  }

  void MarkEnded() { ended_.store(true, std::memory_order_release); }

 private:
  const std::weak_ptr<Connection> connection_;
  std::atomic<bool> ended_{false};
};

void Connection::StartStream() {
  state_ = State::kStreaming;
  SetDeadline(Clock::time_point::max());  // a stream lasts as long as both ends want it
  sink_ = std::make_shared<ConnectionSink>(weak_from_this());
  const std::shared_ptr<ResponseStream> stream = stream_;
  Guarded(
      "attaching a response stream failed", HttpRequest{},
      [&] {
        stream->Attach(sink_);
        return 0;
      },
      [] { return 0; });
  WatchPeer();
}

void Connection::WatchPeer() {
  buffer_.consume(buffer_.size());
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (self->state_ != State::kStreaming) return;
                            if (ec) return self->EndStream();
                            self->WatchPeer();
                          });
}

void Connection::QueueStreamBytes(std::string bytes) {
  if (state_ != State::kStreaming || stream_ending_) return;
  stream_queued_bytes_ += bytes.size();
  stream_queue_.push_back(std::move(bytes));
  if (stream_queued_bytes_ > kMaxStreamBacklog) return EndStream();
  if (!stream_writing_) WriteStreamBytes();
}

void Connection::WriteStreamBytes() {
  stream_writing_ = true;
  net::async_write(socket_, net::buffer(stream_queue_.front()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->stream_writing_ = false;
                     if (self->state_ != State::kStreaming) return;
                     if (ec) return self->EndStream();
                     self->stream_queued_bytes_ -= self->stream_queue_.front().size();
                     self->stream_queue_.pop_front();
                     if (!self->stream_queue_.empty()) return self->WriteStreamBytes();
                     if (self->stream_ending_) self->EndStream();
                   });
}

void Connection::EndStreamWhenSent() {
  if (state_ != State::kStreaming) return;
  stream_ending_ = true;
  if (!stream_writing_) EndStream();
}

void Connection::EndStream() {
  if (state_ != State::kStreaming) return;
  if (sink_) sink_->MarkEnded();
  sink_.reset();
  stream_.reset();
  stream_queue_.clear();
  stream_queued_bytes_ = 0;
  Close();
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, RequestHandler& handler, Metrics& metrics)
      : state_(std::move(options), handler, metrics),
        ioc_(std::max(1, state_.options.io_threads)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  ~Impl() { Stop(); }

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Stop();

 private:
  Status Listen();
  void Accept();
  void OnAccept(beast::error_code ec, Socket socket);
  void RunIoThread();
  void ShutdownConnections();
  void WaitForDrain();

  ServerState state_;  // before ioc_: outlives the connections ioc_'s handlers own
  net::io_context ioc_;
  // Keeps run() from returning while a worker is about to post a response back.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;  // used on its strand only, after Start
  net::steady_timer accept_retry_;
  std::vector<std::thread> io_threads_;
  std::atomic<uint16_t> port_{0};

  Mutex lifecycle_mu_;  // serialises Start and Stop
  bool started_ GUARDED_BY(lifecycle_mu_) = false;
  bool stopped_ GUARDED_BY(lifecycle_mu_) = false;
};

Status HttpServer::Impl::Start() {
  MutexLock lock(&lifecycle_mu_);
  if (started_ || stopped_) return Internal("HttpServer::Start called twice or after Stop");
  RETURN_IF_ERROR(Listen());
  started_ = true;
  state_.metrics.AddGaugeCallback(kWorkerQueueDepth, "Requests waiting for a worker thread.",
                                  [this] { return static_cast<double>(state_.pool.QueueDepth()); });
  state_.metrics.AddGaugeCallback(kOpenConnections, "Open HTTP connections.", [this] {
    MutexLock lock(&state_.mu);
    return static_cast<double>(state_.connections.size());
  });
  state_.metrics.AddGaugeCallback(
      kBodyMemoryHeld, "Bytes of the request body memory budget held by requests in flight.",
      [this] { return static_cast<double>(state_.body_budget.held()); });
  // Process-wide counts (util/background.h), so the callback holds nothing of this server.
  state_.metrics.AddCounterCallback(
      kBackgroundErrors, "Exceptions and dropped work caught in background threads, by thread.",
      [] {
        Metrics::Samples samples;
        for (const auto& [thread, count] : BackgroundErrorCounts())
          samples.push_back({{{"thread", thread}}, static_cast<double>(count)});
        return samples;
      });
  work_.emplace(ioc_.get_executor());
  net::post(acceptor_.get_executor(), [this] { Accept(); });
  const int threads = std::max(1, state_.options.io_threads);
  for (int i = 0; i < threads; ++i) io_threads_.emplace_back([this] { RunIoThread(); });
  return Status::OK();
}

Status HttpServer::Impl::Listen() {
  const ServerOptions& options = state_.options;
  const std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  const auto endpoints =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return InvalidArgument("cannot resolve listen address " + where + ": " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  tcp::endpoint local;
  if (!ec) local = acceptor_.local_endpoint(ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return IOError("cannot listen on " + where + ": " + ec.message());
  }
  port_ = local.port();
  return Status::OK();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, Socket socket) {
  if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors and the like: back off briefly instead of spinning.
    std::cerr << "nexus: accept failed: " << ec.message() << "\n";
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  if (!state_.stopping.load(std::memory_order_acquire)) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small JSON answers: no Nagle delay
    std::make_shared<Connection>(state_, std::move(socket))->Start();
  }
  Accept();
}

void HttpServer::Impl::RunIoThread() {
  // A handler that throws out of run() is logged and counted, and the thread runs again.
  while (!RunGuarded("http_io", [this] { ioc_.run(); })) {
  }
}

void HttpServer::Impl::Stop() {
  MutexLock lock(&lifecycle_mu_);
  if (stopped_) return;
  stopped_ = true;
  state_.stopping.store(true, std::memory_order_release);
  if (started_) {
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    ShutdownConnections();
    WaitForDrain();
  }
  // Runs whatever is still queued (only after a drain timeout), so the handler is never
  // called after Stop returns.
  state_.pool.Shutdown();
  if (!started_) return;
  state_.metrics.RemoveGaugeCallback(kWorkerQueueDepth);
  state_.metrics.RemoveGaugeCallback(kOpenConnections);
  state_.metrics.RemoveGaugeCallback(kBodyMemoryHeld);
  work_.reset();
  ioc_.stop();
  for (std::thread& thread : io_threads_) thread.join();
}

void HttpServer::Impl::ShutdownConnections() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    MutexLock lock(&state_.mu);
    for (const auto& [raw, weak] : state_.connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  // Connections registered after this snapshot see `stopping` before their first read.
  for (const auto& connection : live) connection->Shutdown();
  // `live` is released here, outside state_.mu: a Connection destructor takes that lock.
}

void HttpServer::Impl::WaitForDrain() {
  MutexLock lock(&state_.mu);
  const bool drained =
      state_.drained.WaitFor(&state_.mu, state_.options.drain_timeout,
                             [this]() REQUIRES(state_.mu) { return state_.connections.empty(); });
  if (!drained) {
    std::cerr << "nexus: " << state_.connections.size()
              << " connection(s) still open after the drain timeout\n";
  }
}

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), handler, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop() { impl_->Stop(); }

}  // namespace nexus::server
