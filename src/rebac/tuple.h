// Relationship tuples as stored, written, filtered and listed.
//
// A tuple says: `subject` has `relation` on `object`, within one tenant. Times are integer
// microseconds since the epoch (UTC). A tuple is live while now <= expires_at (or it has no
// expiry); expired tuples are ignored by checks, expansions and listings.
#ifndef NEXUS_REBAC_TUPLE_H_
#define NEXUS_REBAC_TUPLE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "rebac/refs.h"

namespace nexus::rebac {

struct Tuple {
  std::string tuple_id;  // uuid4
  std::string tenant_id;
  ObjectRef object;
  std::string relation;
  SubjectRef subject;
  std::optional<int64_t> expires_at;
  std::optional<std::string> conditions;  // opaque JSON text: stored and returned, not evaluated
  int64_t created_at = 0;
};

struct TupleWrite {
  std::string tenant_id;
  SubjectRef subject;
  std::string relation;  // a direct relation of the object's type
  ObjectRef object;
  std::optional<int64_t> expires_at;      // must not be in the past
  std::optional<std::string> conditions;  // must be valid JSON when given
  // The tenants the caller says the subject and object belong to; empty means tenant_id.
  // A tuple never spans tenants: any other value is refused.
  std::string subject_tenant;
  std::string object_tenant;
};

struct WriteResult {
  std::string tuple_id;
  // False when an identical live tuple (same expiry and conditions) already existed: its id
  // is returned and nothing changed.
  bool changed = false;
  int64_t revision = 0;  // the revision of the change; 0 when nothing changed
};

// Equality filters; an absent field matches everything. A subject without relation matches
// the subject's type and id whatever its relation (usersets included).
struct TupleFilter {
  std::optional<SubjectRef> subject;
  std::optional<std::string> relation;
  std::optional<ObjectRef> object;
  bool include_expired = false;  // listings only
  int64_t limit = 0;             // listings only; 0 = no limit
  int64_t offset = 0;            // listings only
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_TUPLE_H_
