#include "tests/http_test_fixture.h"

#include <sys/wait.h>

#include <cstdlib>

#include "testing/postgres.h"
#include "util/base64.h"

namespace nexus::e2e {

Headers Auth(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

Json Bytes(const std::string& b64) { return Json{{"__type__", "bytes"}, {"data", b64}}; }

std::string Text(const Json& bytes) {
  StatusOr<std::string> decoded = Base64Decode(bytes.value("data", ""));
  EXPECT_TRUE(decoded.ok()) << bytes.dump();
  return decoded.ok() ? *decoded : "";
}

void HttpTest::SetUp() {
  if (GetParam() == Engine::kPostgres) {
    database_url_ = test::FreshPostgresUrl();
    if (database_url_.empty()) GTEST_SKIP() << "no PostgreSQL test server";
  }
  Start(ServeArgs());
}

std::vector<std::string> HttpTest::StoreArgs() const {
  std::vector<std::string> args = {"--data-dir", dir_.path()};
  if (!database_url_.empty()) args.insert(args.end(), {"--database-url", database_url_});
  return args;
}

void HttpTest::Start(std::vector<std::string> extra) {
  std::vector<std::string> args = StoreArgs();
  args.insert(args.end(), extra.begin(), extra.end());
  server_ = std::make_unique<test::ServerProcess>(NEXUS_BINARY, args, kAdminKey);
  ASSERT_TRUE(server_->started()) << server_->output();
}

void HttpTest::Restart() {
  const uint16_t same_port = port();
  server_->Stop();
  std::vector<std::string> args = StoreArgs();
  const std::vector<std::string> extra = ServeArgs();
  args.insert(args.end(), extra.begin(), extra.end());
  server_ = std::make_unique<test::ServerProcess>(NEXUS_BINARY, args, kAdminKey, same_port);
  ASSERT_TRUE(server_->started()) << server_->output();
}

test::ClientResponse HttpTest::Post(const std::string& method, const std::string& body,
                                    Headers headers) {
  return test::Fetch(port(), "POST", "/api/nfs/" + method, headers, body);
}

Json HttpTest::Rpc(const std::string& method, const Json& params, const std::string& key) {
  const test::ClientResponse r = Post(
      method, Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump(),
      Auth(key));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? Json::parse(r.body) : Json();
}

Json HttpTest::Result(const std::string& method, const Json& params, const std::string& key) {
  const Json answer = Rpc(method, params, key);
  EXPECT_TRUE(answer.contains("result")) << method << ": " << answer.dump();
  return answer.contains("result") ? answer["result"] : Json();
}

int HttpTest::ErrorCode(const std::string& method, const Json& params, const std::string& key) {
  const Json answer = Rpc(method, params, key);
  return answer.contains("error") ? answer["error"]["code"].get<int>() : 0;
}

std::string HttpTest::NewUserKey(const std::string& user, const std::string& tenant) {
  const Json created =
      Result("admin_create_key", Json{{"user_id", user}, {"name", user}, {"tenant_id", tenant}});
  return created.value("api_key", "");
}

int HttpTest::Fsck() {
  std::string cmd = std::string(NEXUS_BINARY) + " fsck --data-dir " + dir_.path();
  if (!database_url_.empty()) cmd += " --database-url '" + database_url_ + "'";
  return WEXITSTATUS(std::system((cmd + " >/dev/null 2>&1").c_str()));
}

void ThreeUsersHttpTest::SetUp() {
  HttpTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  alice_ = NewUserKey("alice");
  bob_ = NewUserKey("bob");
  carol_ = NewUserKey("carol", "other");
}

void ThreeUsersHttpTest::Write(const std::string& path, const std::string& content,
                               const std::string& key) {
  Result("write", Json{{"path", path}, {"content", Bytes(Base64Encode(content))}},
         key.empty() ? alice_ : key);
}

}  // namespace nexus::e2e
