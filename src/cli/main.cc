// The nexus command line. `nexus fsck` checks a data directory; `nexus serve` arrives with
// the HTTP server.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/fsck.h"

int main(int argc, char** argv) {
  CLI::App app{"Nexus: a virtual filesystem server for teams of AI agents"};
  app.require_subcommand(1);
  nexus::cli::FsckOptions fsck;
  CLI::App* fsck_cmd = app.add_subcommand("fsck", "Check the database and the blob store");
  fsck_cmd->add_option("--data-dir", fsck.data_dir, "Data directory")->default_val("./nexus-data");
  fsck_cmd->add_option("--database-url", fsck.database_url, "postgresql://... (default: SQLite)");
  fsck_cmd->add_flag("--sweep", fsck.sweep, "Also remove unreferenced blobs past the grace period");
  CLI11_PARSE(app, argc, argv);
  if (fsck_cmd->parsed()) return nexus::cli::RunFsck(fsck);
  return 2;
}
