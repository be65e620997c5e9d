// Skills: skills list, info, create, validate, export, import, fork, search. Skill packages
// (zips) travel between the server and local files or standard input and output.
#include <unistd.h>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/local_files.h"
#include "util/base64.h"

namespace nexus::cli {
namespace {

using client::Value;

struct SkillOptions {
  std::string name;    // the skill; fork: the source
  std::string target;  // fork: the new skill
  std::string description, tier, author, template_name = "basic";
  std::string query;
  std::string file;    // validate, import: a zip, "-" for stdin
  std::string output;  // export: a zip file, else stdout
  std::string format = "generic";
  int limit = 10;
  bool no_deps = false;
  bool overwrite = false;
};

// Sets `key` to `value` when the user gave one, leaving the server's default otherwise.
void SetIfGiven(Value& params, const std::string& key, const std::string& value) {
  if (!value.empty()) params.Set(key, value);
}

int List(Remote& r, const SkillOptions& o) {
  Value params = Value::EmptyObject();
  SetIfGiven(params, "tier", o.tier);
  return Show(r, "skills_list", std::move(params), [](const Value& answer) {
    Table table;
    table.Header({"NAME", "TIER", "VERSION", "DESCRIPTION"});
    for (const Value& s : answer["skills"].AsArray()) {
      table.AddRow({s["name"].AsString(), Cell(s["tier"]), Cell(s["version"]),
                    Summary(s["description"].AsString(), 60)});
    }
    table.Print(stdout);
  });
}

int Info(Remote& r, const SkillOptions& o) {
  return Show(r, "skills_info", {{"skill_name", o.name}}, [](const Value& s) {
    Table table;
    table.AddRow({"name:", s["name"].AsString()});
    table.AddRow({"description:", Cell(s["description"])});
    table.AddRow({"version:", Cell(s["version"])});
    table.AddRow({"author:", Cell(s["author"])});
    table.AddRow({"tier:", Cell(s["tier"])});
    table.AddRow({"path:", Cell(s["file_path"])});
    table.AddRow({"requires:", Cell(s["requires"])});
    if (s.Find("resolved_dependencies"))
      table.AddRow({"load order:", Cell(s["resolved_dependencies"])});
    table.AddRow({"created:", LocalTime(s["created_at"])});
    table.AddRow({"modified:", LocalTime(s["modified_at"])});
    table.Print(stdout);
  });
}

int Create(Remote& r, const SkillOptions& o) {
  Value params = {{"name", o.name}, {"description", o.description}, {"template", o.template_name}};
  SetIfGiven(params, "tier", o.tier);
  SetIfGiven(params, "author", o.author);
  return Show(
      r, "skills_create", std::move(params),
      [&](const Value& a) {
        r.Note("Created skill " + o.name + " (" + a["skill_path"].AsString() + ")");
      },
      false);
}

int Fork(Remote& r, const SkillOptions& o) {
  Value params = {{"source_name", o.name}, {"target_name", o.target}};
  SetIfGiven(params, "tier", o.tier);
  SetIfGiven(params, "author", o.author);
  return Show(
      r, "skills_fork", std::move(params),
      [&](const Value& a) {
        r.Note("Forked " + o.name + " to " + o.target + " (" + a["forked_path"].AsString() + ")");
      },
      false);
}

int Search(Remote& r, const SkillOptions& o) {
  Value params = {{"query", o.query}, {"limit", o.limit}};
  SetIfGiven(params, "tier", o.tier);
  return Show(r, "skills_search", std::move(params), [](const Value& answer) {
    Table table({false, true});
    table.Header({"SKILL", "SCORE"});
    for (const Value& hit : answer["results"].AsArray()) {
      char score[32];
      std::snprintf(score, sizeof score, "%.2f", hit["score"].AsDouble());
      table.AddRow({hit["skill_name"].AsString(), score});
    }
    table.Print(stdout);
  });
}

// A local zip as the zip_data parameter (plain base64, as the reference sends it).
StatusOr<Value> ZipParams(const std::string& file) {
  ASSIGN_OR_RETURN(const std::string zip, ReadLocalFileOrStdin(file));
  return Value{{"zip_data", Base64Encode(zip)}};
}

// Exits 1 when the package is not valid, so that scripts can check before importing.
int Validate(Remote& r, const SkillOptions& o) {
  StatusOr<Value> params = ZipParams(o.file);
  if (!params.ok()) return r.Fail(params.status());
  StatusOr<Value> report = r.Call("skills_validate_zip", *std::move(params), true);
  if (!report.ok()) return r.Fail(report.status());
  const bool valid = (*report)["valid"].AsBool();
  if (r.json()) {
    r.PrintJson(*report);
    return valid ? kExitOk : kExitFailure;
  }
  const Value& found = (*report)["skills_found"];
  const std::string names = found.size() > 0 ? ": " + Cell(found) : "";
  std::printf("%s: %s%s\n", valid ? "valid" : "not valid",
              Count(static_cast<int64_t>(found.size()), "skill").c_str(), names.c_str());
  for (const Value& e : (*report)["errors"].AsArray())
    std::printf("error: %s\n", e.AsString().c_str());
  for (const Value& w : (*report)["warnings"].AsArray())
    std::printf("warning: %s\n", w.AsString().c_str());
  return valid ? kExitOk : kExitFailure;
}

int Import(Remote& r, const SkillOptions& o) {
  StatusOr<Value> params = ZipParams(o.file);
  if (!params.ok()) return r.Fail(params.status());
  params->Set("allow_overwrite", o.overwrite);
  SetIfGiven(*params, "tier", o.tier);
  return Show(
      r, "skills_import", *std::move(params),
      [&](const Value& a) {
        r.Note("Imported " + Cell(a["imported_skills"]) + " (" + Cell(a["skill_paths"]) + ")");
      },
      false);
}

// The zip goes to -o FILE, else to stdout unless that is a terminal.
int Export(Remote& r, const SkillOptions& o) {
  if (o.output.empty() && !r.json() && ::isatty(STDOUT_FILENO) == 1)
    return UsageError(r, "a zip is not for a terminal: use -o FILE or redirect stdout");
  StatusOr<Value> answer = r.Call(
      "skills_export",
      {{"skill_name", o.name}, {"format", o.format}, {"include_dependencies", !o.no_deps}}, true);
  if (!answer.ok()) return r.Fail(answer.status());
  StatusOr<std::string> zip = Base64Decode((*answer)["zip_data"].AsString());
  if (!zip.ok()) return r.Fail(Internal("the server's zip_data is not base64"));
  if (!o.output.empty()) {
    if (Status s = WriteLocalFile(o.output, *zip); !s.ok()) return r.Fail(s);
    r.Note("Exported " + o.name + " to " + o.output + " (" +
           HumanSize(static_cast<int64_t>(zip->size())) + ")");
  }
  if (r.json()) {
    r.PrintJson(*answer);
  } else if (o.output.empty()) {
    if (Status s = WriteStdout(*zip); !s.ok()) return r.Fail(s);
  }
  return kExitOk;
}

void AddTier(CLI::App* cmd, SkillOptions* o, const std::string& what) {
  cmd->add_option("--tier", o->tier, what + ": personal (user, agent), tenant or system");
}

void AddReadCommands(CLI::App* group, RemoteCommand* run) {
  auto o = Shared<SkillOptions>();
  CLI::App* cmd = group->add_subcommand("list", "List the skills you can see");
  AddTier(cmd, o.get(), "Only this tier");
  OnRun(cmd, run, o, List);

  o = Shared<SkillOptions>();
  cmd = group->add_subcommand("info", "Show a skill");
  cmd->add_option("name", o->name, "Skill")->required();
  OnRun(cmd, run, o, Info);

  o = Shared<SkillOptions>();
  cmd = group->add_subcommand("search", "Find skills by name and description");
  cmd->add_option("query", o->query, "Words to look for")->required();
  AddTier(cmd, o.get(), "Only this tier");
  cmd->add_option("-n,--limit", o->limit, "At most this many (default 10)")
      ->check(CLI::PositiveNumber);
  OnRun(cmd, run, o, Search);
}

void AddChangeCommands(CLI::App* group, RemoteCommand* run) {
  auto o = Shared<SkillOptions>();
  CLI::App* cmd = group->add_subcommand("create", "Create a skill from a template");
  cmd->add_option("name", o->name, "Skill")->required();
  cmd->add_option("--description", o->description, "What it is for")->required();
  cmd->add_option("--template", o->template_name, "Template (default basic)");
  AddTier(cmd, o.get(), "Where it goes (default personal)");
  cmd->add_option("--author", o->author, "Author");
  OnRun(cmd, run, o, Create);

  o = Shared<SkillOptions>();
  cmd = group->add_subcommand("fork", "Copy a skill under a new name");
  cmd->add_option("source", o->name, "Skill to copy")->required();
  cmd->add_option("target", o->target, "New skill")->required();
  AddTier(cmd, o.get(), "Where the copy goes (default personal)");
  cmd->add_option("--author", o->author, "Author of the copy");
  OnRun(cmd, run, o, Fork);
}

void AddPackageCommands(CLI::App* group, RemoteCommand* run) {
  auto o = Shared<SkillOptions>();
  CLI::App* cmd =
      group->add_subcommand("validate", "Check a skill package (zip) before importing it");
  cmd->add_option("zip", o->file, "Local zip file, - for stdin")->required();
  OnRun(cmd, run, o, Validate);

  o = Shared<SkillOptions>();
  cmd = group->add_subcommand("export", "Package a skill as a zip (to -o FILE or stdout)");
  cmd->add_option("name", o->name, "Skill")->required();
  cmd->add_option("-o,--output", o->output, "Local file to write");
  cmd->add_option("--format", o->format, "generic (default) or claude")
      ->check(CLI::IsMember({"generic", "claude"}));
  cmd->add_flag("--no-deps", o->no_deps, "Leave out the skills it requires");
  OnRun(cmd, run, o, Export);

  o = Shared<SkillOptions>();
  cmd = group->add_subcommand("import", "Import the skills of a package (zip)");
  cmd->add_option("zip", o->file, "Local zip file, - for stdin")->required();
  AddTier(cmd, o.get(), "Where they go (default personal)");
  cmd->add_flag("--overwrite", o->overwrite, "Replace skills of the same name");
  OnRun(cmd, run, o, Import);
}

}  // namespace

void AddSkillCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand(
      "skills", "Skills: list, info, create, validate, export, import, fork, search");
  group->require_subcommand(1);
  AddReadCommands(group, run);
  AddChangeCommands(group, run);
  AddPackageCommands(group, run);
}

}  // namespace nexus::cli
