#include "util/url.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

HttpUrl Parse(std::string_view text) {
  StatusOr<HttpUrl> url = ParseHttpUrl(text);
  EXPECT_TRUE(url.ok()) << text << ": " << url.status().ToString();
  return url.ok() ? *url : HttpUrl{};
}

// The message of the error `text` gives; fails the test when it parses.
std::string Error(std::string_view text) {
  StatusOr<HttpUrl> url = ParseHttpUrl(text);
  EXPECT_FALSE(url.ok()) << text << " parsed";
  EXPECT_EQ(url.status().code(), Code::kInvalidArgument) << text;
  return url.status().message();
}

TEST(UrlTest, ParsesSchemeHostPortAndTarget) {
  const HttpUrl url = Parse("https://auth.example.com:8443/oauth/token?grant=code&x=1");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "auth.example.com");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.target, "/oauth/token?grant=code&x=1");
  EXPECT_TRUE(url.https());
  EXPECT_EQ(url.HostHeader(), "auth.example.com:8443");
}

TEST(UrlTest, DefaultsPortsAndTarget) {
  EXPECT_EQ(Parse("http://example.com").port, 80);
  EXPECT_EQ(Parse("https://example.com").port, 443);
  EXPECT_EQ(Parse("http://example.com").target, "/");
  EXPECT_EQ(Parse("http://example.com:").port, 80);  // empty port means the default
  EXPECT_EQ(Parse("http://example.com?a=b").target, "/?a=b");
  EXPECT_EQ(Parse("http://example.com/").target, "/");
  EXPECT_EQ(Parse("http://example.com:80/x").HostHeader(), "example.com");
  EXPECT_EQ(Parse("https://example.com:443/x").HostHeader(), "example.com");
  EXPECT_EQ(Parse("http://example.com:443/x").HostHeader(), "example.com:443");
  EXPECT_EQ(Parse("http://h:00080/").port, 80);
  EXPECT_EQ(Parse("http://h:65535/").port, 65535);
  EXPECT_EQ(Parse("http://h:1/").port, 1);
}

TEST(UrlTest, LowerCasesSchemeAndHostNotTarget) {
  const HttpUrl url = Parse("HTTPS://Auth.Example.COM/Path/To?Q=A");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "auth.example.com");
  EXPECT_EQ(url.target, "/Path/To?Q=A");
}

TEST(UrlTest, DropsFragment) {
  EXPECT_EQ(Parse("http://h/a?b=c#frag").target, "/a?b=c");
  EXPECT_EQ(Parse("http://h#frag").target, "/");
  EXPECT_EQ(Parse("http://h:81#frag").port, 81);
  EXPECT_EQ(Parse("http://h/a#x?y").target, "/a");
}

TEST(UrlTest, ParsesIpLiterals) {
  const HttpUrl v4 = Parse("http://127.0.0.1:8080/hook");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 8080);
  const HttpUrl v6 = Parse("http://[::1]:9000/x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(v6.HostHeader(), "[::1]:9000");
  const HttpUrl v6_default = Parse("https://[2001:DB8::A]");
  EXPECT_EQ(v6_default.host, "2001:db8::a");
  EXPECT_EQ(v6_default.port, 443);
  EXPECT_EQ(v6_default.HostHeader(), "[2001:db8::a]");
}

TEST(UrlTest, RejectsOtherSchemes) {
  EXPECT_NE(Error("ftp://example.com/x").find("\"ftp\""), std::string::npos);
  Error("file:///etc/passwd");
  Error("javascript://alert(1)");
  Error("gopher://h/");
  Error("httpx://h/");
  Error("//example.com/x");
  Error("example.com/x");
  Error("http:/example.com");
  Error("http:example.com");
  Error("");
}

TEST(UrlTest, RejectsMissingHost) {
  EXPECT_NE(Error("http:///path").find("no host"), std::string::npos);
  Error("http://");
  Error("https://:443/");
  Error("http://?q");
  Error("http://[]:80/");
}

TEST(UrlTest, RejectsUserInfo) {
  const std::string message = Error("https://user:secret@example.com/");
  EXPECT_NE(message.find("user info"), std::string::npos);
  EXPECT_EQ(message.find("secret"), std::string::npos) << "must not echo credentials";
  Error("http://user@example.com/");
  Error("http://@example.com/");
  Error("http://a@b@example.com/");
}

TEST(UrlTest, RejectsBadPorts) {
  for (std::string_view bad :
       {"http://h:0/", "http://h:65536/", "http://h:99999/", "http://h:123456/", "http://h:-1/",
        "http://h:8o/", "http://h:+80/", "http://h:80:81/", "http://[::1]:0/", "http://[::1]x/"}) {
    Error(bad);
  }
  EXPECT_NE(Error("http://h:0/").find("1-65535"), std::string::npos);
}

TEST(UrlTest, RejectsBadHosts) {
  Error("http://exa mple.com/");
  Error("http://exa%41mple.com/");
  Error("http://[::1/");
  Error("http://[not-v6]/");
  Error("http://[127.0.0.1]/");
  Error("http://[fe80::1%25eth0]/");
  Error("http://::1/");  // IPv6 needs brackets
  Error("http://h!/");
  Error("http://" + std::string(254, 'a') + "/");
  EXPECT_EQ(Parse("http://" + std::string(253, 'a') + "/").host.size(), 253u);
  EXPECT_EQ(Parse("http://my_host.internal/").host, "my_host.internal");
}

TEST(UrlTest, RejectsSpacesControlAndNonAsciiBytes) {
  for (std::string_view bad :
       {" http://h/", "http://h/ ", "http://h/a b", "http://h/a\r\nX-Injected: 1", "http://h/\t",
        "http://h/\x7f", "http://h\n/", "http://h/\xc3\xa9", "http://h\xc3\xa9/"}) {
    EXPECT_NE(Error(bad).find("percent-encode"), std::string::npos) << bad;
  }
  Error(std::string("http://h/a\0b", 12));
}

TEST(UrlTest, RejectsOverlongUrls) {
  const std::string prefix = "http://h/";
  const std::string longest = prefix + std::string(kMaxUrlBytes - prefix.size(), 'a');
  EXPECT_EQ(Parse(longest).target.size(), kMaxUrlBytes - prefix.size() + 1);
  EXPECT_NE(Error(longest + "a").find("2048"), std::string::npos);
}

}  // namespace
}  // namespace nexus
