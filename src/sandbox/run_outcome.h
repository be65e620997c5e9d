// How a run ended: exit code and killed_by, from the wait status and what the code printed.
#ifndef NEXUS_SANDBOX_RUN_OUTCOME_H_
#define NEXUS_SANDBOX_RUN_OUTCOME_H_

#include <string>
#include <string_view>

#include "sandbox/provider.h"

namespace nexus::sandbox {

struct Termination {
  int wait_status = 0;           // of the bwrap process, from wait4
  double cpu_seconds = 0;        // user + system time of everything bwrap reaped
  bool timed_out = false;        // we killed it at the wall-clock limit
  bool stopped = false;          // Stop or Destroy killed it
  std::string_view stderr_tail;  // the last bytes of stderr
};

// Fills result->exit_code, timed_out and killed_by.
//
// bwrap exits with the code's own exit status, or with 128 + N when the code was killed by
// signal N, so the real signal is known only up to that (ambiguous) convention. Resource
// kills are recognised by the signal the kernel uses (SIGXCPU for the CPU limit, SIGXFSZ for
// the file-size limit, SIGKILL once CPU time passed the hard limit), and, for failures that
// are ordinary errors to the program (ENOMEM, EAGAIN from fork, EFBIG when SIGXFSZ is
// ignored, as python does), by the messages the interpreters print for them.
void ClassifyOutcome(const Termination& t, const Limits& limits, RunResult* result);

// True when bwrap itself failed (it prints "bwrap: ..." and exits 1), as opposed to the
// code it ran: the sandbox could not be set up.
bool IsSetupFailure(int exit_code, std::string_view stdout_text, std::string_view stderr_text);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_RUN_OUTCOME_H_
