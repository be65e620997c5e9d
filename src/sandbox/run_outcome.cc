#include "sandbox/run_outcome.h"

#include <signal.h>
#include <sys/wait.h>

#include <array>

namespace nexus::sandbox {
namespace {

constexpr std::array<std::string_view, 7> kMemoryMessages = {
    "MemoryError",                    // python
    "JavaScript heap out of memory",  // node
    "Fatal process out of memory",    // node, outside the JS heap
    "Cannot allocate memory",         // strerror(ENOMEM): bash, coreutils, libc users
    "cannot allocate memory",         // bash's xmalloc
    "std::bad_alloc",
    "Out of memory",
};

constexpr std::array<std::string_view, 5> kProcessMessages = {
    "Resource temporarily unavailable",  // strerror(EAGAIN) from fork/clone
    "fork: retry",                       // bash
    "Cannot fork",
    "can't start new thread",  // python threading
    "EAGAIN",                  // node's spawn errors
};

constexpr std::array<std::string_view, 2> kFileSizeMessages = {
    "File too large",            // strerror(EFBIG): python ignores SIGXFSZ
    "File size limit exceeded",  // a shell reporting a child killed by SIGXFSZ
};

template <size_t N>
bool Mentions(std::string_view text, const std::array<std::string_view, N>& needles) {
  for (std::string_view n : needles) {
    if (text.find(n) != std::string_view::npos) return true;
  }
  return false;
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// The reason read from the status and stderr alone, "" when it exited on its own terms.
std::string ResourceReason(const Termination& t, const Limits& limits, int code) {
  if (code == 0) return "";
  if (code == 128 + SIGXCPU) return "cpu";
  if (code == 128 + SIGXFSZ) return "file_size";
  if (code == 128 + SIGKILL && t.cpu_seconds >= static_cast<double>(limits.cpu_seconds)) {
    return "cpu";
  }
  if (Mentions(t.stderr_tail, kMemoryMessages)) return "memory";
  if (Mentions(t.stderr_tail, kFileSizeMessages)) return "file_size";
  if (Mentions(t.stderr_tail, kProcessMessages)) return "processes";
  if (code > 128 && code <= 128 + 64) return "signal " + std::to_string(code - 128);
  return "";
}

}  // namespace

void ClassifyOutcome(const Termination& t, const Limits& limits, RunResult* result) {
  result->exit_code = ExitCode(t.wait_status);
  result->timed_out = t.timed_out;
  if (t.timed_out) {
    result->killed_by = "timeout";
  } else if (t.stopped) {
    result->killed_by = "stop";
  } else {
    result->killed_by = ResourceReason(t, limits, result->exit_code);
  }
}

bool IsSetupFailure(int exit_code, std::string_view stdout_text, std::string_view stderr_text) {
  return exit_code == 1 && stdout_text.empty() && stderr_text.starts_with("bwrap: ");
}

}  // namespace nexus::sandbox
