#include "mcp_test_fixture.h"

namespace nexus::e2e {

test::ClientResponse McpTest::Mcp(const std::string& body, Headers headers,
                                  const std::string& http_method) {
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", "application/json, text/event-stream");
  return test::Fetch(port(), http_method, "/mcp", headers, body);
}

Headers McpTest::Session(const std::string& key, const std::string& session) {
  Headers headers = Auth(key);
  headers.emplace_back("Mcp-Session-Id", session);
  return headers;
}

std::string McpTest::Initialize(const std::string& key, const std::string& version) {
  const Json init{{"jsonrpc", "2.0"},
                  {"id", 0},
                  {"method", "initialize"},
                  {"params",
                   {{"protocolVersion", version},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}};
  const test::ClientResponse r = Mcp(init.dump(), Auth(key));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.Header("Mcp-Session-Id");
}

Json McpTest::Request(const std::string& session, const std::string& method, const Json& params,
                      const std::string& key) {
  const Json message{
      {"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", method}, {"params", params}};
  const test::ClientResponse r = Mcp(message.dump(), Session(key, session));
  EXPECT_EQ(r.status, 200) << r.body;
  const Json answer = Json::parse(r.body, nullptr, false);
  EXPECT_EQ(answer["id"], next_id_) << r.body;
  return answer;
}

Json McpTest::Tool(const std::string& session, const std::string& name, const Json& arguments,
                   const std::string& key) {
  return Request(session, "tools/call", {{"name", name}, {"arguments", arguments}}, key)["result"];
}

std::vector<std::string> McpTest::ToolNames(const std::string& session, const std::string& key) {
  std::vector<std::string> names;
  const Json answer = Request(session, "tools/list", Json::object(), key);
  for (const Json& tool : answer["result"]["tools"]) names.push_back(tool["name"]);
  return names;
}

}  // namespace nexus::e2e
