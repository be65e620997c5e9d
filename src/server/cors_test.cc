#include "server/cors.h"

#include <gtest/gtest.h>

namespace nexus::server {
namespace {

HttpRequest Request(std::string method, HeaderList headers) {
  HttpRequest req;
  req.method = std::move(method);
  req.path = "/api/nfs/list";
  req.headers = std::move(headers);
  return req;
}

TEST(CorsTest, PreflightNeedsOriginAndRequestMethod) {
  EXPECT_TRUE(IsCorsPreflight(
      Request("OPTIONS", {{"Origin", "http://a"}, {"Access-Control-Request-Method", "POST"}})));
  EXPECT_FALSE(IsCorsPreflight(Request("OPTIONS", {{"Origin", "http://a"}})));
  EXPECT_FALSE(IsCorsPreflight(Request("OPTIONS", {{"Access-Control-Request-Method", "POST"}})));
  EXPECT_FALSE(IsCorsPreflight(
      Request("POST", {{"Origin", "http://a"}, {"Access-Control-Request-Method", "POST"}})));
}

TEST(CorsTest, PreflightResponseMatchesReference) {
  const HttpResponse resp = CorsPreflightResponse(
      Request("OPTIONS", {{"Origin", "http://localhost:5173"},
                          {"Access-Control-Request-Method", "POST"},
                          {"Access-Control-Request-Headers", "authorization,content-type"}}));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "OK");
  EXPECT_EQ(resp.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(resp.Header("access-control-allow-origin"), "http://localhost:5173");
  EXPECT_EQ(resp.Header("access-control-allow-credentials"), "true");
  EXPECT_EQ(resp.Header("access-control-allow-methods"),
            "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  EXPECT_EQ(resp.Header("access-control-allow-headers"), "authorization,content-type");
  EXPECT_EQ(resp.Header("access-control-max-age"), "600");
  EXPECT_EQ(resp.Header("vary"), "Origin");
}

TEST(CorsTest, PreflightWithoutRequestedHeadersHasNoAllowHeaders) {
  const HttpResponse resp = CorsPreflightResponse(
      Request("OPTIONS", {{"Origin", "http://a"}, {"Access-Control-Request-Method", "GET"}}));
  EXPECT_FALSE(resp.HasHeader("access-control-allow-headers"));
}

TEST(CorsTest, SimpleRequestGetsWildcard) {
  HttpResponse resp;
  AddCorsHeaders(Request("POST", {{"Origin", "http://a"}}), &resp);
  EXPECT_EQ(resp.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(resp.Header("access-control-allow-credentials"), "true");
  EXPECT_FALSE(resp.HasHeader("vary"));
}

TEST(CorsTest, CookieEchoesOrigin) {
  HttpResponse resp;
  AddCorsHeaders(Request("POST", {{"Origin", "http://a"}, {"Cookie", "s=1"}}), &resp);
  EXPECT_EQ(resp.Header("access-control-allow-origin"), "http://a");
  EXPECT_EQ(resp.Header("access-control-allow-credentials"), "true");
  EXPECT_EQ(resp.Header("vary"), "Origin");
}

TEST(CorsTest, NoOriginNoHeaders) {
  HttpResponse resp;
  AddCorsHeaders(Request("POST", {}), &resp);
  EXPECT_TRUE(resp.headers.empty());
}

}  // namespace
}  // namespace nexus::server
