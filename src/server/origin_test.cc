#include "server/origin.h"

#include <gtest/gtest.h>

namespace nexus::server {
namespace {

TEST(OriginTest, PagesOfThisMachineAreAllowed) {
  EXPECT_TRUE(OriginAllowed("http://localhost:3000", {}));
  EXPECT_TRUE(OriginAllowed("http://127.0.0.1:8080", {}));
  EXPECT_TRUE(OriginAllowed("https://[::1]", {}));
  EXPECT_TRUE(OriginAllowed("http://LOCALHOST", {}));
}

TEST(OriginTest, OtherOriginsAreRefusedUnlessListed) {
  EXPECT_FALSE(OriginAllowed("http://evil.example", {}));
  EXPECT_FALSE(OriginAllowed("http://127.evil.example", {})) << "a name, not an address";
  EXPECT_FALSE(OriginAllowed("http://localhost.evil.example", {}));
  EXPECT_FALSE(OriginAllowed("null", {}));
  EXPECT_FALSE(OriginAllowed("file://", {}));
  EXPECT_FALSE(OriginAllowed("", {}));
  const std::vector<std::string> listed = {"https://app.example.com/"};
  EXPECT_TRUE(OriginAllowed("https://app.example.com", listed));
  EXPECT_TRUE(OriginAllowed("HTTPS://APP.EXAMPLE.COM", listed));
  EXPECT_FALSE(OriginAllowed("https://app.example.com.evil.example", listed));
  EXPECT_FALSE(OriginAllowed("http://app.example.com", listed)) << "the scheme is part of it";
}

}  // namespace
}  // namespace nexus::server
