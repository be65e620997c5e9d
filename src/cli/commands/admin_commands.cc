// API keys, for admins: admin create-key, list-keys, revoke-key, update-key, create-agent-key.
#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using client::Value;

struct KeyOptions {
  std::string user_id;
  std::string agent_id;  // create-agent-key
  std::string key_id;
  std::string name;
  std::string tenant;
  std::string admin;  // update-key: "true" or "false"
  bool is_admin = false;
  int expires_days = 0;  // 0: never (create), unchanged (update)
  bool include_revoked = false;
  bool include_expired = false;
  int limit = 100;
};

// The new key is what was asked for, not a confirmation: -q does not hide it.
void PrintNewKey(const Value& k) {
  std::printf("API key (shown once, keep it safe): %s\n", k["api_key"].AsString().c_str());
  Table table;
  table.AddRow({"key id:", k["key_id"].AsString()});
  std::string subject = k["subject_type"].AsString() + " " + k["subject_id"].AsString();
  if (k["subject_type"].AsString() != "user") subject += " of user " + k["user_id"].AsString();
  table.AddRow({"for:", subject});
  table.AddRow({"tenant:", Cell(k["tenant_id"])});
  table.AddRow({"admin:", k["is_admin"].AsBool() ? "yes" : "no"});
  table.AddRow({"expires:", k["expires_at"].is_null() ? "never" : LocalTime(k["expires_at"])});
  table.Print(stdout);
}

int CreateKey(Remote& r, const KeyOptions& o) {
  Value params = {{"user_id", o.user_id}, {"name", o.name}, {"is_admin", o.is_admin}};
  if (!o.agent_id.empty()) {
    params.Set("subject_type", "agent");
    params.Set("subject_id", o.agent_id);
    if (o.name.empty()) params.Set("name", "Agent: " + o.agent_id);
  }
  if (o.expires_days > 0) params.Set("expires_days", o.expires_days);
  if (!o.tenant.empty()) params.Set("tenant_id", o.tenant);
  return Show(r, "admin_create_key", std::move(params), PrintNewKey, false);
}

std::string KeyState(const Value& k, const Painter& paint) {
  if (k["revoked"].AsBool()) return paint.Removed("revoked");
  return "active";
}

int ListKeys(Remote& r, const KeyOptions& o) {
  Value params = {{"include_revoked", o.include_revoked},
                  {"include_expired", o.include_expired},
                  {"limit", o.limit}};
  if (!o.user_id.empty()) params.Set("user_id", o.user_id);
  if (!o.tenant.empty()) params.Set("tenant_id", o.tenant);
  if (o.is_admin) params.Set("is_admin", true);
  return Show(r, "admin_list_keys", std::move(params), [](const Value& answer) {
    const Painter paint(stdout);
    Table table;
    table.Header({"KEY ID", "USER", "SUBJECT", "NAME", "ADMIN", "CREATED", "EXPIRES", "STATE"});
    for (const Value& k : answer["keys"].AsArray()) {
      table.AddRow(
          {k["key_id"].AsString(), k["user_id"].AsString(),
           k["subject_type"].AsString() + ":" + k["subject_id"].AsString(), k["name"].AsString(),
           k["is_admin"].AsBool() ? "yes" : "no", LocalTime(k["created_at"]),
           k["expires_at"].is_null() ? "never" : LocalTime(k["expires_at"]), KeyState(k, paint)});
    }
    table.Print(stdout);
  });
}

int UpdateKey(Remote& r, const KeyOptions& o) {
  Value params = {{"key_id", o.key_id}};
  if (o.expires_days > 0) params.Set("expires_days", o.expires_days);
  if (!o.admin.empty()) params.Set("is_admin", o.admin == "true");
  if (!o.name.empty()) params.Set("name", o.name);
  if (params.size() == 1)
    return UsageError(r, "nothing to change: give --expires-days, --is-admin or --name");
  return Show(
      r, "admin_update_key", std::move(params),
      [&](const Value& k) {
        r.Note("Updated key " + o.key_id + " (" + k["name"].AsString() +
               (k["is_admin"].AsBool() ? ", admin" : "") + ", expires " +
               (k["expires_at"].is_null() ? "never" : LocalTime(k["expires_at"])) + ")");
      },
      false);
}

void AddCreateCommands(CLI::App* group, RemoteCommand* run) {
  auto o = Shared<KeyOptions>();
  CLI::App* cmd = group->add_subcommand("create-key", "Create an API key for a user");
  cmd->add_option("user_id", o->user_id, "User")->required();
  cmd->add_option("--name", o->name, "What the key is for")->required();
  cmd->add_flag("--is-admin", o->is_admin, "An admin key");
  cmd->add_option("--expires-days", o->expires_days, "Lapse after this many days (default never)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tenant-id", o->tenant, "Tenant (default: yours)");
  OnRun(cmd, run, o, CreateKey);

  o = Shared<KeyOptions>();
  cmd = group->add_subcommand("create-agent-key", "Create an API key for a user's agent");
  cmd->add_option("user_id", o->user_id, "The agent's owner")->required();
  cmd->add_option("agent_id", o->agent_id, "Agent id (USER,NAME)")->required();
  cmd->add_option("--name", o->name, "What the key is for (default \"Agent: AGENT_ID\")");
  cmd->add_option("--expires-days", o->expires_days, "Lapse after this many days (default never)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tenant-id", o->tenant, "Tenant (default: yours)");
  OnRun(cmd, run, o, CreateKey);
}

void AddKeyCommands(CLI::App* group, RemoteCommand* run) {
  auto o = Shared<KeyOptions>();
  CLI::App* cmd = group->add_subcommand("list-keys", "List API keys (never the keys themselves)");
  cmd->add_option("--user-id", o->user_id, "Only this user's");
  cmd->add_option("--tenant-id", o->tenant, "Only this tenant's (default: yours)");
  cmd->add_flag("--is-admin", o->is_admin, "Only admin keys");
  cmd->add_flag("--include-revoked", o->include_revoked, "Revoked keys too");
  cmd->add_flag("--include-expired", o->include_expired, "Expired keys too");
  cmd->add_option("-n,--limit", o->limit, "At most this many (default 100)")
      ->check(CLI::PositiveNumber);
  OnRun(cmd, run, o, ListKeys);

  o = Shared<KeyOptions>();
  cmd = group->add_subcommand("revoke-key", "Revoke an API key");
  cmd->add_option("key_id", o->key_id, "Key id (from list-keys)")->required();
  OnRun(cmd, run, o, [](Remote& r, const KeyOptions& k) {
    return Simple(r, "admin_revoke_key", {{"key_id", k.key_id}}, "Revoked key " + k.key_id);
  });

  o = Shared<KeyOptions>();
  cmd = group->add_subcommand("update-key", "Change an API key's expiry, admin status or name");
  cmd->add_option("key_id", o->key_id, "Key id (from list-keys)")->required();
  cmd->add_option("--expires-days", o->expires_days, "Lapse this many days from now")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--is-admin", o->admin, "true or false")->check(CLI::IsMember({"true", "false"}));
  cmd->add_option("--name", o->name, "New name");
  OnRun(cmd, run, o, UpdateKey);
}

}  // namespace

void AddAdminCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group =
      app.add_subcommand("admin",
                         "API keys, for admins: create-key, list-keys, revoke-key, update-key, "
                         "create-agent-key");
  group->require_subcommand(1);
  AddCreateCommands(group, run);
  AddKeyCommands(group, run);
}

}  // namespace nexus::cli
