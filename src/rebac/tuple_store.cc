#include "rebac/tuple_store.h"

#include <limits>
#include <utility>

#include "util/path.h"

namespace nexus::rebac::tuple_store {

using storage::Params;
using storage::Row;
using storage::Rows;
using storage::Tx;
using storage::Value;

namespace {

constexpr std::string_view kColumns =
    "tuple_id, tenant_id, object_type, object_id, relation, subject_type, subject_id,"
    " subject_relation, expires_at, conditions, created_at";

Tuple FromRow(const Row& row) {
  Tuple t;
  t.tuple_id = row.Text(0);
  t.tenant_id = row.Text(1);
  t.object = {row.Text(2), row.Text(3)};
  t.relation = row.Text(4);
  t.subject = {row.Text(5), row.Text(6), row.Text(7)};
  if (!row.IsNull(8)) t.expires_at = row.Int(8);
  if (!row.IsNull(9)) t.conditions = row.Text(9);
  t.created_at = row.Int(10);
  return t;
}

StatusOr<std::vector<Tuple>> Run(Tx& tx, const std::string& sql, const Params& params) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<Tuple> tuples;
  tuples.reserve(rows.size());
  for (const Row& row : rows) tuples.push_back(FromRow(row));
  return tuples;
}

StatusOr<std::optional<Tuple>> RunOne(Tx& tx, const std::string& sql, const Params& params) {
  ASSIGN_OR_RETURN(std::vector<Tuple> tuples, Run(tx, sql, params));
  if (tuples.empty()) return std::optional<Tuple>();
  return std::optional<Tuple>(std::move(tuples.front()));
}

std::string SelectFrom() { return "SELECT " + std::string(kColumns) + " FROM rebac_tuples"; }

// Parameters are built in place: GCC 12 at -O2 reports (falsely) uninitialised strings when
// temporary Values are copied into a growing Params.
void AddText(Params* params, const std::string& text) {
  params->emplace_back(std::in_place_type<std::string>, text);
}
void AddInt(Params* params, int64_t value) {
  params->emplace_back(std::in_place_type<int64_t>, value);
}

// Appends "AND <conditions>" for the fields `filter` sets.
void AddFilter(const TupleFilter& filter, std::string* sql, Params* params) {
  if (filter.subject) {
    *sql += " AND subject_type = ? AND subject_id = ?";
    AddText(params, filter.subject->type);
    AddText(params, filter.subject->id);
    if (filter.subject->is_userset()) {
      *sql += " AND subject_relation = ?";
      AddText(params, filter.subject->relation);
    }
  }
  if (filter.relation) {
    *sql += " AND relation = ?";
    AddText(params, *filter.relation);
  }
  if (filter.object) {
    *sql += " AND object_type = ? AND object_id = ?";
    AddText(params, filter.object->type);
    AddText(params, filter.object->id);
  }
}

}  // namespace

StatusOr<std::optional<Tuple>> FindByKey(Tx& tx, const Tuple& key) {
  return RunOne(tx,
                SelectFrom() +
                    " WHERE tenant_id = ? AND object_type = ? AND object_id = ? AND relation = ?"
                    " AND subject_type = ? AND subject_id = ? AND subject_relation = ?",
                {key.tenant_id, key.object.type, key.object.id, key.relation, key.subject.type,
                 key.subject.id, key.subject.relation});
}

StatusOr<std::optional<Tuple>> FindById(Tx& tx, std::string_view tenant_id,
                                        std::string_view tuple_id) {
  return RunOne(tx, SelectFrom() + " WHERE tenant_id = ? AND tuple_id = ?",
                {std::string(tenant_id), std::string(tuple_id)});
}

Status Insert(Tx& tx, const Tuple& t) {
  return tx
      .Exec("INSERT INTO rebac_tuples (" + std::string(kColumns) +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {t.tuple_id, t.tenant_id, t.object.type, t.object.id, t.relation, t.subject.type,
             t.subject.id, t.subject.relation, storage::OptionalValue(t.expires_at),
             storage::OptionalValue(t.conditions), t.created_at})
      .status();
}

Status UpdateAttributes(Tx& tx, const Tuple& t) {
  return tx
      .Exec(
          "UPDATE rebac_tuples SET expires_at = ?, conditions = ? WHERE tuple_id = ?",
          {storage::OptionalValue(t.expires_at), storage::OptionalValue(t.conditions), t.tuple_id})
      .status();
}

Status UpdateIds(Tx& tx, const Tuple& t) {
  return tx
      .Exec("UPDATE rebac_tuples SET object_id = ?, subject_id = ? WHERE tuple_id = ?",
            {t.object.id, t.subject.id, t.tuple_id})
      .status();
}

Status Delete(Tx& tx, std::string_view tuple_id) {
  return tx.Exec("DELETE FROM rebac_tuples WHERE tuple_id = ?", {std::string(tuple_id)}).status();
}

StatusOr<std::vector<Tuple>> Select(Tx& tx, std::string_view tenant_id, const TupleFilter& filter,
                                    int64_t now) {
  std::string sql = SelectFrom() + " WHERE tenant_id = ?";
  Params params;
  params.reserve(10);
  AddText(&params, std::string(tenant_id));
  AddFilter(filter, &sql, &params);
  if (!filter.include_expired) {
    sql += " AND (expires_at IS NULL OR expires_at >= ?)";
    AddInt(&params, now);
  }
  sql += " ORDER BY created_at, tuple_id";
  if (filter.limit > 0 || filter.offset > 0) {
    sql += " LIMIT ? OFFSET ?";
    AddInt(&params, filter.limit > 0 ? filter.limit : std::numeric_limits<int64_t>::max());
    AddInt(&params, filter.offset);
  }
  return Run(tx, sql, params);
}

StatusOr<std::vector<Tuple>> SelectExpired(Tx& tx, int64_t now, int64_t limit) {
  // rebac_tuples_expiry holds the tuples that expire: this reads no others.
  return Run(tx, SelectFrom() + " WHERE expires_at < ? ORDER BY expires_at LIMIT ?", {now, limit});
}

StatusOr<std::vector<Tuple>> SelectLive(Tx& tx, std::string_view tenant_id, int64_t now) {
  return Run(tx, SelectFrom() + " WHERE tenant_id = ? AND (expires_at IS NULL OR expires_at >= ?)",
             {std::string(tenant_id), now});
}

StatusOr<std::vector<Tuple>> SelectById(Tx& tx, std::string_view tenant_id, std::string_view type,
                                        std::string_view id, bool subtree, bool subjects) {
  const std::string column = subjects ? "subject" : "object";
  std::string sql =
      SelectFrom() + " WHERE tenant_id = ? AND " + column + "_type = ? AND (" + column + "_id = ?";
  Params params = {std::string(tenant_id), std::string(type), std::string(id)};
  if (subtree) {
    // Byte order on both engines ("C" collation on PostgreSQL): the subtree is one range.
    auto [low, high] = SubtreeRange(id);
    sql += " OR (" + column + "_id >= ? AND " + column + "_id < ?)";
    AddText(&params, low);
    AddText(&params, high);
  }
  sql += ")";
  return Run(tx, sql, params);
}

}  // namespace nexus::rebac::tuple_store
