#include "util/ip_address.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(IpAddressTest, PublicAddresses) {
  for (const char* host : {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.32.0.1",
                           "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_EQ(IsPublicIpLiteral(host), true) << host;
  }
}

TEST(IpAddressTest, NonPublicAddresses) {
  for (const char* host : {"127.0.0.1",
                           "127.255.0.9",
                           "0.0.0.0",
                           "10.1.2.3",
                           "172.16.0.1",
                           "172.31.255.255",
                           "192.168.1.1",
                           "169.254.169.254",
                           "100.64.0.1",
                           "224.0.0.1",
                           "255.255.255.255",
                           "240.0.0.1",
                           "198.18.0.1",
                           "192.0.2.1",
                           "::1",
                           "::",
                           "fe80::1",
                           "fd00::1",
                           "fc00::1",
                           "fec0::1",
                           "ff02::1",
                           "2001:db8::1",
                           "::ffff:127.0.0.1",
                           "::ffff:169.254.169.254",
                           "64:ff9b::7f00:1",
                           "::127.0.0.1"}) {
    EXPECT_EQ(IsPublicIpLiteral(host), false) << host;
  }
}

TEST(IpAddressTest, NamesAndOtherFormsAreNotLiterals) {
  // Short and numeric IPv4 forms are resolved by getaddrinfo to loopback; they are not
  // literals here, so a caller resolves them and asks about the result.
  for (const char* host : {"localhost", "example.com", "2130706433", "127.1", "0x7f.0.0.1", "",
                           "[::1]", "1.2.3.4.5"}) {
    EXPECT_EQ(IsPublicIpLiteral(host), std::nullopt) << host;
  }
}

}  // namespace
}  // namespace nexus
