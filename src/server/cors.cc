#include "server/cors.h"

namespace nexus::server {

bool IsCorsPreflight(const HttpRequest& req) {
  return req.method == "OPTIONS" && req.HasHeader("Origin") &&
         req.HasHeader("Access-Control-Request-Method");
}

HttpResponse CorsPreflightResponse(const HttpRequest& req) {
  HttpResponse resp;
  resp.status = 200;
  resp.body = "OK";
  resp.SetHeader("content-type", "text/plain; charset=utf-8");
  // With credentials allowed, "*" is not acceptable to browsers, so the Origin is echoed.
  resp.SetHeader("access-control-allow-origin", req.Header("Origin"));
  resp.SetHeader("access-control-allow-credentials", "true");
  resp.SetHeader("access-control-allow-methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  if (req.HasHeader("Access-Control-Request-Headers")) {
    resp.SetHeader("access-control-allow-headers", req.Header("Access-Control-Request-Headers"));
  }
  resp.SetHeader("access-control-max-age", "600");
  resp.SetHeader("vary", "Origin");
  return resp;
}

void AddCorsHeaders(const HttpRequest& req, HttpResponse* resp) {
  if (!req.HasHeader("Origin")) return;
  if (req.HasHeader("Cookie")) {
    resp->SetHeader("access-control-allow-origin", req.Header("Origin"));
    resp->AddVary("Origin");
  } else {
    resp->SetHeader("access-control-allow-origin", "*");
  }
  resp->SetHeader("access-control-allow-credentials", "true");
}

}  // namespace nexus::server
