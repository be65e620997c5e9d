#include "services/memory/memories.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "services/ownership.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "memory_id, content, content_hash, tenant_id, user_id, agent_id, scope, visibility, "
    "memory_type, importance, state, namespace, path_key, tags, created_at, updated_at";

constexpr std::array<std::string_view, 9> kMemoryTypes = {
    "fact",        "preference", "experience", "strategy",    "anti_pattern",
    "observation", "trajectory", "reflection", "consolidated"};
constexpr std::array<std::string_view, 5> kScopes = {"agent", "user", "tenant", "global",
                                                     "session"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& set, const std::string& value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

template <size_t N>
std::string Listed(const std::array<std::string_view, N>& set) {
  std::string out;
  for (std::string_view s : set) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

Status ValidateState(const std::string& state) {
  if (state != "active" && state != "inactive")
    return Status(Code::kValidation, "state must be active or inactive, got '" + state + "'");
  return Status::OK();
}

Status ValidateImportance(double importance) {
  if (!(importance >= 0.0 && importance <= 1.0))
    return Status(Code::kValidation, "importance must be between 0 and 1");
  return Status::OK();
}

Status ValidateContent(const std::string& content) {
  if (content.empty()) return Status(Code::kValidation, "content must not be empty");
  if (content.size() > kMaxMemoryContentBytes) {
    return Status(Code::kValidation, "content exceeds " + std::to_string(kMaxMemoryContentBytes) +
                                         " bytes (" + std::to_string(content.size()) + ")");
  }
  return Status::OK();
}

Status ValidateNew(const NewMemory& m) {
  RETURN_IF_ERROR(ValidateContent(m.content));
  RETURN_IF_ERROR(ValidateMemoryType(m.memory_type));
  RETURN_IF_ERROR(ValidateMemoryScope(m.scope));
  RETURN_IF_ERROR(ValidateImportance(m.importance));
  RETURN_IF_ERROR(ValidateState(m.state));
  if (m.path_key && m.path_key->empty())
    return Status(Code::kValidation, "path_key must not be empty");
  if (m.path_key && !m.name_space) return Status(Code::kValidation, "path_key needs a namespace");
  return Status::OK();
}

Memory FromRow(const Row& r) {
  Memory m;
  m.memory_id = r.Text(0);
  m.content = r.Text(1);
  m.content_hash = r.Text(2);
  m.tenant_id = r.Text(3);
  m.user_id = r.Text(4);
  m.agent_id = r.Text(5);
  m.scope = r.Text(6);
  m.visibility = r.Text(7);
  m.memory_type = r.Text(8);
  m.importance = r.Real(9);
  m.state = r.Text(10);
  m.name_space = r.OptText(11);
  m.path_key = r.OptText(12);
  m.tags_json = r.Text(13);
  m.created_at = r.Int(14);
  m.updated_at = r.Int(15);
  return m;
}

RecordOwner OwnerOf(const Memory& m) {
  return RecordOwner{m.tenant_id, m.user_id, m.scope, m.agent_id};
}

StatusOr<std::optional<Memory>> SelectOne(Tx& tx, const std::string& where,
                                          const storage::Params& params) {
  return storage::QueryFirst(
      tx, std::string("SELECT ") + kColumns + " FROM memories WHERE " + where, params, FromRow);
}

// Writes every mutable column of `m` back to its row.
Status SaveRow(Tx& tx, const Memory& m) {
  return tx
      .Exec(
          "UPDATE memories SET content = ?, content_hash = ?, scope = ?, visibility = ?, "
          "memory_type = ?, importance = ?, state = ?, tags = ?, updated_at = ? "
          "WHERE memory_id = ?",
          {m.content, m.content_hash, m.scope, m.visibility, m.memory_type, m.importance, m.state,
           m.tags_json, m.updated_at, m.memory_id})
      .status();
}

}  // namespace

Status ValidateMemoryType(const std::string& memory_type) {
  if (!OneOf(kMemoryTypes, memory_type)) {
    return Status(Code::kValidation, "memory_type must be one of " + Listed(kMemoryTypes) +
                                         ", got '" + memory_type + "'");
  }
  return Status::OK();
}

Status ValidateMemoryScope(const std::string& scope) {
  if (!OneOf(kScopes, scope)) {
    return Status(Code::kValidation,
                  "scope must be one of " + Listed(kScopes) + ", got '" + scope + "'");
  }
  return Status::OK();
}

StatusOr<std::string> MemoryStore::Store(const auth::Identity& caller, const NewMemory& memory) {
  RETURN_IF_ERROR(ValidateNew(memory));
  const int64_t now = NowMicros();
  Memory m;
  m.memory_id = NewUuid4();
  m.content = memory.content;
  m.content_hash = Sha256Hex(memory.content);
  m.tenant_id = caller.tenant_id;
  m.user_id = caller.user_id;
  m.agent_id = caller.agent_id;
  m.scope = memory.scope;
  m.visibility = VisibilityOfScope(memory.scope);
  m.memory_type = memory.memory_type;
  m.importance = memory.importance;
  m.state = memory.state;
  m.name_space = memory.name_space;
  m.path_key = memory.path_key;
  m.tags_json = memory.tags_json;
  m.created_at = now;
  m.updated_at = now;
  std::string id;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    if (m.path_key) {
      ASSIGN_OR_RETURN(std::optional<Memory> existing,
                       SelectOne(tx, "tenant_id = ? AND namespace = ? AND path_key = ?",
                                 {m.tenant_id, *m.name_space, *m.path_key}));
      if (existing) {
        if (!CanWrite(caller, OwnerOf(*existing))) {
          return PermissionDenied("Access denied: memory " + *m.name_space + "/" + *m.path_key +
                                  " belongs to another user");
        }
        Memory updated = m;
        updated.memory_id = existing->memory_id;
        id = updated.memory_id;
        return SaveRow(tx, updated);
      }
    }
    id = m.memory_id;
    return tx
        .Exec(std::string("INSERT INTO memories (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {m.memory_id, m.content, m.content_hash, m.tenant_id, m.user_id, m.agent_id, m.scope,
               m.visibility, m.memory_type, m.importance, m.state,
               storage::OptionalValue(m.name_space), storage::OptionalValue(m.path_key),
               m.tags_json, m.created_at, m.updated_at})
        .status();
  }));
  return id;
}

StatusOr<std::vector<Memory>> MemoryStore::Query(const auth::Identity& caller,
                                                 const MemoryFilter& filter) {
  RETURN_IF_ERROR(CheckListLimit(filter.limit));
  if (filter.state != "all") RETURN_IF_ERROR(ValidateState(filter.state));
  if (filter.scope) RETURN_IF_ERROR(ValidateMemoryScope(*filter.scope));
  if (filter.memory_type) RETURN_IF_ERROR(ValidateMemoryType(*filter.memory_type));
  ListingSql listing(caller, kColumns, "memories", /*has_scope=*/true);
  listing.Equal("scope", filter.scope);
  listing.Equal("memory_type", filter.memory_type);
  listing.Equal("namespace", filter.name_space);
  if (filter.state != "all") listing.Equal("state", filter.state);
  if (filter.namespace_prefix) {
    listing.Where("namespace LIKE ? ESCAPE '\\'", EscapeLike(*filter.namespace_prefix) + "%");
  }
  if (filter.text) {
    listing.Where("LOWER(content) LIKE LOWER(?) ESCAPE '\\'", "%" + EscapeLike(*filter.text) + "%");
  }
  return storage::ReadAll(engine_, listing.Sql("created_at DESC, memory_id", filter.limit),
                          listing.params(), FromRow);
}

StatusOr<std::optional<Memory>> MemoryStore::Get(const auth::Identity& caller,
                                                 const std::string& memory_id) {
  std::optional<Memory> m;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(m, SelectOne(tx, "memory_id = ?", {memory_id}));
    return Status::OK();
  }));
  if (m && !CanRead(caller, OwnerOf(*m))) m.reset();
  return m;
}

StatusOr<std::optional<Memory>> MemoryStore::GetByKey(const auth::Identity& caller,
                                                      const std::string& name_space,
                                                      const std::string& path_key) {
  std::optional<Memory> m;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(m, SelectOne(tx, "tenant_id = ? AND namespace = ? AND path_key = ?",
                                  {caller.tenant_id, name_space, path_key}));
    return Status::OK();
  }));
  if (m && !CanRead(caller, OwnerOf(*m))) m.reset();
  return m;
}

StatusOr<bool> MemoryStore::Modify(const auth::Identity& caller, const std::string& memory_id,
                                   const RowChange& change) {
  bool found = false;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<Memory> m, SelectOne(tx, "memory_id = ?", {memory_id}));
    found = m && CanRead(caller, OwnerOf(*m));
    if (!found) return Status::OK();
    if (!CanWrite(caller, OwnerOf(*m)))
      return PermissionDenied("Access denied: memory " + memory_id + " belongs to another user");
    return change(tx, *m);
  }));
  return found;
}

StatusOr<bool> MemoryStore::Delete(const auth::Identity& caller, const std::string& memory_id) {
  return Modify(caller, memory_id, [](Tx& tx, Memory& m) {
    return tx.Exec("DELETE FROM memories WHERE memory_id = ?", {m.memory_id}).status();
  });
}

StatusOr<bool> MemoryStore::SetState(const auth::Identity& caller, const std::string& memory_id,
                                     const std::string& state) {
  RETURN_IF_ERROR(ValidateState(state));
  return Modify(caller, memory_id, [&](Tx& tx, Memory& m) {
    m.state = state;
    m.updated_at = NowMicros();
    return SaveRow(tx, m);
  });
}

StatusOr<std::optional<Memory>> MemoryStore::Update(const auth::Identity& caller,
                                                    const std::string& memory_id,
                                                    const MemoryChange& change) {
  if (change.content) RETURN_IF_ERROR(ValidateContent(*change.content));
  if (change.memory_type) RETURN_IF_ERROR(ValidateMemoryType(*change.memory_type));
  if (change.importance) RETURN_IF_ERROR(ValidateImportance(*change.importance));
  if (change.state) RETURN_IF_ERROR(ValidateState(*change.state));
  std::optional<Memory> updated;
  ASSIGN_OR_RETURN(const bool found, Modify(caller, memory_id, [&](Tx& tx, Memory& m) {
                     if (change.content) {
                       m.content = *change.content;
                       m.content_hash = Sha256Hex(m.content);
                     }
                     m.memory_type = change.memory_type.value_or(m.memory_type);
                     m.importance = change.importance.value_or(m.importance);
                     m.state = change.state.value_or(m.state);
                     m.updated_at = NowMicros();
                     updated = m;
                     return SaveRow(tx, m);
                   }));
  if (!found) updated.reset();
  return updated;
}

StatusOr<BatchOutcome> MemoryStore::Batch(
    const std::vector<std::string>& memory_ids,
    const std::function<StatusOr<bool>(const std::string&)>& op) {
  if (memory_ids.size() > static_cast<size_t>(kMaxListLimit)) {
    return Status(Code::kValidation,
                  "memory_ids holds more than " + std::to_string(kMaxListLimit) + " ids");
  }
  BatchOutcome outcome;
  for (const std::string& id : memory_ids) {
    StatusOr<bool> done = op(id);
    if (!done.ok() && done.status().code() != Code::kPermissionDenied) return done.status();
    (done.ok() && *done ? outcome.done : outcome.failed).push_back(id);
  }
  return outcome;
}

StatusOr<BatchOutcome> MemoryStore::DeleteBatch(const auth::Identity& caller,
                                                const std::vector<std::string>& memory_ids) {
  return Batch(memory_ids, [&](const std::string& id) { return Delete(caller, id); });
}

StatusOr<BatchOutcome> MemoryStore::SetStateBatch(const auth::Identity& caller,
                                                  const std::vector<std::string>& memory_ids,
                                                  const std::string& state) {
  RETURN_IF_ERROR(ValidateState(state));
  return Batch(memory_ids, [&](const std::string& id) { return SetState(caller, id, state); });
}

}  // namespace nexus::services
