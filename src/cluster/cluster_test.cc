// Two nodes on one PostgreSQL database, each with an engine of its own as separate processes
// would have: a change marked by one reaches the other's callbacks before the changer's
// AwaitPropagation returns, a missed notification is made good by the periodic read, a
// silent node does not hold changes up, leases have one holder, secrets one value. SQLite
// serves one node.
#include "cluster/cluster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "cluster/secrets.h"
#include "testing/eventually.h"
#include "testing/test_store.h"

namespace nexus::cluster {
namespace {

using std::chrono::milliseconds;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(test::EngineKind::kPostgres, Schema());
    if (store_.engine == nullptr) return;
    StatusOr<std::unique_ptr<storage::Engine>> second =
        storage::OpenEngine(store_.url, storage::Durability::kFull);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    second_engine_ = std::move(second).value();
  }

  std::unique_ptr<Cluster> NewNode(storage::Engine& engine, const std::string& id,
                                   milliseconds heartbeat = milliseconds(1000)) {
    return std::make_unique<Cluster>(
        engine, ClusterOptions{.node_id = id, .heartbeat = heartbeat, .node_timeout = timeout_});
  }

  Status Mark(storage::Engine& engine, std::string_view topic) {
    return engine.Write([&](storage::Tx& tx) { return Cluster::MarkChanged(tx, topic); });
  }

  test::TestStore store_;
  std::unique_ptr<storage::Engine> second_engine_;
  milliseconds timeout_{3000};
};

TEST_F(ClusterTest, ChangeReachesEveryNodeBeforeAwaitReturns) {
  if (store_.engine == nullptr) return;
  auto a = NewNode(*store_.engine, "a");
  auto b = NewNode(*second_engine_, "b", milliseconds(60000));  // no periodic round helps
  std::atomic<int> keys_dropped{0};
  std::atomic<int> agents_dropped{0};
  b->OnChange(kApiKeysTopic, [&] { ++keys_dropped; });
  b->OnChange(kAgentsTopic, [&] { ++agents_dropped; });
  ASSERT_TRUE(a->Start("http://127.0.0.1:1").ok());
  ASSERT_TRUE(b->Start("http://127.0.0.1:2").ok());
  for (int i = 1; i <= 3; ++i) {
    const int before = keys_dropped.load();
    ASSERT_TRUE(Mark(*store_.engine, kApiKeysTopic).ok());
    a->AwaitPropagation();
    EXPECT_GT(keys_dropped.load(), before) << "change " << i;
  }
  EXPECT_EQ(agents_dropped.load(), 0);
}

TEST_F(ClusterTest, MissedNotificationIsMadeGoodByThePeriodicRound) {
  if (store_.engine == nullptr) return;
  auto b = NewNode(*second_engine_, "b", milliseconds(100));
  std::atomic<int> dropped{0};
  b->OnChange(kMountsTopic, [&] { ++dropped; });
  ASSERT_TRUE(b->Start("http://127.0.0.1:2").ok());
  // A revision moved without a notification, as when one is lost with a connection.
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx
                        .Exec("INSERT INTO cluster_topics (topic, revision) VALUES ('mounts', 7)")
                        .status();
                  })
                  .ok());
  EXPECT_TRUE(test::Eventually([&] { return dropped.load() == 1; }));
}

TEST_F(ClusterTest, SilentNodeHoldsChangesUpOnlyUntilItCountsAsDead) {
  if (store_.engine == nullptr) return;
  timeout_ = milliseconds(500);
  auto a = NewNode(*store_.engine, "a");
  ASSERT_TRUE(a->Start("http://127.0.0.1:1").ok());
  // A node that registered a moment ago and then went silent (stuck, or killed without
  // withdrawing): its heartbeat is fresh, but it never catches up.
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx
                        .Exec(
                            "INSERT INTO cluster_nodes VALUES ('silent', 'http://x', 0, "
                            "CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT), 0)")
                        .status();
                  })
                  .ok());
  ASSERT_TRUE(Mark(*store_.engine, kApiKeysTopic).ok());
  a->AwaitPropagation();  // returns: the silent node's row goes stale
  StatusOr<std::optional<NodeInfo>> found = a->FindNode("silent");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_FALSE((*found)->alive);
}

TEST_F(ClusterTest, StoppedNodeIsWithdrawnAndOthersSeeWhoIsAlive) {
  if (store_.engine == nullptr) return;
  auto a = NewNode(*store_.engine, "a");
  auto b = NewNode(*second_engine_, "b");
  ASSERT_TRUE(a->Start("http://10.0.0.1:2026").ok());
  ASSERT_TRUE(b->Start("http://10.0.0.2:2026").ok());
  StatusOr<std::vector<NodeInfo>> nodes = a->Nodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[1].address, "http://10.0.0.2:2026");
  EXPECT_TRUE((*nodes)[1].alive);
  b->Stop();
  StatusOr<std::optional<NodeInfo>> gone = a->FindNode("b");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  StatusOr<std::optional<NodeInfo>> unknown = a->FindNode("nobody");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(ClusterTest, NodeWhoseHeartbeatStoppedIsNotAlive) {
  if (store_.engine == nullptr) return;
  auto a = NewNode(*store_.engine, "a");
  ASSERT_TRUE(a->Start("http://127.0.0.1:1").ok());
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx.Exec("INSERT INTO cluster_nodes VALUES ('old', 'http://x', 1, 1, 1)")
                        .status();
                  })
                  .ok());
  StatusOr<std::optional<NodeInfo>> old = a->FindNode("old");
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(old->has_value());
  EXPECT_FALSE((*old)->alive);
}

TEST_F(ClusterTest, LeaseHasOneHolderUntilItRunsOut) {
  if (store_.engine == nullptr) return;
  auto a = NewNode(*store_.engine, "a");
  auto b = NewNode(*second_engine_, "b");
  EXPECT_TRUE(*a->HoldLease("purge", milliseconds(300)));
  EXPECT_FALSE(*b->HoldLease("purge", milliseconds(300)));
  EXPECT_TRUE(*a->HoldLease("purge", milliseconds(300)));  // renewed
  EXPECT_TRUE(*b->HoldLease("sweep", milliseconds(300)));  // another lease
  // a stops renewing (dead): b takes over once the lease ran out.
  EXPECT_TRUE(test::Eventually([&] { return *b->HoldLease("purge", milliseconds(300)); }));
  EXPECT_FALSE(*a->HoldLease("purge", milliseconds(300)));
}

TEST_F(ClusterTest, FirstProposedSecretIsEveryonesSecret) {
  if (store_.engine == nullptr) return;
  StatusOr<std::string> first = AgreeOnSecret(*store_.engine, "k", "one");
  StatusOr<std::string> second = AgreeOnSecret(*second_engine_, "k", "two");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, "one");
  EXPECT_EQ(*second, "one");
}

TEST(ClusterSqliteTest, OneNodeNeverWaitsAndHoldsEveryLease) {
  test::TestStore store = test::OpenTestStore(test::EngineKind::kSqlite, Schema());
  Cluster node(*store.engine, ClusterOptions{.node_id = "only"});
  EXPECT_FALSE(node.shared());
  ASSERT_TRUE(node.Start("http://127.0.0.1:1").ok());
  ASSERT_TRUE(
      store.engine->Write([](storage::Tx& tx) { return Cluster::MarkChanged(tx, kApiKeysTopic); })
          .ok());
  node.AwaitPropagation();
  EXPECT_TRUE(*node.HoldLease("purge", milliseconds(10)));
  StatusOr<std::vector<NodeInfo>> nodes = node.Nodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_TRUE((*nodes)[0].alive);
  EXPECT_EQ(store.Count("SELECT revision FROM cluster_topics WHERE topic = 'api_keys'"), 1);
  EXPECT_TRUE(node.database_reachable());
}

}  // namespace
}  // namespace nexus::cluster
