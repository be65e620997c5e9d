// Running tasks (a command's requests, a file's parts) several at a time.
#ifndef NEXUS_UTIL_PARALLEL_H_
#define NEXUS_UTIL_PARALLEL_H_

#include <functional>
#include <vector>

#include "util/status.h"

namespace nexus {

// Runs `tasks` on `parallel` threads (the caller's among them); the first failure stops the
// rest from starting and is returned.
Status RunParallel(const std::vector<std::function<Status()>>& tasks, int parallel);

}  // namespace nexus

#endif  // NEXUS_UTIL_PARALLEL_H_
