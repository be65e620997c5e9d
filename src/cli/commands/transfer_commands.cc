// Between disk and server: upload, download, sync (transfer.h does the work).
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/transfer.h"

namespace nexus::cli {
namespace {

using client::Value;

enum class Direction { kUp, kDown, kSync };

struct TransferArgs {
  std::string from;
  std::string to;
  TransferOptions options;
};

void Report(Remote& r, const TransferReport& report, Direction direction, bool dry_run) {
  if (r.json()) {
    Value copied = Value::EmptyArray(), deleted = Value::EmptyArray();
    for (const std::string& p : report.copied) copied.Append(p);
    for (const std::string& p : report.deleted) deleted.Append(p);
    r.PrintJson({{"copied", copied},
                 {"deleted", deleted},
                 {"bytes", report.copied_bytes},
                 {"unchanged", report.unchanged},
                 {"dry_run", dry_run}});
    return;
  }
  if (dry_run) {
    for (const std::string& p : report.copied) r.Note("would upload " + p);
    for (const std::string& p : report.deleted) r.Note("would delete " + p);
  }
  std::string line = std::string(dry_run                         ? "Would copy "
                                 : direction == Direction::kDown ? "Downloaded "
                                                                 : "Uploaded ") +
                     Count(static_cast<int64_t>(report.copied.size()), "file") + " (" +
                     HumanSize(report.copied_bytes) + ")";
  if (report.unchanged > 0) line += ", " + std::to_string(report.unchanged) + " unchanged";
  if (!report.deleted.empty())
    line += std::string(dry_run ? ", would delete " : ", deleted ") +
            Count(static_cast<int64_t>(report.deleted.size()), "file");
  r.Note(line);
}

int Run(Remote& r, TransferArgs args, Direction direction) {
  args.options.progress = !r.options().quiet && !r.json();
  StatusOr<TransferReport> report = direction == Direction::kDown
                                        ? Download(r, args.from, args.to, args.options)
                                        : Upload(r, args.from, args.to, args.options);
  if (!report.ok()) return r.Fail(report.status());
  Report(r, *report, direction, args.options.dry_run);
  return kExitOk;
}

void Add(CLI::App& app, RemoteCommand* run, Direction direction) {
  auto args = Shared<TransferArgs>();
  const char* name = direction == Direction::kUp     ? "upload"
                     : direction == Direction::kDown ? "download"
                                                     : "sync";
  const char* help =
      direction == Direction::kUp
          ? "Copy a local file or directory to the server (unchanged files are skipped)"
      : direction == Direction::kDown
          ? "Copy a file or directory from the server to the local disk"
          : "Make a server directory match a local one (one way; --delete removes extras)";
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option(direction == Direction::kDown ? "remote" : "local", args->from, "Source")
      ->required();
  cmd->add_option(direction == Direction::kDown ? "local" : "remote", args->to, "Destination")
      ->required();
  cmd->add_option("--exclude", args->options.excludes,
                  "Skip matching names ('*.o') or paths from the root ('build/**'); repeatable");
  cmd->add_option("-j,--parallel", args->options.parallel, "Requests in flight at once")
      ->check(CLI::Range(1, 64));
  if (direction == Direction::kSync) {
    cmd->add_flag("--delete", args->options.delete_extra,
                  "Remove server files that the local directory does not have");
    cmd->add_flag("-n,--dry-run", args->options.dry_run, "Show what would change; change nothing");
  }
  OnRun(cmd, run, args,
        [direction](Remote& r, const TransferArgs& a) { return Run(r, a, direction); });
}

}  // namespace

void AddTransferCommands(CLI::App& app, RemoteCommand* run) {
  Add(app, run, Direction::kUp);
  Add(app, run, Direction::kDown);
  Add(app, run, Direction::kSync);
}

}  // namespace nexus::cli
