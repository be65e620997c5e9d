#include "server/finalize_response.h"

#include "server/cors.h"
#include "server/gzip.h"

namespace nexus::server {

bool StatusForbidsBody(int status) { return status < 200 || status == 204 || status == 304; }

void FinalizeResponse(const HttpRequest& req, HttpResponse* resp) {
  AddCorsHeaders(req, resp);
  if (StatusForbidsBody(resp->status)) {
    resp->body.clear();
    return;
  }
  MaybeGzipResponse(req, resp);
}

}  // namespace nexus::server
