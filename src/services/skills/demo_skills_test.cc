#include "services/skills/demo_skills.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "services/skills/editor_front_matter.h"
#include "services/skills/skill_metadata.h"

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

// The web frontend's skill editor reads lists only as `key:` and `  - item` lines; the
// demo skills once wrote `tags: [nexus, memory]`, a string to it, and its page failed.
TEST(DemoSkillsTest, FrontMatterReadsLineByLineWithListsAsLists) {
  std::map<std::string, EditorFrontMatter> read;
  for (const EmbeddedFile& f : DemoSkillFiles()) {
    const std::string name = SkillOf(f.path);
    if (f.path != name + "/SKILL.md") continue;
    EXPECT_TRUE(ParseSkillMd(f.path, name, f.content).ok()) << name;
    auto front = ReadLikeEditor(f.content);
    ASSERT_TRUE(front.ok()) << name << ": " << front.status().ToString();
    EXPECT_EQ(front->scalars.at("name"), name);
    ASSERT_TRUE(front->lists.contains("tags")) << name;
    EXPECT_EQ(front->lists.at("tags").front(), "nexus") << name;
    read[name] = *std::move(front);
  }
  EXPECT_EQ(read.size(), 6u);
  EXPECT_EQ(read["nexus-versions"].lists.at("requires"), std::vector<std::string>{"nexus-paths"});
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
