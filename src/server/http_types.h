// Plain HTTP request and response values: the only HTTP types other modules see.
//
// The server parses requests with Boost.Beast, but nothing outside src/server/ includes
// Beast: handlers receive and return these structs, built from standard types only, so the
// rpc layer compiles fast and could be driven by any transport (or by tests directly).
#ifndef NEXUS_SERVER_HTTP_TYPES_H_
#define NEXUS_SERVER_HTTP_TYPES_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/ascii.h"  // EqualsIgnoreCase, which header lookups use

namespace nexus::server {

class ResponseStream;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (a HEAD request reaches handlers as "GET")
  std::string target;  // as sent: "/api/nfs/read?x=1"
  std::string path;    // target before '?': "/api/nfs/read"
  std::string query;   // target after '?', without it; "" when absent
  HeaderList headers;  // in arrival order, names as sent
  std::string body;
  std::string remote;  // peer "ip:port"
  // When the server stops caring about the answer; handlers that loop or wait should give
  // up past it. Set by the server from ServerOptions::request_deadline.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  // The value of the first header called `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Set: the body is written over time through the stream (server/response_stream.h), after
  // `body`, and the connection closes when it ends.
  std::shared_ptr<ResponseStream> stream;

  // Replaces every header called `name` (case-insensitive) with one `name: value`.
  void SetHeader(std::string_view name, std::string_view value);
  // Appends a header even when one of that name exists (for Set-Cookie).
  void AddHeader(std::string_view name, std::string_view value);
  void RemoveHeader(std::string_view name);
  // Adds `field` to the Vary header ("Origin" → "Origin, Accept-Encoding").
  void AddVary(std::string_view field);
  // The value of the first header called `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// `body` (already JSON) with Content-Type: application/json.
HttpResponse JsonResponse(int status, std::string body);

// {"detail":"<detail>"}: the error shape FastAPI uses for HTTP-level errors.
HttpResponse DetailResponse(int status, std::string_view detail);

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view s);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_HTTP_TYPES_H_
