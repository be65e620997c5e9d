// CORS exactly as the reference server (Starlette CORSMiddleware with allow_origins=["*"],
// allow_credentials=True, allow_methods=["*"], allow_headers=["*"]); spec/api.md §1.
// The web frontend runs on another origin, so these headers are part of the wire contract.
#ifndef NEXUS_SERVER_CORS_H_
#define NEXUS_SERVER_CORS_H_

#include "server/http_types.h"

namespace nexus::server {

// OPTIONS with Origin and Access-Control-Request-Method. Answered by the server itself;
// such a request never reaches the RequestHandler.
bool IsCorsPreflight(const HttpRequest& req);

// 200 "OK" with the allow-* headers, echoing the Origin and the requested headers.
HttpResponse CorsPreflightResponse(const HttpRequest& req);

// For any other response to a request that carries Origin: allow-origin "*" (the echoed
// Origin, plus Vary: Origin, when the request carries a Cookie) and allow-credentials.
void AddCorsHeaders(const HttpRequest& req, HttpResponse* resp);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_CORS_H_
