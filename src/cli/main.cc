// The nexus command line: `nexus serve` runs the server and `nexus fsck` checks a data
// directory; every other command talks to a server through the client library
// (cli/commands/).
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "cli/commands/commands.h"
#include "cli/commands/exit_codes.h"
#include "cli/fsck.h"
#include "cli/serve.h"

namespace {

void AddServeCommand(CLI::App& app, nexus::cli::ServeOptions& o) {
  CLI::App* serve = app.add_subcommand("serve", "Run the Nexus server");
  serve->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", o.port, "Port to listen on (0 picks a free one)")
      ->capture_default_str();
  serve->add_option("--data-dir", o.data_dir, "Data directory")->capture_default_str();
  serve->add_option("--config", o.config_file,
                    "YAML config file (the reference's keys that apply)");
  serve->add_option("--database-url", o.database_url,
                    "postgresql://... (default: SQLite in the data dir)");
  serve->add_option("--auth-type", o.auth_type, "database or none")->capture_default_str();
  serve->add_option("--durability", o.durability, "full or normal")->capture_default_str();
  serve->add_option("--workers", o.workers, "Request worker threads")->capture_default_str();
  serve->add_option("--max-queue", o.max_queue, "Requests waiting for a worker before 503")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", o.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  serve
      ->add_option("--max-body-memory-bytes", o.max_body_memory_bytes,
                   "Memory for request bodies in flight, all connections together (a body is "
                   "charged 4 times its size; beyond it: 503)")
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", o.header_timeout_seconds,
                   "Seconds a client has to send a whole request (slow senders are cut off)")
      ->capture_default_str();
  // The reference's flags; this server is always concurrent.
  static bool async_ignored = true;
  serve->add_option("--mount-root", o.mount_roots,
                    "Host directory under which local mounts may lie (repeatable; none: local "
                    "mounts are refused)");
  serve->add_option("--mcp-allowed-origin", o.mcp_allowed_origins,
                    "Web origin besides this machine's own pages that may use /mcp, e.g. "
                    "https://app.example.com (repeatable)");
  serve
      ->add_option("--webhook-retry-backoff-ms", o.webhook_retry_backoff_ms,
                   "Wait before a webhook's second attempt, doubled before the third")
      ->capture_default_str();
  serve
      ->add_option("--webhook-lease-ms", o.webhook_lease_ms,
                   "How long a node's claim on webhook work lasts (a crashed node's claims lapse)")
      ->capture_default_str();
  serve->add_flag("--webhook-allow-private-networks", o.webhook_allow_private_networks,
                  "Let webhooks go to loopback and private addresses (refused by default)");
  serve->add_flag("--mcp-allow-private-networks", o.mcp_allow_private_networks,
                  "Let MCP mounts reach servers on loopback and private addresses (refused by "
                  "default)");
  serve->add_option("--mcp-server-dir", o.mcp_server_dirs,
                    "Host directory that stdio MCP servers see read-only, for their own files "
                    "(repeatable; /usr they see anyway)");
  serve->add_option("--node-id", o.node_id,
                    "This node's name among the nodes sharing the database (default: kept in "
                    "<data-dir>/node.id)");
  serve->add_option("--advertise-url", o.advertise_url,
                    "Base URL other nodes reach this one at (default: http://HOST:PORT)");
  serve
      ->add_option("--drain-seconds", o.drain_seconds,
                   "On SIGTERM, answer /health with 503 this long before closing, so a load "
                   "balancer turns away first")
      ->capture_default_str();
  serve->add_flag("--demo", o.demo, "Provision the demo: admin key, workspace, agents and skills");
  serve->add_flag("--async,!--no-async", async_ignored, "Accepted for compatibility; ignored");
}

int RunRemote(const nexus::cli::GlobalOptions& options, const nexus::cli::RemoteCommand& run) {
  nexus::StatusOr<nexus::cli::Target> target =
      nexus::cli::ResolveTarget(options, [](const char* name) { return std::getenv(name); });
  if (!target.ok()) {
    std::fprintf(stderr, "nexus: %s\n", target.status().message().c_str());
    return nexus::cli::ExitCodeFor(target.status());
  }
  nexus::cli::Remote remote(options, std::move(target).value());
  return run(remote);
}

}  // namespace

int main(int argc, char** argv) {
  // Requests and responses of several MiB (file parts, ranges) are allocated and freed on
  // many threads. glibc raises its mmap threshold after the first such buffer is freed, and
  // from then on keeps them in per-thread arenas it never gives back: a server that had sent
  // a few parts on each worker held ~200 MiB. A fixed threshold maps them and unmaps them on
  // free (measured: 2 GiB upload, server peak 218 MiB -> 71 MiB).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  CLI::App app{"Nexus: a virtual filesystem for teams of AI agents"};
  app.require_subcommand(1);
  nexus::cli::ServeOptions serve;
  AddServeCommand(app, serve);
  nexus::cli::FsckOptions fsck;
  CLI::App* fsck_cmd = app.add_subcommand("fsck", "Check the database and the blob store");
  fsck_cmd->add_option("--data-dir", fsck.data_dir, "Data directory")->default_val("./nexus-data");
  fsck_cmd->add_option("--database-url", fsck.database_url, "postgresql://... (default: SQLite)");
  fsck_cmd->add_flag("--sweep", fsck.sweep, "Also remove unreferenced blobs past the grace period");
  nexus::cli::GlobalOptions global;
  nexus::cli::RemoteCommand remote;
  nexus::cli::AddRemoteCommands(app, &global, &remote);
  std::string topic;
  CLI::App* help_cmd = app.add_subcommand("help", "Help on a topic: exit-codes");
  help_cmd->add_option("topic", topic, "Topic")->check(CLI::IsMember({"exit-codes"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" that exits 0; every real one is a usage error.
    return app.exit(e) == 0 ? nexus::cli::kExitOk : nexus::cli::kExitUsage;
  }
  if (help_cmd->parsed()) {
    if (topic.empty()) {
      std::fputs(app.help().c_str(), stdout);
    } else {
      std::fputs(std::string(nexus::cli::ExitCodeHelp()).c_str(), stdout);
    }
    return nexus::cli::kExitOk;
  }
  if (remote) return RunRemote(global, remote);
  if (fsck_cmd->parsed()) return nexus::cli::RunFsck(fsck);
  CLI::App* serve_cmd = app.get_subcommand("serve");
  if (!serve.config_file.empty()) {
    std::vector<std::string> ignored;
    const auto on_cli = [serve_cmd](std::string_view flag) {
      return serve_cmd->count(std::string(flag)) > 0;
    };
    if (nexus::Status s = nexus::cli::ApplyConfigFile(serve.config_file, serve, on_cli, &ignored);
        !s.ok()) {
      std::fprintf(stderr, "nexus serve: %s\n", s.message().c_str());
      return 2;
    }
    if (!ignored.empty()) {
      std::string keys;
      for (const std::string& k : ignored) keys += (keys.empty() ? "" : ", ") + k;
      std::fprintf(stderr,
                   "nexus serve: warning: config keys ignored (not used by this server): %s\n",
                   keys.c_str());
    }
  }
  return nexus::cli::RunServe(serve);
}
