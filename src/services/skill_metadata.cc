#include "services/skill_metadata.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "util/path.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

// Deeper front matter is not a skill description but an attack on the converters' stacks.
constexpr int kMaxDepth = 64;
// Values converted per document, counting an alias each time it is used: a few hundred
// bytes of nested aliases ("billion laughs") would otherwise expand to billions of values.
constexpr int64_t kMaxNodes = 10000;
// Front matter is a short description; more than this is not a skill but a load.
constexpr size_t kMaxFrontMatterBytes = 64 * 1024;

// YAML allows implicit keys of at most 1024 characters. yaml-cpp escapes a byte in up to four,
// so a longer key would render into a SKILL.md that does not parse again.
constexpr size_t kMaxKeyBytes = 255;

Status CheckKey(const std::string& key) {
  if (key.size() <= kMaxKeyBytes) return Status::OK();
  return Status(Code::kValidation,
                "front matter key longer than " + std::to_string(kMaxKeyBytes) + " bytes");
}

const char* const kKnownKeys[] = {"name",     "description", "version",    "author",
                                  "requires", "created_at",  "modified_at"};

bool IsKnownKey(const std::string& key) {
  for (const char* known : kKnownKeys) {
    if (key == known) return true;
  }
  return false;
}

Status Invalid(std::string_view file, const std::string& problem) {
  return Status(Code::kValidation, "Invalid skill " + std::string(file) + ": " + problem);
}

// The next line of `text` from `pos` (without its "\n" or "\r\n"); advances `pos`.
std::string_view NextLine(std::string_view text, size_t& pos) {
  const size_t end = text.find('\n', pos);
  std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

bool IsFence(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line == "---";
}

// Splits `content` into front matter and body; false when there is no front matter.
bool SplitFrontMatter(std::string_view content, std::string_view& yaml, std::string_view& body) {
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  size_t pos = 0;
  if (!IsFence(NextLine(content, pos))) return false;
  const size_t yaml_start = pos;
  while (pos < content.size()) {
    const size_t line_start = pos;
    if (IsFence(NextLine(content, pos))) {
      yaml = content.substr(yaml_start, line_start - yaml_start);
      body = content.substr(pos);
      return true;
    }
  }
  return false;
}

// `budget` is what is left of kMaxNodes for the whole document.
StatusOr<Json> ToJson(const YAML::Node& node, int depth, int64_t& budget) {
  if (depth > kMaxDepth) return Status(Code::kValidation, "front matter nested too deeply");
  if (--budget < 0) {
    return Status(Code::kValidation, "front matter has more than " + std::to_string(kMaxNodes) +
                                         " values (aliases count each time they are used)");
  }
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const YAML::Node& item : node) {
        ASSIGN_OR_RETURN(Json value, ToJson(item, depth + 1, budget));
        out.push_back(std::move(value));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        RETURN_IF_ERROR(CheckKey(kv.first.Scalar()));
        ASSIGN_OR_RETURN(Json value, ToJson(kv.second, depth + 1, budget));
        out[kv.first.Scalar()] = std::move(value);
      }
      return out;
    }
    case YAML::NodeType::Scalar: {
      // Plain scalars keep YAML's types; quoted ones ("!" tag) stay strings.
      if (node.Tag() == "?") {
        bool b;
        long long i;
        double d;
        if (YAML::convert<bool>::decode(node, b)) return Json(b);
        if (YAML::convert<long long>::decode(node, i)) return Json(i);
        if (YAML::convert<double>::decode(node, d)) return Json(d);
      }
      return Json(node.Scalar());
    }
    default:
      return Json(nullptr);
  }
}

StatusOr<YAML::Node> ToYaml(const Json& value, int depth) {
  if (depth > kMaxDepth) return Status(Code::kValidation, "metadata nested too deeply");
  YAML::Node node;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      ASSIGN_OR_RETURN(node[key], ToYaml(item, depth + 1));
    }
  } else if (value.is_array()) {
    for (const Json& item : value) {
      ASSIGN_OR_RETURN(YAML::Node child, ToYaml(item, depth + 1));
      node.push_back(child);
    }
  } else if (value.is_string()) {
    node = value.get<std::string>();
  } else if (!value.is_null()) {
    node = value.dump();
  }
  return node;
}

// A scalar field as a string; none when absent or null.
StatusOr<std::optional<std::string>> OptionalScalar(std::string_view file, const YAML::Node& doc,
                                                    const char* key) {
  const YAML::Node node = doc[key];
  if (!node || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) return Invalid(file, std::string("'") + key + "' must be a string");
  return std::optional<std::string>(node.Scalar());
}

StatusOr<std::vector<std::string>> Requires(std::string_view file, const YAML::Node& doc) {
  const YAML::Node node = doc["requires"];
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return Invalid(file, "'requires' must be a list of skill names");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return Invalid(file, "'requires' must be a list of skill names");
    out.push_back(item.Scalar());
  }
  return out;
}

StatusOr<SkillMetadata> FromDocument(std::string_view file, std::string_view folder,
                                     const YAML::Node& doc) {
  if (!doc.IsMap()) return Invalid(file, "front matter is not a YAML mapping");
  SkillMetadata skill;
  ASSIGN_OR_RETURN(const std::optional<std::string> name, OptionalScalar(file, doc, "name"));
  ASSIGN_OR_RETURN(const std::optional<std::string> description,
                   OptionalScalar(file, doc, "description"));
  if (!name || name->empty()) return Invalid(file, "missing required field 'name'");
  if (!description || description->empty())
    return Invalid(file, "missing required field 'description'");
  if (!IsValidSkillName(*name))
    return Invalid(file, "name '" + *name + "' must match ^[A-Za-z0-9_-]+$");
  if (!folder.empty() && *name != folder) {
    return Invalid(file,
                   "name '" + *name + "' does not match its folder '" + std::string(folder) + "'");
  }
  skill.name = *name;
  skill.description = *description;
  ASSIGN_OR_RETURN(skill.version, OptionalScalar(file, doc, "version"));
  ASSIGN_OR_RETURN(skill.author, OptionalScalar(file, doc, "author"));
  ASSIGN_OR_RETURN(skill.created_at, OptionalScalar(file, doc, "created_at"));
  ASSIGN_OR_RETURN(skill.modified_at, OptionalScalar(file, doc, "modified_at"));
  ASSIGN_OR_RETURN(skill.requires_, Requires(file, doc));
  Json extra = Json::object();
  int64_t budget = kMaxNodes;
  for (const auto& kv : doc) {
    const std::string key = kv.first.as<std::string>();
    if (IsKnownKey(key)) continue;
    if (Status s = CheckKey(key); !s.ok()) return Invalid(file, s.message());
    StatusOr<Json> value = ToJson(kv.second, 1, budget);
    if (!value.ok()) return Invalid(file, value.status().message());
    extra[key] = std::move(*value);
  }
  skill.metadata_json = extra.dump(-1, ' ', false, Json::error_handler_t::replace);
  return skill;
}

}  // namespace

bool IsValidSkillName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

StatusOr<SkillMetadata> ParseSkillMd(std::string_view file, std::string_view folder,
                                     std::string_view content) {
  std::string_view yaml;
  std::string_view body;
  if (!SplitFrontMatter(content, yaml, body))
    return Invalid(file, "no YAML front matter between '---' lines");
  if (yaml.size() > kMaxFrontMatterBytes) {
    return Invalid(file, "front matter exceeds " + std::to_string(kMaxFrontMatterBytes) +
                             " bytes (" + std::to_string(yaml.size()) + ")");
  }
  // YAML is Unicode: yaml-cpp reads stray bytes as they are but writes them back as U+FFFD, so
  // a skill rendered again would not say what it said.
  if (!IsValidUtf8(yaml)) return Invalid(file, "front matter is not valid UTF-8");
  StatusOr<SkillMetadata> skill = Invalid(file, "unreadable front matter");
  try {
    skill = FromDocument(file, folder, YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    return Invalid(file, std::string("invalid YAML front matter: ") + e.what());
  }
  if (skill.ok()) skill->body = std::string(body);
  return skill;
}

StatusOr<std::string> RenderSkillMd(const SkillMetadata& skill, std::string_view extra_json) {
  YAML::Node doc;
  doc["name"] = skill.name;
  doc["description"] = skill.description;
  if (skill.version) doc["version"] = *skill.version;
  if (skill.author) doc["author"] = *skill.author;
  if (!skill.requires_.empty()) doc["requires"] = skill.requires_;
  if (skill.created_at) doc["created_at"] = *skill.created_at;
  if (skill.modified_at) doc["modified_at"] = *skill.modified_at;
  if (!extra_json.empty()) {
    const Json extra = Json::parse(extra_json, nullptr, /*allow_exceptions=*/false);
    if (!extra.is_object()) return Status(Code::kValidation, "metadata must be a JSON object");
    for (const auto& [key, value] : extra.items()) {
      if (IsKnownKey(key))
        return Status(Code::kValidation, "metadata may not redefine '" + key + "'");
      ASSIGN_OR_RETURN(doc[key], ToYaml(value, 1));
    }
  }
  YAML::Emitter out;
  out << doc;
  // One blank line between front matter and body, kept as is when rendered again.
  const char* gap = skill.body.starts_with('\n') ? "" : "\n";
  return "---\n" + std::string(out.c_str()) + "\n---\n" + gap + skill.body;
}

}  // namespace nexus::services
