// The host uid a sandbox's processes run as, and whether that uid can reach a host path.
//
// Each sandbox runs as its own unprivileged host uid (and gid of the same number), shown
// as uid 1000 "sandbox" inside its user namespace. Two reasons: RLIMIT_NPROC is counted per
// host uid and ignored for root, so a non-root uid per sandbox is what makes the process
// limit work; and a sandbox that escaped its mount namespace would be an unprivileged
// stranger to every other sandbox's files rather than root.
//
// The uid is a hash of the sandbox id into [kFirstHostUid, kFirstHostUid + kHostUidCount),
// a range no distribution or container runtime allocates from (systemd's container range
// ends at 1879048191). It is stable across restarts, so the home directory's ownership stays
// right. Two ids may collide; they then share a process budget and a host owner, which
// matters only to a sandbox that has already escaped its mount namespace.
#ifndef NEXUS_SANDBOX_HOST_UID_H_
#define NEXUS_SANDBOX_HOST_UID_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus::sandbox {

inline constexpr uid_t kFirstHostUid = 0x70000000;  // 1879048192
inline constexpr uid_t kHostUidCount = uid_t{1} << 24;

uid_t SandboxHostUid(std::string_view sandbox_id);

// When bwrap runs without a stage (a server that is not root), it resolves every bind source
// itself as uid:gid, so each directory above `path` must be searchable by it. kPermissionDenied
// names the first one that is not (judged by mode bits; ACLs are not consulted). kNotFound when
// `path` does not exist.
Status CheckReachable(const std::string& path, uid_t uid, gid_t gid);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_HOST_UID_H_
