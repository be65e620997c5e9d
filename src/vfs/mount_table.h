// The active mounts (domain.md §2.2): which stored paths another backend serves instead of
// the path tree. The root "/" is the path tree itself and is not an entry here.
//
// Several nodes may share one database. A local mount is a directory of one machine, so
// each node's table also holds the other nodes' mounts, without a backend and with the node
// that serves them: the router answers a path under one of those with kUnavailable naming
// that node, and the call is forwarded there.
//
// Mounts never nest: a mount point may not equal, lie inside or contain another one, so at
// most one mount serves a path. Routing still follows the reference's order (priority
// descending, then the longer mount point), which only matters if that rule is relaxed.
#ifndef NEXUS_VFS_MOUNT_TABLE_H_
#define NEXUS_VFS_MOUNT_TABLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"
#include "vfs/local_backend.h"

namespace nexus::vfs {

struct Mount {
  std::string mount_point;   // a normalised stored path
  std::string backend_type;  // the registry name ("local")
  int64_t priority = 0;
  bool readonly = false;
  std::string owner;                      // the user who mounted it: owner in metadata of its files
  std::shared_ptr<LocalBackend> backend;  // null when another node serves the mount
  std::string node_id;                    // the other node serving it; "" when this one

  bool served_here() const { return node_id.empty(); }
};

// OK for a mount served here; for another node's, kUnavailable with the detail
// "owner_node" naming that node, which the server answers by forwarding the call there.
Status ServedHere(const Mount& mount);

// A stored path resolved to the mount serving it.
struct Resolved {
  std::shared_ptr<const Mount> mount;
  std::string relative;  // below the mount point, without a leading "/"; "" for the point
};

// Thread-safe: any number of readers resolve while a writer adds or removes.
class MountTable {
 public:
  // kValidation when the mount point is "/" or equals, lies inside or contains another.
  Status Add(Mount mount);
  // Replaces the other nodes' mounts with `remote` (each with a node_id, no backend). One
  // that overlaps a mount of this node is left out: the two nodes raced to mount it.
  void ReplaceRemote(std::vector<Mount> remote);
  // The removed mount, or null when there was none at `mount_point`.
  std::shared_ptr<const Mount> Remove(std::string_view mount_point);
  std::shared_ptr<const Mount> Get(std::string_view mount_point) const;
  // Every mount in routing order.
  std::vector<std::shared_ptr<const Mount>> All() const;
  // The mount serving `path`, if any.
  std::optional<Resolved> Resolve(std::string_view path) const;
  // The mounts whose points lie strictly below directory `dir`.
  std::vector<std::shared_ptr<const Mount>> Below(std::string_view dir) const;

 private:
  mutable SharedMutex mu_;
  std::vector<std::shared_ptr<const Mount>> mounts_ GUARDED_BY(mu_);  // in routing order
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_MOUNT_TABLE_H_
