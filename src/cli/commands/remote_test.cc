#include "cli/commands/remote.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "testing/temp_dir.h"

namespace nexus::cli {
namespace {

// A config home of its own, and an environment the test decides.
class ResolveTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("XDG_CONFIG_HOME", dir_.path().c_str(), 1);
    ConfigFile config;
    config.default_profile = "work";
    config.profiles["work"] = {"https://work.example", "sk-work"};
    config.profiles["home"] = {"http://home.example:8080", "sk-home"};
    ASSERT_TRUE(SaveConfig(ConfigPath(), config).ok());
  }
  void TearDown() override { ::unsetenv("XDG_CONFIG_HOME"); }

  StatusOr<Target> Resolve(const GlobalOptions& options) {
    return ResolveTarget(options, [this](const char* name) -> const char* {
      const auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }

  test::TempDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ResolveTargetTest, TheDefaultProfileApplies) {
  StatusOr<Target> t = Resolve({});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->url, "https://work.example");
  EXPECT_EQ(t->api_key, "sk-work");
  EXPECT_EQ(t->profile, "work");
  EXPECT_EQ(t->url_from, "profile work");
  EXPECT_EQ(t->config_path, dir_.path() + "/nexus/config.yaml");
}

TEST_F(ResolveTargetTest, EnvironmentBeatsProfileAndFlagsBeatEnvironment) {
  env_["NEXUS_PROFILE"] = "home";
  StatusOr<Target> t = Resolve({});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->url, "http://home.example:8080");
  env_["NEXUS_URL"] = "http://env.example";
  env_["NEXUS_API_KEY"] = "sk-env";
  t = Resolve({});
  EXPECT_EQ(t->url, "http://env.example");
  EXPECT_EQ(t->url_from, "NEXUS_URL");
  EXPECT_EQ(t->api_key, "sk-env");
  GlobalOptions flags;
  flags.url = "http://flag.example";
  flags.api_key = "sk-flag";
  t = Resolve(flags);
  EXPECT_EQ(t->url, "http://flag.example");
  EXPECT_EQ(t->url_from, "--url");
  EXPECT_EQ(t->api_key, "sk-flag");
}

TEST_F(ResolveTargetTest, AMissingNamedProfileIsAnErrorOnlyWhenTheClientIsNeeded) {
  GlobalOptions options;
  options.profile = "nope";
  StatusOr<Target> t = Resolve(options);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->missing_profile, "nope");
  EXPECT_EQ(t->url, "http://localhost:8080");
  Remote remote(options, *t);
  StatusOr<client::Client*> client = remote.Client();
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("nexus login --profile nope"), std::string::npos);
}

TEST_F(ResolveTargetTest, WithoutAConfigTheDefaultsApply) {
  ::setenv("XDG_CONFIG_HOME", (dir_.path() + "/empty").c_str(), 1);
  StatusOr<Target> t = Resolve({});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->url, "http://localhost:8080");
  EXPECT_EQ(t->url_from, "");
  EXPECT_EQ(t->api_key, "");
  EXPECT_EQ(t->profile, "");
}

TEST_F(ResolveTargetTest, AnUnreachableDefaultServerSaysHowToNameOne) {
  ::setenv("XDG_CONFIG_HOME", (dir_.path() + "/empty").c_str(), 1);
  const Status unreachable(Code::kUnavailable, "cannot connect");
  StatusOr<Target> t = Resolve({});
  ASSERT_TRUE(t.ok());
  const std::string hint = Remote({}, *t).Hint(unreachable);
  EXPECT_NE(hint.find("no server configured"), std::string::npos) << hint;
  EXPECT_NE(hint.find("NEXUS_URL"), std::string::npos) << hint;
  env_["NEXUS_URL"] = "http://named.example";
  t = Resolve({});
  EXPECT_EQ(Remote({}, *t).Hint(unreachable), "") << "a named server needs no such hint";
  EXPECT_NE(Remote({}, *t).Hint(Status(Code::kUnauthenticated, "refused")).find("NEXUS_API_KEY"),
            std::string::npos);
}

}  // namespace
}  // namespace nexus::cli
