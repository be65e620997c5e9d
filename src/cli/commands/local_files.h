// Reading what a command sends from the local machine, and writing what it fetches, with
// messages that name the file.
#ifndef NEXUS_CLI_COMMANDS_LOCAL_FILES_H_
#define NEXUS_CLI_COMMANDS_LOCAL_FILES_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus::cli {

// kNotFound "no such local file: PATH" when it does not exist; kInvalidArgument for a
// directory.
StatusOr<std::string> ReadLocalFile(const std::string& path);

// All of standard input.
StatusOr<std::string> ReadStdin();

// ReadLocalFile, or standard input for "-".
StatusOr<std::string> ReadLocalFileOrStdin(const std::string& path);

// Writes `data` to the local file `path` whole or not at all (a temporary file renamed into
// place), so that a failed download leaves no half file.
Status WriteLocalFile(const std::string& path, std::string_view data);

// Writes `data` to standard output.
Status WriteStdout(std::string_view data);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_LOCAL_FILES_H_
