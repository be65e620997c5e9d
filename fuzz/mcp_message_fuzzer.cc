// An MCP message as /mcp receives it (rpc/mcp/mcp_endpoint.h): the POST body, in a session
// opened once, answered by a real node on a temporary data directory as the system
// administrator, so every tool, prompt and resource request runs for real. Sandboxes are off.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_node.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "rpc/wire_json.h"

namespace {

// A session opened once, in the version that still had batches, so they are fuzzed too.
class McpSession {
 public:
  McpSession() {
    const nexus::rpc::McpResponse opened = Post(
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
    FUZZ_CHECK(opened.http_status == 200);
    for (const auto& [name, value] : opened.headers) {
      if (name == "Mcp-Session-Id") session_ = value;
    }
    FUZZ_CHECK(!session_.empty());
  }

  nexus::rpc::McpResponse Post(std::string_view body) const {
    nexus::rpc::McpRequest request;
    request.http_method = "POST";
    request.body = body;
    request.session_id = session_;
    request.caller = &node_.admin();
    return node_.node().mcp().Handle(request);
  }

 private:
  nexus::fuzz::FuzzNode node_;
  std::string session_;
};

// An answer is a result, or an error with an integer code and a message; never an internal
// error, which would be the server's fault rather than the input's.
void CheckAnswer(const nexus::rpc::Json& answer) {
  FUZZ_CHECK(answer.is_object());
  if (answer.contains("result")) return;
  const nexus::rpc::Json& error = answer.at("error");
  FUZZ_CHECK(error.at("code").is_number_integer());
  FUZZ_CHECK(error.at("code") != -32603);
  FUZZ_CHECK(error.at("message").is_string());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static McpSession session;
  const nexus::rpc::McpResponse response =
      session.Post(std::string_view(reinterpret_cast<const char*>(data), size));
  FUZZ_CHECK(response.http_status == 200 || response.http_status == 202 ||
             response.http_status == 400);
  if (response.http_status == 202) {
    FUZZ_CHECK(response.body.empty());
    return 0;
  }
  const nexus::StatusOr<nexus::rpc::Json> body = nexus::rpc::ParseJson(response.body);
  FUZZ_CHECK(body.ok());
  if (body->is_array()) {
    for (const nexus::rpc::Json& answer : *body) CheckAnswer(answer);
  } else {
    CheckAnswer(*body);
  }
  return 0;
}
