// The fixture of the HTTP tests: the real `nexus serve` binary over loopback, on SQLite and
// on PostgreSQL, with helpers for JSON-RPC calls. Each area has its own test file deriving
// from HttpTest and instantiating it with NEXUS_INSTANTIATE_ENGINES.
#ifndef NEXUS_TESTS_HTTP_TEST_FIXTURE_H_
#define NEXUS_TESTS_HTTP_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/http_types.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/temp_dir.h"

namespace nexus::e2e {

using Json = nlohmann::json;
using Headers = server::HeaderList;

// The key the test server is provisioned with: the system administrator of tenant default.
inline constexpr char kAdminKey[] = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

enum class Engine { kSqlite, kPostgres };

Headers Auth(const std::string& key = kAdminKey);
// A bytes wrapper of api.md §3.5.
Json Bytes(const std::string& b64);
// The content a bytes wrapper carries ("" and a test failure when it is not base64).
std::string Text(const Json& bytes);

class HttpTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override;
  // Arguments the server of SetUp starts with, besides StoreArgs().
  virtual std::vector<std::string> ServeArgs() const { return {}; }

  // --data-dir and, on PostgreSQL, --database-url.
  std::vector<std::string> StoreArgs() const;
  // Starts the server with StoreArgs() plus `extra`.
  void Start(std::vector<std::string> extra = {});
  // Stops the server and starts it again on the same port and store, as SetUp started it.
  void Restart();
  uint16_t port() const { return server_->port(); }

  test::ClientResponse Post(const std::string& method, const std::string& body,
                            Headers headers = Auth());
  // The whole JSON-RPC answer ({"result":...} or {"error":...}); expects HTTP 200.
  Json Rpc(const std::string& method, const Json& params, const std::string& key = kAdminKey);
  // The result of a call expected to succeed.
  Json Result(const std::string& method, const Json& params, const std::string& key = kAdminKey);
  // The error code of a call expected to fail (0 when it succeeded).
  int ErrorCode(const std::string& method, const Json& params, const std::string& key = kAdminKey);
  // A new non-admin key of `user` in `tenant`; its home directory exists.
  std::string NewUserKey(const std::string& user, const std::string& tenant = "default");

  // Runs `nexus fsck` on the (stopped) server's store; returns its exit status.
  int Fsck();

  test::TempDir dir_;
  std::string database_url_;
  std::unique_ptr<test::ServerProcess> server_;
};

// An HttpTest with three users for the tests of tenancy and permissions between them: alice
// and bob of tenant default, carol of tenant other.
class ThreeUsersHttpTest : public HttpTest {
 protected:
  void SetUp() override;

  // Writes `content` to `path` with `key`, alice's when empty.
  void Write(const std::string& path, const std::string& content, const std::string& key = "");

  std::string alice_;
  std::string bob_;
  std::string carol_;
};

#define NEXUS_INSTANTIATE_ENGINES(Suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(                                                              \
      Engines, Suite,                                                                    \
      ::testing::Values(::nexus::e2e::Engine::kSqlite, ::nexus::e2e::Engine::kPostgres), \
      [](const auto& info) {                                                             \
        return info.param == ::nexus::e2e::Engine::kSqlite ? "Sqlite" : "Postgres";      \
      })

}  // namespace nexus::e2e

#endif  // NEXUS_TESTS_HTTP_TEST_FIXTURE_H_
