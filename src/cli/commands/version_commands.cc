// A file's versions: versions history, get, diff, rollback.
#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/local_files.h"

namespace nexus::cli {
namespace {

using client::Value;

struct VersionOptions {
  std::string path;
  int64_t version = 0;
  int64_t v1 = 0;
  int64_t v2 = 0;
  int limit = 0;       // history: 0 for all
  std::string output;  // get: a local file instead of stdout
  bool content = false;
  std::string mode;
  bool yes = false;  // accepted for the reference's scripts; nothing here asks
};

int History(Remote& r, const VersionOptions& o) {
  return ShowFirst(r, "list_versions", {{"path", o.path}}, o.limit, [](const Value& versions) {
    Table table({true, true, false, false, false, false});
    table.Header({"VERSION", "SIZE", "CREATED", "BY", "SOURCE", "REASON"});
    for (const Value& v : versions.AsArray()) {
      table.AddRow({Cell(v["version"]), HumanSize(v["size"].AsInt()), LocalTime(v["created_at"]),
                    Cell(v["created_by"]), Cell(v["source_type"]), Cell(v["change_reason"])});
    }
    table.Print(stdout);
  });
}

int Get(Remote& r, const VersionOptions& o) {
  StatusOr<Value> content = r.Call("get_version", {{"path", o.path}, {"version", o.version}}, true);
  if (!content.ok()) return r.Fail(content.status());
  const std::string what = "version " + std::to_string(o.version) + " of " + o.path;
  if (!o.output.empty()) {
    if (Status s = WriteLocalFile(o.output, content->AsString()); !s.ok()) return r.Fail(s);
    r.Note("Wrote " + what + " to " + o.output + " (" +
           HumanSize(static_cast<int64_t>(content->AsString().size())) + ")");
  }
  if (r.json()) {
    r.PrintJson({{"path", o.path}, {"version", o.version}, {"content", *content}});
  } else if (o.output.empty()) {
    if (Status s = WriteStdout(content->AsString()); !s.ok()) return r.Fail(s);
  }
  return kExitOk;
}

// A unified diff with its added and removed lines coloured, as git shows one.
void PrintUnifiedDiff(const std::string& diff) {
  const Painter paint(stdout);
  size_t start = 0;
  while (start < diff.size()) {
    size_t end = diff.find('\n', start);
    if (end == std::string::npos) end = diff.size();
    const std::string line = diff.substr(start, end - start);
    const bool header = line.starts_with("+++") || line.starts_with("---");
    if (!header && line.starts_with("+")) {
      std::printf("%s\n", paint.Added(line).c_str());
    } else if (!header && line.starts_with("-")) {
      std::printf("%s\n", paint.Removed(line).c_str());
    } else if (line.starts_with("@@")) {
      std::printf("%s\n", paint.Dim(line).c_str());
    } else {
      std::printf("%s\n", line.c_str());
    }
    start = end + 1;
  }
}

int Diff(Remote& r, const VersionOptions& o) {
  const std::string mode = o.content ? "content" : o.mode;
  return Show(
      r, "diff_versions", {{"path", o.path}, {"v1", o.v1}, {"v2", o.v2}, {"mode", mode}},
      [&](const Value& d) {
        if (mode == "content") {
          PrintUnifiedDiff(d.AsString());
          return;
        }
        const std::string a = "v" + std::to_string(o.v1), b = "v" + std::to_string(o.v2);
        Table table;
        table.AddRow({"", a, b});
        table.AddRow({"size:", HumanSize(d["size_v1"].AsInt()), HumanSize(d["size_v2"].AsInt())});
        table.AddRow({"hash:", d["content_hash_v1"].AsString().substr(0, 12),
                      d["content_hash_v2"].AsString().substr(0, 12)});
        table.AddRow({"type:", Cell(d["mime_type_v1"]), Cell(d["mime_type_v2"])});
        table.AddRow({"created:", LocalTime(d["created_at_v1"]), LocalTime(d["created_at_v2"])});
        table.Print(stdout);
        std::printf("%s\n", d["content_changed"].AsBool() ? "content changed (--content shows how)"
                                                          : "same content");
      });
}

// The new version is a copy of the old one; its number comes from a stat afterwards.
int Rollback(Remote& r, const VersionOptions& o) {
  StatusOr<Value> answer = r.Call("rollback", {{"path", o.path}, {"version", o.version}});
  if (!answer.ok()) return r.Fail(answer.status());
  if (r.json()) {
    r.PrintJson(*answer);
    return kExitOk;
  }
  StatusOr<Value> stat = r.Call("stat", {{"path", o.path}}, true);
  r.Note("Rolled back " + o.path + " to version " + std::to_string(o.version) +
         (stat.ok() ? " (now version " + Cell((*stat)["version"]) + ")" : ""));
  return kExitOk;
}

}  // namespace

void AddVersionCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group =
      app.add_subcommand("versions", "A file's versions: history, get, diff, rollback");
  group->require_subcommand(1);

  auto o = Shared<VersionOptions>();
  CLI::App* cmd = group->add_subcommand("history", "List a file's versions, newest first");
  cmd->add_option("path", o->path, "File")->required();
  cmd->add_option("-n,--limit", o->limit, "At most this many versions")->check(CLI::PositiveNumber);
  OnRun(cmd, run, o, History);

  o = Shared<VersionOptions>();
  cmd = group->add_subcommand("get", "Print one version of a file (or save it with -o)");
  cmd->add_option("path", o->path, "File")->required();
  cmd->add_option("-v,--version", o->version, "Version number")->required();
  cmd->add_option("-o,--output", o->output, "Local file to write instead of stdout");
  OnRun(cmd, run, o, Get);

  o = Shared<VersionOptions>();
  o->mode = "metadata";
  cmd = group->add_subcommand("diff", "Compare two versions of a file");
  cmd->add_option("path", o->path, "File")->required();
  cmd->add_option("--v1", o->v1, "The older version")->required();
  cmd->add_option("--v2", o->v2, "The newer version")->required();
  CLI::Option* content = cmd->add_flag("--content", o->content, "A unified diff of the content");
  cmd->add_option("--mode", o->mode, "metadata (default) or content")
      ->check(CLI::IsMember({"metadata", "content"}))
      ->excludes(content);
  OnRun(cmd, run, o, Diff);

  o = Shared<VersionOptions>();
  cmd = group->add_subcommand("rollback", "Make an old version the current one (as a new version)");
  cmd->add_option("path", o->path, "File")->required();
  cmd->add_option("-v,--version", o->version, "Version to bring back")->required();
  cmd->add_flag("-y,--yes", o->yes, "Accepted for compatibility; nexus never asks");
  OnRun(cmd, run, o, Rollback);
}

}  // namespace nexus::cli
