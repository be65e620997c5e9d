// The fixture of the command-line tests: the real `nexus` binary run as a user would run it,
// against the real server of HttpTest, with a home of its own.
#ifndef NEXUS_TESTS_CLI_TEST_FIXTURE_H_
#define NEXUS_TESTS_CLI_TEST_FIXTURE_H_

#include <string>
#include <vector>

#include "testing/child_process.h"
#include "tests/http_test_fixture.h"

namespace nexus::e2e {

bool Contains(const std::string& text, const std::string& part);

class CliTest : public HttpTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  // `nexus ARGS` with NEXUS_URL and NEXUS_API_KEY pointing at the test server (the key is
  // key_), a home of its own and no colour settings inherited from whoever runs the tests.
  test::ChildResult Nexus(std::vector<std::string> args, test::ChildOptions options = {});
  test::ChildResult NexusWithInput(std::vector<std::string> args, std::string input);
  // Runs a command expected to succeed and returns its stdout.
  std::string Ok(std::vector<std::string> args);
  // `nexus --json ARGS`, expected to succeed, its stdout parsed.
  Json JsonOf(std::vector<std::string> args);
  // Runs a command expected to exit with `exit_code` and returns its stderr.
  std::string Fails(std::vector<std::string> args, int exit_code);

  std::string home_;
  std::string key_ = kAdminKey;
};

}  // namespace nexus::e2e

#endif  // NEXUS_TESTS_CLI_TEST_FIXTURE_H_
