#include "cli/commands/exit_codes.h"

namespace nexus::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kNotFound:
      return kExitNotFound;
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
      return kExitPermissionDenied;
    case Code::kUnavailable:
      return kExitUnavailable;
    case Code::kConflict:
    case Code::kAlreadyExists:
      return kExitConflict;
    default:
      return kExitFailure;
  }
}

std::string_view ExitCodeHelp() {
  return R"(Exit status of nexus commands:
  0  success
  1  failure not listed below (the message says what); also a "no" answer: grep
     without a match, rebac check denied, skills validate of an invalid package
  2  usage: bad flags or arguments; nothing was done
  3  not found: the file, version or record does not exist
  4  permission denied, or the server refused the API key
  5  the server could not be reached, timed out, or stayed busy
  6  conflict: the file changed (--if-match) or already exists
`nexus sandbox run` exits with the status of the code it ran (128 + N when signal N
killed it) once the code has run; before that, with the statuses above.
)";
}

}  // namespace nexus::cli
