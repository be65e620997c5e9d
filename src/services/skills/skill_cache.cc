#include "services/skills/skill_cache.h"

#include <iostream>

#include "util/mutex.h"
#include "util/path.h"

namespace nexus::services {

void SkillParseCache::RememberLocked(const std::string& path, Entry entry) {
  if (entries_.size() >= kMaxEntries && !entries_.contains(path)) entries_.clear();
  entries_[path] = std::move(entry);
}

ParsedSkill SkillParseCache::Get(const std::string& path, const std::string& etag,
                                 const Reader& read) {
  std::promise<ParsedSkill> promise;
  std::shared_future<ParsedSkill> known;
  {
    MutexLock lock(&mu_);
    const auto it = entries_.find(path);
    if (it != entries_.end() && it->second.etag == etag) {
      known = it->second.parsed;
    } else {
      RememberLocked(path, Entry{etag, promise.get_future().share()});
    }
  }
  if (known.valid()) return known.get();
  std::string read_etag;
  ParsedSkill parsed = ReadAndParse(path, read, read_etag);
  // Waiters are answered whatever happened: a promise left unset would fail them, and every
  // later request for this etag, with broken_promise.
  promise.set_value(parsed);
  MutexLock lock(&mu_);
  if (read_etag.empty()) {  // a failed read is not the content's fault: try again next time
    if (const auto it = entries_.find(path); it != entries_.end() && it->second.etag == etag)
      entries_.erase(it);
  } else if (read_etag != etag) {
    // The file changed between listing and reading: what was read is the newer parse.
    std::promise<ParsedSkill> newer;
    newer.set_value(parsed);
    RememberLocked(path, Entry{read_etag, newer.get_future().share()});
  }
  return parsed;
}

ParsedSkill SkillParseCache::ReadAndParse(const std::string& path, const Reader& read,
                                          std::string& read_etag) {
  const auto outcome = [](StatusOr<SkillMetadata> s) {
    return std::make_shared<const StatusOr<SkillMetadata>>(std::move(s));
  };
  try {
    StatusOr<vfs::FileContent> content = read(path);
    if (!content.ok()) return outcome(content.status());
    ++parses_;
    const std::string folder(BaseName(ParentPath(path)));
    ParsedSkill parsed = outcome(ParseSkillMd(path, folder, content->content));
    if (!parsed->ok()) std::cerr << "nexus: skipping skill: " << parsed->status().message() << "\n";
    read_etag = content->info.etag;
    return parsed;
  } catch (const std::exception& e) {
    return outcome(Internal("cannot parse skill " + path + ": " + e.what()));
  }
}

}  // namespace nexus::services
