#include "services/memory/playbooks.h"

#include "services/ownership.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "playbook_id, tenant_id, user_id, agent_id, name, description, version, scope, visibility, "
    "usage_count, success_rate, created_at, updated_at";

Playbook FromRow(const Row& r) {
  Playbook p;
  p.playbook_id = r.Text(0);
  p.tenant_id = r.Text(1);
  p.user_id = r.Text(2);
  p.agent_id = r.Text(3);
  p.name = r.Text(4);
  p.description = r.Text(5);
  p.version = r.Int(6);
  p.scope = r.Text(7);
  p.visibility = r.Text(8);
  p.usage_count = r.Int(9);
  p.success_rate = r.Real(10);
  p.created_at = r.Int(11);
  p.updated_at = r.Int(12);
  return p;
}

// Names are unique per user: the condition that finds one by its name, with the parameters
// tenant, user and name.
constexpr const char* kByName = "tenant_id = ? AND user_id = ? AND name = ?";

StatusOr<std::optional<Playbook>> SelectOne(Tx& tx, const std::string& where,
                                            const storage::Params& params) {
  return storage::QueryFirst(
      tx, std::string("SELECT ") + kColumns + " FROM playbooks WHERE " + where, params, FromRow);
}

RecordOwner OwnerOf(const Playbook& p) {
  return RecordOwner{p.tenant_id, p.user_id, p.scope, p.agent_id};
}

PlaybookStrategy StrategyFromRow(const Row& r) {
  return PlaybookStrategy{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

Status LoadStrategies(Tx& tx, Playbook& p) {
  ASSIGN_OR_RETURN(p.strategies,
                   storage::QueryAll(tx,
                                     "SELECT seq, category, content, source_id, evidence_count, "
                                     "created_at FROM playbook_strategies WHERE playbook_id = ? "
                                     "ORDER BY seq",
                                     {p.playbook_id}, StrategyFromRow));
  return Status::OK();
}

Status ValidateName(const std::string& name) {
  if (name.empty() || name.size() > 255)
    return Status(Code::kValidation, "playbook name must be 1 to 255 bytes");
  return Status::OK();
}

Status InsertPlaybook(Tx& tx, const auth::Identity& caller, const std::string& id,
                      const std::string& name, const std::string& description,
                      const std::string& scope) {
  const int64_t now = NowMicros();
  Status s = tx.Exec(std::string("INSERT INTO playbooks (") + kColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 0, 0, ?, ?)",
                     {id, caller.tenant_id, caller.user_id, caller.agent_id, name, description,
                      scope, VisibilityOfScope(scope), now, now})
                 .status();
  if (s.code() == Code::kAlreadyExists) return AlreadyExists("Playbook already exists: " + name);
  return s;
}

// A lesson a curation adds: a strategy before it has a place in the playbook.
struct Lesson {
  std::string category;
  std::string content;
  std::string source_id;
};

// Adds `lesson` or, when the playbook holds the same one, counts it again. True when added.
StatusOr<bool> AddLesson(Tx& tx, const std::string& playbook_id, const Lesson& lesson) {
  const std::string hash = Sha256Hex(lesson.content);
  ASSIGN_OR_RETURN(const int64_t bumped,
                   tx.Exec("UPDATE playbook_strategies SET evidence_count = evidence_count + 1 "
                           "WHERE playbook_id = ? AND category = ? AND content_hash = ?",
                           {playbook_id, lesson.category, hash}));
  if (bumped > 0) return false;
  ASSIGN_OR_RETURN(Rows last, tx.Query("SELECT COALESCE(MAX(seq), 0) FROM playbook_strategies "
                                       "WHERE playbook_id = ?",
                                       {playbook_id}));
  RETURN_IF_ERROR(tx.Exec("INSERT INTO playbook_strategies (playbook_id, seq, category, content, "
                          "content_hash, source_id, evidence_count, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                          {playbook_id, last.at(0).Int(0) + 1, lesson.category, lesson.content,
                           hash, lesson.source_id, NowMicros()})
                      .status());
  return true;
}

std::string CategoryOfOutcome(const std::string& status) {
  if (status == "success") return "helpful";
  if (status == "failure") return "harmful";
  return "neutral";
}

}  // namespace

StatusOr<std::string> Playbooks::Create(const auth::Identity& caller, const std::string& name,
                                        const std::string& description, const std::string& scope) {
  RETURN_IF_ERROR(ValidateName(name));
  RETURN_IF_ERROR(ValidateMemoryScope(scope));
  const std::string id = NewUuid4();
  RETURN_IF_ERROR(engine_.Write(
      [&](Tx& tx) { return InsertPlaybook(tx, caller, id, name, description, scope); }));
  return id;
}

StatusOr<std::optional<Playbook>> Playbooks::Find(const auth::Identity& caller,
                                                  const std::string& where,
                                                  const storage::Params& params) {
  std::optional<Playbook> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out, SelectOne(tx, where, params));
    if (out && !CanRead(caller, OwnerOf(*out))) out.reset();
    return out ? LoadStrategies(tx, *out) : Status::OK();
  }));
  return out;
}

StatusOr<std::optional<Playbook>> Playbooks::Get(const auth::Identity& caller,
                                                 const std::string& playbook_id) {
  return Find(caller, "playbook_id = ?", {playbook_id});
}

StatusOr<std::optional<Playbook>> Playbooks::GetByName(const auth::Identity& caller,
                                                       const std::string& name) {
  return Find(caller, kByName, {caller.tenant_id, caller.user_id, name});
}

StatusOr<std::vector<Playbook>> Playbooks::Query(const auth::Identity& caller,
                                                 const PlaybookFilter& filter) {
  RETURN_IF_ERROR(CheckListLimit(filter.limit));
  ListingSql listing(caller, kColumns, "playbooks", /*has_scope=*/true);
  listing.Equal("scope", filter.scope);
  listing.Equal("agent_id", filter.agent_id);
  return storage::ReadAll(engine_, listing.Sql("updated_at DESC, playbook_id", filter.limit),
                          listing.params(), FromRow);
}

StatusOr<CurationResult> Playbooks::Curate(const auth::Identity& caller, const Curation& curation) {
  RETURN_IF_ERROR(ValidateName(curation.playbook_name));
  CurationResult result;
  std::vector<Lesson> lessons;
  for (const std::string& id : curation.memory_ids) {
    ASSIGN_OR_RETURN(const std::optional<Memory> m, memories_.Get(caller, id));
    if (!m) {
      result.skipped.push_back(id);
      continue;
    }
    lessons.push_back(
        Lesson{m->memory_type == "anti_pattern" ? "harmful" : "helpful", m->content, id});
  }
  for (const std::string& id : curation.trajectory_ids) {
    ASSIGN_OR_RETURN(const std::optional<Trajectory> t, trajectories_.Get(caller, id));
    if (!t || t->status == "in_progress") {
      result.skipped.push_back(id);
      continue;
    }
    std::string content = t->task_description;
    if (t->error_message) content += " (error: " + *t->error_message + ")";
    lessons.push_back(Lesson{CategoryOfOutcome(t->status), content, id});
  }
  const std::string new_id = NewUuid4();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    result.added = result.merged = 0;
    ASSIGN_OR_RETURN(
        const std::optional<Playbook> existing,
        SelectOne(tx, kByName, {caller.tenant_id, caller.user_id, curation.playbook_name}));
    // An agent acting for itself only cannot curate its user's playbook of that name.
    if (existing && !CanWrite(caller, OwnerOf(*existing))) {
      return PermissionDenied("Access denied: playbook " + curation.playbook_name +
                              " belongs to the agent's user");
    }
    result.playbook_id = existing ? existing->playbook_id : new_id;
    if (!existing) {
      RETURN_IF_ERROR(
          InsertPlaybook(tx, caller, new_id, curation.playbook_name, "", /*scope=*/"agent"));
    }
    for (const Lesson& lesson : lessons) {
      ASSIGN_OR_RETURN(const bool added, AddLesson(tx, result.playbook_id, lesson));
      ++(added ? result.added : result.merged);
    }
    if (lessons.empty()) return Status::OK();
    return tx
        .Exec("UPDATE playbooks SET version = version + 1, updated_at = ? WHERE playbook_id = ?",
              {NowMicros(), result.playbook_id})
        .status();
  }));
  return result;
}

}  // namespace nexus::services
