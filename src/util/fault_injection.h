// Fault injection: named points in the write paths of the blob stores and the engines that
// can be told to fail as if the disk were full or broken, so that tests (and operators
// rehearsing an incident) can check that a failed write leaves nothing behind.
//
// A spec is a comma-separated list of rules `point:when:errno`:
//   point  one of FaultPointNames() (a typo is an error, not a silent no-op)
//   when   N      the Nth hit of the point only (1-based)
//          N+     the Nth hit and every later one
//          every  every hit (the same as 1+)
//          pX     each hit with probability X, 0 < X <= 1 (for example p0.1)
//   errno  ENOSPC, EDQUOT, EIO or EROFS: what the failing call reports
// For example NEXUS_FAULTS="file.write:3:ENOSPC,sqlite.commit:every:EIO".
//
// Disabled (no rules), a point costs one relaxed atomic load.
#ifndef NEXUS_UTIL_FAULT_INJECTION_H_
#define NEXUS_UTIL_FAULT_INJECTION_H_

#include <atomic>
#include <string_view>
#include <vector>

#include "util/file.h"
#include "util/status.h"

namespace nexus {

// The environment variable `nexus serve` reads its rules from, once, at start.
inline constexpr char kFaultsEnvVar[] = "NEXUS_FAULTS";

// The points that exist, in the order they are documented.
const std::vector<std::string_view>& FaultPointNames();

// Replaces every rule with those of `spec` (empty: none). On kInvalidArgument, naming the
// bad rule, the rules in force are left unchanged.
Status SetFaults(std::string_view spec);

// Removes every rule.
void ClearFaults();

// SetFaults with the value of kFaultsEnvVar; OK when it is unset.
Status SetFaultsFromEnvironment();

namespace fault_internal {
extern std::atomic<bool> armed;  // true while any rule is set
int Hit(std::string_view point);
}  // namespace fault_internal

// The errno `point` must fail with on this hit, or 0 to proceed normally.
inline int InjectedErrno(std::string_view point) {
  if (!fault_internal::armed.load(std::memory_order_relaxed)) return 0;
  return fault_internal::Hit(point);
}

// The failure of `point` as ErrnoStatus(errno, what), or OK.
inline Status InjectedFault(std::string_view point, std::string_view what) {
  const int err = InjectedErrno(point);
  return err == 0 ? Status::OK() : ErrnoStatus(err, what);
}

}  // namespace nexus

#endif  // NEXUS_UTIL_FAULT_INJECTION_H_
