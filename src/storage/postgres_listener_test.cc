// LISTEN/NOTIFY through Engine::Listen: delivery at commit, nothing from a rolled-back unit,
// and a listener that loses its connection says so and listens again.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "storage/engine.h"
#include "testing/postgres.h"
#include "testing/temp_dir.h"

namespace nexus::storage {
namespace {

using std::chrono::milliseconds;

// Each test listens on a channel of its own: channels are shared by the whole database,
// which tests running at the same time share.
std::string ChannelOf(const std::string& test) { return "nexus_test_" + test; }

class PostgresListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NEXUS_PG_URL_OR_SKIP(url);
    StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres({.url = url, .connections = 2});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    channel_ = ChannelOf(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : channel_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    StatusOr<std::unique_ptr<Listener>> listener = engine_->Listen(channel_);
    ASSERT_TRUE(listener.ok()) << listener.status().ToString();
    listener_ = std::move(listener).value();
    // The first Wait connects and listens; nothing was sent yet.
    StatusOr<std::vector<std::string>> first = listener_->Wait(milliseconds(0));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_TRUE(first->empty());
  }

  Status Notify(const std::string& payload, bool commit = true) {
    return engine_->Write([&](Tx& tx) -> Status {
      RETURN_IF_ERROR(tx.Query("SELECT pg_notify(?, ?)", {channel_, payload}).status());
      return commit ? Status::OK() : Internal("rolled back on purpose");
    });
  }

  // Everything that arrives within `wait`.
  std::vector<std::string> Collect(milliseconds wait) {
    std::vector<std::string> all;
    const auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) {
      StatusOr<std::vector<std::string>> got = listener_->Wait(milliseconds(50));
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok()) break;
      all.insert(all.end(), got->begin(), got->end());
    }
    return all;
  }

  std::unique_ptr<Engine> engine_;
  std::string channel_;
  std::unique_ptr<Listener> listener_;
};

TEST_F(PostgresListenerTest, CommittedNotificationsArriveInOrder) {
  ASSERT_TRUE(Notify("one").ok());
  ASSERT_TRUE(Notify("two").ok());
  EXPECT_EQ(Collect(milliseconds(500)), (std::vector<std::string>{"one", "two"}));
}

TEST_F(PostgresListenerTest, RolledBackUnitSendsNothing) {
  EXPECT_EQ(Notify("never", /*commit=*/false).code(), Code::kInternal);
  ASSERT_TRUE(Notify("after").ok());
  EXPECT_EQ(Collect(milliseconds(500)), std::vector<std::string>{"after"});
}

TEST_F(PostgresListenerTest, TimeoutReturnsNothing) {
  StatusOr<std::vector<std::string>> got = listener_->Wait(milliseconds(20));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
}

TEST_F(PostgresListenerTest, LostConnectionIsReportedThenListenedAgain) {
  // The server ends the listening session, as a restart or a failover would.
  Status ended = engine_->Write([&](Tx& tx) {
    return tx
        .Query(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE query = ? AND pid <> pg_backend_pid()",
            {"LISTEN " + channel_})
        .status();
  });
  ASSERT_TRUE(ended.ok()) << ended.ToString();
  Status lost;
  for (int i = 0; i < 50 && lost.ok(); ++i) lost = listener_->Wait(milliseconds(100)).status();
  EXPECT_EQ(lost.code(), Code::kIOError) << lost.ToString();
  StatusOr<std::vector<std::string>> again = listener_->Wait(milliseconds(0));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(Notify("back").ok());
  EXPECT_EQ(Collect(milliseconds(500)), std::vector<std::string>{"back"});
}

TEST(ListenerTest, ChannelMustBeAPlainName) {
  NEXUS_PG_URL_OR_SKIP(url);
  StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres({.url = url, .connections = 1});
  ASSERT_TRUE(engine.ok());
  for (const char* bad : {"", "Upper", "semi;colon", "1digit", "with space"}) {
    EXPECT_EQ((*engine)->Listen(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(ListenerTest, SqliteHasNoNotifications) {
  test::TempDir dir;
  StatusOr<std::unique_ptr<Engine>> engine = OpenSqlite({.path = dir.path() + "/db"});
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ((*engine)->Listen("nexus").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace nexus::storage
