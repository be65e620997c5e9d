#include "server/gzip.h"

#include <gtest/gtest.h>

#include <random>

#include "server/finalize_response.h"
#include "testing/http_client.h"

namespace nexus::server {
namespace {

TEST(GzipTest, AcceptsGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(GzipTest, RoundTrips) {
  std::mt19937 rng(7);
  for (const size_t size : {size_t{0}, size_t{1}, size_t{999}, size_t{100000}, size_t{3000000}}) {
    std::string data(size, '\0');
    for (char& c : data) c = static_cast<char>('a' + rng() % 4);
    StatusOr<std::string> compressed = GzipCompress(data);
    ASSERT_TRUE(compressed.ok()) << compressed.status().ToString();
    ASSERT_GE(compressed->size(), 10u);
    EXPECT_EQ(static_cast<unsigned char>((*compressed)[0]), 0x1f);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>((*compressed)[1]), 0x8b);
    EXPECT_EQ(test::Gunzip(*compressed), data) << size;
  }
}

TEST(GzipTest, IncompressibleDataRoundTrips) {
  std::mt19937 rng(11);
  std::string data(200000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  StatusOr<std::string> compressed = GzipCompress(data);
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ(test::Gunzip(*compressed), data);
}

HttpRequest AcceptingRequest() {
  HttpRequest req;
  req.method = "POST";
  req.headers = {{"Accept-Encoding", "gzip, deflate"}};
  return req;
}

TEST(GzipTest, CompressesOnlyLargeAcceptedUnencodedBodies) {
  HttpResponse small = JsonResponse(200, std::string(999, 'x'));
  MaybeGzipResponse(AcceptingRequest(), &small);
  EXPECT_FALSE(small.HasHeader("Content-Encoding"));
  EXPECT_EQ(small.body.size(), 999u);

  HttpResponse large = JsonResponse(200, std::string(1000, 'x'));
  MaybeGzipResponse(AcceptingRequest(), &large);
  EXPECT_EQ(large.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(large.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(test::Gunzip(large.body), std::string(1000, 'x'));

  HttpResponse not_accepted = JsonResponse(200, std::string(5000, 'x'));
  MaybeGzipResponse(HttpRequest{}, &not_accepted);
  EXPECT_FALSE(not_accepted.HasHeader("Content-Encoding"));

  HttpResponse encoded = JsonResponse(200, std::string(5000, 'x'));
  encoded.SetHeader("Content-Encoding", "br");
  MaybeGzipResponse(AcceptingRequest(), &encoded);
  EXPECT_EQ(encoded.Header("Content-Encoding"), "br");
  EXPECT_EQ(encoded.body.size(), 5000u);
}

TEST(FinalizeResponseTest, NotModifiedLosesBodyAndKeepsCors) {
  HttpRequest req = AcceptingRequest();
  req.headers.emplace_back("Origin", "http://a");
  HttpResponse resp;
  resp.status = 304;
  resp.SetHeader("ETag", "\"e1\"");
  resp.body = std::string(5000, 'x');
  FinalizeResponse(req, &resp);
  EXPECT_TRUE(resp.body.empty());
  EXPECT_FALSE(resp.HasHeader("Content-Encoding"));
  EXPECT_EQ(resp.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(resp.Header("ETag"), "\"e1\"");
}

}  // namespace
}  // namespace nexus::server
