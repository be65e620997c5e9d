// An MCP message as /mcp receives it (rpc/mcp/mcp_endpoint.h): the POST body, in a session
// opened once, answered by a real node on a temporary data directory as the system
// administrator, so every tool, prompt and resource request runs for real. Sandboxes are off.
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/identity.h"
#include "fuzz/fuzz_check.h"
#include "node/node.h"
#include "rpc/mcp/mcp_endpoint.h"
#include "rpc/wire_json.h"

namespace {

class FuzzNode {
 public:
  FuzzNode() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/nexus-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    nexus::node::NodeOptions options;
    options.data_dir = dir_;
    options.durability = nexus::storage::Durability::kNormal;
    options.sandboxes = false;
    nexus::StatusOr<std::unique_ptr<nexus::node::Node>> node = nexus::node::Node::Open(options);
    if (!node.ok()) std::fprintf(stderr, "node: %s\n", node.status().ToString().c_str());
    FUZZ_CHECK(node.ok());
    node_ = std::move(node).value();
    admin_.subject_type = "user";
    admin_.subject_id = admin_.user_id = "admin";
    admin_.tenant_id = "default";
    admin_.is_admin = true;
    const nexus::rpc::McpResponse opened = Post(
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
    FUZZ_CHECK(opened.http_status == 200);
    for (const auto& [name, value] : opened.headers) {
      if (name == "Mcp-Session-Id") session_ = value;
    }
    FUZZ_CHECK(!session_.empty());
  }
  ~FuzzNode() {
    node_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  nexus::rpc::McpResponse Post(std::string_view body) const {
    nexus::rpc::McpRequest request;
    request.http_method = "POST";
    request.body = body;
    request.session_id = session_;
    request.caller = &admin_;
    return node_->mcp().Handle(request);
  }

 private:
  std::string dir_;
  std::unique_ptr<nexus::node::Node> node_;
  nexus::auth::Identity admin_;
  std::string session_;  // 2025-03-26, so batches are exercised too
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
  static FuzzNode node;
  const nexus::rpc::McpResponse response =
      node.Post(std::string_view(reinterpret_cast<const char*>(data), size));
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
