#include "cluster/cluster.h"

#include <algorithm>

#include "cluster/change_feed.h"
#include "cluster/node_registry.h"
#include "util/background.h"

namespace nexus::cluster {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How long the cluster thread waits on the listener at a time: the bound on how late Stop
// is noticed.
constexpr milliseconds kListenSlice{250};
// How often AwaitPropagation asks whether the others have caught up.
constexpr milliseconds kAwaitPoll{2};

int64_t Micros(milliseconds d) { return static_cast<int64_t>(d.count()) * 1000; }

}  // namespace

bool IsNodeId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Cluster::Cluster(storage::Engine& engine, ClusterOptions options)
    : engine_(engine), options_(std::move(options)) {}

Cluster::~Cluster() { Stop(); }

Status Cluster::MarkChanged(storage::Tx& tx, std::string_view topic) {
  return BumpRevision(tx, topic);
}

void Cluster::OnChange(std::string_view topic, std::function<Status()> fn) {
  callbacks_[std::string(topic)].push_back(std::move(fn));
}

Status Cluster::Start(const std::string& address) {
  {
    MutexLock lock(&mu_);
    if (started_) return Internal("the cluster thread is already running");
    started_ = true;
  }
  address_ = address;
  if (shared() && !options_.id_is_exclusive) RETURN_IF_ERROR(AwaitIdFree());
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const int64_t now, DatabaseNow(tx));
    return RecordHeartbeat(tx, options_.node_id, address_, now, /*synced=*/true,
                           Micros(options_.node_timeout));
  }));
  registered_.store(true);
  if (!shared()) return Status::OK();
  // Listening before the first round: a change committed after that round was read is
  // then either notified or read by the next round, never lost between the two.
  ASSIGN_OR_RETURN(listener_, engine_.Listen(kChangeChannel));
  RETURN_IF_ERROR(listener_->Wait(milliseconds(0)).status());
  RETURN_IF_ERROR(Round());
  thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

// A row of this id at another address, still alive, is this node's previous life (killed a
// moment ago, restarted on another port) or a twin given the same id. The former stops
// heartbeating; the latter does not.
Status Cluster::AwaitIdFree() {
  const Clock::time_point deadline = Clock::now() + options_.node_timeout + options_.heartbeat;
  for (;;) {
    ASSIGN_OR_RETURN(const std::vector<NodeInfo> same, ReadRegistry(options_.node_id));
    if (same.empty() || !same[0].alive || same[0].address == address_) return Status::OK();
    if (Clock::now() >= deadline) {
      return Status(Code::kInUse, "node id '" + options_.node_id +
                                      "' is in use by a live node at " + same[0].address +
                                      ": give each node its own --node-id (or data directory)");
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
}

void Cluster::Stop() {
  {
    MutexLock lock(&mu_);
    if (!started_ || stop_) return;
    stop_ = true;
  }
  stop_cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  // A node refused at Start (its id in use) must not withdraw the row: it is the live twin's.
  if (!registered_.load()) return;
  // A node that cannot reach the database now is found dead by the others in node_timeout.
  (void)engine_.Write([&](storage::Tx& tx) { return DeleteNode(tx, options_.node_id); });
}

bool Cluster::StopRequestedWithin(milliseconds wait) {
  MutexLock lock(&mu_);
  return stop_cv_.WaitFor(&mu_, wait, [this]() REQUIRES(mu_) { return stop_; });
}

void Cluster::Loop() {
  Clock::time_point next_round = Clock::now() + options_.heartbeat;
  bool listening = true;  // false after a listener error, until a Wait succeeds again
  for (;;) {
    bool hinted = false;
    const milliseconds until_round = std::max(
        milliseconds(0), std::chrono::duration_cast<milliseconds>(next_round - Clock::now()));
    const milliseconds slice = std::min(kListenSlice, until_round);
    StatusOr<std::vector<std::string>> got = listener_->Wait(slice);
    if (got.ok()) {
      // Notifications sent while the connection was down are lost: read the revisions.
      hinted = !got->empty() || !listening;
      listening = true;
    } else {
      if (listening) ReportBackgroundError("cluster", got.status().message());
      listening = false;
      if (StopRequestedWithin(slice)) return;
    }
    {
      MutexLock lock(&mu_);
      if (stop_) return;
    }
    if (!hinted && Clock::now() < next_round) continue;
    next_round = Clock::now() + options_.heartbeat;
    RunGuarded("cluster", [this] {
      Status s = Round();
      const bool was_reachable = reachable_.exchange(s.ok(), std::memory_order_relaxed);
      if (s.ok()) return;
      failed_rounds_.fetch_add(1, std::memory_order_relaxed);
      if (was_reachable) ReportBackgroundError("cluster", s.message());
    });
  }
}

Status Cluster::Round() {
  int64_t snapshot_at = 0;
  std::map<std::string, int64_t, std::less<>> revisions;
  RETURN_IF_ERROR(engine_.Read([&](storage::Tx& tx) -> Status {
    // First statement of the unit: the snapshot the revisions come from is taken after it.
    ASSIGN_OR_RETURN(snapshot_at, StatementStart(tx));
    ASSIGN_OR_RETURN(revisions, ReadRevisions(tx));
    ASSIGN_OR_RETURN(const int64_t alive,
                     CountAlive(tx, snapshot_at, Micros(options_.node_timeout)));
    live_nodes_.store(alive, std::memory_order_relaxed);
    return Status::OK();
  }));
  Status failed;
  for (const auto& [topic, revision] : revisions) {
    auto seen = seen_.find(topic);
    if (seen != seen_.end() && seen->second == revision) continue;
    Status ran = Status::OK();
    if (auto fns = callbacks_.find(topic); fns != callbacks_.end()) {
      for (const std::function<Status()>& fn : fns->second) {
        if (Status s = fn(); !s.ok() && ran.ok()) ran = s;
      }
    }
    // A topic whose callback failed is run again by the next round.
    if (ran.ok()) {
      seen_[topic] = revision;
    } else if (failed.ok()) {
      failed = ran;
    }
  }
  // Recorded only after the callbacks ran: AwaitPropagation trusts synced_at. A node whose
  // callback failed is still alive (its heartbeat goes on), but has not caught up.
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) {
    return RecordHeartbeat(tx, options_.node_id, address_, snapshot_at, failed.ok(),
                           Micros(options_.node_timeout));
  }));
  return failed;
}

void Cluster::AwaitPropagation() {
  {
    MutexLock lock(&mu_);
    if (!started_ || stop_ || !shared()) return;
  }
  // A time after the caller's commit, and then a notification after that time: a node may
  // have run its round for the change's own notification before this time, so its synced_at
  // can fall short of it; the nudge makes it run one more.
  int64_t committed_by = 0;
  Status nudged = engine_.Write([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(committed_by, DatabaseNow(tx));
    return NotifyNodes(tx, "sync");
  });
  if (!nudged.ok()) return;  // the database is gone: nobody can read the change either
  const Clock::time_point deadline = Clock::now() + options_.node_timeout;
  while (Clock::now() < deadline) {
    int64_t behind = 0;
    Status s = engine_.Read([&](storage::Tx& tx) -> Status {
      ASSIGN_OR_RETURN(const int64_t now, DatabaseNow(tx));
      ASSIGN_OR_RETURN(behind, CountBehind(tx, committed_by, now, Micros(options_.node_timeout)));
      return Status::OK();
    });
    if (!s.ok() || behind == 0) return;
    std::this_thread::sleep_for(kAwaitPoll);
  }
}

StatusOr<std::vector<NodeInfo>> Cluster::ReadRegistry(const std::optional<std::string>& node_id) {
  std::vector<NodeInfo> nodes;
  RETURN_IF_ERROR(engine_.Read([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const int64_t now, DatabaseNow(tx));
    ASSIGN_OR_RETURN(nodes, ReadNodes(tx, node_id, now, Micros(options_.node_timeout),
                                      Micros(options_.takeover_after)));
    return Status::OK();
  }));
  return nodes;
}

StatusOr<std::optional<NodeInfo>> Cluster::FindNode(const std::string& node_id) {
  ASSIGN_OR_RETURN(std::vector<NodeInfo> nodes, ReadRegistry(node_id));
  if (nodes.empty()) return std::optional<NodeInfo>();
  return std::optional<NodeInfo>(std::move(nodes.front()));
}

StatusOr<std::vector<NodeInfo>> Cluster::Nodes() { return ReadRegistry(std::nullopt); }

Status Cluster::MayTakeOver(const std::string& node_id, const std::string& what) {
  ASSIGN_OR_RETURN(const std::optional<NodeInfo> owner, FindNode(node_id));
  if (!owner || owner->gone) return Status::OK();
  if (owner->alive) {
    return Status(Code::kUnavailable, what + " is on node " + node_id, {{"owner_node", node_id}});
  }
  return Status(Code::kUnavailable,
                what + " is on node " + node_id + ", which does not answer now: try again");
}

StatusOr<bool> Cluster::HoldLease(std::string_view name, milliseconds ttl) {
  if (!shared()) return true;
  int64_t changed = 0;
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const int64_t now, DatabaseNow(tx));
    ASSIGN_OR_RETURN(
        changed,
        tx.Exec("INSERT INTO cluster_leases (name, holder, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at "
                "WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at < ?",
                {std::string(name), options_.node_id, now + Micros(ttl), now}));
    return Status::OK();
  }));
  return changed == 1;
}

}  // namespace nexus::cluster
