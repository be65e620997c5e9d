// Webhooks over HTTP against the real binary: the /api/subscriptions routes with their
// shapes, 404s, 422s and tenancy, and deliveries to a receiver on the loopback interface:
// 1,000 writes with a receiver that fails the first attempt of every tenth event, and a
// server killed mid-way and restarted.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "testing/loopback_http_server.h"
#include "tests/http_test_fixture.h"
#include "util/hash.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kSecret[] = "whsec-test";

// What the receiver got: each event's deliveries, checked as they arrive.
class Receiver {
 public:
  // With `fail_every` > 0, the first attempt of every `fail_every`-th new event gets a 500.
  // Each answer takes `delay`, so that deliveries can fall behind the writes.
  explicit Receiver(int fail_every = 0,
                    std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : fail_every_(fail_every),
        delay_(delay),
        server_([this](const test::ReceivedRequest& r) { return Receive(r); }) {}

  std::string url() const { return server_.url("/hook"); }

  // Waits until `done(events)` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const std::map<std::string, Json>&)>& done,
               std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      {
        MutexLock lock(&mu_);
        if (done(delivered_)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::map<std::string, Json> delivered() {
    MutexLock lock(&mu_);
    return delivered_;
  }
  int refused() const { return refused_; }
  int bad_signatures() const { return bad_signatures_; }

 private:
  test::CannedReply Receive(const test::ReceivedRequest& r) {
    std::this_thread::sleep_for(delay_);
    if (r.Header("X-Nexus-Signature") != "sha256=" + HmacSha256Hex(kSecret, r.body) ||
        r.Header("Content-Type") != "application/json" ||
        !r.Header("X-Nexus-Delivery-Id").starts_with("del_")) {
      ++bad_signatures_;
    }
    const Json body = Json::parse(r.body, nullptr, false);
    const std::string id = body.is_object() ? body.value("id", "") : "";
    MutexLock lock(&mu_);
    const bool first = attempts_[id]++ == 0;
    if (first && fail_every_ > 0 && ++new_events_ % fail_every_ == 0) {
      ++refused_;
      return test::CannedReply{500, {}, "try again"};
    }
    if (r.Header("X-Nexus-Event") != body.value("event", "")) ++bad_signatures_;
    delivered_[id] = body;
    return test::CannedReply{200, {}, "ok"};
  }

  const int fail_every_;
  const std::chrono::milliseconds delay_;
  Mutex mu_;
  std::map<std::string, int> attempts_ GUARDED_BY(mu_);
  std::map<std::string, Json> delivered_ GUARDED_BY(mu_);  // by event id
  int new_events_ GUARDED_BY(mu_) = 0;
  std::atomic<int> refused_{0};
  std::atomic<int> bad_signatures_{0};
  test::LoopbackHttpServer server_;  // last: its threads call Receive
};

class WebhooksHttpTest : public HttpTest {
 protected:
  std::vector<std::string> ServeArgs() const override {
    return {"--webhook-retry-backoff-ms", "20", "--webhook-lease-ms", "1000",
            "--webhook-allow-private-networks"};
  }

  test::ClientResponse Call(const std::string& method, const std::string& target,
                            const std::string& body = "", const std::string& key = kAdminKey) {
    Headers headers = Auth(key);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return test::Fetch(port(), method, target, headers, body);
  }

  // Creates a subscription as `key`; its JSON.
  Json Subscribe(const Json& body, const std::string& key = kAdminKey) {
    const test::ClientResponse r = Call("POST", "/api/subscriptions", body.dump(), key);
    EXPECT_EQ(r.status, 201) << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  // The 422 reason for `body`.
  std::string Refused(const std::string& body) {
    const test::ClientResponse r = Call("POST", "/api/subscriptions", body);
    EXPECT_EQ(r.status, 422) << body << " -> " << r.body;
    return Json::parse(r.body, nullptr, false).value("detail", "");
  }

  // Writes `path` as `key`; true when acknowledged.
  bool Write(const std::string& path, const std::string& content,
             const std::string& key = kAdminKey) {
    return WriteAt(port(), path, content, key);
  }
  // Write to the server at `port`, for threads that outlive the server.
  static bool WriteAt(uint16_t port, const std::string& path, const std::string& content,
                      const std::string& key = kAdminKey) {
    const Json call = {{"jsonrpc", "2.0"},
                       {"id", 1},
                       {"method", "write"},
                       {"params", {{"path", path}, {"content", content}}}};
    const test::ClientResponse r =
        test::Fetch(port, "POST", "/api/nfs/write", Auth(key), call.dump());
    if (r.status != 200) return false;
    const Json answer = Json::parse(r.body, nullptr, false);
    return answer.is_object() && answer.contains("result");
  }
};

TEST_P(WebhooksHttpTest, CreateListGetUpdateDelete) {
  const Json created = Subscribe({{"url", "http://127.0.0.1:9/hook"},
                                  {"patterns", {"/workspace/**"}},
                                  {"secret", "s"},
                                  {"name", "ci"},
                                  {"metadata", {{"team", "a"}}}});
  std::set<std::string> keys;
  for (const auto& [k, v] : created.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{
                      "id", "tenant_id", "url", "event_types", "patterns", "name", "description",
                      "metadata", "enabled", "last_delivery_at", "last_delivery_status",
                      "consecutive_failures", "created_at", "updated_at", "created_by"}))
      << created.dump();
  EXPECT_EQ(created["tenant_id"], "default");
  EXPECT_EQ(created["event_types"], (Json{"file_write", "file_delete", "file_rename"}));
  EXPECT_EQ(created["patterns"], (Json{"/workspace/**"}));
  EXPECT_EQ(created["metadata"], (Json{{"team", "a"}}));
  EXPECT_EQ(created["enabled"], true);
  EXPECT_EQ(created["description"], nullptr);
  EXPECT_EQ(created["last_delivery_at"], nullptr);
  EXPECT_EQ(created["consecutive_failures"], 0);
  EXPECT_TRUE(created["created_at"].is_string()) << "plain ISO strings, not __type__ wrappers";
  EXPECT_EQ(created["created_by"], "admin");
  const std::string item = "/api/subscriptions/" + created["id"].get<std::string>();

  test::ClientResponse r = Call("GET", "/api/subscriptions?enabled_only=false&limit=100&offset=0");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), (Json{{"subscriptions", {created}}}));
  r = Call("GET", item);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), created);

  r = Call("PATCH", item,
           R"({"enabled": false, "patterns": null, "event_types": ["metadata_change"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json updated = Json::parse(r.body);
  EXPECT_EQ(updated["enabled"], false);
  EXPECT_EQ(updated["patterns"], nullptr);
  EXPECT_EQ(updated["event_types"], (Json{"metadata_change"}));
  EXPECT_EQ(updated["name"], "ci");
  r = Call("GET", "/api/subscriptions?enabled_only=true");
  EXPECT_EQ(Json::parse(r.body)["subscriptions"].size(), 0u);
  r = Call("GET", "/api/subscriptions?enabled_only=%74rue&limit=%31");  // percent-encoded
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["subscriptions"].size(), 0u);

  r = Call("DELETE", item);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), (Json{{"deleted", true}}));
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    r = Call(method, item, std::string(method) == "PATCH" ? R"({"name":"x"})" : "");
    EXPECT_EQ(r.status, 404) << method;
    EXPECT_EQ(Json::parse(r.body), (Json{{"detail", "Subscription not found"}}));
  }
  r = Call("POST", item + "/test");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), (Json{{"success", false}, {"error", "Subscription not found"}}));

  r = test::Fetch(port(), "GET", "/api/subscriptions");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Json::parse(r.body), (Json{{"detail", "Invalid or missing API key"}}));
  EXPECT_EQ(Call("PUT", "/api/subscriptions").status, 405);
  EXPECT_EQ(Call("GET", "/api/subscriptions/x/y").status, 404);
}

TEST_P(WebhooksHttpTest, BadInputIsRefusedWithTheReason) {
  EXPECT_NE(Refused(R"({"url": "ftp://example.com/x"})").find("url"), std::string::npos);
  EXPECT_NE(Refused(R"({"url": "file:///etc/passwd"})").find("url"), std::string::npos);
  const std::string self = "http://127.0.0.1:" + std::to_string(port()) + "/api/nfs/delete";
  EXPECT_NE(Refused(Json{{"url", self}}.dump()).find("points back"), std::string::npos);
  const std::string self_name = "http://localhost:" + std::to_string(port()) + "/";
  EXPECT_NE(Refused(Json{{"url", self_name}}.dump()).find("points back"), std::string::npos);
  EXPECT_NE(
      Refused(R"({"url": "http://127.0.0.1:9/", "event_types": ["file_boom"]})").find("file_boom"),
      std::string::npos);
  EXPECT_NE(Refused(R"({"url": "http://127.0.0.1:9/", "patterns": ["/a/[b"]})").find("pattern"),
            std::string::npos);
  EXPECT_NE(Refused(R"({"url": 5})").find("url"), std::string::npos);
  EXPECT_NE(Refused(R"({"url": "http://127.0.0.1:9/", "patterns": "/a"})").find("patterns"),
            std::string::npos);
  EXPECT_NE(Refused(R"({"url": "http://127.0.0.1:9/", "metadata": [1]})").find("metadata"),
            std::string::npos);
  EXPECT_NE(Refused(R"({"event_types": ["file_write"]})").find("url"), std::string::npos);
  Refused("not json");
  Refused("[1, 2]");
  Refused(Json{{"url", "http://127.0.0.1:9/"}, {"description", std::string(70000, 'd')}}.dump());
  for (const char* query :
       {"limit=0", "limit=abc", "limit=100000", "offset=-1", "enabled_only=maybe", "limit=%zz"}) {
    const test::ClientResponse r = Call("GET", std::string("/api/subscriptions?") + query);
    EXPECT_EQ(r.status, 422) << query << " -> " << r.body;
  }
  const Json ok = Subscribe({{"url", "http://127.0.0.1:9/"}});
  const test::ClientResponse r =
      Call("PATCH", "/api/subscriptions/" + ok["id"].get<std::string>(), R"({"enabled": "yes"})");
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_P(WebhooksHttpTest, SubscriptionsStayInTheirTenantAndWithTheirCreator) {
  const std::string ann = NewUserKey("ann");
  const std::string bob = NewUserKey("bob");
  const std::string eve = NewUserKey("eve", "acme");
  const Json admins = Subscribe({{"url", "http://127.0.0.1:9/a"}});
  const Json anns = Subscribe({{"url", "http://127.0.0.1:9/b"}}, ann);
  EXPECT_EQ(anns["created_by"], "ann");
  const std::string ann_item = "/api/subscriptions/" + anns["id"].get<std::string>();
  const std::string admin_item = "/api/subscriptions/" + admins["id"].get<std::string>();

  for (const std::string& key : {bob, eve}) {
    EXPECT_EQ(Call("GET", ann_item, "", key).status, 404);
    EXPECT_EQ(Call("PATCH", ann_item, R"({"enabled": false})", key).status, 404);
    EXPECT_EQ(Call("DELETE", ann_item, "", key).status, 404);
    const test::ClientResponse t = Call("POST", ann_item + "/test", "", key);
    EXPECT_EQ(Json::parse(t.body)["success"], false);
  }
  EXPECT_EQ(Call("GET", admin_item, "", ann).status, 404) << "a non-admin sees only its own";
  EXPECT_EQ(Json::parse(Call("GET", "/api/subscriptions", "", ann).body)["subscriptions"].size(),
            1u);
  EXPECT_EQ(Json::parse(Call("GET", "/api/subscriptions", "", eve).body)["subscriptions"].size(),
            0u);
  EXPECT_EQ(Json::parse(Call("GET", "/api/subscriptions").body)["subscriptions"].size(), 2u)
      << "the tenant's admin sees all of the tenant's";
  const Json eves = Subscribe({{"url", "http://127.0.0.1:9/e"}}, eve);
  EXPECT_EQ(eves["tenant_id"], "acme");
  EXPECT_EQ(Call("GET", "/api/subscriptions/" + eves["id"].get<std::string>()).status, 404)
      << "another tenant's admin does not see it";
}

TEST_P(WebhooksHttpTest, EventsReachOnlyMatchingSubscriptionsOfTheirTenant) {
  Receiver receiver;
  const std::string ann = NewUserKey("ann");
  const std::string eve = NewUserKey("eve", "acme");
  Subscribe({{"url", receiver.url()},
             {"secret", kSecret},
             {"patterns", {"/user:ann/**"}},
             {"event_types", {"file_write", "file_rename", "file_delete"}}},
            ann);
  ASSERT_TRUE(Write("/tenant:default/user:ann/a.txt", "1", ann));
  ASSERT_EQ(Result("rename",
                   {{"old_path", "/tenant:default/user:ann/a.txt"},
                    {"new_path", "/tenant:default/user:ann/b.txt"}},
                   ann)
                .is_object(),
            true);
  Result("delete", {{"path", "/tenant:default/user:ann/b.txt"}}, ann);
  ASSERT_TRUE(Write("/tenant:default/user:bob/x.txt", "1"));    // outside ann's home
  ASSERT_TRUE(Write("/tenant:acme/user:eve/y.txt", "1", eve));  // another tenant
  ASSERT_TRUE(
      receiver.WaitFor([](const auto& e) { return e.size() >= 3; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing else may follow
  std::vector<std::string> seen;
  for (const auto& [id, body] : receiver.delivered()) {
    seen.push_back(body["event"].get<std::string>() + " " +
                   body["data"]["path"].get<std::string>());
    EXPECT_TRUE(id.starts_with("evt_"));
    EXPECT_TRUE(body["timestamp"].is_string());
    EXPECT_EQ(body["subscription"]["metadata"], Json::object());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"file_delete /tenant:default/user:ann/b.txt",
                                            "file_rename /tenant:default/user:ann/b.txt",
                                            "file_write /tenant:default/user:ann/a.txt"}));
  EXPECT_EQ(receiver.bad_signatures(), 0);
}

TEST_P(WebhooksHttpTest, TheTestRouteDeliversASignedEventNow) {
  Receiver receiver;
  const Json sub = Subscribe({{"url", receiver.url()}, {"secret", kSecret}});
  const std::string id = sub["id"];
  const test::ClientResponse r = Call("POST", "/api/subscriptions/" + id + "/test");
  ASSERT_EQ(r.status, 200);
  const Json answer = Json::parse(r.body);
  EXPECT_EQ(answer["success"], true);
  EXPECT_EQ(answer["subscription_id"], id);
  const std::string event_id = answer["event_id"];
  EXPECT_TRUE(event_id.starts_with("evt_test_") && event_id.size() == 17) << event_id;
  const auto delivered = receiver.delivered();
  ASSERT_EQ(delivered.count(event_id), 1u);
  EXPECT_EQ(delivered.at(event_id)["subscription"]["id"], id);
  EXPECT_EQ(receiver.bad_signatures(), 0);
}

TEST_P(WebhooksHttpTest, AThousandWritesAreAllDeliveredDespiteFailures) {
  Receiver receiver(/*fail_every=*/10);
  Subscribe({{"url", receiver.url()}, {"secret", kSecret}, {"patterns", {"/workspace/load/**"}}});
  constexpr int kWrites = 1000;
  constexpr int kThreads = 8;
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = t; i < kWrites; i += kThreads) {
        if (!Write("/workspace/load/f" + std::to_string(i), "content " + std::to_string(i)))
          ++failed;
      }
    });
  }
  for (std::thread& w : writers) w.join();
  ASSERT_EQ(failed, 0);
  ASSERT_TRUE(
      receiver.WaitFor([](const auto& e) { return e.size() >= kWrites; }, std::chrono::seconds(45)))
      << receiver.delivered().size() << " of " << kWrites << " delivered";
  std::set<std::string> written;
  for (const auto& [id, body] : receiver.delivered()) {
    EXPECT_EQ(body["event"], "file_write");
    EXPECT_EQ(body["data"]["version"], 1);
    written.insert(body["data"]["path"].get<std::string>());
  }
  std::set<std::string> expected;
  for (int i = 0; i < kWrites; ++i)
    expected.insert("/tenant:default/workspace/load/f" + std::to_string(i));
  EXPECT_EQ(written, expected);
  EXPECT_EQ(receiver.refused(), kWrites / 10) << "every tenth event failed its first attempt";
  EXPECT_EQ(receiver.bad_signatures(), 0);
}

TEST_P(WebhooksHttpTest, EveryAcknowledgedWriteIsDeliveredAcrossAKill) {
  Receiver receiver(0, std::chrono::milliseconds(10));  // falls behind: a backlog at the kill
  Subscribe({{"url", receiver.url()}, {"secret", kSecret}});
  struct {
    Mutex mu;
    std::set<std::string> paths GUARDED_BY(mu);
  } acked;  // by the writer threads
  std::atomic<bool> stop{false};
  const uint16_t first_port = port();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string path = "/workspace/crash/t" + std::to_string(t) + "_" + std::to_string(i);
        if (!WriteAt(first_port, path, "x")) break;  // the server is gone
        MutexLock lock(&acked.mu);
        acked.paths.insert("/tenant:default" + path);
      }
    });
  }
  const auto enough = [&] {
    MutexLock lock(&acked.mu);
    return acked.paths.size() >= 300;
  };
  for (int i = 0; i < 3000 && !enough(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  server_.reset();  // SIGKILL mid-way: writes and deliveries are cut off
  stop = true;
  for (std::thread& w : writers) w.join();
  const std::set<std::string> acknowledged = [&] {
    MutexLock lock(&acked.mu);
    return acked.paths;
  }();
  ASSERT_GE(acknowledged.size(), 300u);
  std::printf("at the kill: %zu writes acknowledged, %zu events delivered\n", acknowledged.size(),
              receiver.delivered().size());

  Start(ServeArgs());
  const auto all_delivered = [&](const std::map<std::string, Json>& events) {
    std::set<std::string> paths;
    for (const auto& [id, body] : events) paths.insert(body["data"]["path"].get<std::string>());
    return std::includes(paths.begin(), paths.end(), acknowledged.begin(), acknowledged.end());
  };
  EXPECT_TRUE(receiver.WaitFor(all_delivered, std::chrono::seconds(45)))
      << receiver.delivered().size() << " events for " << acknowledged.size()
      << " acknowledged writes";
  EXPECT_EQ(receiver.bad_signatures(), 0);
}

NEXUS_INSTANTIATE_ENGINES(WebhooksHttpTest);

// The default server: subscription URLs are chosen by users, so loopback and private
// receivers are refused (SSRF), however the address is written.
class WebhooksDefaultHttpTest : public WebhooksHttpTest {
 protected:
  std::vector<std::string> ServeArgs() const override { return {}; }
};

TEST_P(WebhooksDefaultHttpTest, PrivateReceiversAreRefused) {
  for (const char* url : {"http://127.0.0.1:9/", "http://localhost:9/", "http://10.1.2.3/",
                          "http://169.254.169.254/latest/meta-data", "http://[::1]:9/"}) {
    EXPECT_NE(Refused(Json{{"url", url}}.dump()).find("not a public address"), std::string::npos)
        << url;
  }
  // A name that resolves to loopback passes the check at creation; the delivery refuses to
  // connect, so the test event fails and nothing reaches the receiver.
  test::LoopbackHttpServer receiver([](const test::ReceivedRequest&) {
    return test::CannedReply{200, {}, "ok"};
  });
  const std::string sneaky = "http://2130706433:" + std::to_string(receiver.port()) + "/hook";
  const Json sub = Subscribe({{"url", sneaky}});
  const test::ClientResponse sent =
      Call("POST", "/api/subscriptions/" + sub.value("id", "") + "/test");
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(Json::parse(sent.body)["success"], false) << sent.body;
  EXPECT_EQ(receiver.request_count(), 0u);
}

NEXUS_INSTANTIATE_ENGINES(WebhooksDefaultHttpTest);

}  // namespace
}  // namespace nexus::e2e
