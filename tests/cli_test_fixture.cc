#include "tests/cli_test_fixture.h"

#include <sys/stat.h>

#include <filesystem>

namespace nexus::e2e {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void CliTest::SetUp() {
  HttpTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  home_ = dir_.path() + "-home";
  ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
}

void CliTest::TearDown() { std::filesystem::remove_all(home_); }

test::ChildResult CliTest::Nexus(std::vector<std::string> args, test::ChildOptions options) {
  std::vector<std::string> env = {"HOME=" + home_, "XDG_CONFIG_HOME",    "NEXUS_PROFILE",
                                  "NO_COLOR",      "NEXUS_URL=" + Url(), "NEXUS_API_KEY=" + key_};
  env.insert(env.end(), options.env.begin(), options.env.end());
  options.env = env;
  return test::RunChild(NEXUS_BINARY, args, options);
}

test::ChildResult CliTest::NexusWithInput(std::vector<std::string> args, std::string input) {
  test::ChildOptions options;
  options.stdin_data = std::move(input);
  return Nexus(std::move(args), options);
}

std::string CliTest::Ok(std::vector<std::string> args) {
  const test::ChildResult r = Nexus(args);
  EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  return r.out;
}

Json CliTest::JsonOf(std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  const std::string out = Ok(args);
  Json parsed = Json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << out;
  return parsed;
}

std::string CliTest::Fails(std::vector<std::string> args, int exit_code) {
  const test::ChildResult r = Nexus(args);
  std::string line;
  for (const std::string& a : args) line += " " + a;
  EXPECT_EQ(r.exit_code, exit_code)
      << "nexus" << line << "\nstdout: " << r.out << "\nstderr: " << r.err;
  return r.err;
}

}  // namespace nexus::e2e
