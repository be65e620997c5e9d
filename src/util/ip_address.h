// Which IP addresses belong to the public internet. A request whose URL a user chose (a
// webhook) must not reach this machine or its private network (SSRF).
#ifndef NEXUS_UTIL_IP_ADDRESS_H_
#define NEXUS_UTIL_IP_ADDRESS_H_

#include <optional>
#include <string_view>

namespace nexus {

// For an IP address literal (dotted-quad IPv4, or IPv6 without brackets): whether it is a
// public unicast address, i.e. none of loopback, unspecified, private (10/8, 172.16/12,
// 192.168/16, fc00::/7), shared (100.64/10), link-local (169.254/16, fe80::/10), multicast,
// reserved (0/8, 240/4), benchmarking (198.18/15), documentation, or an IPv4-mapped or
// NAT64 form of one of those. nullopt when `host` is not an address literal: a name has to be
// resolved first, and the addresses it resolves to asked about.
std::optional<bool> IsPublicIpLiteral(std::string_view host);

}  // namespace nexus

#endif  // NEXUS_UTIL_IP_ADDRESS_H_
