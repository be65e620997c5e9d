#include "testing/postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace nexus::test {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// Fatal, so that a fixture's test body does not run after SetUp() got no database.
void Fail(const std::string& message) { GTEST_FAIL() << message; }

void Skip() {
  GTEST_SKIP() << "PostgreSQL not configured: set NEXUS_TEST_PG_URL or run under "
                  "tools/with-postgres.sh";
}

// Unique across the processes that share the cluster (ctest runs test binaries in
// parallel, and gtest_discover_tests runs each test in its own process).
std::string NewSchemaName() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", rd());
  return "t_" + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" + suffix;
}

// libpq takes URLs (postgresql://...) and key=value strings; the schema goes into the
// `options` parameter in either form.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    char sep = url.find('?') == std::string::npos ? '?' : '&';
    return url + sep + "options=-csearch_path%3D" + schema;
  }
  return url + " options='-csearch_path=" + schema + "'";
}

bool CreateSchema(const std::string& url, const std::string& schema) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    Fail("cannot connect to the test PostgreSQL (NEXUS_TEST_PG_URL=" + url +
         "): " + PQerrorMessage(conn));
    PQfinish(conn);
    return false;
  }
  PGresult* r = PQexec(conn, ("CREATE SCHEMA " + schema).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) Fail("CREATE SCHEMA " + schema + ": " + PQerrorMessage(conn));
  PQclear(r);
  PQfinish(conn);
  return ok;
}

}  // namespace

std::string FreshPostgresUrl() {
  std::string url = Env("NEXUS_TEST_PG_URL");
  if (url.empty()) {
    if (Env("NEXUS_REQUIRE_PG") == "1") {
      Fail(
          "NEXUS_REQUIRE_PG=1 but NEXUS_TEST_PG_URL is not set; run the tests under "
          "tools/with-postgres.sh");
    } else {
      Skip();
    }
    return "";
  }
  // Schemas are never dropped: the cluster is thrown away after the run.
  std::string schema = NewSchemaName();
  if (!CreateSchema(url, schema)) return "";
  return WithSearchPath(url, schema);
}

}  // namespace nexus::test
