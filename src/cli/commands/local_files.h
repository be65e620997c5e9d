// Reading what a command sends from the local machine, with messages that name the file.
#ifndef NEXUS_CLI_COMMANDS_LOCAL_FILES_H_
#define NEXUS_CLI_COMMANDS_LOCAL_FILES_H_

#include <string>

#include "util/status.h"

namespace nexus::cli {

// kNotFound "no such local file: PATH" when it does not exist; kInvalidArgument for a
// directory.
StatusOr<std::string> ReadLocalFile(const std::string& path);

// All of standard input.
StatusOr<std::string> ReadStdin();

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_LOCAL_FILES_H_
