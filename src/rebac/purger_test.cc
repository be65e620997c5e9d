// The purge of expired tuples and old changelog rows, on both engines: bounded batches,
// checks that never see a purged tuple as valid, and graphs that fell behind the purged
// changelog reloading instead of missing changes.
#include "rebac/purger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "rebac/rebac.h"
#include "testing/eventually.h"
#include "testing/test_store.h"

namespace nexus::rebac {
namespace {

using test::EngineKind;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr char kTenant[] = "acme";

const SubjectRef kAlice{"user", "alice"};
const SubjectRef kBob{"user", "bob"};
const SubjectRef kCarol{"user", "carol"};

ObjectRef File(const std::string& path) { return {"file", path}; }

TupleWrite Viewer(const SubjectRef& subject, const std::string& path,
                  std::optional<int64_t> expires_at = std::nullopt) {
  TupleWrite w;
  w.tenant_id = kTenant;
  w.subject = subject;
  w.relation = "direct_viewer";
  w.object = File(path);
  w.expires_at = expires_at;
  return w;
}

class PurgerTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    rebac_ = NewRebac();
  }

  // Another Rebac on the same database is another node: graphs of its own, one clock.
  std::unique_ptr<Rebac> NewRebac() {
    RebacOptions options;
    options.now = [this] { return now_.load(); };
    return std::make_unique<Rebac>(*store_.engine, options);
  }

  std::string Write(const TupleWrite& w, Rebac& rebac) {
    auto r = rebac.WriteTuple(w);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->tuple_id : "";
  }

  bool Allowed(Rebac& rebac, const SubjectRef& subject, const std::string& path) {
    auto r = rebac.Check(kTenant, subject, "read", File(path));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  PurgeReport Purge(PurgeOptions options = {}) {
    StatusOr<PurgeReport> report = Purger(*rebac_, options).RunOnce();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : PurgeReport{-1, -1};
  }

  int64_t Tuples() { return store_.Count("SELECT COUNT(*) FROM rebac_tuples"); }
  int64_t ChangelogRows() { return store_.Count("SELECT COUNT(*) FROM rebac_changelog"); }

  test::TestStore store_;
  std::atomic<int64_t> now_{kT0};
  std::unique_ptr<Rebac> rebac_;
};

TEST_P(PurgerTest, ExpiredTuplesGoInBoundedBatches) {
  for (int i = 0; i < 5; ++i) Write(Viewer(kBob, "/e" + std::to_string(i), kT0 + kSecond), *rebac_);
  Write(Viewer(kBob, "/later", kT0 + kHour), *rebac_);
  Write(Viewer(kAlice, "/kept"), *rebac_);
  EXPECT_TRUE(Allowed(*rebac_, kBob, "/e0"));  // the graph and the cache hold it now

  now_ = kT0 + kSecond;  // the last instant of their life: nothing to purge yet
  EXPECT_EQ(*rebac_->PurgeExpiredTuples(10), 0);
  now_ = kT0 + 2 * kSecond;
  EXPECT_EQ(*rebac_->PurgeExpiredTuples(2), 2);
  EXPECT_EQ(*rebac_->PurgeExpiredTuples(2), 2);
  EXPECT_EQ(*rebac_->PurgeExpiredTuples(2), 1);
  EXPECT_EQ(*rebac_->PurgeExpiredTuples(2), 0);
  EXPECT_EQ(Tuples(), 2);
  EXPECT_FALSE(Allowed(*rebac_, kBob, "/e0"));
  EXPECT_FALSE(Allowed(*NewRebac(), kBob, "/e0"));
  EXPECT_TRUE(Allowed(*rebac_, kBob, "/later"));
  EXPECT_TRUE(Allowed(*rebac_, kAlice, "/kept"));
  TupleFilter all;
  all.include_expired = true;
  EXPECT_EQ(rebac_->ListTuples(kTenant, all)->size(), 2u);

  // A whole pass drains whatever the batch size, and logs every deletion.
  for (int i = 0; i < 7; ++i) Write(Viewer(kCarol, "/p" + std::to_string(i), now_ + 1), *rebac_);
  const int64_t revision = *rebac_->CurrentRevision();
  now_ = now_ + 2;
  PurgeOptions options;
  options.batch_size = 3;
  const PurgeReport report = Purge(options);
  EXPECT_EQ(report.expired_tuples, 7);
  EXPECT_EQ(report.changelog_rows, 0) << "every row is younger than the retention";
  EXPECT_EQ(*rebac_->CurrentRevision(), revision + 7);
  EXPECT_EQ(Tuples(), 2);
}

TEST_P(PurgerTest, OldChangelogRowsGoButNeverTheLatest) {
  for (int i = 0; i < 4; ++i) Write(Viewer(kAlice, "/f" + std::to_string(i)), *rebac_);
  now_ = kT0 + kHour;  // exactly the retention: kept
  EXPECT_EQ(Purge().changelog_rows, 0);
  now_ = kT0 + kHour + 1;
  PurgeOptions options;
  options.batch_size = 2;
  EXPECT_EQ(Purge(options).changelog_rows, 3);
  EXPECT_EQ(ChangelogRows(), 1);
  EXPECT_EQ(*rebac_->CurrentRevision(), 4) << "the latest row stays: revisions never go back";
  auto written = rebac_->WriteTuple(Viewer(kBob, "/g"));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->revision, 5);

  // Rows are purged oldest first and only up to the first one still young, whatever the
  // times on later rows: the revisions kept stay one unbroken range.
  now_ = kT0;  // a node whose clock is behind writes revision 6
  Write(Viewer(kBob, "/h"), *rebac_);
  now_ = kT0 + 2 * kHour;
  Write(Viewer(kBob, "/i"), *rebac_);
  now_ = kT0 + kHour + kHour / 2;
  EXPECT_EQ(Purge().changelog_rows, 1) << "revision 4; 5 is younger, and 6 waits behind it";
  now_ = kT0 + 3 * kHour;
  EXPECT_EQ(Purge().changelog_rows, 2);
  EXPECT_EQ(*rebac_->CurrentRevision(), 7);
  EXPECT_EQ(ChangelogRows(), 1);
}

// A graph that was idle while the changelog rows it would catch up with were purged must
// reload its tenant whole: catching up from the rows left would keep a deleted tuple, and a
// tuple whose expiry was brought forward (then purged) with its old, later expiry.
TEST_P(PurgerTest, AGraphBehindThePurgedRowsReloads) {
  std::unique_ptr<Rebac> writer = NewRebac();
  const std::string carols = Write(Viewer(kCarol, "/z"), *writer);
  Write(Viewer(kBob, "/doc", kT0 + 10 * kHour), *writer);
  EXPECT_TRUE(Allowed(*rebac_, kBob, "/doc"));  // this node's graph: revision 2
  EXPECT_TRUE(Allowed(*rebac_, kCarol, "/z"));

  Write(Viewer(kBob, "/doc", kT0 + kSecond), *writer);  // expires sooner now
  ASSERT_TRUE(writer->DeleteTuple(kTenant, carols).ok());
  now_ = kT0 + 2 * kHour;
  const PurgeReport first = Purge();
  EXPECT_EQ(first.expired_tuples, 1);  // bob's, its deletion logged as revision 5
  EXPECT_EQ(first.changelog_rows, 4);
  now_ = kT0 + 4 * kHour;
  Write(Viewer(kAlice, "/new"), *writer);
  EXPECT_EQ(Purge().changelog_rows, 1) << "revision 5; only the latest is left";

  EXPECT_FALSE(Allowed(*rebac_, kBob, "/doc"));
  EXPECT_FALSE(Allowed(*rebac_, kCarol, "/z"));
  EXPECT_TRUE(Allowed(*rebac_, kAlice, "/new"));
  // The reloaded graph follows later changes again.
  Write(Viewer(kCarol, "/z"), *writer);
  EXPECT_TRUE(Allowed(*rebac_, kCarol, "/z"));
}

TEST_P(PurgerTest, TheThreadPurgesUntilStopped) {
  Write(Viewer(kBob, "/e", kT0 + 1), *rebac_);
  now_ = kT0 + 2;
  PurgeOptions options;
  options.interval = std::chrono::milliseconds(1);
  Purger purger(*rebac_, options);
  purger.Start();
  purger.Start();  // already running: no second thread
  EXPECT_TRUE(test::Eventually([&] { return Tuples() == 0; }));
  purger.Stop();
  purger.Stop();
}

TEST_P(PurgerTest, TheThreadPurgesOnlyWhenItMayRun) {
  Write(Viewer(kBob, "/e", kT0 + 1), *rebac_);
  now_ = kT0 + 2;
  std::atomic<int> asked{0};
  std::atomic<bool> holder{false};
  PurgeOptions options;
  options.interval = std::chrono::milliseconds(1);
  options.may_run = [&] {
    ++asked;
    return holder.load();
  };
  Purger purger(*rebac_, options);
  purger.Start();
  // Another node holds the lease: passes come and go without purging.
  ASSERT_TRUE(test::Eventually([&] { return asked.load() >= 5; }));
  EXPECT_EQ(Tuples(), 1);
  holder = true;
  EXPECT_TRUE(test::Eventually([&] { return Tuples() == 0; }));
  purger.Stop();
}

TEST_P(PurgerTest, RefusesAnEmptyBatch) {
  PurgeOptions options;
  options.batch_size = 0;
  EXPECT_EQ(Purger(*rebac_, options).RunOnce().status().code(), Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, PurgerTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::rebac
