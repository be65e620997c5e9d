// `nexus mount`: a server's tree as a local directory, through the kernel's FUSE interface
// (libfuse 3), for every tool that reads and writes files (docs/mount.md).
//
// The public face of fuse/: the command line calls RunMount and nothing else here.
#ifndef NEXUS_FUSE_MOUNT_H_
#define NEXUS_FUSE_MOUNT_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "client/client.h"
#include "util/status.h"

namespace nexus::fuse {

struct MountOptions {
  std::string mountpoint;         // an existing directory
  std::string remote_root = "/";  // the server's directory the mount shows
  bool read_only = false;
  bool foreground = false;  // else the mount runs on in the background once mounted
  bool debug = false;       // libfuse prints every request (foreground only)
  // Contents kept on local disk by etag, at most `cache_bytes` of them.
  std::string cache_dir;
  int64_t cache_bytes = int64_t{1} << 30;
  // How long attributes and listings are trusted before the server is asked again: what
  // another client changed shows within this time.
  std::chrono::milliseconds metadata_ttl{1000};
};

// Mounts, and serves requests until the mount is unmounted (`nexus unmount`, `fusermount3
// -u`) or the process gets SIGTERM, SIGINT or SIGHUP, which unmount it. The client it serves
// with is opened only after the mount is in the background: a process that forks must not
// have threads yet (the client's name resolution runs on one). kInvalidArgument for a
// mount point that is not a directory or a remote root that is not one; kUnavailable when
// the kernel refuses the mount (no /dev/fuse, no permission) or the server cannot be reached.
Status RunMount(const client::ClientOptions& client_options, const MountOptions& options);

// Unmounts `mountpoint` (as `fusermount3 -u` does).
Status Unmount(const std::string& mountpoint);

}  // namespace nexus::fuse

#endif  // NEXUS_FUSE_MOUNT_H_
