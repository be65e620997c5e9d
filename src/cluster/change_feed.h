// Internal to the cluster module: the revisions of `cluster_topics` and the notification
// that tells nodes to read them. Functions run on the caller's Tx.
#ifndef NEXUS_CLUSTER_CHANGE_FEED_H_
#define NEXUS_CLUSTER_CHANGE_FEED_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "storage/engine.h"
#include "util/status.h"

namespace nexus::cluster {

// The PostgreSQL channel every node listens on. Its payloads are topic names, and only
// hints: databases share channels, so a node re-reads its own revisions whatever it hears.
inline constexpr std::string_view kChangeChannel = "nexus_cluster_changes";

// Bumps `topic`'s revision and, on PostgreSQL, notifies the channel at commit.
Status BumpRevision(storage::Tx& tx, std::string_view topic);

// Makes every node run a round once `tx` commits (PostgreSQL; nothing on SQLite).
Status NotifyNodes(storage::Tx& tx, std::string_view payload);

// Every topic's revision.
StatusOr<std::map<std::string, int64_t, std::less<>>> ReadRevisions(storage::Tx& tx);

}  // namespace nexus::cluster

#endif  // NEXUS_CLUSTER_CHANGE_FEED_H_
