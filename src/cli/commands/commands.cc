#include "cli/commands/commands.h"

#include <CLI/CLI.hpp>

namespace nexus::cli {

void AddRemoteCommands(CLI::App& app, GlobalOptions* o, RemoteCommand* run) {
  // Global flags may come before or after the command: `nexus --json ls` and `nexus ls --json`.
  app.fallthrough();
  app.add_option("--url", o->url, "Server URL (env NEXUS_URL; default http://localhost:8080)");
  app.add_option("--api-key", o->api_key, "API key (env NEXUS_API_KEY)");
  app.add_option("--profile", o->profile,
                 "Profile of ~/.config/nexus/config.yaml (env NEXUS_PROFILE)");
  app.add_option("--ca-file", o->ca_file, "PEM certificates to trust for https");
  app.add_option("--timeout", o->timeout_seconds, "Seconds one call may take")
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", o->json, "Print the server's answer as JSON, for scripts");
  app.add_flag("-q,--quiet", o->quiet, "No confirmations and no progress");
  AddAccountCommands(app, run);
  AddFileCommands(app, run);
  AddTransferCommands(app, run);
  AddVersionCommands(app, run);
  AddRebacCommands(app, run);
  AddSkillCommands(app, run);
  AddAgentCommands(app, run);
  AddWorkspaceCommands(app, run);
  AddMemoryCommands(app, run);
  AddSandboxCommands(app, run);
  AddAdminCommands(app, run);
  AddMcpCommands(app, run);
  AddMountCommands(app, run);
  AddCompletionCommand(app, run);
}

}  // namespace nexus::cli
