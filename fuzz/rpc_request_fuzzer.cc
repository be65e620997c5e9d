// A JSON-RPC request as the server receives it (rpc/dispatcher.h): "<method>\n<body>", the
// method standing for the URL's, answered by a real node (node/node.h) on a temporary data
// directory, as the system administrator: the envelope is checked, the `__type__` wrappers
// decoded, the parameters bound to the method's schema, and the method runs. Sandboxes are
// off (each input would start a jail); every other service is the server's own.
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
#include "rpc/dispatcher.h"
#include "rpc/wire_json.h"

namespace {

// The node and its data directory, removed when the fuzzer exits.
class FuzzNode {
 public:
  FuzzNode() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/nexus-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    nexus::node::NodeOptions options;
    options.data_dir = dir_;
    options.durability = nexus::storage::Durability::kNormal;  // fsync per input is wasted
    options.sandboxes = false;
    nexus::StatusOr<std::unique_ptr<nexus::node::Node>> node = nexus::node::Node::Open(options);
    if (!node.ok()) std::fprintf(stderr, "node: %s\n", node.status().ToString().c_str());
    FUZZ_CHECK(node.ok());
    node_ = std::move(node).value();
    admin_.subject_type = "user";
    admin_.subject_id = admin_.user_id = "admin";
    admin_.tenant_id = "default";
    admin_.is_admin = true;
  }
  ~FuzzNode() {
    node_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const nexus::rpc::Dispatcher& dispatcher() const { return node_->dispatcher(); }
  const nexus::auth::Identity& admin() const { return admin_; }

 private:
  std::string dir_;
  std::unique_ptr<nexus::node::Node> node_;
  nexus::auth::Identity admin_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzNode node;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  nexus::rpc::RpcRequest request;
  request.method = std::string(input.substr(0, newline));
  if (newline != std::string_view::npos) request.body = input.substr(newline + 1);
  request.caller = &node.admin();
  const nexus::rpc::RpcResponse response = node.dispatcher().Handle(request);
  // Bad input is the caller's fault: never an internal error, always a well-formed answer.
  FUZZ_CHECK(response.outcome != "-32603");
  if (response.http_status == 304) return 0;
  const nexus::StatusOr<nexus::rpc::Json> body = nexus::rpc::ParseJson(response.body);
  FUZZ_CHECK(body.ok());
  if (response.outcome == "ok") return 0;
  FUZZ_CHECK(body->at("error").at("code").is_number_integer());
  FUZZ_CHECK(body->at("error").at("message").is_string());
  return 0;
}
