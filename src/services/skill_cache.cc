#include "services/skill_cache.h"

#include <iostream>

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
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = entries_.find(path);
    if (it != entries_.end() && it->second.etag == etag) {
      known = it->second.parsed;
    } else {
      RememberLocked(path, Entry{etag, promise.get_future().share()});
    }
  }
  if (known.valid()) return known.get();
  StatusOr<vfs::FileContent> content = read(path);
  if (!content.ok()) {
    ParsedSkill failed = std::make_shared<const StatusOr<SkillMetadata>>(content.status());
    promise.set_value(failed);
    std::lock_guard<std::mutex> lock(mu_);
    if (const auto it = entries_.find(path); it != entries_.end() && it->second.etag == etag)
      entries_.erase(it);
    return failed;
  }
  ++parses_;
  const std::string folder(BaseName(ParentPath(path)));
  ParsedSkill parsed =
      std::make_shared<const StatusOr<SkillMetadata>>(ParseSkillMd(path, folder, content->content));
  if (!parsed->ok()) std::cerr << "nexus: skipping skill: " << parsed->status().message() << "\n";
  promise.set_value(parsed);
  // The file changed between listing and reading: what was read is the newer parse.
  if (content->info.etag != etag) {
    std::promise<ParsedSkill> newer;
    newer.set_value(parsed);
    std::lock_guard<std::mutex> lock(mu_);
    RememberLocked(path, Entry{content->info.etag, newer.get_future().share()});
  }
  return parsed;
}

}  // namespace nexus::services
