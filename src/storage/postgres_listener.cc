// LISTEN/NOTIFY on a connection of its own, outside the engine's pool: a listening session
// must stay open, and the pool's connections go from unit to unit.
#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "storage/postgres_connect.h"

namespace nexus::storage {

namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

class PostgresListener : public Listener {
 public:
  PostgresListener(std::string url, std::string channel)
      : url_(std::move(url)), channel_(std::move(channel)) {}

  StatusOr<std::vector<std::string>> Wait(std::chrono::milliseconds timeout) override {
    if (conn_ == nullptr || PQstatus(conn_.get()) != CONNECTION_OK) RETURN_IF_ERROR(Connect());
    std::vector<std::string> payloads = Drain();
    if (!payloads.empty()) return payloads;
    pollfd fd{.fd = PQsocket(conn_.get()), .events = POLLIN, .revents = 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    if (ready < 0 && errno != EINTR) return Lost("poll failed");
    if (ready > 0 && PQconsumeInput(conn_.get()) != 1) return Lost(ConnectionError(conn_.get()));
    return Drain();
  }

 private:
  Status Connect() {
    conn_.reset();
    ASSIGN_OR_RETURN(PGconn * raw, ConnectPostgres(url_));
    conn_.reset(raw);
    PQsetNoticeProcessor(
        raw, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(raw, ("LISTEN " + channel_).c_str());
    const bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return Lost(ConnectionError(raw)).status();
    return Status::OK();
  }

  std::vector<std::string> Drain() {
    std::vector<std::string> payloads;
    while (PGnotify* n = PQnotifies(conn_.get())) {
      payloads.emplace_back(n->extra);
      PQfreemem(n);
    }
    return payloads;
  }

  StatusOr<std::vector<std::string>> Lost(const std::string& why) {
    conn_.reset();
    return IOError("PostgreSQL listener on '" + channel_ + "' lost its connection: " + why);
  }

  const std::string url_;
  const std::string channel_;
  std::unique_ptr<PGconn, ConnDeleter> conn_;
};

bool IsChannelName(std::string_view channel) {
  return !channel.empty() && channel.size() <= 63 &&
         std::all_of(
             channel.begin(), channel.end(),
             [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }) &&
         !(channel[0] >= '0' && channel[0] <= '9');
}

}  // namespace

StatusOr<std::unique_ptr<Listener>> ListenPostgres(const std::string& url,
                                                   std::string_view channel) {
  // The name goes into the LISTEN statement as an identifier: only plain ones.
  if (!IsChannelName(channel)) {
    return InvalidArgument("invalid notification channel: '" + std::string(channel) + "'");
  }
  return std::unique_ptr<Listener>(new PostgresListener(url, std::string(channel)));
}

}  // namespace nexus::storage
