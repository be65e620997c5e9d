// PostgreSQL for tests: an empty schema per test in the cluster that tools/with-postgres.sh
// starts.
//
//   TEST(Foo, Bar) {
//     NEXUS_PG_URL_OR_SKIP(url);
//     auto engine = storage::OpenPostgres({.url = url});
//
// Environment: NEXUS_TEST_PG_URL is the libpq URL of the test database. Without it the
// tests skip, unless NEXUS_REQUIRE_PG=1 (set by with-postgres.sh and CI): then they fail.
#ifndef NEXUS_TESTING_POSTGRES_H_
#define NEXUS_TESTING_POSTGRES_H_

#include <gtest/gtest.h>

#include <string>

namespace nexus::test {

// Creates a new empty schema and returns NEXUS_TEST_PG_URL with that schema as the
// search_path, so that each test starts from nothing. Returns "" in two cases, having
// recorded the outcome on the current test:
//  * PostgreSQL is not configured: the test is marked skipped (GTEST_SKIP);
//  * it is required (NEXUS_REQUIRE_PG=1) but not configured, or configured but unusable:
//    a fatal failure is recorded, so a fixture's body does not run after SetUp().
// The caller must return when it gets "" (the macro below does).
std::string FreshPostgresUrl();

}  // namespace nexus::test

// Declares `std::string var` holding FreshPostgresUrl() and returns from the enclosing
// function (a TEST body or SetUp()) when there is no database; the test has then been
// marked skipped or failed.
#define NEXUS_PG_URL_OR_SKIP(var)                      \
  std::string var = ::nexus::test::FreshPostgresUrl(); \
  if (var.empty()) return

#endif  // NEXUS_TESTING_POSTGRES_H_
