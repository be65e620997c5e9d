#include "services/skill_metadata.h"

#include <gtest/gtest.h>

namespace nexus::services {
namespace {

constexpr char kFile[] = "/skill/pdf/SKILL.md";

TEST(SkillMetadataTest, ParsesKnownFieldsAndKeepsTheRest) {
  auto skill = ParseSkillMd(kFile, "pdf",
                            "---\nname: pdf\ndescription: Work with PDFs\nversion: 1.2\n"
                            "author: Ann\nrequires: [base, text]\ncreated_at: 2025-01-02\n"
                            "license: MIT\ntags: [docs, pdf]\n---\n\n# PDF\nBody\n");
  ASSERT_TRUE(skill.ok()) << skill.status().ToString();
  EXPECT_EQ(skill->name, "pdf");
  EXPECT_EQ(skill->description, "Work with PDFs");
  EXPECT_EQ(skill->version, "1.2");
  EXPECT_EQ(skill->author, "Ann");
  EXPECT_EQ(skill->requires_, (std::vector<std::string>{"base", "text"}));
  EXPECT_EQ(skill->created_at, "2025-01-02");
  EXPECT_FALSE(skill->modified_at);
  EXPECT_EQ(skill->metadata_json, R"({"license":"MIT","tags":["docs","pdf"]})");
  EXPECT_EQ(skill->body, "\n# PDF\nBody\n");
}

TEST(SkillMetadataTest, RequiresAsOneString) {
  auto skill = ParseSkillMd(kFile, "pdf", "---\nname: pdf\ndescription: d\nrequires: base\n---\n");
  ASSERT_TRUE(skill.ok());
  EXPECT_EQ(skill->requires_, (std::vector<std::string>{"base"}));
}

TEST(SkillMetadataTest, ErrorsNameTheFileAndTheProblem) {
  const struct {
    const char* content;
    const char* problem;
  } cases[] = {
      {"# no front matter\n", "no YAML front matter"},
      {"---\nname: pdf\ndescription: d\n", "no YAML front matter"},
      {"---\ndescription: d\n---\n", "missing required field 'name'"},
      {"---\nname: pdf\n---\n", "missing required field 'description'"},
      {"---\nname: other\ndescription: d\n---\n", "does not match its folder"},
      {"---\nname: p df\ndescription: d\n---\n", "must match"},
      {"---\nname: [pdf\ndescription: d\n---\n", "invalid YAML"},
      {"---\n- a\n- b\n---\n", "not a YAML mapping"},
      {"---\nname: pdf\ndescription: d\nrequires: {a: b}\n---\n", "'requires' must be"},
  };
  for (const auto& c : cases) {
    auto skill = ParseSkillMd(kFile, "pdf", c.content);
    ASSERT_FALSE(skill.ok()) << c.content;
    EXPECT_EQ(skill.status().code(), Code::kValidation) << c.content;
    EXPECT_NE(skill.status().message().find(kFile), std::string::npos) << skill.status().message();
    EXPECT_NE(skill.status().message().find(c.problem), std::string::npos)
        << skill.status().message();
  }
}

TEST(SkillMetadataTest, DeepNestingIsRefused) {
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  auto skill = ParseSkillMd(kFile, "pdf", "---\nname: pdf\ndescription: d\nx: " + deep + "\n---\n");
  ASSERT_FALSE(skill.ok());
  EXPECT_EQ(skill.status().code(), Code::kValidation);
}

TEST(SkillMetadataTest, AliasBombIsRefusedQuickly) {
  // Nine levels of nine aliases each: 9^9 (387 million) values if expanded.
  std::string yaml = "name: pdf\ndescription: d\na0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 9; ++j) yaml += ", " + prev;
    yaml += "]\n";
  }
  auto skill = ParseSkillMd(kFile, "pdf", "---\n" + yaml + "---\n");
  ASSERT_FALSE(skill.ok());
  EXPECT_EQ(skill.status().code(), Code::kValidation);
  EXPECT_NE(skill.status().message().find(kFile), std::string::npos) << skill.status().message();
  EXPECT_NE(skill.status().message().find("more than 10000 values"), std::string::npos)
      << skill.status().message();
}

TEST(SkillMetadataTest, HugeFrontMatterIsRefused) {
  const std::string padding = "x: '" + std::string(70 * 1024, 'a') + "'\n";
  auto skill = ParseSkillMd(kFile, "pdf", "---\nname: pdf\ndescription: d\n" + padding + "---\n");
  ASSERT_FALSE(skill.ok());
  EXPECT_EQ(skill.status().code(), Code::kValidation);
  EXPECT_NE(skill.status().message().find("front matter exceeds"), std::string::npos)
      << skill.status().message();
}

// Found by the skill_md fuzz target: a stray byte in the front matter was kept by the parser
// and replaced by U+FFFD when rendered, so the skill changed on its way through.
TEST(SkillMetadataTest, FrontMatterMustBeUtf8) {
  const auto skill =
      ParseSkillMd(kFile, "", "---\nname: x\ndescription: \"\xb8quoted\"\n---\nbody \xff\n");
  ASSERT_FALSE(skill.ok());
  EXPECT_EQ(skill.status().code(), Code::kValidation);
  EXPECT_NE(skill.status().message().find("not valid UTF-8"), std::string::npos);
  EXPECT_TRUE(
      ParseSkillMd(kFile, "", "---\nname: x\ndescription: \xc3\xa9t\xc3\xa9\n---\n\xff").ok())
      << "the body is the author's business";
}

// Found by the skill_md fuzz target: a 1,000-byte key of tabs parsed, but rendered escaped
// past YAML's 1024-character limit for keys, so the rendered SKILL.md did not parse.
TEST(SkillMetadataTest, LongKeysAreRefused) {
  for (const std::string& yaml : {"k" + std::string(1000, '\t') + "k: v\n",
                                  "nested:\n  " + std::string(256, 'k') + ": v\n"}) {
    const auto skill = ParseSkillMd(kFile, "", "---\nname: x\ndescription: d\n" + yaml + "---\n");
    ASSERT_FALSE(skill.ok());
    EXPECT_NE(skill.status().message().find("key longer than 255 bytes"), std::string::npos);
  }
  SkillMetadata longest;
  longest.name = "x";
  longest.description = "d";
  std::string extra = "{\"";  // the worst case: a key of 255 bytes each escaped as \x01
  for (int i = 0; i < 255; ++i) extra += "\\u0001";
  const auto rendered = RenderSkillMd(longest, extra + "\":1}");
  ASSERT_TRUE(rendered.ok());
  const auto reparsed = ParseSkillMd(kFile, "x", *rendered);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
}

TEST(SkillMetadataTest, RenderRoundTripsAndQuotesHostileValues) {
  SkillMetadata m;
  m.name = "pdf";
  m.description = "line one\n---\nname: evil";
  m.version = "1.0.0";
  m.requires_ = {"base"};
  m.body = "# Body\n";
  auto text = RenderSkillMd(m, R"({"license":"MIT"})");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto back = ParseSkillMd(kFile, "pdf", *text);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << *text;
  EXPECT_EQ(back->description, m.description);
  EXPECT_EQ(back->requires_, m.requires_);
  EXPECT_EQ(back->metadata_json, R"({"license":"MIT"})");
  EXPECT_EQ(back->body, "\n" + m.body);
  EXPECT_EQ(*RenderSkillMd(*back, back->metadata_json), *text) << "rendering is stable";
  EXPECT_EQ(RenderSkillMd(m, R"({"name":"x"})").status().code(), Code::kValidation);
}

TEST(SkillMetadataTest, Names) {
  EXPECT_TRUE(IsValidSkillName("a-b_C9"));
  for (const char* bad : {"", "a b", "a/b", "..", "é"}) EXPECT_FALSE(IsValidSkillName(bad)) << bad;
}

}  // namespace
}  // namespace nexus::services
