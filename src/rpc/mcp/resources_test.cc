#include <gtest/gtest.h>

#include "rpc/mcp/features.h"

namespace nexus::rpc::mcp {
namespace {

TEST(ResourceUriTest, PathsRoundTripThroughUris) {
  EXPECT_EQ(ResourceUri("/workspace/notes.md"), "nexus:///workspace/notes.md");
  EXPECT_EQ(ResourceUri("/tenant:acme/a b/%.txt"), "nexus:///tenant:acme/a%20b/%25.txt");
  EXPECT_EQ(ResourceUri("/caf\xc3\xa9"), "nexus:///caf%C3%A9");
  for (const std::string path : {"/workspace/notes.md", "/a b/%25/?#&+", "/caf\xc3\xa9"}) {
    StatusOr<std::string> back = ResourcePath(ResourceUri(path));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, path);
  }
  EXPECT_EQ(*ResourcePath("nexus:///a+b"), "/a+b") << "'+' is not a space in a URI";
}

TEST(ResourceUriTest, OtherUrisAreRefused) {
  EXPECT_EQ(ResourcePath("file:///etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ResourcePath("nexus://relative").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ResourcePath("nexus:///bad%zz").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ResourcePath("nexus:///cut%4").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace nexus::rpc::mcp
