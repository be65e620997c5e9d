// Memories: memory store, query, list, delete.
#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/local_files.h"

namespace nexus::cli {
namespace {

using client::Value;

struct MemoryOptions {
  std::string content;  // store: the text, "-" for stdin; query: the words to look for
  std::string id;
  std::string scope, type, name_space, namespace_prefix, path_key, state;
  std::vector<std::string> tags;
  double importance = -1;  // store: unset below 0
  int limit = 50;
};

// What store, list and query share; unset options are left to the server.
Value Params(Value params, const MemoryOptions& o) {
  if (!o.scope.empty()) params.Set("scope", o.scope);
  if (!o.type.empty()) params.Set("memory_type", o.type);
  if (!o.name_space.empty()) params.Set("namespace", o.name_space);
  if (!o.state.empty()) params.Set("state", o.state);
  return params;
}

int Store(Remote& r, const MemoryOptions& o) {
  StatusOr<std::string> content = o.content == "-" ? ReadStdin() : o.content;
  if (!content.ok()) return r.Fail(content.status());
  if (o.content == "-" && content->ends_with('\n')) content->pop_back();  // as $(...) does
  Value params = Params({{"content", *content}}, o);
  if (!o.path_key.empty()) params.Set("path_key", o.path_key);
  if (o.importance >= 0) params.Set("importance", o.importance);
  if (!o.tags.empty()) {
    Value tags = Value::EmptyArray();
    for (const std::string& t : o.tags) tags.Append(t);
    params.Set("tags", tags);
  }
  return Show(
      r, "store_memory", std::move(params),
      [&](const Value& a) { r.Note("Stored memory " + a["memory_id"].AsString()); }, false);
}

void PrintMemories(const Value& answer) {
  Table table;
  table.Header({"ID", "TYPE", "SCOPE", "NAMESPACE", "CREATED", "CONTENT"});
  for (const Value& m : answer["memories"].AsArray()) {
    std::string name_space = Cell(m["namespace"]);
    if (m["path_key"].is_string()) name_space += "/" + m["path_key"].AsString();
    table.AddRow({m["memory_id"].AsString(), Cell(m["memory_type"]), Cell(m["scope"]), name_space,
                  LocalTime(m["created_at"]), Summary(m["content"].AsString(), 60)});
  }
  table.Print(stdout);
}

int Query(Remote& r, const MemoryOptions& o) {
  Value params = Params({{"limit", o.limit}}, o);
  if (!o.content.empty()) params.Set("query", o.content);
  return Show(r, "query_memories", std::move(params), PrintMemories);
}

int List(Remote& r, const MemoryOptions& o) {
  Value params = Params({{"limit", o.limit}}, o);
  if (!o.namespace_prefix.empty()) params.Set("namespace_prefix", o.namespace_prefix);
  return Show(r, "list_memories", std::move(params), PrintMemories);
}

void AddFilters(CLI::App* cmd, MemoryOptions* o) {
  cmd->add_option("--scope", o->scope, "Only this scope (agent, user, tenant, global)");
  cmd->add_option("--type", o->type, "Only this type (fact, preference, experience, ...)");
  cmd->add_option("--namespace", o->name_space, "Only this namespace");
  cmd->add_option("--state", o->state, "active (default), inactive or all");
  cmd->add_option("-n,--limit", o->limit, "At most this many (default 50)")
      ->check(CLI::PositiveNumber);
}

}  // namespace

void AddMemoryCommands(CLI::App& app, RemoteCommand* run) {
  CLI::App* group = app.add_subcommand("memory", "Memories: store, query, list, delete");
  group->require_subcommand(1);

  auto o = Shared<MemoryOptions>();
  CLI::App* cmd = group->add_subcommand("store", "Remember something");
  cmd->add_option("content", o->content, "The text; - reads stdin (less a final newline)")
      ->required();
  cmd->add_option("--scope", o->scope, "agent (default), user, tenant or global");
  cmd->add_option("--type", o->type, "fact (default), preference, experience, ...");
  cmd->add_option("--importance", o->importance, "0 to 1 (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--namespace", o->name_space, "A hierarchical namespace (a/b/c)");
  cmd->add_option("--path-key", o->path_key, "With --namespace: a key; storing it again replaces");
  cmd->add_option("--state", o->state, "active (default) or inactive");
  cmd->add_option("-g,--tag", o->tags, "A tag (repeatable)");
  OnRun(cmd, run, o, Store);

  o = Shared<MemoryOptions>();
  cmd = group->add_subcommand("query", "Find memories by words and filters");
  cmd->add_option("query", o->content, "Words the content holds (any case)");
  AddFilters(cmd, o.get());
  OnRun(cmd, run, o, Query);

  o = Shared<MemoryOptions>();
  cmd = group->add_subcommand("list", "List memories");
  AddFilters(cmd, o.get());
  cmd->add_option("--namespace-prefix", o->namespace_prefix, "Only namespaces starting so");
  OnRun(cmd, run, o, List);

  o = Shared<MemoryOptions>();
  cmd = group->add_subcommand("delete", "Forget a memory");
  cmd->add_option("memory_id", o->id, "Memory id")->required();
  OnRun(cmd, run, o, [](Remote& r, const MemoryOptions& m) {
    return Simple(r, "delete_memory", {{"memory_id", m.id}}, "Deleted memory " + m.id,
                  "no memory " + m.id);
  });
}

}  // namespace nexus::cli
