// Parsed SKILL.md files, shared by every request, keyed by (path, etag).
//
// An etag is the hash of the content, so an entry is valid exactly as long as the file's
// etag is the one it was parsed from: a listing that finds the etags it knows reads no
// content at all, and an edited file is parsed again. Concurrent requests that miss on the
// same file wait for one read and one parse instead of each doing their own.
#ifndef NEXUS_SERVICES_SKILLS_SKILL_CACHE_H_
#define NEXUS_SERVICES_SKILLS_SKILL_CACHE_H_

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>

#include "services/skills/skill_metadata.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "vfs/path_tree.h"

namespace nexus::services {

// A parse outcome: the metadata, or why the file is not a valid skill.
using ParsedSkill = std::shared_ptr<const StatusOr<SkillMetadata>>;

class SkillParseCache {
 public:
  using Reader = std::function<StatusOr<vfs::FileContent>(const std::string& path)>;

  // The parse of the SKILL.md at `path` whose current etag is `etag`; calls `read` only when
  // no parse of that etag is known. Read failures, and exceptions thrown while reading or
  // parsing, are returned but not kept.
  ParsedSkill Get(const std::string& path, const std::string& etag, const Reader& read);

  // Parses done so far (for tests and metrics).
  int64_t parses() const { return parses_.load(); }

 private:
  struct Entry {
    std::string etag;
    std::shared_future<ParsedSkill> parsed;
  };
  // Bounds memory if skills come and go: past this, the cache starts over.
  static constexpr size_t kMaxEntries = 10000;

  void RememberLocked(const std::string& path, Entry entry) REQUIRES(mu_);
  // Reads and parses `path`, never throwing; sets `read_etag` to the etag of the content
  // parsed, or leaves it empty when nothing was (the outcome is not to be kept).
  ParsedSkill ReadAndParse(const std::string& path, const Reader& read, std::string& read_etag);

  Mutex mu_;
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);
  std::atomic<int64_t> parses_{0};
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILL_CACHE_H_
