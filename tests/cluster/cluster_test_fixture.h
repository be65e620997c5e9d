// Several real `nexus serve` nodes on one PostgreSQL database, each with a data directory of
// its own, as separate machines would run them, for the tests of what nodes must agree on.
#ifndef NEXUS_TESTS_CLUSTER_CLUSTER_TEST_FIXTURE_H_
#define NEXUS_TESTS_CLUSTER_CLUSTER_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/http_types.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/temp_dir.h"

namespace nexus::e2e {

using Json = nlohmann::json;

inline constexpr char kClusterAdminKey[] =
    "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

class ClusterTest : public ::testing::Test {
 protected:
  // A fresh database; starts `nodes` nodes on it.
  void StartCluster(int nodes);
  // Starts one more node (its own data directory) with `extra` arguments; its index, or -1
  // (and the server's output in `failure`) when it did not come up.
  int StartNode(const std::vector<std::string>& extra = {}, std::string* failure = nullptr);

  uint16_t port(int node) const { return nodes_[node]->port(); }
  test::ServerProcess& node(int i) { return *nodes_[i]; }

  // The whole JSON-RPC answer of `method` on `node` ({"result":...} or {"error":...});
  // {"http_status": N} when the answer was not HTTP 200.
  Json Rpc(int node, const std::string& method, const Json& params,
           const std::string& key = kClusterAdminKey, const server::HeaderList& extra = {});
  Json Result(int node, const std::string& method, const Json& params,
              const std::string& key = kClusterAdminKey);
  // A new non-admin key of `user` (tenant default), made through node 0.
  Json NewUserKey(const std::string& user);

  std::string database_url_;
  std::vector<std::unique_ptr<test::TempDir>> dirs_;
  std::vector<std::unique_ptr<test::ServerProcess>> nodes_;
};

}  // namespace nexus::e2e

#endif  // NEXUS_TESTS_CLUSTER_CLUSTER_TEST_FIXTURE_H_
