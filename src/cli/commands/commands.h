// The commands that talk to a server (`nexus ls`, `nexus login`, ...), registered on the
// command line's parser. Parsing one sets `*run` to the function that carries it out.
#ifndef NEXUS_CLI_COMMANDS_COMMANDS_H_
#define NEXUS_CLI_COMMANDS_COMMANDS_H_

#include <functional>

#include "cli/commands/remote.h"

namespace CLI {
class App;
}  // namespace CLI

namespace nexus::cli {

using RemoteCommand = std::function<int(Remote&)>;

// Adds the global flags (--url, --api-key, --profile, --json, --quiet, ...) to `app` and
// every remote command as a subcommand.
void AddRemoteCommands(CLI::App& app, GlobalOptions* options, RemoteCommand* run);

// The groups, one file each.
void AddAccountCommands(CLI::App& app, RemoteCommand* run);
void AddFileCommands(CLI::App& app, RemoteCommand* run);
void AddTransferCommands(CLI::App& app, RemoteCommand* run);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_COMMANDS_H_
