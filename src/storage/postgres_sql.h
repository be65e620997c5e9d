// Internal to the PostgreSQL engine (exposed for its tests): translation of the engine's
// SQLite-style SQL to PostgreSQL's.
#ifndef NEXUS_STORAGE_POSTGRES_SQL_H_
#define NEXUS_STORAGE_POSTGRES_SQL_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus::storage {

struct PgSql {
  std::string text;  // the statement with $n placeholders
  int params = 0;    // the number of parameters it takes (the highest $n)
};

// Rewrites `?` placeholders to `$1..$n` and `?NNN` to `$NNN`, numbering a bare `?` one past
// the highest number so far, as SQLite does. A `?` inside a string literal ('...',
// E'...', $tag$...$tag$), a quoted identifier ("...") or a comment is left alone.
// kInvalidArgument for `?0` or a number above 65535 (the protocol's limit).
StatusOr<PgSql> RewritePlaceholders(std::string_view sql);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_POSTGRES_SQL_H_
