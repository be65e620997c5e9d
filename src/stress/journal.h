// The journal of acknowledged writes: one JSON object per line,
// {"path":..., "version":..., "etag":..., "sha256":...}, appended as soon as the server has
// answered a write with its result. A later run (--verify, or the crash test after a
// restart) checks that every line is still true.
#ifndef NEXUS_STRESS_JOURNAL_H_
#define NEXUS_STRESS_JOURNAL_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::stress {

struct JournalEntry {
  std::string path;
  int64_t version = 0;
  std::string etag;
  std::string sha256;  // of the content written

  bool operator==(const JournalEntry&) const = default;
};

std::string JournalLine(const JournalEntry& entry);  // without the newline
StatusOr<JournalEntry> ParseJournalLine(std::string_view line);

// Reads every line of `path`; an empty file is an empty journal.
StatusOr<std::vector<JournalEntry>> ReadJournal(const std::string& path);

// The entry with the highest version of each path.
std::vector<JournalEntry> LatestPerPath(const std::vector<JournalEntry>& entries);

// Appends to a journal file from many client threads.
class JournalWriter {
 public:
  // Opens `path` for appending (creating it).
  static StatusOr<std::unique_ptr<JournalWriter>> Open(const std::string& path);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Flushed to the kernel before it returns, so the line survives the tool being killed.
  Status Append(const JournalEntry& entry);

 private:
  explicit JournalWriter(std::FILE* file) : file_(file) {}

  Mutex mu_;
  std::FILE* file_ GUARDED_BY(mu_);
};

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_JOURNAL_H_
