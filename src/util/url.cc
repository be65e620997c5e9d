#include "util/url.h"

#include <arpa/inet.h>

#include <cctype>
#include <optional>

#include "util/ascii.h"

namespace nexus {

namespace {

constexpr size_t kMaxHostBytes = 253;  // the longest DNS name

// Spaces, control and non-ASCII bytes are never valid in a URL; a client that means them
// percent-encodes them, and letting them through would allow header injection.
Status CheckBytes(std::string_view url) {
  if (url.size() > kMaxUrlBytes) {
    return InvalidArgument("URL is " + std::to_string(url.size()) + " bytes; the limit is " +
                           std::to_string(kMaxUrlBytes));
  }
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return InvalidArgument("URL contains a space, control or non-ASCII byte; percent-encode it");
    }
  }
  return Status::OK();
}

StatusOr<std::string> ParseScheme(std::string_view& rest) {
  const size_t sep = rest.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgument("not an absolute URL: expected http:// or https://");
  }
  std::string scheme = AsciiLower(rest.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return InvalidArgument("URL scheme \"" + scheme + "\" is not allowed; use http or https");
  }
  rest.remove_prefix(sep + 3);
  return scheme;
}

StatusOr<uint16_t> ParsePort(std::string_view digits, uint16_t default_port) {
  if (digits.empty()) return default_port;  // "host:" means the default (RFC 3986 §3.2.3)
  if (digits.size() > 5) return InvalidArgument("URL port is out of range 1-65535");
  uint32_t port = 0;
  for (const char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return InvalidArgument("URL port \"" + std::string(digits) + "\" is not a number");
    }
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return InvalidArgument("URL port is out of range 1-65535");
  return static_cast<uint16_t>(port);
}

StatusOr<std::string> ParseIpv6Host(std::string_view literal) {
  in6_addr addr;
  if (::inet_pton(AF_INET6, std::string(literal).c_str(), &addr) != 1) {
    return InvalidArgument("URL host [" + std::string(literal) + "] is not an IPv6 address");
  }
  return AsciiLower(literal);
}

StatusOr<std::string> ParseNameHost(std::string_view name) {
  if (name.size() > kMaxHostBytes) return InvalidArgument("URL host name is too long");
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return InvalidArgument("URL host contains '" + std::string(1, c) +
                             "'; a host is a name or an IP address");
    }
  }
  return AsciiLower(name);
}

// The parts of "host", "host:port", "[v6]" or "[v6]:port", not yet validated.
struct Authority {
  std::string_view host;
  std::optional<std::string_view> port;  // absent without a ':'
  bool ipv6 = false;
};

StatusOr<Authority> SplitAuthority(std::string_view text) {
  if (text.find('@') != std::string_view::npos) {
    return InvalidArgument("URL must not contain user info (user:password@)");
  }
  Authority authority;
  size_t host_end = text.find(':');
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return InvalidArgument("URL host has no closing ']'");
    authority.ipv6 = true;
    authority.host = text.substr(1, close - 1);
    host_end = close + 1;
    if (host_end < text.size() && text[host_end] != ':') {
      return InvalidArgument("URL has text after the IPv6 host");
    }
  } else {
    authority.host = text.substr(0, host_end);
  }
  if (host_end < text.size()) authority.port = text.substr(host_end + 1);
  if (authority.host.empty()) return InvalidArgument("URL has no host");
  return authority;
}

Status ParseAuthority(std::string_view text, HttpUrl& url) {
  ASSIGN_OR_RETURN(const Authority authority, SplitAuthority(text));
  if (authority.ipv6) {
    ASSIGN_OR_RETURN(url.host, ParseIpv6Host(authority.host));
  } else {
    ASSIGN_OR_RETURN(url.host, ParseNameHost(authority.host));
  }
  const uint16_t default_port = url.https() ? 443 : 80;
  if (!authority.port) {
    url.port = default_port;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(url.port, ParsePort(*authority.port, default_port));
  return Status::OK();
}

}  // namespace

std::string HttpUrl::HostHeader() const {
  std::string out = host.find(':') == std::string::npos ? host : "[" + host + "]";
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

StatusOr<HttpUrl> ParseHttpUrl(std::string_view text) {
  RETURN_IF_ERROR(CheckBytes(text));
  std::string_view rest = text;
  HttpUrl url;
  ASSIGN_OR_RETURN(url.scheme, ParseScheme(rest));
  rest = rest.substr(0, rest.find('#'));
  const size_t authority_end = rest.find_first_of("/?");
  RETURN_IF_ERROR(ParseAuthority(rest.substr(0, authority_end), url));
  const std::string_view target =
      authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  url.target = target.starts_with('/') ? std::string(target) : "/" + std::string(target);
  return url;
}

}  // namespace nexus
