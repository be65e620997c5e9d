#include "services/skills/skill_cache.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace nexus::services {
namespace {

constexpr char kPath[] = "/skill/pdf/SKILL.md";
constexpr char kEtag[] = "etag-1";

vfs::FileContent Content(const std::string& text, const std::string& etag) {
  vfs::FileContent content;
  content.content = text;
  content.info.path = kPath;
  content.info.etag = etag;
  return content;
}

TEST(SkillParseCacheTest, AThrowingParseIsAnErrorAndNotKept) {
  SkillParseCache cache;
  int reads = 0;
  const SkillParseCache::Reader read = [&](const std::string&) -> StatusOr<vfs::FileContent> {
    if (++reads == 1) throw std::runtime_error("boom");
    return Content("---\nname: pdf\ndescription: d\n---\n", kEtag);
  };
  const ParsedSkill failed = cache.Get(kPath, kEtag, read);
  ASSERT_FALSE(failed->ok());
  EXPECT_EQ(failed->status().code(), Code::kInternal);
  EXPECT_NE(failed->status().message().find("boom"), std::string::npos);
  const ParsedSkill parsed = cache.Get(kPath, kEtag, read);
  ASSERT_TRUE(parsed->ok()) << parsed->status().ToString();
  EXPECT_EQ((*parsed)->name, "pdf");
  EXPECT_EQ(cache.Get(kPath, kEtag, read), parsed) << "a good parse is kept";
  EXPECT_EQ(reads, 2);
}

TEST(SkillParseCacheTest, ABrokenFileIsKeptUntilItChanges) {
  SkillParseCache cache;
  std::string text = "---\nname: pdf\n---\n";
  std::string etag = kEtag;
  const SkillParseCache::Reader read = [&](const std::string&) -> StatusOr<vfs::FileContent> {
    return Content(text, etag);
  };
  EXPECT_EQ(cache.Get(kPath, etag, read)->status().code(), Code::kValidation);
  EXPECT_EQ(cache.Get(kPath, etag, read)->status().code(), Code::kValidation);
  EXPECT_EQ(cache.parses(), 1);
  text = "---\nname: pdf\ndescription: fixed\n---\n";
  etag = "etag-2";
  const ParsedSkill fixed = cache.Get(kPath, etag, read);
  ASSERT_TRUE(fixed->ok()) << fixed->status().ToString();
  EXPECT_EQ((*fixed)->description, "fixed");
}

}  // namespace
}  // namespace nexus::services
