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
void AddVersionCommands(CLI::App& app, RemoteCommand* run);
void AddRebacCommands(CLI::App& app, RemoteCommand* run);  // rebac ..., share, unshare
void AddSkillCommands(CLI::App& app, RemoteCommand* run);
void AddAgentCommands(CLI::App& app, RemoteCommand* run);
void AddWorkspaceCommands(CLI::App& app, RemoteCommand* run);
void AddMemoryCommands(CLI::App& app, RemoteCommand* run);
void AddSandboxCommands(CLI::App& app, RemoteCommand* run);
void AddAdminCommands(CLI::App& app, RemoteCommand* run);
void AddMcpCommands(CLI::App& app, RemoteCommand* run);
void AddMountCommands(CLI::App& app, RemoteCommand* run);  // mount, unmount
// `completion`: walks `app` when it runs, so it must be the application's root.
void AddCompletionCommand(CLI::App& app, RemoteCommand* run);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_COMMANDS_H_
