// Agents: agent register, list, info, update, delete. An agent id is "<user>,<name>"; a bare
// name means the caller's own agent of that name.
#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using client::Value;

struct AgentOptions {
  std::string id;
  std::string name;
  std::string description;
  bool with_api_key = false;
  bool inherit_permissions = false;
  bool yes = false;  // accepted for the reference's scripts; nothing here asks
};

// "bot" is "<caller>,bot"; an id with a comma is used as given.
StatusOr<std::string> FullAgentId(Remote& r, const std::string& id) {
  if (id.find(',') != std::string::npos) return id;
  ASSIGN_OR_RETURN(client::Client * client, r.Client());
  ASSIGN_OR_RETURN(const Value who, WhoAmI(*client));
  if (!who["subject_id"].is_string())
    return InvalidArgument("give the agent id in full: USER,NAME");
  return who["subject_id"].AsString() + "," + id;
}

int Register(Remote& r, const AgentOptions& o) {
  StatusOr<std::string> id = FullAgentId(r, o.id);
  if (!id.ok()) return r.Fail(id.status());
  Value params = {{"agent_id", *id},
                  {"name", o.name},
                  {"generate_api_key", o.with_api_key},
                  {"inherit_permissions", o.inherit_permissions}};
  if (!o.description.empty()) params.Set("description", o.description);
  return Show(
      r, "register_agent", std::move(params),
      [&](const Value& a) {
        r.Note("Registered agent " + a["agent_id"].AsString() + " (" + a["name"].AsString() + ")");
        // The key is what was asked for, not a confirmation: -q does not hide it.
        if (a["api_key"].is_string())
          std::printf("API key (shown once): %s\n", a["api_key"].AsString().c_str());
      },
      false);
}

int List(Remote& r, const AgentOptions&) {
  return Show(r, "list_agents", Value::EmptyObject(), [](const Value& agents) {
    Table table;
    table.Header({"AGENT", "NAME", "OWNER", "KEY", "CREATED", "DESCRIPTION"});
    for (const Value& a : agents.AsArray()) {
      table.AddRow({a["agent_id"].AsString(), a["name"].AsString(), a["user_id"].AsString(),
                    a["has_api_key"].AsBool() ? "yes" : "no", LocalTime(a["created_at"]),
                    Summary(Cell(a["description"]), 50)});
    }
    table.Print(stdout);
  });
}

void PrintAgent(const Value& a) {
  Table table;
  table.AddRow({"agent:", a["agent_id"].AsString()});
  table.AddRow({"name:", a["name"].AsString()});
  table.AddRow({"description:", Cell(a["description"])});
  table.AddRow({"owner:", a["user_id"].AsString()});
  table.AddRow({"tenant:", Cell(a["tenant_id"])});
  table.AddRow({"api key:", a["has_api_key"].AsBool() ? "yes" : "no"});
  table.AddRow(
      {"inherits:", a["inherit_permissions"].AsBool() ? "yes (the owner's permissions)" : "no"});
  table.AddRow({"config:", Cell(a["config_path"])});
  table.AddRow({"created:", LocalTime(a["created_at"])});
  table.Print(stdout);
}

int Info(Remote& r, const AgentOptions& o) {
  StatusOr<std::string> id = FullAgentId(r, o.id);
  if (!id.ok()) return r.Fail(id.status());
  StatusOr<Value> agent = r.Call("get_agent", {{"agent_id", *id}}, true);
  if (!agent.ok()) return r.Fail(agent.status());
  if (agent->is_null()) return r.Fail(NotFound("no agent " + *id));
  if (r.json()) {
    r.PrintJson(*agent);
  } else {
    PrintAgent(*agent);
  }
  return kExitOk;
}

int Update(Remote& r, const AgentOptions& o) {
  if (o.name.empty() && o.description.empty())
    return UsageError(r, "nothing to change: give --name or --description");
  StatusOr<std::string> id = FullAgentId(r, o.id);
  if (!id.ok()) return r.Fail(id.status());
  Value params = {{"agent_id", *id}};
  if (!o.name.empty()) params.Set("name", o.name);
  if (!o.description.empty()) params.Set("description", o.description);
  return Show(
      r, "update_agent", std::move(params), [&](const Value&) { r.Note("Updated agent " + *id); },
      false);
}

int Delete(Remote& r, const AgentOptions& o) {
  StatusOr<std::string> id = FullAgentId(r, o.id);
  if (!id.ok()) return r.Fail(id.status());
  return Simple(r, "delete_agent", {{"agent_id", *id}}, "Deleted agent " + *id, "no agent " + *id);
}

CLI::App* AgentCommand(CLI::App* group, const std::string& name, const std::string& about,
                       AgentOptions* o) {
  CLI::App* cmd = group->add_subcommand(name, about);
  cmd->add_option("agent_id", o->id, "USER,NAME, or NAME for your own agent")->required();
  return cmd;
}

}  // namespace

void AddAgentCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand("agent", "Agents: register, list, info, update, delete");
  group->require_subcommand(1);

  auto o = Shared<AgentOptions>();
  CLI::App* cmd = AgentCommand(group, "register", "Register an agent that acts for you", o.get());
  cmd->add_option("name", o->name, "Its display name")->required();
  cmd->add_option("-d,--description", o->description, "What it does");
  cmd->add_flag("--with-api-key", o->with_api_key,
                "Give it a key of its own (printed once); by default it uses yours with "
                "X-Agent-ID");
  cmd->add_flag("--inherit-permissions", o->inherit_permissions,
                "With --with-api-key: the key has your permissions");
  OnRun(cmd, run, o, Register);

  o = Shared<AgentOptions>();
  cmd = group->add_subcommand("list", "List the agents you can see");
  OnRun(cmd, run, o, List);

  o = Shared<AgentOptions>();
  cmd = AgentCommand(group, "info", "Show an agent", o.get());
  OnRun(cmd, run, o, Info);

  o = Shared<AgentOptions>();
  cmd = AgentCommand(group, "update", "Change an agent's name or description", o.get());
  cmd->add_option("--name", o->name, "New display name");
  cmd->add_option("-d,--description", o->description, "New description");
  OnRun(cmd, run, o, Update);

  o = Shared<AgentOptions>();
  cmd = AgentCommand(group, "delete", "Delete an agent, its keys and its permissions", o.get());
  cmd->add_flag("-y,--yes", o->yes, "Accepted for compatibility; nexus never asks");
  OnRun(cmd, run, o, Delete);
}

}  // namespace nexus::cli
