#include "services/demo_skills.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace nexus::services {
namespace {

std::string SkillOf(std::string_view path) { return std::string(path.substr(0, path.find('/'))); }

TEST(DemoSkillsTest, SixSkillsEachWithSkillMdNamingItsFolder) {
  std::map<std::string, std::string_view> skill_md;
  for (const EmbeddedFile& f : DemoSkillFiles()) {
    if (f.path == SkillOf(f.path) + "/SKILL.md") skill_md[SkillOf(f.path)] = f.content;
  }
  ASSERT_EQ(skill_md.size(), 6u);
  for (const auto& [name, content] : skill_md) {
    EXPECT_EQ(content.substr(0, 4), "---\n") << name;
    EXPECT_NE(content.find("\nname: " + name + "\n"), std::string_view::npos) << name;
  }
}

TEST(DemoSkillsTest, EmbeddedBytesEqualTheSourceFiles) {
  ASSERT_FALSE(DemoSkillFiles().empty());
  for (const EmbeddedFile& f : DemoSkillFiles()) {
    std::ifstream in(std::string(NEXUS_DEMO_SKILLS_DIR) + "/" + std::string(f.path),
                     std::ios::binary);
    std::stringstream source;
    source << in.rdbuf();
    EXPECT_EQ(source.str(), f.content) << f.path;
  }
}

}  // namespace
}  // namespace nexus::services
