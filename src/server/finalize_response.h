// The transport-level touches every response gets before it is written, in one place so
// handler responses and the server's own error responses are treated alike.
#ifndef NEXUS_SERVER_FINALIZE_RESPONSE_H_
#define NEXUS_SERVER_FINALIZE_RESPONSE_H_

#include "server/http_types.h"

namespace nexus::server {

// Adds CORS headers (when the request has an Origin), drops the body of statuses that
// cannot carry one (1xx, 204, 304), and gzips the body when the client accepts it. Does the
// CPU work of compression, so the server calls it on a worker thread for worker requests.
void FinalizeResponse(const HttpRequest& req, HttpResponse* resp);

// 1xx, 204 and 304 responses never carry a body or a Content-Length.
bool StatusForbidsBody(int status);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_FINALIZE_RESPONSE_H_
