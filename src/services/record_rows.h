// Nullable columns of the memory, trajectory and playbook rows, read as optionals (the
// counterpart of storage::OptionalValue when binding).
#ifndef NEXUS_SERVICES_RECORD_ROWS_H_
#define NEXUS_SERVICES_RECORD_ROWS_H_

#include <optional>
#include <string>

#include "storage/value.h"

namespace nexus::services {

inline std::optional<std::string> OptText(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<std::string>(r.Text(i));
}

inline std::optional<double> OptReal(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<double>(r.Real(i));
}

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_RECORD_ROWS_H_
