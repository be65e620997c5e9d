// The real `nexus serve` binary as a child process, for HTTP tests.
#ifndef NEXUS_TESTING_SERVER_PROCESS_H_
#define NEXUS_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::test {

class ServerProcess {
 public:
  // Starts `binary serve --host 127.0.0.1 --port <port> <args>` with NEXUS_ADMIN_API_KEY set
  // to `admin_key` and waits for its banner; port 0 picks a free one. started() tells
  // whether it came up; output() holds what it printed.
  ServerProcess(const std::string& binary, const std::vector<std::string>& args,
                const std::string& admin_key, uint16_t port = 0);
  ~ServerProcess();  // SIGKILL if still running

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

  // Sends SIGTERM and waits; returns the exit status (-1 if it died of a signal).
  int Stop();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  uint16_t port_ = 0;
  std::string output_;
};

}  // namespace nexus::test

#endif  // NEXUS_TESTING_SERVER_PROCESS_H_
