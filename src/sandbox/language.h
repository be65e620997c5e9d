// The languages a sandbox runs, and how each one's script is named.
#ifndef NEXUS_SANDBOX_LANGUAGE_H_
#define NEXUS_SANDBOX_LANGUAGE_H_

#include <string_view>

#include "util/status.h"

namespace nexus::sandbox {

enum class Language { kPython, kJavaScript, kBash };

// "python", "javascript" or "js", "bash"; anything else is kInvalidArgument.
StatusOr<Language> ParseLanguage(std::string_view name);

// The canonical name ("python", "javascript", "bash").
std::string_view LanguageName(Language language);

// The script's path inside the sandbox, e.g. "/run/code/main.py". The extension matters to
// node, which decides between CommonJS and ES modules by it.
std::string_view ScriptPath(Language language);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_LANGUAGE_H_
