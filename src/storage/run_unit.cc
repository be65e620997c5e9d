#include "storage/run_unit.h"

#include <exception>
#include <string>
#include <utility>

namespace nexus::storage {

namespace {
thread_local int64_t committed_writes_of_this_thread = 0;
thread_local bool rows_changed_by_this_thread = false;
thread_local int resend_safe_depth = 0;
}  // namespace

void CountCommittedWrite() {
  if (resend_safe_depth == 0) ++committed_writes_of_this_thread;
}

ResendSafeWrites::ResendSafeWrites() { ++resend_safe_depth; }

ResendSafeWrites::~ResendSafeWrites() { --resend_safe_depth; }

void NoteRowsChangedByThisThread() { rows_changed_by_this_thread = true; }

bool TakeRowsChangedByThisThread() { return std::exchange(rows_changed_by_this_thread, false); }

int64_t WriteUnitsCommittedByThisThread() { return committed_writes_of_this_thread; }

Status RunUnit(const Unit& unit, Tx& tx, std::string_view kind) {
  const std::string what = "exception in " + std::string(kind) + " unit";
  try {
    return unit(tx);
  } catch (const std::exception& e) {
    return Internal(what + ": " + e.what());
  } catch (...) {
    return Internal(what);
  }
}

}  // namespace nexus::storage
