// Tuple mutations on a caller's Tx: validation against the tenant's namespaces, the row
// changes and their changelog rows, all in the caller's transaction. The unit may be re-run
// (PostgreSQL retries), so these keep no state outside the Tx.
#ifndef NEXUS_REBAC_TUPLE_WRITES_H_
#define NEXUS_REBAC_TUPLE_WRITES_H_

#include <cstdint>
#include <string_view>

#include "rebac/tuple.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::rebac::tuple_writes {

// See Rebac::WriteTuple.
StatusOr<WriteResult> Write(storage::Tx& tx, const TupleWrite& write, int64_t now);

// Deletes the tuple; false when the tenant has no tuple with this id.
StatusOr<bool> Delete(storage::Tx& tx, std::string_view tenant_id, std::string_view tuple_id,
                      int64_t now);

// Deletes every tuple (expired ones too) matching the filter's subject, relation and
// object; at least one must be set. Returns how many.
StatusOr<int64_t> DeleteMatching(storage::Tx& tx, std::string_view tenant_id,
                                 const TupleFilter& filter, int64_t now);

// Deletes up to `limit` tuples, of every tenant, that expired before `now`. Each deletion
// is logged like any other, so graphs in memory drop the tuple too. Returns how many.
StatusOr<int64_t> DeleteExpired(storage::Tx& tx, int64_t now, int64_t limit);

// Renames object and subject ids of type `type` from `old_id` to `new_id`; for files also
// every id below old_id ("/old/x" -> "/new/x"). A tuple already at a new key is replaced.
// Returns how many tuples moved.
StatusOr<int64_t> RenameObjects(storage::Tx& tx, std::string_view tenant_id, std::string_view type,
                                std::string_view old_id, std::string_view new_id, int64_t now);

// Deletes the tuples whose object is (type, id) or, for files, below it. Returns how many.
StatusOr<int64_t> RemoveObjects(storage::Tx& tx, std::string_view tenant_id, std::string_view type,
                                std::string_view id, int64_t now);

}  // namespace nexus::rebac::tuple_writes

#endif  // NEXUS_REBAC_TUPLE_WRITES_H_
