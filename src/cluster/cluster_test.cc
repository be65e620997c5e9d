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
#include <thread>

#include "cluster/secrets.h"
#include "testing/eventually.h"
#include "testing/test_store.h"

namespace nexus::cluster {
namespace {

using std::chrono::milliseconds;

// The database's clock in microseconds, as SQL (the fixture runs on PostgreSQL).
constexpr char kDatabaseNow[] = "CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)";

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
  b->OnChange(kApiKeysTopic, [&] {
    ++keys_dropped;
    return Status::OK();
  });
  b->OnChange(kAgentsTopic, [&] {
    ++agents_dropped;
    return Status::OK();
  });
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

// ... and a callback that fails (a reload the database refused) is run again.
TEST_F(ClusterTest, MissedNotificationIsMadeGoodByThePeriodicRound) {
  if (store_.engine == nullptr) return;
  auto b = NewNode(*second_engine_, "b", milliseconds(100));
  std::atomic<int> dropped{0};
  std::atomic<bool> fail_once{true};
  b->OnChange(kAgentsTopic, [&] {
    ++dropped;
    return fail_once.exchange(false) ? IOError("the reload failed") : Status::OK();
  });
  ASSERT_TRUE(b->Start("http://127.0.0.1:2").ok());
  // A revision moved without a notification, as when one is lost with a connection.
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx
                        .Exec("INSERT INTO cluster_topics (topic, revision) VALUES ('agents', 7)")
                        .status();
                  })
                  .ok());
  // The first run fails, so the next round runs it again; once it succeeded, no more.
  EXPECT_TRUE(test::Eventually([&] { return dropped.load() >= 2; }));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(dropped.load(), 2);
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
                            "CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT), 0, "
                            "0)")
                        .status();
                  })
                  .ok());
  ASSERT_TRUE(Mark(*store_.engine, kApiKeysTopic).ok());
  a->AwaitPropagation();  // returns: the silent node's row goes stale
  StatusOr<std::optional<NodeInfo>> found = a->FindNode("silent");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_FALSE((*found)->alive);
  EXPECT_FALSE((*found)->gone) << "silent for less than takeover_after: maybe a pause";
  const Status wait = a->MayTakeOver("silent", "its sandbox");
  EXPECT_EQ(wait.code(), Code::kUnavailable);
  EXPECT_EQ(wait.detail("owner_node"), "") << "nothing to forward to: try again later";
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
                    // 'veteran' has heartbeated without a break for a minute.
                    return tx
                        .Exec(
                            "INSERT INTO cluster_nodes VALUES ('old', 'http://x', 1, 1, 1, 1), "
                            "('veteran', 'http://v', 1, " +
                            std::string(kDatabaseNow) + ", 1, " + kDatabaseNow + " - 60000000)")
                        .status();
                  })
                  .ok());
  StatusOr<std::optional<NodeInfo>> old = a->FindNode("old");
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(old->has_value());
  EXPECT_FALSE((*old)->alive);
  EXPECT_TRUE((*old)->gone) << "silent through a minute of the veteran's heartbeats";
  StatusOr<std::optional<NodeInfo>> self = a->FindNode("a");
  ASSERT_TRUE(self.ok() && self->has_value());
  EXPECT_TRUE((*self)->alive);
  EXPECT_FALSE((*self)->gone);
  EXPECT_TRUE(a->MayTakeOver("old", "its sandbox").ok());
  EXPECT_TRUE(a->MayTakeOver("never-registered", "its sandbox").ok());
  const Status forward = a->MayTakeOver("a", "its sandbox");
  EXPECT_EQ(forward.code(), Code::kUnavailable);
  EXPECT_EQ(forward.detail("owner_node"), "a");
}

// Every heartbeat stopped at once (the database failed over, or was paused): no node is
// gone, however long ago the last heartbeat was, so no node takes over another's sandboxes.
TEST_F(ClusterTest, NobodyIsGoneWhenEveryHeartbeatStoppedTogether) {
  if (store_.engine == nullptr) return;
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx
                        .Exec(
                            "INSERT INTO cluster_nodes VALUES ('x', 'http://x', 1, 5, 5, 1), "
                            "('y', 'http://y', 1, 4, 4, 1)")
                        .status();
                  })
                  .ok());
  auto observer = NewNode(*store_.engine, "observer");  // reads, never registers
  StatusOr<std::vector<NodeInfo>> nodes = observer->Nodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 2u);
  for (const NodeInfo& n : *nodes) {
    EXPECT_FALSE(n.alive) << n.node_id;
    EXPECT_FALSE(n.gone) << n.node_id;
  }
}

// After a pause of every heartbeat (a failover), the first node back is alive again but
// has not been for long: the nodes still reconnecting are not gone. They are once it has
// heartbeated for takeover_after since.
TEST_F(ClusterTest, FirstNodeBackFromAPauseFindsNobodyGoneUntilTakeoverAfter) {
  if (store_.engine == nullptr) return;
  const auto insert = [&](const std::string& back_for) {
    return store_.engine->Write([&](storage::Tx& tx) {
      RETURN_IF_ERROR(tx.Exec("DELETE FROM cluster_nodes").status());
      return tx
          .Exec("INSERT INTO cluster_nodes VALUES ('lagging', 'http://l', 1, " +
                std::string(kDatabaseNow) + " - 30000000, 1, 1), ('back', 'http://b', 1, " +
                kDatabaseNow + ", 1, " + kDatabaseNow + " - " + back_for + ")")
          .status();
    });
  };
  auto observer = NewNode(*store_.engine, "observer");  // reads, never registers
  ASSERT_TRUE(insert("1000000").ok());                  // back for 1 s
  StatusOr<std::optional<NodeInfo>> lagging = observer->FindNode("lagging");
  ASSERT_TRUE(lagging.ok() && lagging->has_value());
  EXPECT_FALSE((*lagging)->alive);
  EXPECT_FALSE((*lagging)->gone) << "the only live node has just come back";
  ASSERT_TRUE(insert("20000000").ok());  // back for 20 s
  lagging = observer->FindNode("lagging");
  ASSERT_TRUE(lagging.ok() && lagging->has_value());
  EXPECT_TRUE((*lagging)->gone);
}

// A twin given a live node's id is refused, and stopping it leaves the live node's row alone.
TEST_F(ClusterTest, RefusedTwinLeavesTheLiveNodesRowAlone) {
  if (store_.engine == nullptr) return;
  timeout_ = milliseconds(1000);
  auto live = NewNode(*store_.engine, "same", milliseconds(100));
  ASSERT_TRUE(live->Start("http://127.0.0.1:1").ok());
  auto twin = NewNode(*second_engine_, "same");
  EXPECT_EQ(twin->Start("http://127.0.0.1:2").code(), Code::kInUse);
  StatusOr<std::optional<NodeInfo>> before = live->FindNode("same");
  ASSERT_TRUE(before.ok() && before->has_value());
  twin->Stop();
  std::this_thread::sleep_for(milliseconds(300));
  StatusOr<std::optional<NodeInfo>> after = live->FindNode("same");
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value()) << "the twin withdrew the live node";
  EXPECT_EQ((*after)->started_at, (*before)->started_at);
  EXPECT_EQ((*after)->address, "http://127.0.0.1:1");
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
