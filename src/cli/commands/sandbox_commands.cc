// Sandboxes: sandbox create, run, list, status, pause, resume, stop. `run` prints what the
// code wrote to its stdout and stderr on ours and exits with the code's exit status.
#include <chrono>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/local_files.h"

namespace nexus::cli {
namespace {

using client::Value;

struct SandboxOptions {
  std::string id;  // create: the name
  int ttl = 10;
  std::string provider, template_id;
  std::string language = "python";
  std::string code;  // run: -c
  std::string file;  // run: -f, "-" for stdin
  int timeout = 300;
  std::string status, user_id, agent_id;  // list filters
  bool verify = false;
};

void PrintSandbox(const Value& s) {
  Table table;
  table.AddRow({"sandbox:", s["sandbox_id"].AsString()});
  table.AddRow({"name:", s["name"].AsString()});
  table.AddRow({"status:", s["status"].AsString()});
  std::string provider = s["provider"].AsString();
  if (s["requested_provider"].is_string())
    provider += " (asked for " + s["requested_provider"].AsString() + ")";
  table.AddRow({"provider:", provider});
  table.AddRow(
      {"owner:",
       s["user_id"].AsString() +
           (s["agent_id"].is_string() ? " (agent " + s["agent_id"].AsString() + ")" : "")});
  table.AddRow({"created:", LocalTime(s["created_at"])});
  table.AddRow({"last active:", LocalTime(s["last_active_at"])});
  table.AddRow({"idle ttl:", Cell(s["ttl_minutes"]) + " min"});
  table.AddRow({"expires:", LocalTime(s["expires_at"])});
  table.Print(stdout);
}

int Create(Remote& r, const SandboxOptions& o) {
  Value params = {{"name", o.id}, {"ttl_minutes", o.ttl}};
  if (!o.provider.empty()) params.Set("provider", o.provider);
  if (!o.template_id.empty()) params.Set("template_id", o.template_id);
  return Show(
      r, "sandbox_create", std::move(params),
      [&](const Value& s) {
        r.Note("Created sandbox " + s["sandbox_id"].AsString() + " (" + s["name"].AsString() +
               ", " + s["provider"].AsString() + ", stops after " + Cell(s["ttl_minutes"]) +
               " idle minutes)");
      },
      false);
}

// -f FILE, -c CODE, else (or for "-") stdin.
StatusOr<std::string> CodeOf(const SandboxOptions& o) {
  if (!o.file.empty()) return ReadLocalFileOrStdin(o.file);
  if (o.code.empty() || o.code == "-") return ReadStdin();
  return o.code;
}

// The code's output goes to our stdout and stderr as it is; a run the sandbox cut short
// says so on stderr. The exit status is the code's (128 + N when signal N killed it).
int Run(Remote& r, const SandboxOptions& o) {
  StatusOr<std::string> code = CodeOf(o);
  if (!code.ok()) return r.Fail(code.status());
  client::CallOptions call;
  // The server runs the code for up to --timeout seconds before it answers.
  call.timeout = std::chrono::milliseconds(
      (static_cast<int64_t>(o.timeout) + static_cast<int64_t>(r.options().timeout_seconds)) * 1000);
  StatusOr<Value> answer = r.Call(
      "sandbox_run",
      {{"sandbox_id", o.id}, {"language", o.language}, {"code", *code}, {"timeout", o.timeout}},
      call);
  if (!answer.ok()) return r.Fail(answer.status());
  const Value& a = *answer;
  if (r.json()) {
    r.PrintJson(a);
  } else {
    if (Status s = WriteStdout(a["stdout"].AsString()); !s.ok()) return r.Fail(s);
    const std::string& err = a["stderr"].AsString();
    std::fwrite(err.data(), 1, err.size(), stderr);
    if (a["killed_by"].is_string())
      std::fprintf(stderr, "nexus: the code was stopped (%s)\n", a["killed_by"].AsString().c_str());
    if (a["truncated"].AsBool()) std::fprintf(stderr, "nexus: the output was cut short\n");
  }
  return static_cast<int>(a["exit_code"].AsInt());
}

int List(Remote& r, const SandboxOptions& o) {
  Value params = {{"verify_status", o.verify}};
  if (!o.status.empty()) params.Set("status", o.status);
  if (!o.user_id.empty()) params.Set("user_id", o.user_id);
  if (!o.agent_id.empty()) params.Set("agent_id", o.agent_id);
  return Show(r, "sandbox_list", std::move(params), [](const Value& answer) {
    Table table;
    table.Header({"SANDBOX", "NAME", "STATUS", "PROVIDER", "CREATED", "EXPIRES"});
    for (const Value& s : answer["sandboxes"].AsArray()) {
      table.AddRow({s["sandbox_id"].AsString(), s["name"].AsString(), s["status"].AsString(),
                    s["provider"].AsString(), LocalTime(s["created_at"]),
                    LocalTime(s["expires_at"])});
    }
    table.Print(stdout);
  });
}

// status, pause, resume and stop: one sandbox by id, answered with its record.
void AddRecordCommand(CLI::App* group, RemoteCommand* run, const std::string& name,
                      const std::string& about, const std::string& done) {
  auto o = Shared<SandboxOptions>();
  CLI::App* cmd = group->add_subcommand(name, about);
  cmd->add_option("sandbox_id", o->id, "Sandbox id")->required();
  const std::string method = "sandbox_" + name;
  OnRun(cmd, run, o, [method, done](Remote& r, const SandboxOptions& s) {
    return Show(
        r, method, {{"sandbox_id", s.id}},
        [&](const Value& record) {
          if (done.empty()) {
            PrintSandbox(record);
          } else {
            r.Note(done + " sandbox " + s.id + " (now " + record["status"].AsString() + ")");
          }
        },
        done.empty());
  });
}

}  // namespace

void AddSandboxCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand(
      "sandbox", "Run code in sandboxes: create, run, list, status, pause, resume, stop");
  group->require_subcommand(1);

  auto o = Shared<SandboxOptions>();
  CLI::App* cmd = group->add_subcommand("create", "Create a sandbox");
  cmd->add_option("name", o->id, "Its name (one live sandbox per name)")->required();
  cmd->add_option("-t,--ttl", o->ttl, "Stop it after this many idle minutes (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-p,--provider", o->provider, "bubblewrap (default), docker or e2b");
  cmd->add_option("--template", o->template_id, "Provider template");
  OnRun(cmd, run, o, Create);

  o = Shared<SandboxOptions>();
  cmd = group->add_subcommand(
      "run",
      "Run code (-c CODE, -f FILE, or stdin) in a sandbox; exits with the code's exit status");
  cmd->add_option("sandbox_id", o->id, "Sandbox id")->required();
  cmd->add_option("-l,--language", o->language, "python (default), javascript or bash")
      ->check(CLI::IsMember({"python", "javascript", "js", "bash"}));
  CLI::Option* code = cmd->add_option("-c,--code", o->code, "The code, - for stdin");
  cmd->add_option("-f,--file", o->file, "Local file holding the code, - for stdin")->excludes(code);
  cmd->add_option("--timeout", o->timeout, "Seconds the code may run (default 300)")
      ->check(CLI::PositiveNumber);
  OnRun(cmd, run, o, Run);

  o = Shared<SandboxOptions>();
  cmd = group->add_subcommand("list", "List your sandboxes");
  cmd->add_option("--status", o->status, "Only active, paused or stopped ones");
  cmd->add_option("-u,--user-id", o->user_id, "Admins: only this user's");
  cmd->add_option("-a,--agent-id", o->agent_id, "Only this agent's");
  cmd->add_flag("-v,--verify", o->verify, "Ask the provider for each one's state");
  OnRun(cmd, run, o, List);

  AddRecordCommand(group, run, "status", "Show a sandbox", "");
  AddRecordCommand(group, run, "pause", "Pause a sandbox (its processes stop, its files stay)",
                   "Paused");
  AddRecordCommand(group, run, "resume", "Resume a paused sandbox", "Resumed");
  AddRecordCommand(group, run, "stop", "Stop a sandbox for good", "Stopped");
}

}  // namespace nexus::cli
