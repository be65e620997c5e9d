// Workspaces: workspace register, list, snapshot, log, diff, restore.
#include <charconv>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using client::Value;

struct WorkspaceOptions {
  std::string path;
  std::string name, description, created_by, session_id, ttl;
  std::vector<std::string> tags;
  int limit = 20;
  int64_t snapshot = 0;
  int64_t snapshot2 = 0;
  bool yes = false;  // accepted for the reference's scripts; nothing here asks
};

// "90", "90s", "30m", "8h", "2d" in seconds; nullopt for anything else.
std::optional<int64_t> DurationSeconds(const std::string& text) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n <= 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return n * 60;
  if (unit == "h") return n * 3600;
  if (unit == "d") return n * 86400;
  return std::nullopt;
}

int Register(Remote& r, const WorkspaceOptions& o) {
  Value params = {{"path", o.path}};
  if (!o.name.empty()) params.Set("name", o.name);
  if (!o.description.empty()) params.Set("description", o.description);
  if (!o.created_by.empty()) params.Set("created_by", o.created_by);
  if (!o.session_id.empty()) params.Set("session_id", o.session_id);
  if (!o.ttl.empty()) {
    const std::optional<int64_t> seconds = DurationSeconds(o.ttl);
    if (!seconds) return UsageError(r, "--ttl takes a duration such as 90s, 30m, 8h or 2d");
    params.Set("ttl", {{"__type__", "timedelta"}, {"seconds", *seconds}});
  }
  return Show(
      r, "register_workspace", std::move(params),
      [&](const Value& w) { r.Note("Registered workspace " + w["path"].AsString()); }, false);
}

int List(Remote& r, const WorkspaceOptions&) {
  return Show(r, "list_workspaces", Value::EmptyObject(), [](const Value& all) {
    Table table;
    table.Header({"PATH", "NAME", "CREATED", "BY", "DESCRIPTION"});
    for (const Value& w : all.AsArray()) {
      table.AddRow({w["path"].AsString(), Cell(w["name"]), LocalTime(w["created_at"]),
                    Cell(w["created_by"]), Summary(Cell(w["description"]), 50)});
    }
    table.Print(stdout);
  });
}

int Snapshot(Remote& r, const WorkspaceOptions& o) {
  Value params = {{"workspace_path", o.path}};
  if (!o.description.empty()) params.Set("description", o.description);
  if (!o.tags.empty()) {
    Value tags = Value::EmptyArray();
    for (const std::string& t : o.tags) tags.Append(t);
    params.Set("tags", tags);
  }
  return Show(
      r, "workspace_snapshot", std::move(params),
      [&](const Value& s) {
        r.Note("Created snapshot #" + Cell(s["snapshot_number"]) + " of " + o.path + " (" +
               Count(s["file_count"].AsInt(), "file") + ", " +
               HumanSize(s["total_size_bytes"].AsInt()) + ")");
      },
      false);
}

int Log(Remote& r, const WorkspaceOptions& o) {
  return Show(r, "workspace_log", {{"workspace_path", o.path}, {"limit", o.limit}},
              [](const Value& log) {
                Table table({true, false, true, true, false, false});
                table.Header({"#", "CREATED", "FILES", "SIZE", "DESCRIPTION", "TAGS"});
                for (const Value& s : log.AsArray()) {
                  table.AddRow({Cell(s["snapshot_number"]), LocalTime(s["created_at"]),
                                Cell(s["file_count"]), HumanSize(s["total_size_bytes"].AsInt()),
                                Cell(s["description"]), Cell(s["tags"])});
                }
                table.Print(stdout);
              });
}

// Like `git diff --stat` without the bars: one line a file, + added, - removed, ~ changed.
void PrintSnapshotDiff(const Value& d) {
  const Painter paint(stdout);
  for (const Value& f : d["added"].AsArray()) {
    std::printf("%s\n",
                paint.Added("+ " + f["path"].AsString() + " (" + HumanSize(f["size"].AsInt()) + ")")
                    .c_str());
  }
  for (const Value& f : d["removed"].AsArray()) {
    std::printf(
        "%s\n",
        paint.Removed("- " + f["path"].AsString() + " (" + HumanSize(f["size"].AsInt()) + ")")
            .c_str());
  }
  for (const Value& f : d["modified"].AsArray()) {
    std::printf("~ %s (%s -> %s)\n", f["path"].AsString().c_str(),
                HumanSize(f["old_size"].AsInt()).c_str(), HumanSize(f["new_size"].AsInt()).c_str());
  }
  std::printf("%zu added, %zu removed, %zu modified, %lld unchanged\n", d["added"].size(),
              d["removed"].size(), d["modified"].size(),
              static_cast<long long>(d["unchanged"].AsInt()));
}

int Diff(Remote& r, const WorkspaceOptions& o) {
  return Show(r, "workspace_diff",
              {{"workspace_path", o.path}, {"snapshot_1", o.snapshot}, {"snapshot_2", o.snapshot2}},
              PrintSnapshotDiff);
}

int Restore(Remote& r, const WorkspaceOptions& o) {
  return Show(
      r, "workspace_restore", {{"workspace_path", o.path}, {"snapshot_number", o.snapshot}},
      [&](const Value& a) {
        r.Note("Restored " + o.path + " to snapshot #" + std::to_string(o.snapshot) + " (" +
               Count(a["files_restored"].AsInt(), "file") + " restored, " +
               Count(a["files_deleted"].AsInt(), "file") + " deleted)");
      },
      false);
}

CLI::App* WorkspaceCommand(CLI::App* group, const std::string& name, const std::string& about,
                           WorkspaceOptions* o) {
  CLI::App* cmd = group->add_subcommand(name, about);
  cmd->add_option("path", o->path, "Workspace directory")->required();
  return cmd;
}

}  // namespace

void AddWorkspaceCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand(
      "workspace", "Workspaces and their snapshots: register, list, snapshot, log, diff, restore");
  group->require_subcommand(1);

  auto o = Shared<WorkspaceOptions>();
  CLI::App* cmd = WorkspaceCommand(group, "register", "Make a directory a workspace", o.get());
  cmd->add_option("-n,--name", o->name, "A short name");
  cmd->add_option("-d,--description", o->description, "What it holds");
  cmd->add_option("--created-by", o->created_by, "Who made it (default: you)");
  cmd->add_option("--session-id", o->session_id, "Tie it to a session (temporary)");
  cmd->add_option("--ttl", o->ttl, "With --session-id: how long it lives (90s, 30m, 8h, 2d)");
  OnRun(cmd, run, o, Register);

  o = Shared<WorkspaceOptions>();
  cmd = group->add_subcommand("list", "List the workspaces you can see");
  OnRun(cmd, run, o, List);

  o = Shared<WorkspaceOptions>();
  cmd = WorkspaceCommand(group, "snapshot", "Record the workspace's files as a snapshot", o.get());
  cmd->add_option("-d,--description", o->description, "What this state is");
  cmd->add_option("-g,--tag", o->tags, "A tag (repeatable)");
  OnRun(cmd, run, o, Snapshot);

  o = Shared<WorkspaceOptions>();
  cmd = WorkspaceCommand(group, "log", "List the workspace's snapshots, newest first", o.get());
  cmd->add_option("-n,--limit", o->limit, "At most this many (default 20)")
      ->check(CLI::PositiveNumber);
  OnRun(cmd, run, o, Log);

  o = Shared<WorkspaceOptions>();
  cmd = WorkspaceCommand(group, "diff", "Files added, removed and changed between snapshots",
                         o.get());
  cmd->add_option("--snapshot1", o->snapshot, "The older snapshot number")->required();
  cmd->add_option("--snapshot2", o->snapshot2, "The newer snapshot number")->required();
  OnRun(cmd, run, o, Diff);

  o = Shared<WorkspaceOptions>();
  cmd = WorkspaceCommand(group, "restore", "Put the workspace's files back as a snapshot had them",
                         o.get());
  cmd->add_option("-s,--snapshot", o->snapshot, "Snapshot number")->required();
  cmd->add_flag("-y,--yes", o->yes, "Accepted for compatibility; nexus never asks");
  OnRun(cmd, run, o, Restore);
}

}  // namespace nexus::cli
