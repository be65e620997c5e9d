#include "services/skills/skill_metadata.h"

#include <gtest/gtest.h>

#include "services/skills/editor_front_matter.h"

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

TEST(SkillMetadataTest, ListsAreWrittenOneItemALine) {
  SkillMetadata m;
  m.name = "pdf";
  m.description = "Work with PDFs";
  m.version = "1.0";
  m.requires_ = {"base"};
  m.body = "# Body\n";
  const auto text = RenderSkillMd(m, R"({"tags":["docs","pdf"],"none":[]})");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text,
            "---\nname: pdf\ndescription: Work with PDFs\nversion: \"1.0\"\nrequires:\n  - base\n"
            "none:\ntags:\n  - docs\n  - pdf\n---\n\n# Body\n");
}

// The web frontend's skill editor reads front matter line by line (`tags: [a, b]` was a
// string to it, and its page failed on `tags.join`): what is rendered must read that way and
// give back the values rendered.
TEST(SkillMetadataTest, RenderedFrontMatterReadsLineByLine) {
  SkillMetadata m;
  m.name = "pdf";
  m.description = "Say \"hi\" # then: go\nand 'wait'";
  m.version = "1.0";
  m.author = "- Ann";
  m.requires_ = {"base", "true"};
  m.created_at = "2025-01-02T03:04:05.000006Z";
  const std::string extra =
      R"({"tags":["docs","123",": x",""],"none":[],"license":"MIT","flag":true,"count":3,)"
      R"("looks_typed":"1.5","null_word":"null","tilde":"~","yes":"yes"})";
  const auto text = RenderSkillMd(m, extra);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const auto read = ReadLikeEditor(*text);
  ASSERT_TRUE(read.ok()) << read.status().ToString() << "\n" << *text;
  EXPECT_EQ(read->lists.at("requires"), m.requires_);
  EXPECT_EQ(read->lists.at("tags"), (std::vector<std::string>{"docs", "123", ": x", ""}));
  EXPECT_TRUE(read->lists.at("none").empty());
  EXPECT_EQ(read->scalars.at("description"), m.description);
  EXPECT_EQ(read->scalars.at("author"), "- Ann");
  EXPECT_EQ(read->scalars.at("version"), "1.0");
  EXPECT_EQ(read->scalars.at("created_at"), m.created_at);
  EXPECT_EQ(read->scalars.at("looks_typed"), "1.5");
  EXPECT_EQ(read->scalars.at("flag"), "true");
  EXPECT_EQ(read->scalars.at("yes"), "yes");
  EXPECT_EQ(read->scalars.at("null_word"), "null");

  // YAML readers find the same values, strings that look like other types included.
  const auto back = ParseSkillMd(kFile, "pdf", *text);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << *text;
  EXPECT_EQ(back->description, m.description);
  EXPECT_EQ(back->author, m.author);
  EXPECT_EQ(back->requires_, m.requires_);
  EXPECT_EQ(back->metadata_json,
            R"({"count":3,"flag":true,"license":"MIT","looks_typed":"1.5","none":null,)"
            R"("null_word":"null","tags":["docs","123",": x",""],"tilde":"~","yes":"yes"})");
}

TEST(SkillMetadataTest, NestedMetadataRoundTrips) {
  SkillMetadata m;
  m.name = "mcp";
  m.description = "d";
  const std::string extra =
      R"({"matrix":[[1,"2"],[],[{}]],"mcp_config":{"args":[],"command":"run it","env":{"A":"1"}},)"
      R"("objects":[{"a":1,"b":[true,null]},{}]})";
  const auto text = RenderSkillMd(m, extra);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const auto back = ParseSkillMd(kFile, "mcp", *text);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << *text;
  EXPECT_EQ(back->metadata_json, extra) << *text;
  EXPECT_EQ(*RenderSkillMd(*back, back->metadata_json), *text) << "rendering is stable";
}

TEST(SkillMetadataTest, ControlCharactersAreEscapedAndBadUtf8Refused) {
  SkillMetadata m;
  m.name = "x";
  m.description = std::string("tab\there, bell\a, nul ") + '\0' + ", nbsp\u00a0, bom\ufeff";
  const auto text = RenderSkillMd(m, "");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find(R"(description: "tab\there, bell\x07, nul \x00, nbsp\xA0, bom\uFEFF")"),
            std::string::npos)
      << *text;
  const auto back = ParseSkillMd(kFile, "x", *text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->description, m.description);

  for (const char* bad : {"\xff", "a\xc3", "\xc0\x80", "\xe0\x80\x80", "\xc2\x20"}) {
    m.description = bad;
    const auto refused = RenderSkillMd(m, "");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), Code::kValidation);
    EXPECT_NE(refused.status().message().find("not valid UTF-8"), std::string::npos);
  }
}

TEST(SkillMetadataTest, Names) {
  EXPECT_TRUE(IsValidSkillName("a-b_C9"));
  for (const char* bad : {"", "a b", "a/b", "..", "é"}) EXPECT_FALSE(IsValidSkillName(bad)) << bad;
}

}  // namespace
}  // namespace nexus::services
