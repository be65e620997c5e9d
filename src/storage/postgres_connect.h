// Internal to the PostgreSQL engine and its listener: opening a libpq connection, turning
// libpq's messages into one-line Status text, and the listener of LISTEN/NOTIFY.
#ifndef NEXUS_STORAGE_POSTGRES_CONNECT_H_
#define NEXUS_STORAGE_POSTGRES_CONNECT_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/engine.h"
#include "util/status.h"

namespace nexus::storage {

// Connects to `url` (a libpq connection string or postgresql:// URL, several hosts allowed)
// with a 10 s connect timeout unless the URL sets one. The caller owns the connection
// (PQfinish). kIOError, without any password of the URL, when it cannot connect.
StatusOr<PGconn*> ConnectPostgres(const std::string& url);

// libpq's last message for `conn`, on one line.
std::string ConnectionError(PGconn* conn);

// A listener (engine.h) on `channel` of the database at `url`. The connection is made on
// the first Wait, so a node can start its listener while the database is away.
StatusOr<std::unique_ptr<Listener>> ListenPostgres(const std::string& url,
                                                   std::string_view channel);

// `text` with its line breaks and runs of blanks folded into single spaces.
std::string OneLine(std::string_view text);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_POSTGRES_CONNECT_H_
