// Reading query results into records: one loop for every table's FromRow.
#ifndef NEXUS_STORAGE_ROWS_H_
#define NEXUS_STORAGE_ROWS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "storage/engine.h"

namespace nexus::storage {

// Inside a unit: the rows of `sql`, each made into a T by `from_row`.
template <class T>
StatusOr<std::vector<T>> QueryAll(Tx& tx, std::string_view sql, const Params& params,
                                  T (*from_row)(const Row&)) {
  ASSIGN_OR_RETURN(const Rows rows, tx.Query(sql, params));
  std::vector<T> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

// QueryAll in a read unit of its own.
template <class T>
StatusOr<std::vector<T>> ReadAll(Engine& engine, std::string_view sql, const Params& params,
                                 T (*from_row)(const Row&)) {
  std::vector<T> out;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out, QueryAll(tx, sql, params, from_row));
    return Status::OK();
  }));
  return out;
}

// Inside a unit: the first row of `sql` made into a T by `from_row`; nothing when there is
// no row.
template <class T>
StatusOr<std::optional<T>> QueryFirst(Tx& tx, std::string_view sql, const Params& params,
                                      T (*from_row)(const Row&)) {
  ASSIGN_OR_RETURN(const Rows rows, tx.Query(sql, params));
  if (rows.empty()) return std::optional<T>();
  return std::optional<T>(from_row(rows[0]));
}

// QueryFirst in a read unit of its own.
template <class T>
StatusOr<std::optional<T>> ReadFirst(Engine& engine, std::string_view sql, const Params& params,
                                     T (*from_row)(const Row&)) {
  std::optional<T> out;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out, QueryFirst(tx, sql, params, from_row));
    return Status::OK();
  }));
  return out;
}

// Whether `sql` yields a row, in a read unit of its own: a cheap look before a write unit
// that would otherwise commit (and sync) to find nothing.
inline StatusOr<bool> Exists(Engine& engine, std::string_view sql, const Params& params) {
  bool any = false;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Rows rows, tx.Query(sql, params));
    any = !rows.empty();
    return Status::OK();
  }));
  return any;
}

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_ROWS_H_
