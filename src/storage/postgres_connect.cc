#include "storage/postgres_connect.h"

#include <cctype>

namespace nexus::storage {

namespace {

// libpq quotes a malformed URL whole in its error message; a password in it must not
// reach logs or clients.
std::string HidePassword(std::string msg, const std::string& url) {
  size_t scheme = url.find("://");
  size_t authority_end = url.find_first_of("/?", scheme == std::string::npos ? 0 : scheme + 3);
  size_t at = url.rfind('@', authority_end);
  bool userinfo_password = scheme != std::string::npos && at != std::string::npos && at > scheme &&
                           url.find(':', scheme + 3) < at;
  if (!userinfo_password && url.find("password") == std::string::npos) return msg;
  for (size_t pos = msg.find(url); pos != std::string::npos; pos = msg.find(url, pos)) {
    msg.replace(pos, url.size(), "<URL hidden: it holds a password>");
  }
  return msg;
}

}  // namespace

// libpq's messages span lines ("...failed: ...\n\tIs the server running...?\n"); a
// Status message is one line.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string ConnectionError(PGconn* conn) {
  std::string msg = conn != nullptr ? OneLine(PQerrorMessage(conn)) : "out of memory";
  return msg.empty() ? "unknown libpq error" : msg;
}

StatusOr<PGconn*> ConnectPostgres(const std::string& url) {
  // Entries before dbname may be overridden by the URL, entries after it may not:
  // a default connect timeout, and UTF-8 because our strings are UTF-8.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                            "client_encoding", nullptr};
  const char* values[] = {"10", "nexus", url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return IOError("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = HidePassword(ConnectionError(conn), url);
    PQfinish(conn);
    return IOError("cannot connect to PostgreSQL: " + msg);
  }
  return conn;
}

}  // namespace nexus::storage
