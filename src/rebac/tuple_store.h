// The rows of table rebac_tuples: the SQL, and nothing else (no validation, no changelog).
// Every function runs on a Tx inside the caller's unit.
#ifndef NEXUS_REBAC_TUPLE_STORE_H_
#define NEXUS_REBAC_TUPLE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebac/tuple.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::rebac::tuple_store {

// The tuple with this tenant, object, relation and subject, live or not.
StatusOr<std::optional<Tuple>> FindByKey(storage::Tx& tx, const Tuple& key);

// The tuple with this id in this tenant, live or not.
StatusOr<std::optional<Tuple>> FindById(storage::Tx& tx, std::string_view tenant_id,
                                        std::string_view tuple_id);

Status Insert(storage::Tx& tx, const Tuple& tuple);
// Sets expires_at and conditions of the tuple with tuple.tuple_id.
Status UpdateAttributes(storage::Tx& tx, const Tuple& tuple);
// Sets object_id and subject_id of the tuple with tuple.tuple_id.
Status UpdateIds(storage::Tx& tx, const Tuple& tuple);
Status Delete(storage::Tx& tx, std::string_view tuple_id);

// Tuples matching `filter`, ordered by creation; live ones only unless
// filter.include_expired. limit and offset apply.
StatusOr<std::vector<Tuple>> Select(storage::Tx& tx, std::string_view tenant_id,
                                    const TupleFilter& filter, int64_t now);

// Up to `limit` tuples of any tenant that expired before `now`, earliest expiry first.
StatusOr<std::vector<Tuple>> SelectExpired(storage::Tx& tx, int64_t now, int64_t limit);

// Every live tuple of the tenant (to build its graph).
StatusOr<std::vector<Tuple>> SelectLive(storage::Tx& tx, std::string_view tenant_id, int64_t now);

// Tuples whose object (or subject, when `subjects`) has type `type` and id `id` or, when
// `subtree`, an id below `id` as a path ("/a" -> "/a/..."). Expired ones included.
StatusOr<std::vector<Tuple>> SelectById(storage::Tx& tx, std::string_view tenant_id,
                                        std::string_view type, std::string_view id, bool subtree,
                                        bool subjects);

}  // namespace nexus::rebac::tuple_store

#endif  // NEXUS_REBAC_TUPLE_STORE_H_
