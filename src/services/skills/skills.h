// Skills (domain.md §4, api.md §6.8): folders holding a SKILL.md, in three tiers per caller
// (services/skills/skill_tiers.h), discovered through the path tree and parsed once per content
// (services/skills/skill_cache.h).
//
// Everything is scoped to the caller: discovery lists only the SKILL.md files the caller may
// read, and writes go through the caller's write permission on the target path, so that a
// tenant's tier is written by its admins and the system tier by the system administrator.
#ifndef NEXUS_SERVICES_SKILLS_SKILLS_H_
#define NEXUS_SERVICES_SKILLS_SKILLS_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "services/skill_access.h"
#include "services/skills/skill_approvals.h"
#include "services/skills/skill_cache.h"
#include "services/skills/skill_tiers.h"
#include "services/skills/skill_zip.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct DiscoveredSkill {
  ParsedSkill parsed;  // ok() always: broken skills are not discovered
  SkillTier tier = SkillTier::kSystem;
  std::string file_path;  // the SKILL.md

  const SkillMetadata& meta() const { return parsed->value(); }
};

struct NewSkill {
  std::string name;
  std::string description;
  std::string body;
  std::optional<std::string> author;
  std::string metadata_json;  // extra front-matter keys, a JSON object or ""
};

struct ZipReport {
  bool valid = false;
  std::vector<std::string> skills_found;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

struct SearchHit {
  std::string skill_name;
  double score = 0;
};

class SkillService {
 public:
  SkillService(storage::Engine& engine, vfs::PathTree& tree) : tree_(tree), approvals_(engine) {}

  // The caller's skills, highest tier first; a name in a higher tier hides the same name
  // in lower ones. With `tier`, only that tier's.
  StatusOr<std::vector<DiscoveredSkill>> List(const SkillCaller& caller,
                                              std::optional<SkillTier> tier = {});
  // The skill `name` would resolve to for the caller; kValidation "Skill not found" if none.
  StatusOr<DiscoveredSkill> Find(const SkillCaller& caller, const std::string& name);
  // `name`'s dependencies, dependencies first, ending with `name`.
  StatusOr<std::vector<std::string>> Dependencies(const SkillCaller& caller,
                                                  const std::string& name);

  // Writes skill `name` (relative path -> content, with a "SKILL.md" whose name is `name`)
  // into `tier`, with the caller as its writer and owner. An existing skill is
  // kAlreadyExists unless `allow_overwrite`, which replaces its files. Returns the folder.
  StatusOr<std::string> Install(const SkillCaller& caller, SkillTier tier, const std::string& name,
                                const SkillFiles& files, bool allow_overwrite);
  // Installs every skill of a package; checks all of them before writing any. Returns the
  // names, in the package's order.
  StatusOr<std::vector<std::string>> Import(const SkillCaller& caller, SkillTier tier,
                                            std::string_view zip, bool allow_overwrite);
  // What Import would find wrong with a package, without writing anything.
  ZipReport ValidateZip(std::string_view zip);
  // A package of the skill (and, with `include_dependencies`, of what it requires).
  // `format` is "generic" or "claude".
  StatusOr<std::string> Export(const SkillCaller& caller, const std::string& name,
                               const std::string& format, bool include_dependencies);

  // A new skill from `skill` (its front matter gets version 1.0.0 and creation times).
  // Returns the SKILL.md path.
  StatusOr<std::string> Create(const SkillCaller& caller, SkillTier tier, const NewSkill& skill);
  // A new skill from an uploaded file named `source`: Markdown or text (with or without its
  // own front matter). Formats that need a document parser are kValidation naming it.
  // Returns the SKILL.md path and fills `skill.name`.
  StatusOr<std::string> CreateFromFile(const SkillCaller& caller, SkillTier tier,
                                       const std::string& source, std::string_view data,
                                       NewSkill& skill);
  // Copies `source` (as the caller resolves it) to `target` in `tier`. Returns the new
  // SKILL.md path.
  StatusOr<std::string> Fork(const SkillCaller& caller, const std::string& source,
                             const std::string& target, SkillTier tier,
                             const std::optional<std::string>& author);
  // Copies the skill of `from` to the broader tier `to`, replacing an older copy there.
  StatusOr<std::string> Publish(const SkillCaller& caller, const std::string& name, SkillTier from,
                                SkillTier to);

  // Matching skills, best first (services/skills/skill_search.h), at most `limit`.
  StatusOr<std::vector<SearchHit>> Search(const SkillCaller& caller, const std::string& query,
                                          std::optional<SkillTier> tier, int64_t limit);

  SkillApprovals& approvals() { return approvals_; }
  int64_t parses() const { return cache_.parses(); }

 private:
  // The files of a discovered skill the caller may read: relative path -> content.
  StatusOr<SkillFiles> ReadFiles(const SkillCaller& caller, const DiscoveredSkill& skill);
  // Checks a skill's files against the rules and the caller's rights, before any write.
  Status CheckInstall(const SkillCaller& caller, const std::string& dir, const std::string& name,
                      const SkillFiles& files, bool allow_overwrite);
  // A skill's folder and the files it is to hold.
  struct SkillWrite {
    std::string dir;
    const SkillFiles* files;
  };
  // Makes every folder hold exactly its files (changed ones as new versions, others deleted),
  // all in one write unit: a failure leaves every skill as it was. Without
  // `allow_overwrite`, kAlreadyExists when one of the folders exists by then.
  Status WriteSkills(const SkillCaller& caller, const std::vector<SkillWrite>& writes,
                     bool allow_overwrite);
  // Stores the content of `write` and appends the changes that install it.
  Status AppendChanges(const SkillWrite& write, std::vector<vfs::TreeChange>& changes);

  vfs::PathTree& tree_;
  SkillParseCache cache_;
  SkillApprovals approvals_;
};

// Migration 7, skill_approvals: generated from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> SkillsSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_SKILLS_SKILLS_H_
