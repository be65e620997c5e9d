#include "sandbox/language.h"

#include <string>

namespace nexus::sandbox {

StatusOr<Language> ParseLanguage(std::string_view name) {
  if (name == "python") return Language::kPython;
  if (name == "javascript" || name == "js") return Language::kJavaScript;
  if (name == "bash") return Language::kBash;
  return InvalidArgument("unknown sandbox language \"" + std::string(name) +
                         "\" (expected python, javascript, js or bash)");
}

std::string_view LanguageName(Language language) {
  switch (language) {
    case Language::kPython:
      return "python";
    case Language::kJavaScript:
      return "javascript";
    case Language::kBash:
      return "bash";
  }
  return "unknown";
}

std::string_view ScriptPath(Language language) {
  switch (language) {
    case Language::kPython:
      return "/run/code/main.py";
    case Language::kJavaScript:
      return "/run/code/main.js";
    case Language::kBash:
      return "/run/code/main.sh";
  }
  return "/run/code/main";
}

}  // namespace nexus::sandbox
