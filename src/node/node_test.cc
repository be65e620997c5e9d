// A whole node in process, on both engines: opened, serving over HTTP and through its
// dispatcher, closed in order, and opened again on the same data.
#include "node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "rpc/dispatcher.h"
#include "testing/http_client.h"
#include "testing/postgres.h"
#include "testing/temp_dir.h"
#include "testing/test_store.h"
#include "util/file.h"

namespace nexus::node {
namespace {

using Json = nlohmann::json;
using test::EngineKind;

constexpr char kAdminKey[] = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

class NodeTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    options_.data_dir = dir_.path();
    options_.admin_key = kAdminKey;
    options_.http.host = "127.0.0.1";
    options_.http.port = 0;
    if (GetParam() == EngineKind::kPostgres) {
      NEXUS_PG_URL_OR_SKIP(url);
      options_.database_url = url;
    }
    admin_.subject_type = "user";
    admin_.subject_id = admin_.user_id = "admin";
    admin_.tenant_id = "default";
    admin_.is_admin = true;
  }

  std::unique_ptr<Node> OpenNode() {
    StatusOr<std::unique_ptr<Node>> node = Node::Open(options_);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    return node.ok() ? std::move(node).value() : nullptr;
  }

  // One JSON-RPC call through the node's dispatcher, as the administrator.
  Json Call(const Node& node, const std::string& method, const Json& params) {
    const std::string body =
        Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump();
    rpc::RpcRequest request;
    request.method = method;
    request.body = body;
    request.caller = &admin_;
    return Json::parse(node.dispatcher().Handle(request).body);
  }

  test::TempDir dir_;
  NodeOptions options_;
  auth::Identity admin_;
};

TEST_P(NodeTest, ServesOverHttpAndInProcess) {
  std::unique_ptr<Node> node = OpenNode();
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->port(), 0) << "not listening before Listen";
  ASSERT_TRUE(node->Listen().ok());
  ASSERT_NE(node->port(), 0);
  EXPECT_EQ(test::Fetch(node->port(), "GET", "/health").status, 200);

  const Json write = {{"jsonrpc", "2.0"},
                      {"id", 1},
                      {"method", "write"},
                      {"params", {{"path", "/notes/a.txt"}, {"content", "over http"}}}};
  const test::ClientResponse written = test::Fetch(
      node->port(), "POST", "/api/nfs/write",
      {{"Authorization", std::string("Bearer ") + kAdminKey}, {"Content-Type", "application/json"}},
      write.dump());
  ASSERT_EQ(written.status, 200) << written.body;
  EXPECT_FALSE(Json::parse(written.body).contains("error")) << written.body;
  const Json read = Call(*node, "read", {{"path", "/notes/a.txt"}});
  EXPECT_EQ(read["result"]["__type__"], "bytes") << read.dump();
}

TEST_P(NodeTest, ListenTwiceIsRefused) {
  std::unique_ptr<Node> node = OpenNode();
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->Listen().ok());
  const Status again = node->Listen();
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("already listening"), std::string::npos) << again.ToString();
}

TEST_P(NodeTest, ClosingStopsServingAndReopeningKeepsWrites) {
  uint16_t port = 0;
  {
    std::unique_ptr<Node> node = OpenNode();
    ASSERT_NE(node, nullptr);
    EXPECT_TRUE(node->report().admin.created_key) << "the first start registers the admin key";
    ASSERT_TRUE(node->Listen().ok());
    port = node->port();
    const Json written = Call(*node, "mkdir", {{"path", "/kept"}, {"parents", true}});
    ASSERT_FALSE(written.contains("error")) << written.dump();
  }
  EXPECT_EQ(test::Fetch(port, "GET", "/health").status, 0) << "a closed node refuses connections";
  std::unique_ptr<Node> reopened = OpenNode();
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->report().admin.created_key) << "the key exists already";
  EXPECT_EQ(Call(*reopened, "exists", {{"path", "/kept"}})["result"]["exists"], true);
}

TEST_P(NodeTest, DemoProvisionsItsAgentOnce) {
  options_.demo = true;
  options_.admin_key.clear();
  {
    std::unique_ptr<Node> node = OpenNode();
    ASSERT_NE(node, nullptr);
    EXPECT_FALSE(node->report().untrusted_agent_key.empty());
    EXPECT_EQ(node->report().admin.raw_key, kAdminKey) << "the demo's fixed admin key";
  }
  std::unique_ptr<Node> again = OpenNode();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->report().untrusted_agent_key.empty()) << "shown once, when created";
}

TEST_P(NodeTest, AMissingMountRootFailsTheOpen) {
  options_.mount_roots = {dir_.path() + "/no-such-root"};
  StatusOr<std::unique_ptr<Node>> node = Node::Open(options_);
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("invalid mount root"), std::string::npos)
      << node.status().ToString();
}

TEST_P(NodeTest, AnUnusableDataDirectoryNamesTheStepThatFailed) {
  options_.data_dir = dir_.path() + "/a-file";
  ASSERT_TRUE(WriteFileAtomically(options_.data_dir, "not a directory", /*sync=*/false).ok());
  StatusOr<std::unique_ptr<Node>> node = Node::Open(options_);
  ASSERT_FALSE(node.ok());
  // SQLite keeps its database there; PostgreSQL first needs it for the node's id.
  const std::string step = GetParam() == EngineKind::kSqlite ? "cannot open the store" : "node id";
  EXPECT_NE(node.status().message().find(step), std::string::npos) << node.status().ToString();
}

TEST_P(NodeTest, WithoutSandboxesNoSocketIsOpened) {
  options_.sandboxes = false;
  std::unique_ptr<Node> node = OpenNode();
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(node->Listen().ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/nexus.sock"));
  const Json answer = Call(*node, "sandbox_list", Json::object());
  EXPECT_NE(answer["error"]["message"].get<std::string>().find("not enabled"), std::string::npos)
      << answer.dump();
}

INSTANTIATE_TEST_SUITE_P(Engines, NodeTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::node
