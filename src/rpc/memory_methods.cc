// The memory-record methods of the legacy server (api.md §2.3, §6.1), with its result shapes,
// plus update_memory, which the web frontend calls. Scoped by services/ownership.h.
#include "rpc/memory_params.h"
#include "rpc/method_table.h"
#include "services/memory/memory_service.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

services::MemoryStore& Memories(const CallContext& ctx) { return ctx.services.memory->memories; }

Json MemoryJson(const services::Memory& m) {
  return Json{{"memory_id", m.memory_id},
              {"content", m.content},
              {"content_hash", m.content_hash},
              {"tenant_id", m.tenant_id},
              {"user_id", m.user_id},
              {"agent_id", NullIfEmpty(m.agent_id)},
              {"scope", m.scope},
              {"visibility", m.visibility},
              {"memory_type", m.memory_type},
              {"importance", m.importance},
              {"state", m.state},
              {"namespace", OrNull(m.name_space)},
              {"path_key", OrNull(m.path_key)},
              {"tags", StoredJson(m.tags_json, Json::array())},
              {"created_at", IsoOrNull(m.created_at)},
              {"updated_at", IsoOrNull(m.updated_at)}};
}

Json MemoryListJson(const std::vector<services::Memory>& memories) {
  Json out = Json::array();
  for (const services::Memory& m : memories) out.push_back(MemoryJson(m));
  return Json{{"memories", std::move(out)}};
}

// Content is text; an object is kept as its indented JSON, as the reference stores it.
StatusOr<std::string> ContentOf(const Params& p) {
  const Json& content = p.Raw("content");
  if (content.is_string()) return content.get<std::string>();
  if (content.is_object()) return content.dump(2);
  return InvalidArgument("content must be a string or an object");
}

StatusOr<MethodResult> Store(const Params& p, CallContext& ctx) {
  services::NewMemory m;
  ASSIGN_OR_RETURN(m.content, ContentOf(p));
  m.memory_type = p.Str("memory_type");
  m.scope = p.Str("scope");
  m.importance = p.Number("importance");
  m.name_space = p.OptStr("namespace");
  m.path_key = p.OptStr("path_key");
  m.state = p.Str("state");
  if (p.Has("tags")) m.tags_json = p.Raw("tags").dump();
  ASSIGN_OR_RETURN(const std::string id, Memories(ctx).Store(ctx.caller, m));
  return MethodResult(Json{{"memory_id", id}});
}

services::MemoryFilter FilterOf(const Params& p) {
  services::MemoryFilter f;
  f.scope = p.OptStr("scope");
  f.memory_type = p.OptStr("memory_type");
  f.state = p.OptStr("state").value_or("all");
  f.name_space = p.OptStr("namespace");
  f.limit = p.Int("limit");
  return f;
}

StatusOr<MethodResult> List(const Params& p, CallContext& ctx) {
  services::MemoryFilter f = FilterOf(p);
  f.namespace_prefix = p.OptStr("namespace_prefix");
  ASSIGN_OR_RETURN(const std::vector<services::Memory> found, Memories(ctx).Query(ctx.caller, f));
  return MethodResult(MemoryListJson(found));
}

// Every search mode matches the query as a case-insensitive substring of the content: no
// embedding provider runs here (docs/compatibility.md).
StatusOr<MethodResult> Query(const Params& p, CallContext& ctx) {
  if (const std::optional<std::string> mode = p.OptStr("search_mode");
      mode && *mode != "keyword" && *mode != "semantic" && *mode != "hybrid") {
    return Status(Code::kValidation,
                  "search_mode must be keyword, semantic or hybrid, got '" + *mode + "'");
  }
  services::MemoryFilter f = FilterOf(p);
  f.text = p.OptStr("query");
  ASSIGN_OR_RETURN(const std::vector<services::Memory> found, Memories(ctx).Query(ctx.caller, f));
  return MethodResult(MemoryListJson(found));
}

// By memory_id, by namespace + path_key, or by path "<namespace>/<path_key>".
StatusOr<MethodResult> Retrieve(const Params& p, CallContext& ctx) {
  std::optional<services::Memory> m;
  if (p.Has("memory_id")) {
    ASSIGN_OR_RETURN(m, Memories(ctx).Get(ctx.caller, p.Str("memory_id")));
  } else if (p.Has("namespace") && p.Has("path_key")) {
    ASSIGN_OR_RETURN(m, Memories(ctx).GetByKey(ctx.caller, p.Str("namespace"), p.Str("path_key")));
  } else if (p.Has("path")) {
    const std::string path = p.Str("path");
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == path.size())
      return InvalidArgument("path must be '<namespace>/<path_key>', got '" + path + "'");
    ASSIGN_OR_RETURN(
        m, Memories(ctx).GetByKey(ctx.caller, path.substr(0, slash), path.substr(slash + 1)));
  } else {
    return InvalidArgument("retrieve_memory needs memory_id, namespace and path_key, or path");
  }
  return MethodResult(Json{{"memory", m ? MemoryJson(*m) : Json(nullptr)}});
}

// {"<key>": bool} for one record.
Handler SingleHandler(
    std::string key,
    std::function<StatusOr<bool>(services::MemoryStore&, const auth::Identity&, const std::string&)>
        op) {
  return [key, op](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(const bool done, op(Memories(ctx), ctx.caller, p.Str("memory_id")));
    return MethodResult(Json{{key, done}});
  };
}

// {"<key>": n, "failed": m, "<key>_ids": [...], "failed_ids": [...]} for a list of records.
Handler BatchHandler(
    std::string key,
    std::function<StatusOr<services::BatchOutcome>(services::MemoryStore&, const auth::Identity&,
                                                   const std::vector<std::string>&)>
        op) {
  return [key, op](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(const services::BatchOutcome outcome,
                     op(Memories(ctx), ctx.caller, p.StrList("memory_ids")));
    return MethodResult(Json{{key, outcome.done.size()},
                             {"failed", outcome.failed.size()},
                             {key + "_ids", outcome.done},
                             {"failed_ids", outcome.failed}});
  };
}

StatusOr<MethodResult> Update(const Params& p, CallContext& ctx) {
  services::MemoryChange change;
  if (p.Has("content")) {
    ASSIGN_OR_RETURN(change.content, ContentOf(p));
  }
  change.memory_type = p.OptStr("memory_type");
  change.importance = OptNumber(p, "importance");
  change.state = p.OptStr("state");
  ASSIGN_OR_RETURN(const std::optional<services::Memory> m,
                   Memories(ctx).Update(ctx.caller, p.Str("memory_id"), change));
  return MethodResult(Json{{"updated", m.has_value()}, {"memory", m ? MemoryJson(*m) : Json()}});
}

}  // namespace

void AddMemoryMethods(MethodTable& t) {
  using services::MemoryStore;
  using Ids = std::vector<std::string>;
  const auto id = Required("memory_id", P::kString);
  const auto ids = Required("memory_ids", P::kStringList);
  const auto limit = Optional("limit", P::kInt, 50);
  const auto scope = Optional("scope", P::kString);
  const auto type = Optional("memory_type", P::kString);
  const auto ns = Optional("namespace", P::kString);
  const auto state = Optional("state", P::kString, "active");
  t.Add({"store_memory",
         {Required("content", P::kAny), Optional("memory_type", P::kString, "fact"),
          Optional("scope", P::kString, "agent"), Optional("importance", P::kNumber, 0.5), ns,
          Optional("path_key", P::kString), state, Optional("tags", P::kStringList)},
         Store,
         kCacheNoStore});
  t.Add({"list_memories",
         {limit, scope, type, ns, Optional("namespace_prefix", P::kString), state},
         List,
         kCacheDefault});
  t.Add({"query_memories",
         {type, scope, state, limit, ns, Optional("query", P::kString),
          Optional("search_mode", P::kString), Optional("embedding_provider", P::kString)},
         Query,
         kCacheDefault});
  t.Add({"retrieve_memory",
         {Optional("memory_id", P::kString), ns, Optional("path_key", P::kString),
          Optional("path", P::kString)},
         Retrieve,
         kCacheDefault});
  t.Add({"update_memory",
         {id, Optional("content", P::kAny), type, Optional("importance", P::kNumber),
          Optional("state", P::kString)},
         Update,
         kCacheNoStore});
  t.Add({"delete_memory", {id}, SingleHandler("deleted", &MemoryStore::Delete), kCacheNoStore});
  t.Add({"approve_memory",
         {id},
         SingleHandler("approved", [](MemoryStore& m, const auth::Identity& c,
                                      const std::string& i) { return m.SetState(c, i, "active"); }),
         kCacheNoStore});
  t.Add({"deactivate_memory",
         {id},
         SingleHandler("deactivated",
                       [](MemoryStore& m, const auth::Identity& c, const std::string& i) {
                         return m.SetState(c, i, "inactive");
                       }),
         kCacheNoStore});
  t.Add({"delete_memory_batch",
         {ids},
         BatchHandler("deleted", &MemoryStore::DeleteBatch),
         kCacheNoStore});
  t.Add({"approve_memory_batch",
         {ids},
         BatchHandler("approved", [](MemoryStore& m, const auth::Identity& c,
                                     const Ids& i) { return m.SetStateBatch(c, i, "active"); }),
         kCacheNoStore});
  t.Add(
      {"deactivate_memory_batch",
       {ids},
       BatchHandler("deactivated", [](MemoryStore& m, const auth::Identity& c,
                                      const Ids& i) { return m.SetStateBatch(c, i, "inactive"); }),
       kCacheNoStore});
}

}  // namespace nexus::rpc
