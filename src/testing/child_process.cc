#include "testing/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string_view>

namespace nexus::test {
namespace {

std::string_view NameOf(std::string_view assignment) {
  return assignment.substr(0, assignment.find('='));
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The descriptors the child gets, and the parent's ends of them.
struct Pipes {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  int terminal = -1;  // the pseudo-terminal's master side
  std::string terminal_name;

  bool Open(bool use_terminal) {
    if (::pipe2(in, O_CLOEXEC) != 0) return false;
    if (!use_terminal) return ::pipe2(out, O_CLOEXEC) == 0 && ::pipe2(err, O_CLOEXEC) == 0;
    terminal = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (terminal < 0 || ::grantpt(terminal) != 0 || ::unlockpt(terminal) != 0) return false;
    terminal_name = ::ptsname(terminal);
    return true;
  }
};

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void Exec(const Pipes& p, const char* binary, char* const* argv, char* const* envp) {
  ::dup2(p.in[0], STDIN_FILENO);
  if (p.terminal >= 0) {
    ::setsid();
    const int slave = ::open(p.terminal_name.c_str(), O_RDWR);
    ::dup2(slave, STDOUT_FILENO);
    ::dup2(slave, STDERR_FILENO);
  } else {
    ::dup2(p.out[1], STDOUT_FILENO);
    ::dup2(p.err[1], STDERR_FILENO);
  }
  ::execve(binary, argv, envp);
  ::_exit(127);
}

// Feeds stdin and drains the outputs until both outputs end or the deadline passes.
void Pump(int in, int out, int err, std::string_view input, ChildResult* result,
          std::chrono::steady_clock::time_point deadline) {
  char buf[65536];
  while (out >= 0 || err >= 0) {
    pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {in, POLLOUT, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || ::poll(fds, 3, static_cast<int>(left.count())) < 0) return;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result->out : result->err).append(buf, static_cast<size_t>(n));
      } else {
        ::close(fds[i].fd);
        (i == 0 ? out : err) = -1;
      }
    }
    if (in >= 0 && fds[2].revents != 0) {
      const ssize_t n = input.empty() ? 0 : ::write(in, input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<size_t>(n));
      if (n <= 0 || input.empty()) {
        ::close(in);
        in = -1;
      }
    }
  }
  if (in >= 0) ::close(in);
}

// Waits for the child into `result` (exit status, peak memory); at the deadline the child
// is killed.
void Wait(pid_t pid, std::chrono::steady_clock::time_point deadline, ChildResult* result) {
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, WNOHANG, &usage) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    ::usleep(5000);
  }
  result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result->max_rss_kib = usage.ru_maxrss;
}

}  // namespace

std::vector<std::string> EnvironmentWith(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  // In order, so that a later override of a name wins over an earlier one.
  for (const std::string& o : overrides) {
    std::erase_if(env, [&o](const std::string& e) { return NameOf(e) == NameOf(o); });
    if (o.find('=') != std::string::npos) env.push_back(o);
  }
  return env;
}

ChildResult RunChild(const std::string& binary, const std::vector<std::string>& args,
                     const ChildOptions& options) {
  ChildResult result;
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = EnvironmentWith(options.env);
  const std::vector<char*> argv = Pointers(argv_strings);
  const std::vector<char*> envp = Pointers(env_strings);
  Pipes p;
  if (!p.Open(options.terminal)) return result;
  const pid_t pid = ::fork();
  if (pid == 0) Exec(p, binary.c_str(), argv.data(), envp.data());
  ::close(p.in[0]);
  ::close(p.out[1]);
  ::close(p.err[1]);
  const int out = p.terminal >= 0 ? p.terminal : p.out[0];
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  Pump(p.in[1], out, p.terminal >= 0 ? -1 : p.err[0], options.stdin_data, &result, deadline);
  Wait(pid, deadline, &result);
  return result;
}

}  // namespace nexus::test
