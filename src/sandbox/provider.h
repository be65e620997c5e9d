// Provider: runs untrusted code in isolated sandboxes. The face of the sandbox module.
//
// A sandbox is an id, a persistent home directory on the host and a set of limits. A
// provider holds no durable state: the sandbox service owns the records (status, TTL) and
// hands the provider a SandboxSpec on every call that needs one, so a restarted server can
// keep using existing sandboxes without calling Create again. What a provider does keep is
// in memory: which runs are in flight, and which sandboxes are paused.
//
// All methods are thread-safe. Run blocks its caller until the code exits, is killed at
// its wall-clock limit, or is killed by Stop/Destroy.
#ifndef NEXUS_SANDBOX_PROVIDER_H_
#define NEXUS_SANDBOX_PROVIDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace nexus::sandbox {

// Resource limits of one sandbox. The bubblewrap provider enforces them with rlimits, tmpfs
// sizes and a wall-clock deadline (no cgroups); see bubblewrap_provider.h for exactly what
// each one bounds.
struct Limits {
  int64_t memory_bytes = int64_t{512} << 20;    // private writable memory, per process
  int64_t cpu_seconds = 30;                     // CPU time, per process
  int64_t max_processes = 64;                   // processes and threads of the user code
  int64_t max_file_bytes = int64_t{64} << 20;   // largest file a process may write
  int64_t tmpfs_bytes = int64_t{64} << 20;      // size of each private tmpfs (/tmp, /dev/shm)
  int64_t wall_timeout_ms = 30000;              // default and maximum duration of one run
  int64_t max_output_bytes = int64_t{1} << 20;  // kept per stream (stdout, stderr)
};

struct RunRequest {
  std::string language;    // "python", "javascript" (or "js"), "bash"
  std::string code;        // the program text, run as a script file
  int64_t timeout_ms = 0;  // <= 0: limits.wall_timeout_ms; larger values are capped at it
  // Added to the sandbox's clean environment (PATH, HOME, USER, LANG), overriding it.
  std::vector<std::pair<std::string, std::string>> env;
};

struct RunResult {
  std::string stdout_text;  // raw bytes, at most limits.max_output_bytes
  std::string stderr_text;  // raw bytes, at most limits.max_output_bytes
  // The exit status of the code; 128 + N when it was killed by signal N (shell convention).
  int exit_code = 0;
  int64_t execution_time_ms = 0;  // wall-clock time, including any time spent paused
  bool timed_out = false;         // killed at the wall-clock limit
  bool truncated = false;         // stdout or stderr exceeded max_output_bytes
  // Why the code died, as best known: "" (it exited on its own), "timeout", "stop" (Stop or
  // Destroy), "memory", "processes", "cpu", "file_size" or "signal N". The resource
  // reasons are inferred from the exit status and from well-known error messages on stderr
  // (MemoryError, "Resource temporarily unavailable", ...), so code can fake them.
  std::string killed_by;
};

struct SandboxSpec {
  std::string id;  // non-empty; stable for the life of the sandbox
  // Persistent writable directory on the host, mounted at /home/sandbox inside (also the
  // working directory). Empty: a fresh tmpfs per run (nothing persists).
  std::string home_dir;
  Limits limits;
  bool network = false;  // false: a private network namespace with only loopback
  // Extra read-write binds, host path -> absolute sandbox path (e.g. a Unix socket). A
  // target inside /home/sandbox leaves an empty mount point behind in the home directory.
  std::vector<std::pair<std::string, std::string>> binds;
};

// A program to start and keep running in a sandbox, talking over its stdin and stdout (an MCP
// server on stdio). It runs as a bash `exec` of argv, so argv[0] is looked up in the
// sandbox's PATH (/usr/local/bin:/usr/bin:/bin).
struct StartRequest {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // as RunRequest::env
  // Host directories shown read-only at the same path (a server's own files). Absolute and
  // normalised; as root they are handed in like homes, whatever their modes; otherwise they
  // must be reachable by the sandbox's uid.
  std::vector<std::string> read_only_dirs;
};

// A started program. Its limits are the spec's, except the wall clock: it runs until it
// exits, the sandbox is stopped, or this object is destroyed, which kills and reaps it.
class SandboxProcess {
 public:
  virtual ~SandboxProcess();
  virtual int stdin_fd() const = 0;   // write end
  virtual int stdout_fd() const = 0;  // read end
  virtual int stderr_fd() const = 0;  // read end
};

class Provider {
 public:
  virtual ~Provider();

  virtual std::string name() const = 0;

  // OK when this provider can run sandboxes on this machine. The first call may run a probe
  // sandbox; the answer is cached.
  virtual Status Available() const = 0;

  // Validates the spec and prepares the home directory (created when missing). Idempotent.
  virtual Status Create(const SandboxSpec& spec) = 0;

  // Runs `request.code` in a fresh process tree inside the sandbox. Non-zero exits, kills and
  // timeouts are results, not errors. Errors: kInvalidArgument (unknown language, bad env or
  // spec), kValidation (the sandbox is paused, or the language's interpreter is missing),
  // kInternal/kIOError when the sandbox could not be started.
  virtual StatusOr<RunResult> Run(const SandboxSpec& spec, const RunRequest& request) = 0;

  // Freezes every process of the sandbox's running runs and refuses new runs until Resume.
  // A paused run's wall-clock deadline is extended by the time it spends paused.
  virtual Status Pause(const std::string& id) = 0;
  virtual Status Resume(const std::string& id) = 0;

  // Kills the sandbox's running runs (they return with killed_by "stop") and clears the
  // paused state. The home directory is kept.
  virtual Status Stop(const std::string& id) = 0;

  // Stop, wait for the runs to end, then delete the home directory.
  virtual Status Destroy(const SandboxSpec& spec) = 0;

  virtual bool IsPaused(const std::string& id) const = 0;

  // Starts `request` in the sandbox and returns at once. The default: kValidation, for a
  // provider that cannot.
  virtual StatusOr<std::unique_ptr<SandboxProcess>> Start(const SandboxSpec& spec,
                                                          const StartRequest& request);
};

// Checks what every provider requires of a spec: a non-empty id, positive limits, absolute
// and normalised paths, and bind targets that do not shadow the sandbox's own mounts.
Status ValidateSpec(const SandboxSpec& spec);

// Checks env names ([A-Za-z_][A-Za-z0-9_]*) and values (no NUL), and the code size.
Status ValidateRequest(const SandboxSpec& spec, const RunRequest& request);

// Checks a StartRequest: a program to run, arguments without NUL, and read-only directories
// that are normalised absolute paths outside the sandbox's own trees (/usr, /etc, ... are
// there already).
Status ValidateStartRequest(const StartRequest& request);

// The run's wall-clock limit: request.timeout_ms capped at the sandbox's limit.
int64_t EffectiveTimeoutMs(const Limits& limits, const RunRequest& request);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_PROVIDER_H_
