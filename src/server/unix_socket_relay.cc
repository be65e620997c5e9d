#include "server/unix_socket_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/background.h"
#include "util/file.h"

namespace nexus::server {
namespace {

int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Copies what is readable on `from` to `to`; false when `from` is closed or a write fails.
bool Pump(int from, int to) {
  char buf[65536];
  const ssize_t n = ::recv(from, buf, sizeof buf, 0);
  if (n <= 0) return false;
  for (ssize_t sent = 0; sent < n;) {
    const ssize_t w = ::send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w <= 0) return false;
    sent += w;
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<UnixSocketRelay>> UnixSocketRelay::Start(const std::string& socket_path,
                                                                  uint16_t tcp_port,
                                                                  int max_connections) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path)
    return InvalidArgument("socket path too long: " + socket_path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  ::unlink(socket_path.c_str());  // a socket left by a process that died
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(socket_path.c_str(), 0666) != 0 || ::listen(fd, 64) != 0) {
    const Status s = ErrnoStatus(errno, "listen on " + socket_path);
    ::close(fd);
    return s;
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    ::close(fd);
    return ErrnoStatus(errno, "pipe");
  }
  std::unique_ptr<UnixSocketRelay> relay(
      new UnixSocketRelay(socket_path, fd, wake[0], wake[1], tcp_port, max_connections));
  relay->accept_thread_ = std::thread([r = relay.get()] { r->AcceptLoop(); });
  return relay;
}

UnixSocketRelay::~UnixSocketRelay() {
  stopping_ = true;
  (void)::write(wake_write_, "x", 1);
  if (accept_thread_.joinable()) accept_thread_.join();
  while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
  ::unlink(path_.c_str());
}

void UnixSocketRelay::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (active_.load() >= max_connections_) {
      ::close(client);  // bounded, like the HTTP server's own queue
      continue;
    }
    active_++;
    // Out of threads (std::system_error): this connection is refused, the next one tried.
    if (!RunGuarded("unix_socket_relay",
                    [this, client] { std::thread([this, client] { Relay(client); }).detach(); })) {
      ::close(client);
      active_--;
    }
  }
}

void UnixSocketRelay::Relay(int client_fd) {
  const int server_fd = ConnectLoopback(port_);
  while (server_fd >= 0) {
    pollfd fds[3] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
    if (fds[2].revents != 0) break;
    if (fds[0].revents != 0 && !Pump(client_fd, server_fd)) break;
    if (fds[1].revents != 0 && !Pump(server_fd, client_fd)) break;
  }
  if (server_fd >= 0) ::close(server_fd);
  ::close(client_fd);
  active_--;
}

}  // namespace nexus::server
