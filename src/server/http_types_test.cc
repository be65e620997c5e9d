#include "server/http_types.h"

#include <gtest/gtest.h>

namespace nexus::server {
namespace {

TEST(HttpTypesTest, RequestHeaderIsCaseInsensitive) {
  HttpRequest req;
  req.headers = {{"Content-Type", "application/json"}, {"X-Agent-ID", "a1"}};
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("X-AGENT-ID"), "a1");
  EXPECT_EQ(req.Header("Authorization"), "");
  EXPECT_TRUE(req.HasHeader("x-agent-id"));
  EXPECT_FALSE(req.HasHeader("x-agent"));
}

TEST(HttpTypesTest, SetHeaderReplacesAnyCase) {
  HttpResponse resp;
  resp.AddHeader("Set-Cookie", "a=1");
  resp.AddHeader("set-cookie", "b=2");
  resp.SetHeader("Content-Type", "text/plain");
  resp.SetHeader("content-type", "application/json");
  EXPECT_EQ(resp.headers.size(), 3u);
  EXPECT_EQ(resp.Header("CONTENT-TYPE"), "application/json");
  resp.RemoveHeader("SET-COOKIE");
  EXPECT_EQ(resp.headers.size(), 1u);
}

TEST(HttpTypesTest, AddVaryAppends) {
  HttpResponse resp;
  resp.AddVary("Origin");
  EXPECT_EQ(resp.Header("Vary"), "Origin");
  resp.AddVary("Accept-Encoding");
  EXPECT_EQ(resp.Header("Vary"), "Origin, Accept-Encoding");
}

TEST(HttpTypesTest, JsonResponseSetsContentType) {
  const HttpResponse resp = JsonResponse(201, "{}");
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.Header("Content-Type"), "application/json");
  EXPECT_EQ(resp.body, "{}");
}

TEST(HttpTypesTest, DetailResponseEscapes) {
  EXPECT_EQ(DetailResponse(404, "Not Found").body, R"({"detail":"Not Found"})");
  EXPECT_EQ(DetailResponse(400, "a \"b\" \\ c\nd\x01").body,
            R"({"detail":"a \"b\" \\ c\nd\u0001"})");
  EXPECT_EQ(DetailResponse(400, "caf\xc3\xa9").body, "{\"detail\":\"caf\xc3\xa9\"}");
}

}  // namespace
}  // namespace nexus::server
