#include "services/skills/skill_search.h"

#include <algorithm>
#include <cctype>

#include "util/ascii.h"

namespace nexus::services {

std::vector<std::string> SearchTerms(std::string_view query) {
  std::vector<std::string> terms;
  std::string term;
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      term += AsciiLower(std::string_view(&c, 1));
    } else if (!term.empty()) {
      terms.push_back(std::move(term));
      term.clear();
    }
  }
  if (!term.empty()) terms.push_back(std::move(term));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

double ScoreSkill(const SkillMetadata& skill, const std::vector<std::string>& terms) {
  if (terms.empty()) return 0;
  const std::string name = AsciiLower(skill.name);
  const std::string description = AsciiLower(skill.description);
  const std::string body = AsciiLower(skill.body);
  int points = 0;
  for (const std::string& t : terms) {
    if (name.find(t) != std::string::npos) points += 3;
    if (description.find(t) != std::string::npos) points += 2;
    if (body.find(t) != std::string::npos) points += 1;
  }
  return static_cast<double>(points) / (6.0 * static_cast<double>(terms.size()));
}

}  // namespace nexus::services
