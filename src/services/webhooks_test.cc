// Webhooks: the outbox written with each change, claims and acknowledgements, matching,
// signed deliveries with retries, subscription validation and tenancy, and the worker.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "services/permission_hooks.h"
#include "services/subscription_match.h"
#include "services/subscriptions.h"
#include "services/test_identities.h"
#include "services/webhook_delivery.h"
#include "services/webhook_outbox.h"
#include "services/webhook_worker.h"
#include "testing/test_store.h"
#include "util/clock.h"
#include "util/hash.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

// Answers with the statuses a test scripts, and keeps what it was sent.
class FakeHttp : public OutboundHttp {
 public:
  StatusOr<OutboundResponse> Send(const OutboundRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(request);
    if (answer_) return answer_(request, sent_.size());
    return OutboundResponse{200, {}, ""};
  }
  std::vector<OutboundRequest> sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  // (request, number of requests so far) -> answer.
  std::function<StatusOr<OutboundResponse>(const OutboundRequest&, size_t)> answer_;

 private:
  std::mutex mu_;
  std::vector<OutboundRequest> sent_;
};

std::string HeaderOf(const OutboundRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// Receivers here are on loopback (the fake never connects), so private addresses are allowed;
// PrivateReceiversAreRefusedByDefault covers the default.
constexpr DeliveryOptions kFast{3, std::chrono::milliseconds(1), std::chrono::milliseconds(1000),
                                true};

class WebhooksTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    subs_ = std::make_unique<SubscriptionService>(*store_.engine, http_, kFast, "0.0.0.0");
    subs_->SetOwnPort(8080);
    WebhookWorkerOptions options;
    options.batch_size = 8;
    worker_ = std::make_unique<WebhookWorker>(*store_.engine, *subs_, options);
    tree_ = std::make_unique<vfs::PathTree>(*store_.engine, *store_.blobs, worker_->Hooks());
  }

  SubscriptionFields Fields(const std::string& url = "http://127.0.0.1:9/hook") {
    SubscriptionFields f;
    f.url = url;
    return f;
  }

  int64_t Outbox() { return store_.Count("SELECT COUNT(*) FROM webhook_outbox"); }

  test::TestStore store_;
  FakeHttp http_;
  std::unique_ptr<SubscriptionService> subs_;
  std::unique_ptr<WebhookWorker> worker_;
  std::unique_ptr<vfs::PathTree> tree_;
  const auth::Identity admin_ = test_ids::Admin();
  const vfs::Actor ann_{"ann"};
};

TEST_P(WebhooksTest, EventsAreRecordedWithTheChangeOnlyForTenantsWithSubscriptions) {
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/a.txt", "1").ok());
  EXPECT_EQ(Outbox(), 0) << "no subscription: nothing recorded";
  ASSERT_TRUE(subs_->Create(admin_, Fields()).ok());
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/a.txt", "22").ok());
  ASSERT_TRUE(tree_->Rename("/tenant:default/a.txt", "/tenant:default/b.txt").ok());
  ASSERT_TRUE(tree_->SetFileMetadata("/tenant:default/b.txt", "k", "v").ok());
  ASSERT_TRUE(tree_->Delete("/tenant:default/b.txt").ok());
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:other/x", "1").ok());  // no subscription there
  ASSERT_TRUE(tree_->Write(ann_, "/skill/x", "1").ok());         // system-wide: no tenant
  vfs::WriteOptions stale;
  stale.if_match = "0000";
  EXPECT_FALSE(tree_->Write(ann_, "/tenant:default/c.txt", "x", stale).ok());

  const auto events = ClaimEvents(*store_.engine, NowMicros(), NowMicros() + 1000000, 100);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 4u) << "the failed write recorded nothing";
  EXPECT_EQ((*events)[0].type, kFileWrite);
  EXPECT_EQ((*events)[0].path, "/tenant:default/a.txt");
  EXPECT_EQ((*events)[0].version, 2);
  EXPECT_EQ((*events)[0].size, 2);
  EXPECT_EQ((*events)[0].etag, Sha256Hex("22"));
  EXPECT_EQ((*events)[1].type, kFileRename);
  EXPECT_EQ((*events)[1].old_path, "/tenant:default/a.txt");
  EXPECT_EQ((*events)[1].path, "/tenant:default/b.txt");
  EXPECT_EQ((*events)[2].type, kMetadataChange);
  EXPECT_EQ((*events)[2].metadata_key, "k");
  EXPECT_EQ((*events)[3].type, kFileDelete);
  EXPECT_TRUE((*events)[3].event_id.starts_with("evt_"));
  EXPECT_EQ((*events)[3].tenant_id, "default");
}

TEST_P(WebhooksTest, ClaimsAreLeasesAndDeletedEventsAreGone) {
  ASSERT_TRUE(subs_->Create(admin_, Fields()).ok());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/f" + std::to_string(i), "x").ok());
  const int64_t now = NowMicros();
  auto first = ClaimEvents(*store_.engine, now, now + 60000000, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 2u);
  auto second = ClaimEvents(*store_.engine, now, now + 60000000, 10);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u) << "claimed rows are not claimed again while leased";
  EXPECT_GE(second->front().created_at, first->back().created_at);
  auto lapsed = ClaimEvents(*store_.engine, now + 60000001, now + 120000000, 10);
  ASSERT_TRUE(lapsed.ok());
  EXPECT_EQ(lapsed->size(), 3u) << "a lapsed lease is claimed again";
  ASSERT_TRUE(store_.engine
                  ->Write([&](storage::Tx& tx) {
                    return DeleteEvents(tx, {(*first)[0].event_id, (*first)[1].event_id});
                  })
                  .ok());
  ASSERT_TRUE(ReleaseAllClaims(*store_.engine).ok());
  auto rest = ClaimEvents(*store_.engine, now, now + 1, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().event_id, second->front().event_id);
}

TEST_P(WebhooksTest, MatchingByTypeScopeAndPattern) {
  Subscription sub;
  sub.tenant_id = "t";
  sub.event_types = {kFileWrite, kFileRename};
  sub.patterns = {"/workspace/**/*.md"};
  auto m = SubscriptionMatcher::Compile(sub);
  ASSERT_TRUE(m.ok());
  OutboxEvent e;
  e.tenant_id = "t";
  e.type = kFileWrite;
  e.path = "/tenant:t/workspace/a/b.md";
  EXPECT_TRUE(m->Matches(e)) << "the tenant-relative form matches";
  e.path = "/tenant:t/workspace/a/b.txt";
  EXPECT_FALSE(m->Matches(e));
  e.type = kFileRename;
  e.old_path = "/tenant:t/workspace/old.md";
  EXPECT_TRUE(m->Matches(e)) << "a rename matches on its old path too";
  e.type = kFileDelete;
  e.path = "/tenant:t/workspace/a/b.md";
  EXPECT_FALSE(m->Matches(e)) << "not a subscribed type";
  e.type = kFileWrite;
  e.tenant_id = "u";
  e.path = "/tenant:u/workspace/b.md";
  EXPECT_FALSE(m->Matches(e)) << "another tenant";

  sub.patterns = {"/tenant:t/**"};
  sub.path_scope = "/tenant:t/user:ann/";
  auto scoped = SubscriptionMatcher::Compile(sub);
  ASSERT_TRUE(scoped.ok());
  e = OutboxEvent{};
  e.tenant_id = "t";
  e.type = kFileWrite;
  e.path = "/tenant:t/user:ann/notes.md";
  EXPECT_TRUE(scoped->Matches(e));
  e.path = "/tenant:t/user:bob/notes.md";
  EXPECT_FALSE(scoped->Matches(e)) << "outside the creator's home";
}

TEST_P(WebhooksTest, DeliveryIsSignedAndRetried) {
  Subscription sub;
  sub.id = "s1";
  sub.url = "http://127.0.0.1:9/hook";
  sub.secret = "topsecret";
  sub.metadata_json = R"({"team":"a"})";
  const WebhookEvent event{"evt_1", kFileWrite, 1766000000000000, R"({"path":"/x"})"};
  http_.answer_ = [](const OutboundRequest&, size_t n) -> StatusOr<OutboundResponse> {
    if (n == 1) return IOError("connection refused");
    if (n == 2) return OutboundResponse{503, {}, ""};
    return OutboundResponse{204, {}, ""};
  };
  std::vector<std::chrono::milliseconds> waits;
  const DeliveryResult r =
      Deliver(http_, event, sub, DeliveryOptions{3, std::chrono::milliseconds(100), {}},
              [&](std::chrono::milliseconds d) {
                waits.push_back(d);
                return true;
              });
  EXPECT_TRUE(r.delivered);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(100),
                                                           std::chrono::milliseconds(200)}));
  const auto sent = http_.sent();
  ASSERT_EQ(sent.size(), 3u);
  const OutboundRequest& req = sent.back();
  EXPECT_EQ(req.url, sub.url);
  EXPECT_EQ(HeaderOf(req, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(req, "X-Nexus-Event"), "file_write");
  EXPECT_EQ(HeaderOf(req, "X-Nexus-Signature"), "sha256=" + HmacSha256Hex("topsecret", req.body));
  const std::string delivery = HeaderOf(req, "X-Nexus-Delivery-Id");
  EXPECT_EQ(delivery.size(), 20u);
  EXPECT_TRUE(delivery.starts_with("del_"));
  EXPECT_EQ(HeaderOf(sent[0], "X-Nexus-Delivery-Id"), delivery) << "one id for all attempts";
  const Json body = Json::parse(req.body);
  EXPECT_EQ(body["id"], "evt_1");
  EXPECT_EQ(body["event"], "file_write");
  EXPECT_EQ(body["timestamp"], "2025-12-17T19:33:20.000000+00:00");
  EXPECT_EQ(body["data"]["path"], "/x");
  EXPECT_EQ(body["subscription"], (Json{{"id", "s1"}, {"metadata", {{"team", "a"}}}}));

  sub.secret.clear();
  http_.answer_ = [](const OutboundRequest&, size_t) -> StatusOr<OutboundResponse> {
    return OutboundResponse{500, {}, ""};
  };
  const DeliveryResult failed =
      Deliver(http_, event, sub, kFast, [](std::chrono::milliseconds) { return true; });
  EXPECT_FALSE(failed.delivered);
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(HeaderOf(http_.sent().back(), "X-Nexus-Signature"), "") << "no secret, no signature";
  const DeliveryResult abandoned =
      Deliver(http_, event, sub, kFast, [](std::chrono::milliseconds) { return false; });
  EXPECT_TRUE(abandoned.abandoned);
  EXPECT_EQ(abandoned.attempts, 1);
}

TEST_P(WebhooksTest, PrivateReceiversAreRefusedByDefault) {
  SubscriptionService strict(*store_.engine, http_, DeliveryOptions{}, "0.0.0.0");
  for (const char* url : {"http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/",
                          "http://10.0.0.8/", "http://169.254.169.254/latest/meta-data",
                          "http://[::ffff:192.168.1.1]/", "http://0.0.0.0:9/"}) {
    SubscriptionFields f = Fields(url);
    StatusOr<Subscription> s = strict.Create(admin_, f);
    EXPECT_EQ(s.status().code(), Code::kValidation) << url;
    EXPECT_NE(s.status().message().find("not a public address"), std::string::npos) << url;
  }
  // A name is checked where it is resolved, at delivery: the request says so.
  StatusOr<Subscription> named = strict.Create(admin_, Fields("https://hooks.example.com/x"));
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  std::string event_id;
  ASSERT_TRUE(strict.SendTest(admin_, named->id, &event_id).ok());
  ASSERT_EQ(http_.sent().size(), 1u);
  EXPECT_TRUE(http_.sent()[0].public_addresses_only);
  EXPECT_LE(http_.sent()[0].timeout, SubscriptionService::kTestTimeout);
}

TEST_P(WebhooksTest, BadSubscriptionsAreRefusedWithTheReason) {
  const auto refused = [&](SubscriptionFields f) {
    StatusOr<Subscription> s = subs_->Create(admin_, f);
    EXPECT_EQ(s.status().code(), Code::kValidation);
    return s.status().message();
  };
  EXPECT_NE(refused(Fields("ftp://example.com/x")).find("url"), std::string::npos);
  EXPECT_NE(refused(Fields("http://127.0.0.1:8080/hook")).find("points back"), std::string::npos);
  EXPECT_NE(refused(Fields("http://localhost:8080/")).find("points back"), std::string::npos);
  EXPECT_NE(refused(Fields("http://[::1]:8080/")).find("points back"), std::string::npos);
  EXPECT_NE(refused(Fields("http://0.0.0.0:8080/")).find("points back"), std::string::npos);
  EXPECT_TRUE(subs_->Create(admin_, Fields("http://127.0.0.1:8081/")).ok()) << "another port";
  SubscriptionFields f = Fields();
  f.event_types = std::vector<std::string>{"file_write", "file_explode"};
  EXPECT_NE(refused(f).find("file_explode"), std::string::npos);
  f = Fields();
  f.patterns = std::vector<std::string>{"/a/[z-a]"};
  EXPECT_NE(refused(f).find("pattern"), std::string::npos);
  f = Fields();
  f.metadata_json = "[1]";
  EXPECT_NE(refused(f).find("metadata"), std::string::npos);
  f = Fields();
  f.name = std::string(300, 'n');
  EXPECT_NE(refused(f).find("name"), std::string::npos);
  EXPECT_EQ(subs_->Create(admin_, SubscriptionFields{}).status().code(), Code::kValidation);
}

TEST_P(WebhooksTest, SubscriptionsAreScopedToTenantAndCreator) {
  auto mine = subs_->Create(test_ids::User("ann"), Fields());
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->tenant_id, "default");
  EXPECT_EQ(mine->created_by, "ann");
  EXPECT_EQ(mine->path_scope, "/tenant:default/user:ann/");
  EXPECT_EQ(mine->event_types,
            (std::vector<std::string>{"file_write", "file_delete", "file_rename"}));
  auto admins = subs_->Create(admin_, Fields());
  ASSERT_TRUE(admins.ok());
  EXPECT_EQ(admins->path_scope, "");

  EXPECT_EQ(subs_->Get(test_ids::User("bob"), mine->id).status().code(), Code::kNotFound);
  EXPECT_EQ(subs_->Get(test_ids::Admin("acme"), mine->id).status().code(), Code::kNotFound);
  EXPECT_EQ(subs_->Delete(test_ids::Admin("acme"), mine->id).code(), Code::kNotFound);
  EXPECT_TRUE(subs_->Get(admin_, mine->id).ok()) << "the tenant's admin sees it";
  EXPECT_EQ(subs_->List(test_ids::User("ann"), {})->size(), 1u);
  EXPECT_EQ(subs_->List(admin_, {})->size(), 2u);
  EXPECT_EQ(subs_->List(test_ids::Admin("acme"), {})->size(), 0u);

  SubscriptionFields off;
  off.enabled = false;
  off.name = "quiet";
  auto updated = subs_->Update(test_ids::User("ann"), mine->id, off);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->enabled);
  EXPECT_EQ(updated->name, "quiet");
  ListOptions enabled;
  enabled.enabled_only = true;
  EXPECT_EQ(subs_->List(admin_, enabled)->size(), 1u);
  EXPECT_EQ(subs_->Update(test_ids::User("bob"), mine->id, off).status().code(), Code::kNotFound);
  EXPECT_TRUE(subs_->Delete(test_ids::User("ann"), mine->id).ok());
  EXPECT_EQ(subs_->Delete(test_ids::User("ann"), mine->id).code(), Code::kNotFound);
}

TEST_P(WebhooksTest, TheWorkerDeliversEveryEventAndRecordsOutcomes) {
  SubscriptionFields f = Fields();
  f.secret = "s";
  f.patterns = std::vector<std::string>{"/docs/**"};
  auto sub = subs_->Create(admin_, f);
  ASSERT_TRUE(sub.ok());
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/docs/f" + std::to_string(i), "x").ok());
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/other", "x").ok());  // recorded, not matched
  EXPECT_EQ(Outbox(), 21);
  int rounds = 0;
  for (;;) {
    StatusOr<int> n = worker_->RunOnce();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    ++rounds;
  }
  EXPECT_EQ(rounds, 3);
  EXPECT_EQ(Outbox(), 0) << "delivered events leave the outbox";
  std::set<std::string> paths;
  for (const OutboundRequest& r : http_.sent()) {
    EXPECT_EQ(HeaderOf(r, "X-Nexus-Signature"), WebhookSignature("s", r.body));
    paths.insert(Json::parse(r.body)["data"]["path"].get<std::string>());
  }
  EXPECT_EQ(paths.size(), 20u);
  auto stats = subs_->Get(admin_, sub->id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->last_delivery_status, "success");
  EXPECT_TRUE(stats->last_delivery_at.has_value());
  EXPECT_EQ(stats->consecutive_failures, 0);

  http_.answer_ = [](const OutboundRequest&, size_t) -> StatusOr<OutboundResponse> {
    return IOError("down");
  };
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/docs/late", "x").ok());
  ASSERT_EQ(*worker_->RunOnce(), 1);
  EXPECT_EQ(Outbox(), 0) << "a delivery that used up its attempts is dropped";
  stats = subs_->Get(admin_, sub->id);
  EXPECT_EQ(stats->last_delivery_status, "failed");
  EXPECT_EQ(stats->consecutive_failures, 1);
}

TEST_P(WebhooksTest, TheBackgroundWorkerIsWokenByCommits) {
  ASSERT_TRUE(subs_->Create(admin_, Fields()).ok());
  WebhookWorkerOptions slow_poll;
  slow_poll.poll_interval = std::chrono::hours(1);
  WebhookWorker worker(*store_.engine, *subs_, slow_poll);
  vfs::PathTree tree(*store_.engine, *store_.blobs, worker.Hooks());
  ASSERT_TRUE(worker.Start().ok());
  ASSERT_TRUE(tree.Write(ann_, "/tenant:default/now", "x").ok());
  for (int i = 0; i < 500 && http_.sent().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  worker.Stop();
  EXPECT_EQ(http_.sent().size(), 1u) << "delivered without waiting for the poll";
}

TEST_P(WebhooksTest, TestEventsGoToTheSubscriptionNow) {
  auto sub = subs_->Create(admin_, Fields());
  ASSERT_TRUE(sub.ok());
  std::string event_id;
  auto r = subs_->SendTest(admin_, sub->id, &event_id);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->delivered);
  EXPECT_TRUE(event_id.starts_with("evt_test_"));
  EXPECT_EQ(event_id.size(), 17u);
  EXPECT_EQ(HeaderOf(http_.sent().back(), "X-Nexus-Event"), "test");
  // A failing receiver gets one attempt: a request worker is waiting on it.
  http_.answer_ = [](const OutboundRequest&, size_t) -> StatusOr<OutboundResponse> {
    return OutboundResponse{503, {}, ""};
  };
  const size_t before = http_.sent().size();
  r = subs_->SendTest(admin_, sub->id, &event_id);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->delivered);
  EXPECT_EQ(http_.sent().size(), before + 1);
  EXPECT_EQ(subs_->SendTest(test_ids::Admin("acme"), sub->id, &event_id).status().code(),
            Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, WebhooksTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
