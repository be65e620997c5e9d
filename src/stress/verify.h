// Checks a journal of acknowledged writes against a server: every recorded version still
// holds exactly the recorded content (get_version), and each path's current version is the
// last recorded one or newer (a write the server committed but could not acknowledge before
// it died may follow it).
#ifndef NEXUS_STRESS_VERIFY_H_
#define NEXUS_STRESS_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stress/journal.h"
#include "stress/worker.h"

namespace nexus::stress {

struct VerifyReport {
  int64_t versions_checked = 0;
  int64_t paths_checked = 0;
  int64_t lost = 0;    // a recorded version, or a path, that is gone
  int64_t wrong = 0;   // present with other content, an older version, or another etag
  int64_t errors = 0;  // the check itself failed: transport, 5xx, an unexpected error code
  std::vector<std::string> problems;  // the first few, for the report

  bool ok() const { return lost == 0 && wrong == 0 && errors == 0; }
  std::string Summary() const;
};

VerifyReport VerifyJournal(const ClientConfig& config, const std::vector<JournalEntry>& entries,
                           int threads);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_VERIFY_H_
