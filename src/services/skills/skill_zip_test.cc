#include "services/skills/skill_zip.h"

#include <gtest/gtest.h>

namespace nexus::services {
namespace {

constexpr char kSkillMd[] = "---\nname: pdf\ndescription: d\n---\nbody\n";

std::string Zip(const std::vector<ZipEntry>& entries) {
  StatusOr<std::string> zip = WriteZip(entries);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  return zip.ok() ? *zip : "";
}

// The message of a rejected package, which must be kValidation.
std::string Rejection(const std::string& zip, const ZipLimits& limits = {}) {
  auto read = ReadSkillZip(zip, limits);
  if (read.ok()) return "accepted";
  EXPECT_EQ(read.status().code(), Code::kValidation) << read.status().ToString();
  return read.status().message();
}

// Overwrites every 4-byte uncompressed size (local headers and central directory).
void ForgeUncompressedSizes(std::string& zip, uint32_t size) {
  auto put = [&](size_t at) {
    for (int i = 0; i < 4; ++i) zip[at + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  };
  for (size_t pos = 0; (pos = zip.find("PK\x03\x04", pos)) != std::string::npos; pos += 4)
    put(pos + 22);
  for (size_t pos = 0; (pos = zip.find("PK\x01\x02", pos)) != std::string::npos; pos += 4)
    put(pos + 24);
}

TEST(SkillZipTest, RoundTrip) {
  auto read = ReadSkillZip(Zip({{"pdf/", ""},
                                {"pdf/SKILL.md", kSkillMd},
                                {"pdf/scripts/run.py", "print(1)\n"},
                                {"xlsx/SKILL.md", "x"}}));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ(read->at("pdf").at("SKILL.md"), kSkillMd);
  EXPECT_EQ(read->at("pdf").at("scripts/run.py"), "print(1)\n");
  EXPECT_EQ(read->at("xlsx").size(), 1u);
}

TEST(SkillZipTest, RejectsHostileNames) {
  EXPECT_NE(Rejection(Zip({{"/etc/SKILL.md", "x"}})).find("absolute"), std::string::npos);
  EXPECT_NE(Rejection(Zip({{"pdf/../../x", "x"}})).find("'..'"), std::string::npos);
  EXPECT_NE(Rejection(Zip({{"../pdf/SKILL.md", "x"}})).find("'..'"), std::string::npos);
  EXPECT_NE(Rejection(Zip({{"pdf\\..\\x", "x"}})).find("backslash"), std::string::npos);
  EXPECT_NE(Rejection(Zip({{"SKILL.md", kSkillMd}})).find("<name>/ folder"), std::string::npos);
  EXPECT_NE(Rejection(Zip({{"bad name/SKILL.md", "x"}})).find("valid skill name"),
            std::string::npos);
  EXPECT_NE(Rejection(Zip({{"pdf//SKILL.md", "x"}})).find("plain relative path"),
            std::string::npos);
}

TEST(SkillZipTest, RejectsSymlinksAndSpecialFiles) {
  EXPECT_NE(Rejection(Zip({{"pdf/SKILL.md", kSkillMd}, {"pdf/link", "/etc/passwd", 0120777}}))
                .find("symbolic link"),
            std::string::npos);
  EXPECT_NE(Rejection(Zip({{"pdf/fifo", "", 0010644}})).find("special file"), std::string::npos);
}

TEST(SkillZipTest, RejectsTooManyEntries) {
  std::vector<ZipEntry> entries;
  for (int i = 0; i <= 10000; ++i) entries.push_back({"pdf/f" + std::to_string(i), ""});
  EXPECT_NE(Rejection(Zip(entries)).find("more than 10000 entries"), std::string::npos);
}

TEST(SkillZipTest, RejectsTooManyBytesAsDeclared) {
  const std::string big((uint64_t{100} << 20) + 1, '\0');
  EXPECT_NE(Rejection(Zip({{"pdf/big", big}})).find("bytes unpacked"), std::string::npos);
  ZipLimits small;
  small.max_unpacked_bytes = 10;
  EXPECT_NE(
      Rejection(Zip({{"pdf/a", "123456"}, {"pdf/b", "123456"}}), small).find("bytes unpacked"),
      std::string::npos);
}

TEST(SkillZipTest, RejectsEntriesInflatingBeyondTheirDeclaredSize) {
  std::string zip = Zip({{"pdf/bomb", std::string(1 << 20, 'a')}});
  ForgeUncompressedSizes(zip, 1000);
  const std::string message = Rejection(zip);
  EXPECT_NE(message, "accepted");
  EXPECT_EQ(message.find("more than"), std::string::npos) << "the declared sizes look harmless";
}

TEST(SkillZipTest, NotAZip) {
  EXPECT_NE(Rejection("PK nonsense").find("not a valid zip"), std::string::npos);
}

}  // namespace
}  // namespace nexus::services
