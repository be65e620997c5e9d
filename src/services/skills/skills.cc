#include "services/skills/skills.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "services/skills/skill_dependencies.h"
#include "services/skills/skill_search.h"
#include "util/ascii.h"
#include "util/clock.h"
#include "util/path.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

constexpr char kFirstVersion[] = "1.0.0";
// Times an install is tried again when content it stored was swept before the batch ran.
constexpr int kMaxAttempts = 4;

vfs::Actor ActorOf(const SkillCaller& caller) {
  const auth::Identity& id = caller.identity;
  return vfs::Actor{id.user_id.empty() ? id.subject_id : id.user_id};
}

std::string SkillDir(const SkillCaller& caller, SkillTier tier, const std::string& name) {
  return SkillTierDir(caller.identity, tier) + "/" + name;
}

Status SkillExists(const std::string& dir) {
  return AlreadyExists("Skill '" + std::string(BaseName(dir)) + "' already exists at " + dir + "/");
}

Status NotFoundSkill(const std::string& name) {
  return Status(Code::kValidation, "Skill not found: " + name);
}

// `extra_json` (a JSON object, or "") with `key` set to `value`.
std::string WithExtra(const std::string& extra_json, const std::string& key,
                      const std::string& value) {
  Json extra = extra_json.empty() ? Json::object() : Json::parse(extra_json);
  extra[key] = value;
  return extra.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The extension of the file a `source` (a file name, path or URL) names, lower-case.
std::string Extension(const std::string& source) {
  const std::string base = source.substr(source.find_last_of('/') + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos ? "" : AsciiLower(base.substr(dot + 1));
}

// A skill name made of a source's file name: invalid characters become '-'.
std::string NameFromSource(const std::string& source) {
  std::string stem = source.substr(source.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find_last_of('.'));
  for (char& c : stem) {
    if (!IsValidSkillName(std::string_view(&c, 1))) c = '-';
  }
  return stem.empty() ? "skill" : stem.substr(0, 255);
}

// The first line of prose of a Markdown text, for a description nobody gave.
std::string FirstProse(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() &&
           (line.front() == '#' || std::isspace(static_cast<unsigned char>(line.front())))) {
      line.remove_prefix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (!line.empty() && line != "---") return std::string(line.substr(0, 200));
  }
  return "";
}

// Which parser a document format would need; empty for formats read as text.
std::string ParserNeeded(const std::string& ext) {
  if (ext.empty() || ext == "md" || ext == "markdown" || ext == "txt" || ext == "text") return "";
  if (ext == "pdf") return "a PDF parser";
  if (ext == "docx" || ext == "doc") return "a Word document parser";
  if (ext == "pptx" || ext == "ppt") return "a PowerPoint parser";
  if (ext == "xlsx" || ext == "xls" || ext == "csv") return "a spreadsheet parser";
  if (ext == "html" || ext == "htm") return "an HTML converter";
  return "a parser for ." + ext + " files";
}

}  // namespace

StatusOr<std::vector<DiscoveredSkill>> SkillService::List(const SkillCaller& caller,
                                                          std::optional<SkillTier> tier) {
  std::vector<DiscoveredSkill> out;
  std::set<std::string> seen;
  const SkillParseCache::Reader read = [this](const std::string& path) { return tree_.Read(path); };
  for (const SkillTier t : kTiersByPriority) {
    if (tier && *tier != t) continue;
    const std::string dir = SkillTierDir(caller.identity, t);
    vfs::ListOptions options;
    options.recursive = true;
    StatusOr<vfs::ListPage> page = tree_.List(dir, options);
    if (!page.ok() &&
        (page.status().code() == Code::kNotFound || page.status().code() == Code::kNotADirectory)) {
      continue;
    }
    if (!page.ok()) return page.status();
    std::vector<const vfs::FileInfo*> candidates;
    std::vector<std::string> paths;
    for (const vfs::FileInfo& f : page->entries) {
      if (f.is_directory || BaseName(f.path) != kSkillFile ||
          ParentPath(ParentPath(f.path)) != dir) {
        continue;
      }
      candidates.push_back(&f);
      paths.push_back(f.path);
    }
    ASSIGN_OR_RETURN(const std::vector<bool> readable, caller.access.Readable(paths));
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (!readable[i]) continue;
      ParsedSkill parsed = cache_.Get(candidates[i]->path, candidates[i]->etag, read);
      if (!parsed->ok()) {
        if (parsed->status().code() != Code::kValidation)  // parse failures are logged once
          std::cerr << "nexus: cannot read skill " << paths[i] << ": "
                    << parsed->status().ToString() << "\n";
        continue;
      }
      if (!seen.insert((*parsed)->name).second) continue;
      out.push_back(DiscoveredSkill{std::move(parsed), t, paths[i]});
    }
  }
  return out;
}

StatusOr<DiscoveredSkill> SkillService::Find(const SkillCaller& caller, const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<DiscoveredSkill> all, List(caller));
  for (DiscoveredSkill& s : all) {
    if (s.meta().name == name) return std::move(s);
  }
  return NotFoundSkill(name);
}

StatusOr<std::vector<std::string>> SkillService::Dependencies(const SkillCaller& caller,
                                                              const std::string& name) {
  ASSIGN_OR_RETURN(const std::vector<DiscoveredSkill> all, List(caller));
  return ResolveDependencies(name, [&all](const std::string& n) {
    for (const DiscoveredSkill& s : all) {
      if (s.meta().name == n) return &s.meta().requires_;
    }
    return static_cast<const std::vector<std::string>*>(nullptr);
  });
}

Status SkillService::CheckInstall(const SkillCaller& caller, const std::string& dir,
                                  const std::string& name, const SkillFiles& files,
                                  bool allow_overwrite) {
  if (!IsValidSkillName(name))
    return Status(Code::kValidation, "Skill name must match ^[A-Za-z0-9_-]+$, got '" + name + "'");
  const auto skill_md = files.find(kSkillFile);
  if (skill_md == files.end())
    return Status(Code::kValidation, "Skill '" + name + "' has no " + kSkillFile);
  RETURN_IF_ERROR(ParseSkillMd(name + "/" + kSkillFile, name, skill_md->second).status());
  for (const auto& [rel, content] : files) {
    const std::string path = JoinPath(dir, rel);
    StatusOr<std::string> normal = NormalizeFilePath(path);
    if (rel.empty() || rel.front() == '/' || !normal.ok() || *normal != path)
      return Status(Code::kValidation,
                    "Skill '" + name + "' has an invalid file path '" + rel + "'");
    const auto below = files.lower_bound(rel + "/");
    if (below != files.end() && below->first.starts_with(rel + "/")) {
      return Status(Code::kValidation, "Skill '" + name + "' has '" + rel +
                                           "' both as a file and as the folder of '" +
                                           below->first + "'");
    }
  }
  RETURN_IF_ERROR(caller.access.CheckWrite(dir));
  ASSIGN_OR_RETURN(const bool exists, tree_.Exists(dir));
  return exists && !allow_overwrite ? SkillExists(dir) : Status::OK();
}

Status SkillService::AppendChanges(const SkillWrite& write, std::vector<vfs::TreeChange>& changes) {
  for (const auto& [rel, content] : *write.files) {
    ASSIGN_OR_RETURN(const std::string hash, tree_.StoreContent(content));
    changes.push_back({vfs::TreeChange::Kind::kWrite, JoinPath(write.dir, rel), hash,
                       static_cast<int64_t>(content.size())});
  }
  vfs::ListOptions options;
  options.recursive = true;
  StatusOr<vfs::ListPage> page = tree_.List(write.dir, options);
  // Nothing to replace; a file in the folder's place fails the batch when it writes there.
  if (!page.ok() &&
      (page.status().code() == Code::kNotFound || page.status().code() == Code::kNotADirectory)) {
    return Status::OK();
  }
  if (!page.ok()) return page.status();
  for (const vfs::FileInfo& f : page->entries) {
    // Left over from the replaced version.
    if (!f.is_directory && !write.files->contains(f.path.substr(write.dir.size() + 1)))
      changes.push_back({vfs::TreeChange::Kind::kDelete, f.path, "", 0});
  }
  return Status::OK();
}

Status SkillService::WriteSkills(const SkillCaller& caller, const std::vector<SkillWrite>& writes,
                                 bool allow_overwrite) {
  // CheckInstall looked before the unit: a concurrent writer of the same name may have
  // created the skill since, and only one of them may.
  vfs::BatchPrecondition still_absent;
  if (!allow_overwrite) {
    still_absent = [&writes](storage::Tx& tx) -> Status {
      for (const SkillWrite& write : writes) {
        ASSIGN_OR_RETURN(const bool exists, vfs::ExistsInUnit(tx, write.dir));
        if (exists) return SkillExists(write.dir);
      }
      return Status::OK();
    };
  }
  for (int attempt = 0;; ++attempt) {
    std::vector<vfs::TreeChange> changes;
    for (const SkillWrite& write : writes) RETURN_IF_ERROR(AppendChanges(write, changes));
    const Status s = tree_.ApplyBatch(ActorOf(caller), changes, {}, still_absent).status();
    if (s.code() != Code::kRetry || attempt + 1 >= kMaxAttempts) return s;
  }
}

StatusOr<std::string> SkillService::Install(const SkillCaller& caller, SkillTier tier,
                                            const std::string& name, const SkillFiles& files,
                                            bool allow_overwrite) {
  const std::string dir = SkillDir(caller, tier, name);
  RETURN_IF_ERROR(CheckInstall(caller, dir, name, files, allow_overwrite));
  RETURN_IF_ERROR(WriteSkills(caller, {SkillWrite{dir, &files}}, allow_overwrite));
  return dir;
}

StatusOr<std::vector<std::string>> SkillService::Import(const SkillCaller& caller, SkillTier tier,
                                                        std::string_view zip,
                                                        bool allow_overwrite) {
  ASSIGN_OR_RETURN(const auto skills, ReadSkillZip(zip));
  if (skills.empty()) return Status(Code::kValidation, "Invalid skill package: no skills found");
  std::vector<std::string> names;
  std::vector<SkillWrite> writes;
  for (const auto& [name, files] : skills) {
    const std::string dir = SkillDir(caller, tier, name);
    RETURN_IF_ERROR(CheckInstall(caller, dir, name, files, allow_overwrite));
    names.push_back(name);
    writes.push_back(SkillWrite{dir, &files});
  }
  RETURN_IF_ERROR(WriteSkills(caller, writes, allow_overwrite));
  return names;
}

ZipReport SkillService::ValidateZip(std::string_view zip) {
  ZipReport report;
  StatusOr<std::map<std::string, SkillFiles>> skills = ReadSkillZip(zip);
  if (!skills.ok()) {
    report.errors.push_back(skills.status().message());
    return report;
  }
  for (const auto& [name, files] : *skills) {
    report.skills_found.push_back(name);
    const auto skill_md = files.find(kSkillFile);
    if (skill_md == files.end()) {
      report.errors.push_back(name + "/: no " + kSkillFile);
      continue;
    }
    StatusOr<SkillMetadata> meta = ParseSkillMd(name + "/" + kSkillFile, name, skill_md->second);
    if (!meta.ok()) {
      report.errors.push_back(meta.status().message());
      continue;
    }
    if (FirstProse(meta->body).empty()) report.warnings.push_back(name + "/SKILL.md has no body");
    if (!meta->version) report.warnings.push_back(name + "/SKILL.md has no version");
  }
  if (skills->empty()) report.errors.push_back("no skills found: expected <name>/SKILL.md");
  report.valid = report.errors.empty();
  return report;
}

StatusOr<SkillFiles> SkillService::ReadFiles(const SkillCaller& caller,
                                             const DiscoveredSkill& skill) {
  const std::string dir(ParentPath(skill.file_path));
  vfs::ListOptions options;
  options.recursive = true;
  ASSIGN_OR_RETURN(const vfs::ListPage page, tree_.List(dir, options));
  SkillFiles files;
  for (const vfs::FileInfo& f : page.entries) {
    if (f.is_directory) continue;
    RETURN_IF_ERROR(caller.access.CheckRead(f.path));
    ASSIGN_OR_RETURN(vfs::FileContent content, tree_.Read(f.path));
    files.emplace(f.path.substr(dir.size() + 1), std::move(content.content));
  }
  return files;
}

StatusOr<std::string> SkillService::Export(const SkillCaller& caller, const std::string& name,
                                           const std::string& format, bool include_dependencies) {
  if (format != "generic" && format != "claude")
    return Status(Code::kValidation, "Unknown export format '" + format + "': generic or claude");
  std::vector<std::string> names = {name};
  if (include_dependencies) {
    ASSIGN_OR_RETURN(names, Dependencies(caller, name));
  }
  std::vector<ZipEntry> entries;
  for (const std::string& n : names) {
    ASSIGN_OR_RETURN(const DiscoveredSkill skill, Find(caller, n));
    ASSIGN_OR_RETURN(const SkillFiles files, ReadFiles(caller, skill));
    for (const auto& [rel, content] : files) entries.push_back(ZipEntry{n + "/" + rel, content});
  }
  return WriteZip(entries);
}

StatusOr<std::string> SkillService::Create(const SkillCaller& caller, SkillTier tier,
                                           const NewSkill& skill) {
  const std::string now = FormatIsoMicros(NowMicros());
  const SkillMetadata meta{skill.name, skill.description, kFirstVersion, skill.author, {}, now, now,
                           "",         skill.body};
  ASSIGN_OR_RETURN(const std::string content, RenderSkillMd(meta, skill.metadata_json));
  ASSIGN_OR_RETURN(const std::string dir,
                   Install(caller, tier, skill.name, {{kSkillFile, content}}, false));
  return dir + "/" + kSkillFile;
}

StatusOr<std::string> SkillService::CreateFromFile(const SkillCaller& caller, SkillTier tier,
                                                   const std::string& source, std::string_view data,
                                                   NewSkill& skill) {
  const std::string parser = ParserNeeded(Extension(source));
  if (!parser.empty()) {
    return Status(Code::kValidation, "Cannot create a skill from '" + source + "': it needs " +
                                         parser +
                                         ", which this server does not include; send the "
                                         "content as Markdown or plain text");
  }
  if (data.empty()) return Status(Code::kValidation, "file_data is empty");
  if (!IsValidUtf8(data))
    return Status(Code::kValidation, "file_data of '" + source + "' is not UTF-8 text");
  std::string extra = skill.metadata_json;
  if (data.starts_with("---")) {  // a SKILL.md of its own: its fields are the defaults
    ASSIGN_OR_RETURN(const SkillMetadata own, ParseSkillMd(source, "", data));
    if (skill.name.empty()) skill.name = own.name;
    if (skill.description.empty()) skill.description = own.description;
    if (!skill.author) skill.author = own.author;
    skill.body = own.body;
    extra = own.metadata_json;
  } else {
    if (skill.name.empty()) skill.name = NameFromSource(source);
    if (skill.description.empty()) skill.description = FirstProse(data);
    if (skill.description.empty()) skill.description = "Skill created from " + source;
    skill.body = std::string(data);
  }
  skill.metadata_json = WithExtra(extra, "source", source);
  return Create(caller, tier, skill);
}

StatusOr<std::string> SkillService::Fork(const SkillCaller& caller, const std::string& source,
                                         const std::string& target, SkillTier tier,
                                         const std::optional<std::string>& author) {
  ASSIGN_OR_RETURN(const DiscoveredSkill skill, Find(caller, source));
  ASSIGN_OR_RETURN(SkillFiles files, ReadFiles(caller, skill));
  SkillMetadata meta = skill.meta();
  meta.name = target;
  if (author) meta.author = author;
  meta.created_at = meta.modified_at = FormatIsoMicros(NowMicros());
  ASSIGN_OR_RETURN(files[kSkillFile],
                   RenderSkillMd(meta, WithExtra(meta.metadata_json, "forked_from", source)));
  ASSIGN_OR_RETURN(const std::string dir, Install(caller, tier, target, files, false));
  return dir + "/" + kSkillFile;
}

StatusOr<std::string> SkillService::Publish(const SkillCaller& caller, const std::string& name,
                                            SkillTier from, SkillTier to) {
  if (SkillTierPriority(to) >= SkillTierPriority(from)) {
    return Status(Code::kValidation, "Cannot publish from " + std::string(SkillTierName(from)) +
                                         " to " + std::string(SkillTierName(to)) +
                                         ": publishing goes to a broader tier");
  }
  ASSIGN_OR_RETURN(const std::vector<DiscoveredSkill> in_tier, List(caller, from));
  const auto skill = std::find_if(in_tier.begin(), in_tier.end(),
                                  [&](const DiscoveredSkill& s) { return s.meta().name == name; });
  if (skill == in_tier.end())
    return Status(Code::kValidation,
                  "Skill not found in tier " + std::string(SkillTierName(from)) + ": " + name);
  ASSIGN_OR_RETURN(const SkillFiles files, ReadFiles(caller, *skill));
  ASSIGN_OR_RETURN(const std::string dir, Install(caller, to, name, files, true));
  return dir + "/" + kSkillFile;
}

StatusOr<std::vector<SearchHit>> SkillService::Search(const SkillCaller& caller,
                                                      const std::string& query,
                                                      std::optional<SkillTier> tier,
                                                      int64_t limit) {
  const std::vector<std::string> terms = SearchTerms(query);
  if (terms.empty()) return Status(Code::kValidation, "query has no words to search for");
  if (limit < 1) return Status(Code::kValidation, "limit must be at least 1");
  ASSIGN_OR_RETURN(const std::vector<DiscoveredSkill> all, List(caller, tier));
  std::vector<SearchHit> hits;
  for (const DiscoveredSkill& s : all) {
    const double score = ScoreSkill(s.meta(), terms);
    if (score > 0) hits.push_back(SearchHit{s.meta().name, score});
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.skill_name < b.skill_name;
  });
  if (hits.size() > static_cast<size_t>(limit)) hits.resize(static_cast<size_t>(limit));
  return hits;
}

}  // namespace nexus::services
