// MountStage: where a sandbox's host paths become reachable by its unprivileged uid.
//
// bwrap runs as the sandbox's uid and resolves its bind sources itself, so a home directory
// under a data directory of mode 0700 (what `mktemp -d` makes, or a checkout in a private
// home) would be out of its reach. Loosening the data directory is not an option: it holds
// the admin key and the database. Instead, each run's reaper, still privileged, enters a
// private mount namespace and binds every host source onto a mount point here (Spawn's
// SpawnOptions::private_binds); bwrap then binds the mount point, whose only ancestors are
// the world-searchable system directory and this stage (mode 0711: searchable, not listable).
//
// The binds exist only in the run's own namespace: on the host, and to every other run, the
// mount points stay empty root-owned entries. The stage is removed with the object.
#ifndef NEXUS_SANDBOX_MOUNT_STAGE_H_
#define NEXUS_SANDBOX_MOUNT_STAGE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "util/status.h"

namespace nexus::sandbox {

class MountStage {
 public:
  // Creates a fresh stage directory under /run: root's, on a tmpfs no cleaner sweeps. Not
  // /tmp, where another user could plant entries once a cleaner had removed a stage.
  static StatusOr<std::unique_ptr<MountStage>> Create();
  ~MountStage();  // removes the mount points and the stage
  MountStage(const MountStage&) = delete;
  MountStage& operator=(const MountStage&) = delete;

  const std::string& path() const { return path_; }

  // The mount point for bind number `index` of a run: a directory, or an empty file for any
  // other source (a bind needs the same kind at both ends). Created on first use, and checked
  // to be a root-owned entry of that kind, never a symlink; safe to call from many threads.
  StatusOr<std::string> MountPoint(size_t index, bool directory) const;

 private:
  explicit MountStage(std::string path) : path_(std::move(path)) {}

  const std::string path_;
};

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_MOUNT_STAGE_H_
