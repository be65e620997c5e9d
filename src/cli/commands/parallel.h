// Running a command's requests several at a time.
#ifndef NEXUS_CLI_COMMANDS_PARALLEL_H_
#define NEXUS_CLI_COMMANDS_PARALLEL_H_

#include <functional>
#include <vector>

#include "util/status.h"

namespace nexus::cli {

// Runs `tasks` on `parallel` threads (the caller's among them); the first failure stops the
// rest from starting and is returned.
Status RunParallel(const std::vector<std::function<Status()>>& tasks, int parallel);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_PARALLEL_H_
