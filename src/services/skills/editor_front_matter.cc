#include "services/skills/editor_front_matter.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace nexus::services {
namespace {

Status Unreadable(std::string_view line) {
  return Status(Code::kValidation, "a line-based reader cannot read '" + std::string(line) + "'");
}

// A value as written after "key: " or "- ": plain, or double-quoted with the escapes \n,
// \t, \" and \\.
StatusOr<std::string> Value(std::string_view text) {
  if (text.size() < 2 || !text.starts_with('"') || !text.ends_with('"')) return std::string(text);
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return Unreadable(text);
    switch (text[++i]) {
      case '"':
      case '\\':
        out += text[i];
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      default:
        return Unreadable(text);
    }
  }
  return out;
}

bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

StatusOr<EditorFrontMatter> ReadLikeEditor(std::string_view skill_md) {
  if (!skill_md.starts_with("---\n")) return Unreadable(skill_md.substr(0, skill_md.find('\n')));
  EditorFrontMatter out;
  std::optional<std::string> list;  // the key of the list that `  - item` lines extend
  for (size_t pos = 4; pos < skill_md.size();) {
    const size_t end = std::min(skill_md.find('\n', pos), skill_md.size());
    const std::string_view line = skill_md.substr(pos, end - pos);
    pos = end + 1;
    if (line == "---") return out;
    if (line.starts_with("  - ") && list) {
      ASSIGN_OR_RETURN(std::string item, Value(line.substr(4)));
      out.lists[*list].push_back(std::move(item));
      continue;
    }
    const size_t colon = line.find(':');
    const std::string key(line.substr(0, colon));
    if (colon == std::string_view::npos || !IsKey(key)) return Unreadable(line);
    list.reset();
    if (colon + 1 == line.size()) {
      out.lists[key];
      list = key;
    } else if (line.substr(colon, 2) == ": ") {
      ASSIGN_OR_RETURN(out.scalars[key], Value(line.substr(colon + 2)));
    } else {
      return Unreadable(line);
    }
  }
  return Status(Code::kValidation, "front matter does not end");
}

}  // namespace nexus::services
