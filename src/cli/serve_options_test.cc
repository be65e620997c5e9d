#include "cli/serve_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace nexus::cli {
namespace {

class ServeOptionsTest : public ::testing::Test {
 protected:
  Status Apply(const std::string& yaml, std::vector<std::string> on_cli = {}) {
    const std::string path = dir_.path() + "/config.yaml";
    std::ofstream(path) << yaml;
    ignored_.clear();
    return ApplyConfigFile(
        path, options_,
        [&](std::string_view flag) {
          for (const auto& f : on_cli) {
            if (f == flag) return true;
          }
          return false;
        },
        &ignored_);
  }

  test::TempDir dir_;
  ServeOptions options_;
  std::vector<std::string> ignored_;
};

TEST_F(ServeOptionsTest, ReadsTheReferenceKeys) {
  ASSERT_TRUE(Apply("server:\n  host: 127.0.0.1\n  port: 9000\n  workers: 4\n"
                    "  max_body_memory_bytes: 1073741824\n"
                    "database:\n  url: postgresql://x/y\n"
                    "backends:\n  - type: local\n    mount_point: /\n")
                  .ok());
  EXPECT_EQ(options_.host, "127.0.0.1");
  EXPECT_EQ(options_.port, 9000);
  EXPECT_EQ(options_.workers, 4);
  EXPECT_EQ(options_.max_body_memory_bytes, int64_t{1} << 30);
  EXPECT_EQ(options_.database_url, "postgresql://x/y");
  EXPECT_TRUE(ignored_.empty());
}

TEST_F(ServeOptionsTest, MountRoots) {
  ASSERT_TRUE(Apply("mounts:\n  local_roots:\n    - /srv/a\n    - /srv/b\n").ok());
  EXPECT_EQ(options_.mount_roots, (std::vector<std::string>{"/srv/a", "/srv/b"}));
  options_.mount_roots = {"/cli"};
  ASSERT_TRUE(Apply("mounts:\n  local_roots: [/srv/a]\n", {"--mount-root"}).ok());
  EXPECT_EQ(options_.mount_roots, (std::vector<std::string>{"/cli"}));
  EXPECT_EQ(Apply("mounts:\n  local_roots: /srv/a\n").code(), Code::kInvalidArgument);
  options_.mount_roots = {"relative"};
  EXPECT_EQ(ValidateServeOptions(options_).code(), Code::kInvalidArgument);
}

TEST_F(ServeOptionsTest, FlagsWinOverTheFile) {
  options_.port = 7000;
  ASSERT_TRUE(Apply("server:\n  port: 9000\n", {"--port"}).ok());
  EXPECT_EQ(options_.port, 7000);
}

TEST_F(ServeOptionsTest, UnknownKeysAreCollectedNotFatal) {
  ASSERT_TRUE(Apply("llm:\n  provider: x\nserver:\n  reload: true\nbackends:\n  - type: "
                    "gcs_connector\n    mount_point: /mnt/g\n")
                  .ok());
  EXPECT_EQ(ignored_, (std::vector<std::string>{"llm", "server.reload",
                                                "backends[0] (gcs_connector at /mnt/g)"}));
}

TEST_F(ServeOptionsTest, WrongTypesAreNamed) {
  Status s = Apply("server:\n  port: eighty\n");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("server.port"), std::string::npos) << s.message();
  EXPECT_FALSE(Apply("server: [1, 2]\n").ok());
  EXPECT_FALSE(Apply("backends: {}\n").ok());
  EXPECT_FALSE(Apply("- just a list\n").ok());
  EXPECT_FALSE(Apply("server: {port: [unclosed\n").ok());
}

TEST_F(ServeOptionsTest, MissingFileIsAClearError) {
  Status s = ApplyConfigFile(
      "/nonexistent/config.yaml", options_, [](std::string_view) { return false; }, &ignored_);
  EXPECT_NE(s.message().find("/nonexistent/config.yaml"), std::string::npos);
}

TEST_F(ServeOptionsTest, TextIsReadAsTheFileWouldBe) {
  const auto never = [](std::string_view) { return false; };
  ASSERT_TRUE(
      ApplyConfigText("server:\n  port: 9100\n", "inline", options_, never, &ignored_).ok());
  EXPECT_EQ(options_.port, 9100);
  const Status s = ApplyConfigText("{a: b", "inline", options_, never, &ignored_);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("config file inline is not valid YAML"), std::string::npos);
  // Keys that are not strings are the file's fault, not the server's.
  EXPECT_EQ(ApplyConfigText("? [a, b]\n: 1\n", "inline", options_, never, &ignored_).code(),
            Code::kInvalidArgument);
}

TEST_F(ServeOptionsTest, Validation) {
  EXPECT_TRUE(ValidateServeOptions(options_).ok());
  ServeOptions bad = options_;
  bad.port = 70000;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.auth_type = "oidc";
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.durability = "maybe";
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.workers = 0;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.max_queue = 0;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.max_body_memory_bytes = (1 << 20) - 1;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.node_id = "has space";
  EXPECT_NE(ValidateServeOptions(bad).message().find("node id"), std::string::npos);
  bad = options_;
  bad.advertise_url = "10.0.0.5:2026";
  EXPECT_NE(ValidateServeOptions(bad).message().find("advertise URL"), std::string::npos);
  bad = options_;
  bad.drain_seconds = -1;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
  bad = options_;
  bad.header_timeout_seconds = 0;
  EXPECT_FALSE(ValidateServeOptions(bad).ok());
}

}  // namespace
}  // namespace nexus::cli
