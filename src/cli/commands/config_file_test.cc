#include "cli/commands/config_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/temp_dir.h"
#include "util/file.h"

namespace nexus::cli {
namespace {

TEST(ConfigFile, AMissingFileIsAnEmptyConfig) {
  test::TempDir dir;
  StatusOr<ConfigFile> config = LoadConfig(dir.path() + "/none.yaml");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->profiles.empty());
  EXPECT_EQ(config->default_profile, "");
}

TEST(ConfigFile, SavesPrivatelyAndReadsBack) {
  test::TempDir dir;
  const std::string path = dir.path() + "/conf/nexus/config.yaml";
  ConfigFile config;
  config.default_profile = "work";
  config.profiles["work"] = {"https://nexus.example.com", "sk-work"};
  config.profiles["home"] = {"http://localhost:8080", "sk-home: with colon"};
  ASSERT_TRUE(SaveConfig(path, config).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path() + "/conf/nexus").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  StatusOr<ConfigFile> back = LoadConfig(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->default_profile, "work");
  ASSERT_EQ(back->profiles.size(), 2u);
  EXPECT_EQ(back->profiles["work"].url, "https://nexus.example.com");
  EXPECT_EQ(back->profiles["home"].api_key, "sk-home: with colon");
}

TEST(ConfigFile, RefusesMalformedFilesNamingThem) {
  test::TempDir dir;
  const std::string path = dir.path() + "/config.yaml";
  for (std::string_view text :
       {"[1, 2]", "profiles: [a]", "profiles:\n  work: 3\n",
        "profiles:\n  'bad name':\n    url: x\n", "profiles: {a: {url: [1]}}",
        "default_profile: {x: 1}", "{unclosed"}) {
    ASSERT_TRUE(WriteFileAtomically(path, text, false).ok());
    StatusOr<ConfigFile> config = LoadConfig(path);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.status().code(), Code::kInvalidArgument);
    EXPECT_NE(config.status().message().find(path), std::string::npos);
  }
}

TEST(ConfigFile, ProfileNames) {
  EXPECT_TRUE(IsProfileName("work-2.prod_eu"));
  EXPECT_FALSE(IsProfileName(""));
  EXPECT_FALSE(IsProfileName("a b"));
  EXPECT_FALSE(IsProfileName("../x"));
  EXPECT_FALSE(IsProfileName(std::string(65, 'a')));
}

}  // namespace
}  // namespace nexus::cli
