#include "services/skills/skill_metadata.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdio>
#include <optional>

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

// The boolean or number a plain scalar reads as; none for a string.
std::optional<Json> TypedScalar(const YAML::Node& node) {
  bool b;
  long long i;
  double d;
  if (YAML::convert<bool>::decode(node, b)) return Json(b);
  if (YAML::convert<long long>::decode(node, i)) return Json(i);
  if (YAML::convert<double>::decode(node, d)) return Json(d);
  return std::nullopt;
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
        if (std::optional<Json> typed = TypedScalar(node)) return *std::move(typed);
      }
      return Json(node.Scalar());
    }
    default:
      return Json(nullptr);
  }
}

// Writing. Front matter is written only in the forms that a line-based reader (the web
// frontend's skill editor) understands and writes back: `key: value` with a plain or
// double-quoted value, and lists as `key:` followed by `  - item` lines. What such a reader
// cannot hold anyway (mappings, lists of lists) is written in the same block style, two
// spaces a level.

// Code points a double-quoted scalar writes as escapes: controls, C1 controls and the
// no-break space, YAML 1.1 line breaks, the byte-order mark and the non-characters U+FFFE/F.
bool NeedsEscape(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x2028 || c == 0x2029 || c == 0xFEFF ||
         c == 0xFFFE || c == 0xFFFF;
}

// The code point at `s[pos]`, setting `len` to its length in bytes. A byte that does not
// start valid UTF-8 is U+FFFD of length 1: it is copied as it is, and the rendered text is
// then refused as a whole.
uint32_t CodePointAt(std::string_view s, size_t pos, size_t& len) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  len = 1;
  const unsigned char lead = byte(0);
  if (lead < 0x80) return lead;
  constexpr uint32_t kInvalid = 0xFFFD;
  const size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (lead < 0xC2 || lead > 0xF4 || pos + n > s.size()) return kInvalid;
  uint32_t c = lead & (0x3F >> (n - 1));
  for (size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return kInvalid;
    c = (c << 6) | (byte(i) & 0x3F);
  }
  if (c < (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u)) return kInvalid;  // overlong
  len = n;
  return c;
}

bool HasCodePointToEscape(std::string_view s) {
  for (size_t pos = 0, len = 0; pos < s.size(); pos += len) {
    if (NeedsEscape(CodePointAt(s, pos, len))) return true;
  }
  return false;
}

// `s` as a YAML double-quoted scalar. Every escape takes at most four characters per byte,
// so a key of kMaxKeyBytes stays within YAML's 1024 characters for implicit keys.
std::string DoubleQuoted(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0, len = 0; pos < s.size(); pos += len) {
    const uint32_t c = CodePointAt(s, pos, len);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (NeedsEscape(c)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, c <= 0xFF ? "\\x%02X" : "\\u%04X", c);
      out += escape;
    } else {
      out.append(s.substr(pos, len));
    }
  }
  return out + "\"";
}

// Whether `s` may be written plain and be read back as this text: not a null, an
// indicator, a comment or an escape, and nothing that a line-based reader, which may strip
// quotes from the ends of a value, would change. A leading '.' or '<' keeps a key from being
// "..." (the end of a YAML document) or "<<" (a merge key).
bool IsPlainText(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`.< ").find(s.front()) != std::string_view::npos)
    return false;
  if (std::string_view(" :'\"").find(s.back()) != std::string_view::npos) return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  return !HasCodePointToEscape(s);
}

// Keys are read as text by yaml-cpp and by the editor, whatever they look like.
std::string KeyText(const std::string& key) { return IsPlainText(key) ? key : DoubleQuoted(key); }

// A scalar (or an empty collection) as it follows "key:" or "-"; empty for null. A string
// YAML would read as a boolean or a number ("1.0", "yes") is quoted.
std::string ValueText(const Json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return IsPlainText(s) && !TypedScalar(YAML::Node(s)) ? s : DoubleQuoted(s);
  }
  if (value.is_null()) return "";
  if (value.is_array()) return "[]";
  if (value.is_object()) return "{}";
  return value.dump();  // a boolean or a number, which YAML reads back as one
}

Status AppendEntry(std::string& out, int depth, const std::string& key, const Json& value);

// Appends `value`, which follows "key:" or "-" on the current line, with what it holds
// indented to `depth`.
Status AppendValue(std::string& out, int depth, const Json& value) {
  if (depth > kMaxDepth) return Status(Code::kValidation, "metadata nested too deeply");
  if (value.is_object() && !value.empty()) {
    out += '\n';
    for (const auto& [key, item] : value.items())
      RETURN_IF_ERROR(AppendEntry(out, depth, key, item));
  } else if (value.is_array() && !value.empty()) {
    out += '\n';
    for (const Json& item : value) {
      out.append(2 * depth, ' ') += '-';
      RETURN_IF_ERROR(AppendValue(out, depth + 1, item));
    }
  } else {
    const std::string text = ValueText(value);
    if (!text.empty()) out += ' ' + text;
    out += '\n';
  }
  return Status::OK();
}

Status AppendEntry(std::string& out, int depth, const std::string& key, const Json& value) {
  out.append(2 * depth, ' ') += KeyText(key) + ':';
  return AppendValue(out, depth + 1, value);
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
  Json extra = Json::object();
  if (!extra_json.empty()) {
    extra = Json::parse(extra_json, nullptr, /*allow_exceptions=*/false);
    if (!extra.is_object()) return Status(Code::kValidation, "metadata must be a JSON object");
  }
  std::string yaml;
  const auto entry = [&yaml](const std::string& key, const Json& value) {
    return AppendEntry(yaml, 0, key, value);
  };
  RETURN_IF_ERROR(entry("name", skill.name));
  RETURN_IF_ERROR(entry("description", skill.description));
  if (skill.version) RETURN_IF_ERROR(entry("version", *skill.version));
  if (skill.author) RETURN_IF_ERROR(entry("author", *skill.author));
  if (!skill.requires_.empty()) RETURN_IF_ERROR(entry("requires", skill.requires_));
  if (skill.created_at) RETURN_IF_ERROR(entry("created_at", *skill.created_at));
  if (skill.modified_at) RETURN_IF_ERROR(entry("modified_at", *skill.modified_at));
  for (const auto& [key, value] : extra.items()) {
    if (IsKnownKey(key))
      return Status(Code::kValidation, "metadata may not redefine '" + key + "'");
    // A list without items is `key:` alone, which a line-based reader takes for an empty
    // list (and YAML for null): `key: []` would be a string to it.
    RETURN_IF_ERROR(entry(key, value.is_array() && value.empty() ? Json() : value));
  }
  if (!IsValidUtf8(yaml)) return Status(Code::kValidation, "front matter is not valid UTF-8");
  // One blank line between front matter and body, kept as is when rendered again.
  const char* gap = skill.body.starts_with('\n') ? "" : "\n";
  return "---\n" + yaml + "---\n" + gap + skill.body;
}

}  // namespace nexus::services
