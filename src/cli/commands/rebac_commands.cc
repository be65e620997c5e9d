// Permissions: rebac create, list, delete, check, expand, explain, and share / unshare for the
// common case of giving a user access to a file.
#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using client::Value;

// A subject, a relation or permission, and an object, as the reference's command line takes
// them: `user alice read file /workspace/a`.
struct TupleArgs {
  std::string subject_type, subject_id, relation, object_type, object_id;
  std::string subject_relation;  // create: a userset subject ("group eng member")
  std::string expires;           // create, share: ISO 8601
  std::string tenant;
  std::string column_config;  // create: JSON, for dynamic_viewer
};

Value Pair(const std::string& type, const std::string& id) {
  return Value(Value::Array{Value(type), Value(id)});
}

std::string Subject(const TupleArgs& a) {
  return a.subject_type + ":" + a.subject_id +
         (a.subject_relation.empty() ? "" : "#" + a.subject_relation);
}
std::string Object(const TupleArgs& a) { return a.object_type + ":" + a.object_id; }

// The five positionals of create, check and explain; the middle one is `middle`.
void AddTupleArgs(CLI::App* cmd, TupleArgs* a, const std::string& middle) {
  cmd->add_option("subject_type", a->subject_type, "Subject type (user, agent, group, ...)")
      ->required();
  cmd->add_option("subject_id", a->subject_id, "Subject id")->required();
  cmd->add_option(middle, a->relation, middle == "relation" ? "Relation" : "Permission")
      ->required();
  cmd->add_option("object_type", a->object_type, "Object type (file, group, ...)")->required();
  cmd->add_option("object_id", a->object_id, "Object id (a path for files)")->required();
}

int Create(Remote& r, const TupleArgs& a) {
  Value subject = Pair(a.subject_type, a.subject_id);
  if (!a.subject_relation.empty()) subject.Append(a.subject_relation);
  Value params = {
      {"subject", subject}, {"relation", a.relation}, {"object", Pair(a.object_type, a.object_id)}};
  if (!a.expires.empty()) params.Set("expires_at", a.expires);
  if (!a.tenant.empty()) params.Set("tenant_id", a.tenant);
  if (!a.column_config.empty()) {
    StatusOr<Value> config = client::ParseJson(a.column_config);
    if (!config.ok() || !config->is_object())
      return r.Fail(InvalidArgument("--column-config must be a JSON object"));
    params.Set("column_config", *config);
  }
  return Show(
      r, "rebac_create", std::move(params),
      [&](const Value& id) {
        r.Note("Created " + id.AsString() + ": " + Subject(a) + " " + a.relation + " " + Object(a));
      },
      false);
}

struct ListOptions {
  std::string subject_type, subject_id, relation, object_type, object_id;
  int limit = 0;
};

int List(Remote& r, const ListOptions& o) {
  Value params = Value::EmptyObject();
  if (!o.subject_type.empty()) params.Set("subject", Pair(o.subject_type, o.subject_id));
  if (!o.object_type.empty()) params.Set("object", Pair(o.object_type, o.object_id));
  if (!o.relation.empty()) params.Set("relation", o.relation);
  return ShowFirst(r, "rebac_list_tuples", std::move(params), o.limit, [](const Value& tuples) {
    Table table;
    table.Header({"ID", "SUBJECT", "RELATION", "OBJECT", "EXPIRES"});
    for (const Value& t : tuples.AsArray()) {
      std::string subject = t["subject_type"].AsString() + ":" + t["subject_id"].AsString();
      if (t["subject_relation"].is_string()) subject += "#" + t["subject_relation"].AsString();
      table.AddRow({t["tuple_id"].AsString(), subject, t["relation"].AsString(),
                    t["object_type"].AsString() + ":" + t["object_id"].AsString(),
                    t["expires_at"].is_null() ? "never" : LocalTime(t["expires_at"])});
    }
    table.Print(stdout);
  });
}

Value CheckParams(const TupleArgs& a) {
  Value params = {{"subject", Pair(a.subject_type, a.subject_id)},
                  {"permission", a.relation},
                  {"object", Pair(a.object_type, a.object_id)}};
  if (!a.tenant.empty()) params.Set("tenant_id", a.tenant);
  return params;
}

std::string Verdict(bool granted, const TupleArgs& a) {
  const Painter paint(stdout);
  return granted
             ? paint.Added("granted") + ": " + Subject(a) + " may " + a.relation + " " + Object(a)
             : paint.Removed("denied") + ": " + Subject(a) + " may not " + a.relation + " " +
                   Object(a);
}

// Exits 0 when granted and 1 when denied, so that scripts can test a permission as they test
// a file.
int Check(Remote& r, const TupleArgs& a) {
  StatusOr<Value> answer = r.Call("rebac_check", CheckParams(a), true);
  if (!answer.ok()) return r.Fail(answer.status());
  if (r.json()) {
    r.PrintJson(*answer);
  } else {
    std::printf("%s\n", Verdict(answer->AsBool(), a).c_str());
  }
  return answer->AsBool() ? kExitOk : kExitFailure;
}

int Explain(Remote& r, const TupleArgs& a) {
  return Show(r, "rebac_explain", CheckParams(a), [&](const Value& e) {
    std::printf("%s\n", Verdict(e["result"].AsBool(), a).c_str());
    if (e["reason"].is_string()) std::printf("reason: %s\n", e["reason"].AsString().c_str());
    const Value::Array& steps = e["successful_path"]["steps"].AsArray();
    if (!steps.empty()) std::printf("through:\n");
    for (const Value& step : steps) std::printf("  %s\n", step.AsString().c_str());
  });
}

int Expand(Remote& r, const TupleArgs& a) {
  return Show(r, "rebac_expand",
              {{"permission", a.relation}, {"object", Pair(a.object_type, a.object_id)}},
              [](const Value& subjects) {
                for (const Value& s : subjects.AsArray())
                  std::printf("%s:%s\n", s.AsArray()[0].AsString().c_str(),
                              s.AsArray()[1].AsString().c_str());
              });
}

struct ShareOptions {
  std::string path, user, relation = "viewer", expires;
};

int Share(Remote& r, const ShareOptions& o) {
  Value params = {
      {"resource", Pair("file", o.path)}, {"user_id", o.user}, {"relation", o.relation}};
  if (!o.expires.empty()) params.Set("expires_at", o.expires);
  return Show(
      r, "share_with_user", std::move(params),
      [&](const Value& id) {
        r.Note("Shared " + o.path + " with " + o.user + " as " + o.relation + " (" + id.AsString() +
               ")");
      },
      false);
}

void AddTupleCommands(CLI::App* group, RemoteCommand* run) {
  auto a = Shared<TupleArgs>();
  CLI::App* cmd = group->add_subcommand(
      "create", "Create a relationship: SUBJECT_TYPE SUBJECT_ID RELATION OBJECT_TYPE OBJECT_ID");
  AddTupleArgs(cmd, a.get(), "relation");
  cmd->add_option("--subject-relation", a->subject_relation,
                  "Make the subject a set: every RELATION of the subject (group eng member)");
  cmd->add_option("--expires", a->expires, "When it lapses (ISO 8601, e.g. 2030-01-31T12:00:00Z)");
  cmd->add_option("--tenant-id", a->tenant, "Tenant (default: yours)");
  cmd->add_option("--column-config", a->column_config, "JSON column rules, for dynamic_viewer");
  OnRun(cmd, run, a, Create);

  auto l = Shared<ListOptions>();
  cmd = group->add_subcommand("list", "List relationships, filtered by subject, relation, object");
  CLI::Option* st = cmd->add_option("--subject-type", l->subject_type, "Subject type");
  CLI::Option* si = cmd->add_option("--subject-id", l->subject_id, "Subject id");
  CLI::Option* ot = cmd->add_option("--object-type", l->object_type, "Object type");
  CLI::Option* oi = cmd->add_option("--object-id", l->object_id, "Object id");
  st->needs(si);
  si->needs(st);
  ot->needs(oi);
  oi->needs(ot);
  cmd->add_option("--relation", l->relation, "Relation");
  cmd->add_option("-n,--limit", l->limit, "At most this many")->check(CLI::PositiveNumber);
  OnRun(cmd, run, l, List);

  auto id = std::make_shared<std::string>();
  cmd = group->add_subcommand("delete", "Delete a relationship by its id");
  cmd->add_option("tuple_id", *id, "Tuple id (from create or list)")->required();
  OnRun(cmd, run, id, [](Remote& r, const std::string& tuple) {
    return Simple(r, "rebac_delete", {{"tuple_id", tuple}}, "Deleted " + tuple,
                  "no tuple " + tuple);
  });
}

void AddQueryCommands(CLI::App* group, RemoteCommand* run) {
  auto a = Shared<TupleArgs>();
  CLI::App* cmd = group->add_subcommand(
      "check",
      "Whether a subject has a permission: SUBJECT_TYPE SUBJECT_ID PERMISSION OBJECT_TYPE "
      "OBJECT_ID (exit status 0 granted, 1 denied)");
  AddTupleArgs(cmd, a.get(), "permission");
  cmd->add_option("--tenant-id", a->tenant, "Tenant (default: yours)");
  OnRun(cmd, run, a, Check);

  a = Shared<TupleArgs>();
  cmd = group->add_subcommand("expand",
                              "Every subject with a permission: PERMISSION OBJECT_TYPE OBJECT_ID");
  cmd->add_option("permission", a->relation, "Permission")->required();
  cmd->add_option("object_type", a->object_type, "Object type")->required();
  cmd->add_option("object_id", a->object_id, "Object id")->required();
  OnRun(cmd, run, a, Expand);

  a = Shared<TupleArgs>();
  cmd = group->add_subcommand(
      "explain",
      "Why a subject has a permission or not: SUBJECT_TYPE SUBJECT_ID PERMISSION OBJECT_TYPE "
      "OBJECT_ID");
  AddTupleArgs(cmd, a.get(), "permission");
  cmd->add_option("--tenant-id", a->tenant, "Tenant (default: yours)");
  OnRun(cmd, run, a, Explain);
}

}  // namespace

void AddRebacCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand(
      "rebac", "Permissions as relationships: create, list, delete, check, expand, explain");
  group->require_subcommand(1);
  AddTupleCommands(group, run);
  AddQueryCommands(group, run);

  auto s = Shared<ShareOptions>();
  CLI::App* cmd = app.add_subcommand("share", "Give a user access to a file or directory");
  cmd->add_option("path", s->path, "File or directory")->required();
  cmd->add_option("user", s->user, "User id")->required();
  cmd->add_option("--relation", s->relation, "viewer (default), editor or owner")
      ->check(CLI::IsMember({"viewer", "editor", "owner"}));
  cmd->add_option("--expires", s->expires, "When it lapses (ISO 8601)");
  OnRun(cmd, run, s, Share);

  s = Shared<ShareOptions>();
  cmd = app.add_subcommand("unshare", "Take back what share gave a user");
  cmd->add_option("path", s->path, "File or directory")->required();
  cmd->add_option("user", s->user, "User id")->required();
  OnRun(cmd, run, s, [](Remote& r, const ShareOptions& o) {
    return Simple(r, "revoke_share", {{"resource", Pair("file", o.path)}, {"user_id", o.user}},
                  "Unshared " + o.path + " with " + o.user,
                  o.path + " is not shared with " + o.user);
  });
}

}  // namespace nexus::cli
