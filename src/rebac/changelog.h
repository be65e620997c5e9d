// The changelog (table rebac_changelog): one row per tuple or namespace change, numbered by
// a revision global to the database. Caches hold the revision they reflect and catch up by
// applying the rows after it.
//
// Old rows are purged, always the oldest first and never the latest (the next revision is
// the latest + 1), so the revisions kept are one unbroken range. A cache whose revision is
// below the oldest kept - 1 has missed purged rows and must reload instead of catching up.
//
// A revision is the previous maximum + 1, taken in the changing transaction: on PostgreSQL
// two writers that read the same maximum conflict and one is re-run (SERIALIZABLE), so
// revisions commit in order and a reader that sees revision R sees every row up to R.
#ifndef NEXUS_REBAC_CHANGELOG_H_
#define NEXUS_REBAC_CHANGELOG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebac/tuple.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::rebac {

enum class ChangeOp {
  kWrite,      // the tuple was inserted, or replaced (same key, new expiry or conditions)
  kDelete,     // the tuple was deleted
  kNamespace,  // the tenant's configuration of tuple.object.type changed
};

struct Change {
  int64_t revision = 0;
  ChangeOp op = ChangeOp::kWrite;
  Tuple tuple;  // for kNamespace only tenant_id and object.type are set
};

// The latest revision (0 when nothing was ever changed).
StatusOr<int64_t> ReadRevision(storage::Tx& tx);

struct RevisionRange {
  int64_t oldest = 0;  // the oldest revision kept; 0 when there is none
  int64_t latest = 0;  // as ReadRevision
};
StatusOr<RevisionRange> ReadRevisionRange(storage::Tx& tx);

// Deletes up to `limit` of the oldest rows, stopping at the first one written at or after
// `before` and before the latest row. Returns how many.
StatusOr<int64_t> PurgeChanges(storage::Tx& tx, int64_t before, int64_t limit);

// The changes of `tenant_id` after revision `after`, oldest first, at most `limit`.
StatusOr<std::vector<Change>> ReadChanges(storage::Tx& tx, std::string_view tenant_id,
                                          int64_t after, int64_t limit);

// Appends the changes of one write unit. Make one per run of the unit.
class ChangelogWriter {
 public:
  ChangelogWriter(storage::Tx& tx, int64_t now) : tx_(tx), now_(now) {}

  // Appends a change and returns its revision.
  StatusOr<int64_t> Append(ChangeOp op, const Tuple& tuple);

 private:
  storage::Tx& tx_;
  const int64_t now_;
  int64_t next_ = 0;  // 0 until the maximum has been read
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_CHANGELOG_H_
