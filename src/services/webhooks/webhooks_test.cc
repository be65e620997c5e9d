// Webhooks: the outbox written with each change, claims and acknowledgements, matching,
// signed deliveries with retries, subscription validation and tenancy, and the worker.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "services/permission_hooks.h"
#include "services/test_identities.h"
#include "services/webhooks/subscription_match.h"
#include "services/webhooks/subscriptions.h"
#include "services/webhooks/webhook_delivery.h"
#include "services/webhooks/webhook_outbox.h"
#include "services/webhooks/webhook_schedule.h"
#include "services/webhooks/webhook_worker.h"
#include "testing/test_store.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

// Answers with the statuses a test scripts, and keeps what it was sent.
class FakeHttp : public OutboundHttp {
 public:
  StatusOr<OutboundResponse> Send(const OutboundRequest& request) override {
    if (request.url.find("/dead") != std::string::npos) {
      // A receiver that never answers: the attempt takes its (short) timeout.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      MutexLock lock(&mu_);
      ++dead_attempts_;
      return IOError("timed out");
    }
    MutexLock lock(&mu_);
    sent_.push_back(request);
    times_.push_back(std::chrono::steady_clock::now());
    if (answer_) return answer_(request, sent_.size());
    return OutboundResponse{200, {}, ""};
  }
  std::vector<std::chrono::steady_clock::time_point> times() {
    MutexLock lock(&mu_);
    return times_;
  }
  int dead_attempts() {
    MutexLock lock(&mu_);
    return dead_attempts_;
  }
  std::vector<OutboundRequest> sent() {
    MutexLock lock(&mu_);
    return sent_;
  }
  // (request, number of requests so far) -> answer.
  std::function<StatusOr<OutboundResponse>(const OutboundRequest&, size_t)> answer_;

 private:
  Mutex mu_;
  std::vector<OutboundRequest> sent_ GUARDED_BY(mu_);
  std::vector<std::chrono::steady_clock::time_point> times_ GUARDED_BY(mu_);  // of sent_
  int dead_attempts_ GUARDED_BY(mu_) = 0;
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
  int64_t Scheduled() { return store_.Count("SELECT COUNT(*) FROM webhook_deliveries"); }

  // Runs rounds until neither events nor deliveries are left (retries included).
  void Drain(WebhookWorker& worker) {
    for (int i = 0; i < 1000 && Outbox() + Scheduled() > 0; ++i) {
      ASSERT_TRUE(worker.RunOnce().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(Outbox() + Scheduled(), 0);
  }

  // Waits until `done` holds; false after 20 s.
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 2000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // The bodies sent to `url`'s receiver, in order.
  std::vector<Json> BodiesTo(const std::string& url) {
    std::vector<Json> out;
    for (const OutboundRequest& r : http_.sent()) {
      if (r.url == url) out.push_back(Json::parse(r.body));
    }
    return out;
  }

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
                  ->Write([&](storage::Tx& tx) -> Status {
                    for (const OutboxEvent& e : *first) {
                      ASSIGN_OR_RETURN(const bool stale, TakeEvent(tx, e.event_id, now + 60000000));
                      EXPECT_FALSE(stale) << "a lapsed claim cannot take the event";
                      ASSIGN_OR_RETURN(const bool taken,
                                       TakeEvent(tx, e.event_id, now + 120000000));
                      EXPECT_TRUE(taken);
                    }
                    return Status::OK();
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
  const size_t before = http_.sent().size();
  Drain(*worker_);
  EXPECT_EQ(http_.sent().size(), before + 3) << "three attempts";
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

TEST_P(WebhooksTest, ACorruptStoredEventIsDroppedAndTheWorkerKeepsDelivering) {
  auto sub = subs_->Create(admin_, Fields());
  ASSERT_TRUE(sub.ok());
  const int64_t now = NowMicros();
  ASSERT_TRUE(
      store_.engine
          ->Write([&](storage::Tx& tx) -> Status {
            RETURN_IF_ERROR(ScheduleDelivery(
                tx, sub->id, WebhookEvent{"evt_corrupt", kFileWrite, now, "{not json"}, now));
            return ScheduleDelivery(
                tx, sub->id, WebhookEvent{"evt_fine", kFileWrite, now, R"({"path":"/a"})"}, now);
          })
          .ok());
  const uint64_t errors_before = BackgroundErrorCounts()["webhook_sender"];
  ASSERT_TRUE(worker_->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Scheduled() == 0; })) << "the corrupt delivery is not retried";
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/after", "x").ok());
  ASSERT_TRUE(WaitFor([&] { return http_.sent().size() == 2; }));
  worker_->Stop();
  std::set<std::string> delivered;
  for (const OutboundRequest& r : http_.sent()) {
    const Json body = Json::parse(r.body);
    delivered.insert(body["id"] == "evt_fine" ? "evt_fine"
                                              : body["data"]["path"].get<std::string>());
  }
  EXPECT_EQ(delivered, (std::set<std::string>{"evt_fine", "/tenant:default/after"}));
  EXPECT_EQ(BackgroundErrorCounts()["webhook_sender"], errors_before + 1) << "counted for /metrics";
  EXPECT_EQ(subs_->Get(admin_, sub->id)->consecutive_failures, 0) << "the later delivery succeeded";
}

TEST_P(WebhooksTest, AnIdleWorkerCommitsNothing) {
  ASSERT_TRUE(subs_->Create(admin_, Fields()).ok());
  const int64_t before = store_.engine->Stats().commits;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(worker_->RunOnce().ok());
  EXPECT_EQ(store_.engine->Stats().commits, before) << "polls found nothing, so wrote nothing";
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

TEST_P(WebhooksTest, DeliveryBatchesFitOneAttemptEachTwiceIntoTheLease) {
  SubscriptionService defaults(*store_.engine, http_, DeliveryOptions{}, "0.0.0.0");
  EXPECT_EQ(WebhookWorker(*store_.engine, defaults, {}).DeliveryBatch(), 24)
      << "4 senders x 10 s attempts: 60 s of a 120 s lease";
  WebhookWorkerOptions short_lease;
  short_lease.lease = std::chrono::milliseconds(1000);
  EXPECT_EQ(WebhookWorker(*store_.engine, defaults, short_lease).DeliveryBatch(), 4)
      << "one attempt per sender at least";
}

TEST_P(WebhooksTest, ARenameTellsAScopedSubscriptionOnlyPathsInItsScope) {
  ASSERT_TRUE(subs_->Create(test_ids::User("ann"), Fields("http://127.0.0.1:9/ann")).ok());
  ASSERT_TRUE(subs_->Create(admin_, Fields("http://127.0.0.1:9/admin")).ok());
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/user:ann/x", "1").ok());
  ASSERT_TRUE(
      tree_->Rename("/tenant:default/user:ann/x", "/tenant:default/user:bob/private/plans.txt")
          .ok());
  ASSERT_TRUE(
      tree_->Rename("/tenant:default/user:bob/private/plans.txt", "/tenant:default/user:ann/y")
          .ok());
  Drain(*worker_);
  std::vector<Json> renames;
  for (const Json& body : BodiesTo("http://127.0.0.1:9/ann")) {
    if (body["event"] == "file_rename") renames.push_back(body["data"]);
  }
  ASSERT_EQ(renames.size(), 2u);
  std::sort(renames.begin(), renames.end(),
            [](const Json& a, const Json& b) { return a.dump() < b.dump(); });
  EXPECT_EQ(renames[0],
            (Json{{"tenant_id", "default"}, {"old_path", "/tenant:default/user:ann/x"}}))
      << "moved out of Ann's home: where to is Bob's business";
  EXPECT_EQ(renames[1], (Json{{"tenant_id", "default"}, {"path", "/tenant:default/user:ann/y"}}))
      << "moved in: where from is not Ann's business";
  int admin_renames = 0;
  for (const Json& body : BodiesTo("http://127.0.0.1:9/admin")) {
    if (body["event"] != "file_rename") continue;
    ++admin_renames;
    EXPECT_TRUE(body["data"].contains("path") && body["data"].contains("old_path"))
        << "the tenant's admin sees both";
  }
  EXPECT_EQ(admin_renames, 2);
}

TEST_P(WebhooksTest, ADeadSubscriptionDoesNotDelayAnotherTenant) {
  ASSERT_TRUE(subs_->Create(test_ids::Admin("acme"), Fields("http://127.0.0.1:9/dead")).ok());
  ASSERT_TRUE(subs_->Create(admin_, Fields("http://127.0.0.1:9/live")).ok());
  WebhookWorker worker(*store_.engine, *subs_, {});
  vfs::PathTree tree(*store_.engine, *store_.blobs, worker.Hooks());
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(tree.Write(ann_, "/tenant:acme/f" + std::to_string(i), "x").ok());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(tree.Write(ann_, "/tenant:default/f" + std::to_string(i), "x").ok());
  ASSERT_TRUE(worker.Start().ok());
  EXPECT_TRUE(WaitFor([&] { return BodiesTo("http://127.0.0.1:9/live").size() >= 5; }));
  const int64_t dead_pending = Scheduled();
  worker.Stop();
  EXPECT_EQ(BodiesTo("http://127.0.0.1:9/live").size(), 5u);
  EXPECT_GE(dead_pending, 55) << "the dead receiver's deliveries wait";
  EXPECT_LE(http_.dead_attempts(), 10) << "the breaker opened after 10 failed attempts";
}

TEST_P(WebhooksTest, RetriesAreScheduledAndDoNotHoldASender) {
  SubscriptionService subs(
      *store_.engine, http_,
      DeliveryOptions{3, std::chrono::milliseconds(300), std::chrono::milliseconds(1000), true},
      "0.0.0.0");
  ASSERT_TRUE(subs.Create(admin_, Fields()).ok());
  WebhookWorkerOptions one_sender;
  one_sender.senders = 1;
  WebhookWorker worker(*store_.engine, subs, one_sender);
  vfs::PathTree tree(*store_.engine, *store_.blobs, worker.Hooks());
  // The first event's first two attempts fail.
  std::atomic<int> failures{0};
  http_.answer_ = [&failures](const OutboundRequest& r, size_t) -> StatusOr<OutboundResponse> {
    if (r.body.find("/tenant:default/flaky") != std::string::npos && failures++ < 2)
      return OutboundResponse{503, {}, ""};
    return OutboundResponse{200, {}, ""};
  };
  ASSERT_TRUE(tree.Write(ann_, "/tenant:default/flaky", "x").ok());
  ASSERT_TRUE(tree.Write(ann_, "/tenant:default/steady", "x").ok());
  ASSERT_TRUE(worker.Start().ok());
  EXPECT_TRUE(WaitFor([&] { return http_.sent().size() >= 4; }));
  worker.Stop();
  const std::vector<OutboundRequest> sent = http_.sent();
  const auto times = http_.times();
  ASSERT_EQ(sent.size(), 4u);
  std::vector<size_t> flaky;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent[i].body.find("/tenant:default/flaky") != std::string::npos) flaky.push_back(i);
  }
  ASSERT_EQ(flaky, (std::vector<size_t>{0, 2, 3}))
      << "the other event goes out while the first waits for its retry";
  EXPECT_GE(times[2] - times[0], std::chrono::milliseconds(250)) << "retried at its due time";
  EXPECT_GE(times[3] - times[2], std::chrono::milliseconds(500)) << "the backoff doubles";
  EXPECT_EQ(HeaderOf(sent[0], "X-Nexus-Delivery-Id"), HeaderOf(sent[3], "X-Nexus-Delivery-Id"));
  EXPECT_NE(HeaderOf(sent[0], "X-Nexus-Delivery-Id"), HeaderOf(sent[1], "X-Nexus-Delivery-Id"));
  EXPECT_EQ(Scheduled(), 0);
}

TEST_P(WebhooksTest, TheCircuitBreakerPostponesAfterFailuresAndResumes) {
  auto sub = subs_->Create(admin_, Fields());
  ASSERT_TRUE(sub.ok());
  WebhookWorkerOptions options;
  options.breaker.threshold = 3;
  options.breaker.cooldown = std::chrono::milliseconds(300);
  WebhookWorker worker(*store_.engine, *subs_, options);
  vfs::PathTree tree(*store_.engine, *store_.blobs, worker.Hooks());
  std::atomic<bool> up{false};
  http_.answer_ = [&](const OutboundRequest&, size_t) -> StatusOr<OutboundResponse> {
    if (!up) return IOError("connection refused");
    return OutboundResponse{200, {}, ""};
  };
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(tree.Write(ann_, "/tenant:default/f" + std::to_string(i), "x").ok());
  // Times are taken before the rounds, not after: on a loaded machine the rounds themselves
  // can outlast a cool-down.
  const int64_t before_failures = NowMicros();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(worker.RunOnce().ok());
  EXPECT_EQ(http_.sent().size(), 3u) << "three failed attempts open the breaker";
  auto stats = subs_->Enabled(sub->id);
  ASSERT_TRUE(stats.ok() && stats->has_value());
  EXPECT_EQ((*stats)->failed_attempts, 3);
  EXPECT_GT((*stats)->paused_until, before_failures + 300000);

  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  const int64_t before_probe = NowMicros();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(worker.RunOnce().ok());
  EXPECT_EQ(http_.sent().size(), 4u) << "after the cool-down, one probe";
  stats = subs_->Enabled(sub->id);
  EXPECT_EQ((*stats)->failed_attempts, 4);
  EXPECT_GE((*stats)->paused_until, before_probe + 600000) << "the cool-down doubled";

  up = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(650));
  Drain(worker);
  std::set<std::string> delivered;
  const std::vector<OutboundRequest> sent = http_.sent();
  for (size_t i = 4; i < sent.size(); ++i) delivered.insert(Json::parse(sent[i].body)["id"]);
  EXPECT_EQ(delivered.size(), 10u) << "the probe closed the breaker: every event goes out";
  stats = subs_->Enabled(sub->id);
  EXPECT_EQ((*stats)->failed_attempts, 0);
  EXPECT_EQ((*stats)->paused_until, 0);
  EXPECT_EQ((*stats)->consecutive_failures, 0) << "no delivery was dropped";
  EXPECT_EQ((*stats)->last_delivery_status, "success");
}

TEST_P(WebhooksTest, LapsedClaimsAreDeliveredAgain) {
  ASSERT_TRUE(subs_->Create(admin_, Fields()).ok());
  ASSERT_TRUE(tree_->Write(ann_, "/tenant:default/a", "x").ok());
  // A node claims the event and dies.
  int64_t now = NowMicros();
  ASSERT_EQ(ClaimEvents(*store_.engine, now, now + 200000, 10)->size(), 1u);
  ASSERT_EQ(*worker_->RunOnce(), 0) << "leased to the dead node";
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  // Another node schedules it and fails the first attempt...
  http_.answer_ = [](const OutboundRequest&, size_t) -> StatusOr<OutboundResponse> {
    return IOError("connection reset");
  };
  WebhookWorker other(*store_.engine, *subs_, {});
  ASSERT_EQ(*other.RunOnce(), 2) << "the event, and one attempt";
  http_.answer_ = nullptr;
  // ...and a third claims the retry and dies.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  now = NowMicros();
  auto claimed = ClaimDeliveries(*store_.engine, now, now + 200000, 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().attempts, 1);
  ASSERT_EQ(*worker_->RunOnce(), 0) << "leased to the dead node";
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  ASSERT_EQ(*worker_->RunOnce(), 1) << "the lapsed lease is claimed again";
  const auto sent = http_.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(HeaderOf(sent[1], "X-Nexus-Delivery-Id"), claimed->front().delivery_id);
  EXPECT_EQ(HeaderOf(sent[0], "X-Nexus-Delivery-Id"), claimed->front().delivery_id);
  EXPECT_EQ(Scheduled(), 0);
}

TEST_P(WebhooksTest, ARestartMidRetryStillDelivers) {
  SubscriptionService subs(
      *store_.engine, http_,
      DeliveryOptions{3, std::chrono::milliseconds(300), std::chrono::milliseconds(1000), true},
      "0.0.0.0");
  auto sub = subs.Create(admin_, Fields());
  ASSERT_TRUE(sub.ok());
  http_.answer_ = [](const OutboundRequest&, size_t n) -> StatusOr<OutboundResponse> {
    return OutboundResponse{n == 1 ? 500 : 200, {}, ""};
  };
  {
    WebhookWorker first(*store_.engine, subs, {});
    vfs::PathTree tree(*store_.engine, *store_.blobs, first.Hooks());
    ASSERT_TRUE(first.Start().ok());
    ASSERT_TRUE(tree.Write(ann_, "/tenant:default/a", "x").ok());
    ASSERT_TRUE(WaitFor([&] { return http_.sent().size() == 1; }));
  }  // stopped while the retry waits
  EXPECT_EQ(Scheduled(), 1);
  WebhookWorker second(*store_.engine, subs, {});
  ASSERT_TRUE(second.Start().ok());
  EXPECT_TRUE(WaitFor([&] { return http_.sent().size() == 2; }));
  EXPECT_TRUE(WaitFor([&] { return Scheduled() == 0; }));
  second.Stop();
  const auto sent = http_.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(HeaderOf(sent[0], "X-Nexus-Delivery-Id"), HeaderOf(sent[1], "X-Nexus-Delivery-Id"))
      << "the same delivery, its second attempt";
  auto stats = subs.Get(admin_, sub->id);
  EXPECT_EQ(stats->last_delivery_status, "success");
  EXPECT_EQ(stats->consecutive_failures, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, WebhooksTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
