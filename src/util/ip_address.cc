#include "util/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace nexus {
namespace {

struct V4Block {
  uint32_t prefix;
  int bits;
};

// IANA special-purpose IPv4 blocks that are not globally reachable.
constexpr V4Block kNonPublicV4[] = {
    {0x00000000, 8},   // "this network"
    {0x0A000000, 8},   // private
    {0x64400000, 10},  // shared address space (carrier NAT)
    {0x7F000000, 8},   // loopback
    {0xA9FE0000, 16},  // link-local (cloud metadata services live here)
    {0xAC100000, 12},  // private
    {0xC0000000, 24},  // IETF protocol assignments
    {0xC0000200, 24},  // documentation
    {0xC0A80000, 16},  // private
    {0xC6120000, 15},  // benchmarking
    {0xC6336400, 24},  // documentation
    {0xCB007100, 24},  // documentation
    {0xE0000000, 4},   // multicast
    {0xF0000000, 4},   // reserved, and the broadcast address
};

bool IsPublicV4(uint32_t address) {
  for (const V4Block& block : kNonPublicV4) {
    if ((address >> (32 - block.bits)) == (block.prefix >> (32 - block.bits))) return false;
  }
  return true;
}

uint32_t V4At(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

bool IsPublicV6(const in6_addr& address) {
  const uint8_t* b = address.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&address) || IN6_IS_ADDR_V4COMPAT(&address)) {
    return IsPublicV4(V4At(b + 12));
  }
  // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last four bytes.
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::equal(kNat64, kNat64 + 12, b)) return IsPublicV4(V4At(b + 12));
  if (IN6_IS_ADDR_UNSPECIFIED(&address) || IN6_IS_ADDR_LOOPBACK(&address)) return false;
  if ((b[0] & 0xfe) == 0xfc) return false;                  // unique local, fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local, fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;  // site-local, fec0::/10
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // docs
  return true;
}

}  // namespace

std::optional<bool> IsPublicIpLiteral(std::string_view host) {
  const std::string literal(host);
  in_addr v4{};
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) return IsPublicV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, literal.c_str(), &v6) == 1) return IsPublicV6(v6);
  return std::nullopt;
}

}  // namespace nexus
