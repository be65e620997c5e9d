#include "tests/cluster/cluster_test_fixture.h"

#include "testing/postgres.h"

namespace nexus::e2e {

void ClusterTest::StartCluster(int nodes) {
  database_url_ = test::FreshPostgresUrl();
  if (database_url_.empty()) GTEST_SKIP() << "no PostgreSQL test server";
  for (int i = 0; i < nodes; ++i) {
    std::string failure;
    ASSERT_EQ(StartNode({}, &failure), i) << failure;
  }
}

int ClusterTest::StartNode(const std::vector<std::string>& extra, std::string* failure) {
  dirs_.push_back(std::make_unique<test::TempDir>());
  std::vector<std::string> args = {"--data-dir", dirs_.back()->path(), "--database-url",
                                   database_url_};
  args.insert(args.end(), extra.begin(), extra.end());
  auto server = std::make_unique<test::ServerProcess>(NEXUS_BINARY, args, kClusterAdminKey);
  if (!server->started()) {
    if (failure != nullptr) *failure = server->output();
    return -1;
  }
  nodes_.push_back(std::move(server));
  return static_cast<int>(nodes_.size()) - 1;
}

Json ClusterTest::Rpc(int node, const std::string& method, const Json& params,
                      const std::string& key, const server::HeaderList& extra) {
  server::HeaderList headers = {{"Authorization", "Bearer " + key}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  const test::ClientResponse r = test::Fetch(
      port(node), "POST", "/api/nfs/" + method, headers,
      Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump());
  if (r.status != 200) return Json{{"http_status", r.status}};
  return Json::parse(r.body, nullptr, false);
}

Json ClusterTest::Result(int node, const std::string& method, const Json& params,
                         const std::string& key) {
  const Json answer = Rpc(node, method, params, key);
  EXPECT_TRUE(answer.contains("result")) << method << " on node " << node << ": " << answer.dump();
  return answer.contains("result") ? answer["result"] : Json();
}

Json ClusterTest::NewUserKey(const std::string& user) {
  return Result(0, "admin_create_key", Json{{"user_id", user}, {"name", user}});
}

}  // namespace nexus::e2e
