// The cluster module's face: the nodes that share one database.
//
// Several `nexus serve` may share a PostgreSQL database. What each node keeps in memory of
// the database (cached key lookups, registered agents, the mount table) must then follow
// changes made through the others. A write unit that changes such a thing calls
// MarkChanged(tx, topic): it bumps the topic's revision in `cluster_topics` and, on
// PostgreSQL, sends a NOTIFY that goes out when the unit commits. Every node's cluster
// thread listens, re-reads the revisions (so a notification is only a hint: one missed, or
// lost with a connection, is made good by the next periodic read) and runs the callbacks of
// the topics whose revision moved, which drop what that node cached.
//
// The same round records the node's heartbeat and how far it has caught up (`synced_at`,
// the database's time when the round's snapshot began). AwaitPropagation, called by a
// change after it committed, waits until every live node has a round that began after the
// commit, so the change is in force on every node when the call that made it returns, or,
// for a node that has gone silent, once it has been silent for `node_timeout` and counts as
// dead. Times on PostgreSQL are the database server's clock, so node clocks do not matter.
//
// The node registry is also how a node finds another one (a sandbox's owner, to forward a
// call to it) and tells whether it is alive. Leases let one node at a time do work that
// must run once in the cluster. SQLite serves one process: there the thread is not started,
// nothing waits, and every lease is this node's.
//
// Thread-safe.
#ifndef NEXUS_CLUSTER_CLUSTER_H_
#define NEXUS_CLUSTER_CLUSTER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/engine.h"
#include "storage/migration.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::cluster {

// What nodes cache and must drop when another node changes it.
inline constexpr std::string_view kApiKeysTopic = "api_keys";
inline constexpr std::string_view kAgentsTopic = "agents";
inline constexpr std::string_view kMountsTopic = "mounts";

struct ClusterOptions {
  std::string node_id;  // required: unique among the nodes of the database
  // How often a node reads the revisions and records its heartbeat without a notification.
  std::chrono::milliseconds heartbeat{1000};
  // A node whose heartbeat is older than this is dead: nothing waits for it, nothing is
  // forwarded to it, and what it owned may be taken over.
  std::chrono::milliseconds node_timeout{3000};
  // A dead node is gone, and what it ran (its sandboxes) is given up, once another node has
  // heartbeated without a break for this long since the dead node's last heartbeat.
  // Measured against the other nodes rather than the clock, so a pause that stops every
  // heartbeat at once (a database failover) makes no node gone, nor does the first node
  // back find the others gone while they reconnect.
  std::chrono::milliseconds takeover_after{10000};
  // Whether no other process can have this id (the node holds a lock on where the id is
  // kept): a live registration of the id is then this node's previous life, taken over at
  // once, rather than possibly a twin waited out for node_timeout.
  bool id_is_exclusive = false;
};

struct NodeInfo {
  std::string node_id;
  std::string address;  // the base URL other nodes forward to, e.g. "http://10.0.0.5:2026"
  int64_t started_at = 0;
  int64_t heartbeat_at = 0;
  bool alive = false;
  bool gone = false;  // see ClusterOptions::takeover_after
};

class Cluster {
 public:
  Cluster(storage::Engine& engine, ClusterOptions options);
  ~Cluster();  // Stop()
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::string& node_id() const { return options_.node_id; }
  // Whether other nodes can share the database (PostgreSQL).
  bool shared() const { return engine_.dialect() == storage::Dialect::kPostgres; }

  // Records in `tx` that `topic` changed: every node runs the topic's callbacks once the
  // unit commits.
  static Status MarkChanged(storage::Tx& tx, std::string_view topic);

  // Runs `fn` on the cluster thread when `topic` changed, by any node. Before Start. A
  // failure is run again by the next round (and that round records no catching up).
  void OnChange(std::string_view topic, std::function<Status()> fn);

  // Registers this node under `address` and, on PostgreSQL, starts the thread that listens,
  // reads the revisions and records the heartbeat. Once. kInUse when a live node of the
  // same id is registered at another address (two nodes given one id).
  Status Start(const std::string& address);
  // Ends the thread and withdraws the node from the registry (its row is deleted, so the
  // others stop waiting for it at once). Idempotent.
  void Stop();

  // Blocks until every live node has caught up with what this thread committed before the
  // call (see above), at most `node_timeout`. Returns at once on SQLite.
  void AwaitPropagation();

  // The node registered as `node_id`, if any.
  StatusOr<std::optional<NodeInfo>> FindNode(const std::string& node_id);
  // Every registered node, live or not, by id.
  StatusOr<std::vector<NodeInfo>> Nodes();

  // Whether what `node_id` runs (`what`, for messages) may be taken over by this node: OK
  // when that node is gone or unknown; kUnavailable with the detail "owner_node" when it is
  // alive (the call is forwarded there), and without it when it is silent but not gone yet
  // (perhaps only paused: try again later).
  Status MayTakeOver(const std::string& node_id, const std::string& what);

  // Takes the lease `name` for `ttl`, or renews it if this node holds it; whether this node
  // holds it now. A holder that dies loses it when `ttl` runs out.
  StatusOr<bool> HoldLease(std::string_view name, std::chrono::milliseconds ttl);

  // Whether the last round reached the database (true before Start and on SQLite), and
  // how many rounds failed since the start; for /health and /metrics.
  bool database_reachable() const { return reachable_.load(std::memory_order_relaxed); }
  // Live nodes as the last round found them (this one included; 1 on SQLite).
  int64_t live_nodes() const { return live_nodes_.load(std::memory_order_relaxed); }
  int64_t failed_rounds() const { return failed_rounds_.load(std::memory_order_relaxed); }

 private:
  // Waits until no other live node is registered under this node's id; kInUse if one stays.
  Status AwaitIdFree();
  // Registered nodes (one, or all when `node_id` is none), as of the database's now.
  StatusOr<std::vector<NodeInfo>> ReadRegistry(const std::optional<std::string>& node_id);
  void Loop() EXCLUDES(mu_);
  // Reads the revisions, runs the callbacks of topics that moved, records the heartbeat.
  Status Round() EXCLUDES(mu_);
  bool StopRequestedWithin(std::chrono::milliseconds wait) EXCLUDES(mu_);

  storage::Engine& engine_;
  const ClusterOptions options_;
  std::string address_;                          // set by Start, before the thread
  std::unique_ptr<storage::Listener> listener_;  // listening from Start on; then the thread's
  std::map<std::string, std::vector<std::function<Status()>>, std::less<>> callbacks_;  // by Start
  std::map<std::string, int64_t, std::less<>> seen_;  // revisions; cluster thread only
  std::atomic<bool> reachable_{true};
  std::atomic<int64_t> failed_rounds_{0};
  std::atomic<int64_t> live_nodes_{1};
  std::atomic<bool> registered_{false};  // whether Start wrote this node's row

  Mutex mu_;
  CondVar stop_cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool started_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // started by Start, joined by Stop
};

// Whether `id` can name a node: 1..64 of letters, digits, '-', '_' and '.'.
bool IsNodeId(std::string_view id);

// Migration 17 (cluster_nodes, cluster_topics, cluster_leases, cluster_secrets): generated
// from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> Schema();

}  // namespace nexus::cluster

#endif  // NEXUS_CLUSTER_CLUSTER_H_
