// The command line's exit statuses, so that scripts can tell what went wrong without
// reading messages. `nexus help exit-codes` prints this table.
#ifndef NEXUS_CLI_COMMANDS_EXIT_CODES_H_
#define NEXUS_CLI_COMMANDS_EXIT_CODES_H_

#include <string_view>

#include "util/status.h"

namespace nexus::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,           // anything not listed below
  kExitUsage = 2,             // bad flags or arguments; nothing was done
  kExitNotFound = 3,          // the file, version or record does not exist
  kExitPermissionDenied = 4,  // the key may not do this, or the server refused the key
  kExitUnavailable = 5,       // the server could not be reached, timed out, or was busy
  kExitConflict = 6,          // the file changed under --if-match, or already exists
};

int ExitCodeFor(const Status& status);

// The table above, for people.
std::string_view ExitCodeHelp();

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_EXIT_CODES_H_
