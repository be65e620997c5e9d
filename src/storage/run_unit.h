// How both engines call a unit: one that throws (a bug, or a row no code expected) yields
// kInternal like any failed unit, so its transaction is rolled back and the connection, or
// SQLite's writer thread, goes on serving other units instead of the exception ending it.
#ifndef NEXUS_STORAGE_RUN_UNIT_H_
#define NEXUS_STORAGE_RUN_UNIT_H_

#include <string_view>

#include "storage/engine.h"
#include "util/status.h"

namespace nexus::storage {

// `kind` ("read" or "write") names the unit in the error message.
Status RunUnit(const Unit& unit, Tx& tx, std::string_view kind);

// Called by an engine's Write() on the caller's thread once a unit that changed rows has
// committed (a unit that only read counts for nothing).
void CountCommittedWrite();

// While one lives on a thread, the units it commits are not counted: they store what a
// resend would store again (a blob under its hash), so they leave a call safe to resend.
class ResendSafeWrites {
 public:
  ResendSafeWrites();
  ~ResendSafeWrites();
  ResendSafeWrites(const ResendSafeWrites&) = delete;
  ResendSafeWrites& operator=(const ResendSafeWrites&) = delete;
};

// PostgreSQL runs a unit on the calling thread: its Tx notes there that a statement changed
// rows, and Write() takes the note (which clears it).
void NoteRowsChangedByThisThread();
bool TakeRowsChangedByThisThread();

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_RUN_UNIT_H_
