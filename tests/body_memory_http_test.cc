// Issue 15: a flood of large request bodies, against the real server on both engines. Bodies
// of callers without a key are refused before they are read; those of callers with one are
// admitted only while the body memory budget has room, the others answered 503; ordinary
// requests go on being served, and the server's peak memory stays within the budget plus a
// fixed allowance.
//
// By default the flood is scaled down (a 32 MiB budget, 7.5 MB bodies: the ratios of the
// issue's measurement). NEXUS_BODY_FLOOD_FULL=1 runs it at full size: the default 256 MiB
// budget and 60 MB bodies (docs/performance.md, "Request bodies in memory").
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/http_test_fixture.h"
#include "util/base64.h"

namespace nexus::e2e {
namespace {

using namespace std::chrono_literals;

struct FloodSize {
  int64_t budget;    // --max-body-memory-bytes
  int64_t max_body;  // --max-body-bytes
  size_t body;       // bytes of each flooding request
};

constexpr FloodSize kScaled = {32 << 20, 8 << 20, 7'500'000};
constexpr FloodSize kFull = {256 << 20, 64 << 20, 60'000'000};
constexpr int kFloodRequests = 200;
// What the server may use besides the budget: its own baseline (about 20 MiB), the
// connections, caches and allocator slack.
constexpr int64_t kAllowance = 64 << 20;
// AddressSanitizer's shadow memory and quarantine of freed blocks are far larger than the
// budget: under it the answers are checked, not the memory.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMemoryMeasurable = false;
#else
constexpr bool kMemoryMeasurable = true;
#endif

FloodSize Size() {
  const char* full = std::getenv("NEXUS_BODY_FLOOD_FULL");
  return full != nullptr && std::string(full) == "1" ? kFull : kScaled;
}

struct Answer {
  int status = 0;  // 0: no complete answer
  std::string retry_after;
};

// One flooding request on a non-blocking socket: its head and the shared body go out while
// the answer is read, as a client that does not wait for 100 Continue sends them.
struct Upload {
  int fd = -1;
  std::string head;
  size_t sent = 0;  // of head and body
  std::string received;
  bool done = false;
  Answer answer;
};

// A non-blocking connection to the server, or -1.
int Connect(uint16_t port) {
  const int fd = test::ConnectLoopback(port);
  if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// The status and Retry-After of a complete response in `raw`, if there is one.
bool ParseAnswer(const std::string& raw, Answer* answer) {
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.size() < 12) return false;
  const std::string head = raw.substr(0, end + 2);
  size_t length = 0;
  for (size_t at = head.find("\r\n"); at != std::string::npos && at + 2 < head.size();) {
    const size_t next = head.find("\r\n", at + 2);
    const std::string line = head.substr(at + 2, next - at - 2);
    const size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
    if (name == "content-length") length = std::stoul(value);
    if (name == "retry-after") answer->retry_after = value;
    at = next;
  }
  if (raw.size() < end + 4 + length) return false;
  answer->status = std::stoi(raw.substr(9, 3));
  return true;
}

void Pump(Upload& u, const std::string& body, short revents) {
  const size_t total = u.head.size() + body.size();
  if ((revents & POLLOUT) != 0 && u.sent < total) {
    const bool in_head = u.sent < u.head.size();
    const char* data = in_head ? u.head.data() + u.sent : body.data() + (u.sent - u.head.size());
    const size_t left = in_head ? u.head.size() - u.sent : total - u.sent;
    const ssize_t n = ::send(u.fd, data, left, MSG_NOSIGNAL);
    if (n > 0) u.sent += static_cast<size_t>(n);
    if (n < 0 && errno != EAGAIN) u.sent = total;  // refused: stop sending, read the answer
  }
  if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    char buf[16384];
    const ssize_t n = ::recv(u.fd, buf, sizeof buf, 0);
    if (n > 0) u.received.append(buf, static_cast<size_t>(n));
    if (ParseAnswer(u.received, &u.answer) || n == 0 || (n < 0 && errno != EAGAIN)) {
      u.done = true;
      ::close(u.fd);
    }
  }
}

// Sends every request of `heads` at once, each followed by `body`; their answers, in order.
std::vector<Answer> Flood(uint16_t port, const std::vector<std::string>& heads,
                          const std::string& body) {
  std::vector<Upload> uploads(heads.size());
  for (size_t i = 0; i < heads.size(); ++i) {
    uploads[i].head = heads[i];
    uploads[i].fd = Connect(port);
    uploads[i].done = uploads[i].fd < 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<Upload*> polled;
    for (Upload& u : uploads) {
      if (u.done) continue;
      const bool sending = u.sent < u.head.size() + body.size();
      fds.push_back({u.fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0});
      polled.push_back(&u);
    }
    if (fds.empty()) break;
    if (::poll(fds.data(), fds.size(), 1000) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) Pump(*polled[i], body, fds[i].revents);
  }
  std::vector<Answer> answers;
  for (Upload& u : uploads) {
    if (!u.done) ::close(u.fd);
    answers.push_back(u.answer);
  }
  return answers;
}

std::string Head(const std::string& method, size_t length, const std::string& key) {
  std::string head = "POST /api/nfs/" + method + " HTTP/1.1\r\nHost: x\r\n";
  if (!key.empty()) head += "Authorization: Bearer " + key + "\r\n";
  return head + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

// A `write` of about `size` bytes of JSON.
std::string WriteBody(const std::string& path, size_t size) {
  const std::string content((size - 100) / 4 * 3, 'w');
  return Json{{"params", {{"path", path}, {"content", Bytes(Base64Encode(content))}}}}.dump();
}

// The peak resident memory of process `pid` (VmHWM), in bytes.
int64_t PeakResident(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

class BodyMemoryHttpTest : public HttpTest {
 protected:
  std::vector<std::string> ServeArgs() const override {
    return {"--max-body-memory-bytes", std::to_string(Size().budget), "--max-body-bytes",
            std::to_string(Size().max_body)};
  }

  // Small writes and reads with the admin key until `stop`; how many were not answered 200.
  int ServeOrdinaryRequests(const std::atomic<bool>& stop, int* served) {
    int failed = 0;
    while (!stop.load()) {
      const Json write = {{"params", {{"path", "/workspace/small.txt"}, {"content", "small"}}}};
      failed += Post("write", write.dump()).status == 200 ? 0 : 1;
      const Json read = {{"params", {{"path", "/workspace/small.txt"}}}};
      failed += Post("read", read.dump()).status == 200 ? 0 : 1;
      failed += test::Fetch(port(), "GET", "/health").status == 200 ? 0 : 1;
      *served += 3;
    }
    return failed;
  }

  // Floods the server with `heads` (each followed by `body`) while ordinary requests run
  // beside it, and checks those were all served.
  std::vector<Answer> FloodBesideOrdinaryRequests(const std::vector<std::string>& heads,
                                                  const std::string& body) {
    std::atomic<bool> stop{false};
    int served = 0;
    int failed = 0;
    std::thread ordinary([&] { failed = ServeOrdinaryRequests(stop, &served); });
    std::vector<Answer> answers = Flood(port(), heads, body);
    stop = true;
    ordinary.join();
    EXPECT_GT(served, 0);
    EXPECT_EQ(failed, 0) << "of " << served << " ordinary requests";
    return answers;
  }
};

TEST_P(BodyMemoryHttpTest, FloodOfLargeBodiesStaysWithinTheBudget) {
  const FloodSize size = Size();
  const std::string body = WriteBody("/workspace/flood.bin", size.body);
  ASSERT_LE(body.size(), static_cast<size_t>(size.max_body));

  // Without a key: every one refused before its body is read.
  const std::vector<Answer> anonymous = FloodBesideOrdinaryRequests(
      std::vector<std::string>(kFloodRequests, Head("write", body.size(), "")), body);
  for (const Answer& a : anonymous) EXPECT_EQ(a.status, 401);
  const int64_t after_anonymous = PeakResident(server_->pid());

  // With a key, far beyond the budget: admitted while it has room, the others 503 with
  // Retry-After; and a method without content refuses a body over 1 MiB.
  std::vector<std::string> heads(kFloodRequests, Head("write", body.size(), kAdminKey));
  const std::string large_read = Json{{"params", {{"path", std::string(2 << 20, 'r')}}}}.dump();
  const std::vector<Answer> keyed = FloodBesideOrdinaryRequests(heads, body);
  int written = 0;
  for (const Answer& a : keyed) {
    EXPECT_TRUE(a.status == 200 || a.status == 503) << a.status;
    if (a.status == 503) {
      EXPECT_EQ(a.retry_after, "1");
    }
    written += a.status == 200 ? 1 : 0;
  }
  EXPECT_GE(written, 1);
  const std::vector<Answer> reads = Flood(
      port(), std::vector<std::string>(10, Head("read", large_read.size(), kAdminKey)), large_read);
  for (const Answer& a : reads) EXPECT_EQ(a.status, 413);

  const int64_t peak = PeakResident(server_->pid());
  std::cout << "peak resident: " << (after_anonymous >> 20) << " MiB after " << kFloodRequests
            << " bodies of " << size.body << " bytes without a key, " << (peak >> 20)
            << " MiB after as many with one (" << written << " written); budget "
            << (size.budget >> 20) << " MiB\n";
  EXPECT_GT(peak, 0);
  if (kMemoryMeasurable) {
    EXPECT_LT(peak, size.budget + kAllowance);
  }

  // The budget is all given back: a large write goes through on its own.
  const std::vector<Answer> alone = Flood(port(), {Head("write", body.size(), kAdminKey)}, body);
  EXPECT_EQ(alone[0].status, 200);
  EXPECT_EQ(Result("get_metadata", {{"path", "/workspace/flood.bin"}})["metadata"]["size"],
            (size.body - 100) / 4 * 3);
}

NEXUS_INSTANTIATE_ENGINES(BodyMemoryHttpTest);

}  // namespace
}  // namespace nexus::e2e
