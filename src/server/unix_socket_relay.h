// A Unix-domain socket in front of the HTTP server: every connection accepted on it is
// relayed byte for byte to the server's TCP port on loopback.
//
// Sandboxes have no network; binding this socket into one is how code inside reaches Nexus
// (with its API key, like any client). A relay keeps the HTTP server single-protocol.
#ifndef NEXUS_SERVER_UNIX_SOCKET_RELAY_H_
#define NEXUS_SERVER_UNIX_SOCKET_RELAY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "util/status.h"

namespace nexus::server {

class UnixSocketRelay {
 public:
  // Listens on `socket_path` (a stale socket file there is replaced; mode 0666 so that a
  // sandbox's unprivileged user can connect) and relays to 127.0.0.1:`tcp_port`.
  static StatusOr<std::unique_ptr<UnixSocketRelay>> Start(const std::string& socket_path,
                                                          uint16_t tcp_port,
                                                          int max_connections = 64);
  // Stops accepting, closes every relayed connection and removes the socket file.
  ~UnixSocketRelay();

  UnixSocketRelay(const UnixSocketRelay&) = delete;
  UnixSocketRelay& operator=(const UnixSocketRelay&) = delete;

 private:
  UnixSocketRelay(std::string path, int listen_fd, int wake_read, int wake_write, uint16_t port,
                  int max)
      : path_(std::move(path)),
        listen_fd_(listen_fd),
        wake_read_(wake_read),
        wake_write_(wake_write),
        port_(port),
        max_connections_(max) {}
  void AcceptLoop();
  void Relay(int client_fd);

  const std::string path_;
  const int listen_fd_;
  const int wake_read_, wake_write_;  // a pipe that wakes the loops at shutdown
  const uint16_t port_;
  const int max_connections_;
  std::atomic<int> active_{0};
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_UNIX_SOCKET_RELAY_H_
