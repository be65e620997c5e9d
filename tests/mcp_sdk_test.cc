// Conformance with a real MCP client: the official TypeScript SDK (tests/mcp_sdk, installed
// by `make deps`) drives the server over Streamable HTTP and, through `nexus mcp`, over stdio
// (tests/mcp_sdk/conformance.mjs lists every check).
#include <filesystem>
#include <string>

#include "http_test_fixture.h"
#include "testing/child_process.h"

namespace nexus::e2e {
namespace {

const std::string kSdkDir = std::string(NEXUS_SOURCE_DIR) + "/tests/mcp_sdk";

class McpSdkTest : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(std::filesystem::exists(kSdkDir + "/node_modules/@modelcontextprotocol/sdk"))
        << "the MCP SDK is not installed: run `make deps` (npm ci in tests/mcp_sdk)";
    Result("skills_create",
           {{"name", "sdk-skill"}, {"description", "For the SDK"}, {"tier", "user"}});
  }

  test::ChildResult Conformance(const std::string& transport) {
    test::ChildOptions options;
    options.env = {"MCP_TRANSPORT=" + transport,
                   "NEXUS_URL=http://127.0.0.1:" + std::to_string(port()),
                   std::string("NEXUS_API_KEY=") + kAdminKey,
                   std::string("NEXUS_BINARY=") + NEXUS_BINARY,
                   "SKILL_NAME=sdk-skill",
                   "HOME=" + dir_.path()};
    options.timeout = std::chrono::seconds(300);
    return test::RunChild("/usr/bin/env", {"node", kSdkDir + "/conformance.mjs"}, options);
  }
};

TEST_P(McpSdkTest, StreamableHttp) {
  const test::ChildResult r = Conformance("http");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" checks, 0 failed"), std::string::npos) << r.out;
}

TEST_P(McpSdkTest, StdioThroughNexusMcp) {
  const test::ChildResult r = Conformance("stdio");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" checks, 0 failed"), std::string::npos) << r.out;
}

NEXUS_INSTANTIATE_ENGINES(McpSdkTest);

}  // namespace
}  // namespace nexus::e2e
