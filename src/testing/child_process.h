// Runs a program to completion as a test would from a shell: arguments, environment,
// standard input, and what it printed on stdout and stderr (or on a pseudo-terminal).
#ifndef NEXUS_TESTING_CHILD_PROCESS_H_
#define NEXUS_TESTING_CHILD_PROCESS_H_

#include <chrono>
#include <string>
#include <vector>

namespace nexus::test {

struct ChildOptions {
  // "NAME=value" sets a variable, a bare "NAME" removes it, a later entry wins over an
  // earlier one; the rest of the test's environment is passed on.
  std::vector<std::string> env;
  std::string stdin_data;
  // stdout and stderr on one pseudo-terminal (so isatty() is true in the child); both land
  // in ChildResult::out, with the terminal's "\r\n" line ends.
  bool terminal = false;
  std::chrono::milliseconds timeout{120000};  // then SIGKILL
};

struct ChildResult {
  int exit_code = -1;    // -1 when killed by a signal (the timeout included)
  long max_rss_kib = 0;  // the child's peak resident memory
  std::string out;
  std::string err;
};

ChildResult RunChild(const std::string& binary, const std::vector<std::string>& args,
                     const ChildOptions& options = {});

// The test's environment with `overrides` applied as ChildOptions::env describes.
std::vector<std::string> EnvironmentWith(const std::vector<std::string>& overrides);

}  // namespace nexus::test

#endif  // NEXUS_TESTING_CHILD_PROCESS_H_
