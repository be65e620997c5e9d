// The fixture of the /mcp tests: three users (ThreeUsersHttpTest) and helpers that speak the
// Streamable HTTP transport: open a session, send a request in it, call a tool.
#ifndef NEXUS_TESTS_MCP_TEST_FIXTURE_H_
#define NEXUS_TESTS_MCP_TEST_FIXTURE_H_

#include <string>

#include "http_test_fixture.h"

namespace nexus::e2e {

inline constexpr char kVersion[] = "2025-06-18";

class McpTest : public ThreeUsersHttpTest {
 protected:
  test::ClientResponse Mcp(const std::string& body, Headers headers,
                           const std::string& http_method = "POST");
  static Headers Session(const std::string& key, const std::string& session);
  // Opens a session for `key`; its id.
  std::string Initialize(const std::string& key = kAdminKey, const std::string& version = kVersion);
  // The whole answer to one request in `session`; expects HTTP 200.
  Json Request(const std::string& session, const std::string& method, const Json& params,
               const std::string& key = kAdminKey);
  // The result of tools/call.
  Json Tool(const std::string& session, const std::string& name, const Json& arguments,
            const std::string& key = kAdminKey);
  // The names tools/list gives `key` in `session`.
  std::vector<std::string> ToolNames(const std::string& session,
                                     const std::string& key = kAdminKey);
  static std::string TextOf(const Json& result) { return result["content"][0]["text"]; }

  int next_id_ = 0;
};

}  // namespace nexus::e2e

#endif  // NEXUS_TESTS_MCP_TEST_FIXTURE_H_
