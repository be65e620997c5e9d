// `nexus mcp`: the stdio bridge to a server's /mcp (mcp/stdio_bridge.h), for MCP clients that
// spawn a process. `nexus mcp serve --transport stdio` is the reference's spelling of it.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "mcp/stdio_bridge.h"

namespace nexus::cli {
namespace {

struct McpOptions {
  std::string transport = "stdio";
};

int Bridge(Remote& r, const McpOptions& o) {
  const std::string& transport = o.transport;
  if (transport != "stdio") {
    return r.Fail(InvalidArgument(
        "nexus mcp bridges stdio only; for HTTP, point the MCP client at the server's /mcp"));
  }
  StatusOr<client::Client*> client = r.Client();
  if (!client.ok()) return r.Fail(client.status());
  // stdout carries the protocol, so nothing else may be printed there.
  std::ios::sync_with_stdio(false);
  // Reading stdin must not flush stdout behind the bridge's back (its writers hold a lock).
  std::cin.tie(nullptr);
  mcp::StdioBridge bridge(**client, std::cin, std::cout);
  if (Status s = bridge.Run(); !s.ok()) return r.Fail(s);
  return kExitOk;
}

}  // namespace

void AddMcpCommands(CLI::App& app, RemoteCommand* run) {
  auto o = std::make_shared<McpOptions>();
  CLI::App* mcp = app.add_subcommand(
      "mcp", "MCP over stdio, bridged to the server's /mcp (for Claude Desktop, Cursor, ...)");
  CLI::App* serve = mcp->add_subcommand("serve", "The same, as the reference spells it");
  for (CLI::App* cmd : {mcp, serve}) {
    cmd->add_option("--transport", o->transport, "stdio (HTTP clients use the server's /mcp)")
        ->capture_default_str();
    OnRun(cmd, run, o, Bridge);
  }
}

}  // namespace nexus::cli
