#include "rebac/changelog.h"

#include <utility>

namespace nexus::rebac {

using storage::Row;
using storage::Rows;
using storage::Tx;
using storage::Value;

namespace {

std::string_view OpName(ChangeOp op) {
  switch (op) {
    case ChangeOp::kWrite:
      return "write";
    case ChangeOp::kDelete:
      return "delete";
    case ChangeOp::kNamespace:
      return "namespace";
  }
  return "write";
}

StatusOr<ChangeOp> ParseOp(const std::string& name) {
  if (name == "write") return ChangeOp::kWrite;
  if (name == "delete") return ChangeOp::kDelete;
  if (name == "namespace") return ChangeOp::kNamespace;
  return Internal("unknown changelog op '" + name + "'");
}

StatusOr<Change> ChangeFromRow(const Row& row) {
  Change change;
  change.revision = row.Int(0);
  ASSIGN_OR_RETURN(change.op, ParseOp(row.Text(1)));
  Tuple& t = change.tuple;
  t.tuple_id = row.Text(2);
  t.tenant_id = row.Text(3);
  t.object = {row.Text(4), row.Text(5)};
  t.relation = row.Text(6);
  t.subject = {row.Text(7), row.Text(8), row.Text(9)};
  if (!row.IsNull(10)) t.expires_at = row.Int(10);
  return change;
}

}  // namespace

StatusOr<int64_t> ReadRevision(Tx& tx) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT COALESCE(MAX(revision), 0) FROM rebac_changelog"));
  return rows.at(0).Int(0);
}

StatusOr<RevisionRange> ReadRevisionRange(Tx& tx) {
  // Two subqueries rather than MIN and MAX in one: SQLite answers only a lone MIN or MAX
  // from the index, without a scan.
  ASSIGN_OR_RETURN(Rows rows,
                   tx.Query("SELECT COALESCE((SELECT MIN(revision) FROM rebac_changelog), 0),"
                            " COALESCE((SELECT MAX(revision) FROM rebac_changelog), 0)"));
  return RevisionRange{rows.at(0).Int(0), rows.at(0).Int(1)};
}

StatusOr<int64_t> PurgeChanges(Tx& tx, int64_t before, int64_t limit) {
  ASSIGN_OR_RETURN(const int64_t latest, ReadRevision(tx));
  ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT revision, created_at FROM rebac_changelog"
                                       " WHERE revision < ? ORDER BY revision LIMIT ?",
                                       {latest, limit}));
  // Rows are written with their writer's clock: a later revision may carry an earlier time.
  // Stopping at the first recent row keeps the purged revisions a prefix.
  int64_t last = 0;
  int64_t count = 0;
  for (const Row& row : rows) {
    if (row.Int(1) >= before) break;
    last = row.Int(0);
    ++count;
  }
  if (count > 0) {
    RETURN_IF_ERROR(tx.Exec("DELETE FROM rebac_changelog WHERE revision <= ?", {last}).status());
  }
  return count;
}

StatusOr<std::vector<Change>> ReadChanges(Tx& tx, std::string_view tenant_id, int64_t after,
                                          int64_t limit) {
  ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query("SELECT revision, op, tuple_id, tenant_id, object_type, object_id, relation,"
               " subject_type, subject_id, subject_relation, expires_at FROM rebac_changelog"
               " WHERE tenant_id = ? AND revision > ? ORDER BY revision LIMIT ?",
               {std::string(tenant_id), after, limit}));
  std::vector<Change> changes;
  changes.reserve(rows.size());
  for (const Row& row : rows) {
    ASSIGN_OR_RETURN(Change change, ChangeFromRow(row));
    changes.push_back(std::move(change));
  }
  return changes;
}

StatusOr<int64_t> ChangelogWriter::Append(ChangeOp op, const Tuple& t) {
  if (next_ == 0) {
    ASSIGN_OR_RETURN(const int64_t latest, ReadRevision(tx_));
    next_ = latest + 1;
  }
  const int64_t revision = next_;
  Status s =
      tx_.Exec(
             "INSERT INTO rebac_changelog (revision, tenant_id, op, tuple_id, object_type,"
             " object_id, relation, subject_type, subject_id, subject_relation,"
             " expires_at, conditions, created_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {revision, t.tenant_id, std::string(OpName(op)), t.tuple_id, t.object.type,
              t.object.id, t.relation, t.subject.type, t.subject.id, t.subject.relation,
              storage::OptionalValue(t.expires_at), storage::OptionalValue(t.conditions), now_})
          .status();
  // Another writer took this revision after we read the maximum (PostgreSQL may report
  // that as a duplicate key rather than a serialization failure): run the unit again.
  if (s.code() == Code::kAlreadyExists) {
    return Status(Code::kRetry,
                  "revision " + std::to_string(revision) + " was taken: " + s.message());
  }
  RETURN_IF_ERROR(s);
  ++next_;
  return revision;
}

}  // namespace nexus::rebac
