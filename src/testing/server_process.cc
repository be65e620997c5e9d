#include "testing/server_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <string_view>

#include "testing/child_process.h"

namespace nexus::test {

ServerProcess::ServerProcess(const std::string& binary, const std::vector<std::string>& args,
                             const std::string& admin_key, uint16_t port) {
  // Everything the child needs is built before fork: between fork and exec a child of a
  // threaded process may only make async-signal-safe calls.
  std::vector<std::string> argv_strings = {binary,      "serve",  "--host",
                                           "127.0.0.1", "--port", std::to_string(port)};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = EnvironmentWith({"NEXUS_ADMIN_API_KEY=" + admin_key});
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  int fds[2];
  if (::pipe(fds) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  const std::regex banner("serving on http://[^:]+:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) break;  // the child exited
    output_.append(buf, static_cast<size_t>(n));
    std::smatch m;
    if (std::regex_search(output_, m, banner)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      return;
    }
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace nexus::test
