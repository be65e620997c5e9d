#include "rpc/mcp/mcp_sessions.h"

#include <gtest/gtest.h>

#include <thread>

namespace nexus::rpc::mcp {
namespace {

TEST(McpSessionsTest, ASessionIsItsOwnersUntilClosed) {
  McpSessions sessions;
  const std::string id = sessions.Open("alice", "2025-06-18");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_NE(sessions.Open("alice", "2025-06-18"), id) << "ids are random";
  EXPECT_EQ(sessions.Use(id, "alice"), "2025-06-18");
  EXPECT_EQ(sessions.Use(id, "bob"), std::nullopt);
  EXPECT_FALSE(sessions.Close(id, "bob"));
  EXPECT_EQ(sessions.Use(id, "alice"), "2025-06-18") << "bob's attempt changed nothing";
  EXPECT_TRUE(sessions.Close(id, "alice"));
  EXPECT_EQ(sessions.Use(id, "alice"), std::nullopt);
  EXPECT_FALSE(sessions.Close(id, "alice"));
}

TEST(McpSessionsTest, IdleSessionsEnd) {
  McpSessions sessions(SessionLimits{.idle_timeout = std::chrono::seconds(0), .max_sessions = 10});
  const std::string id = sessions.Open("alice", "2025-06-18");
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(sessions.Use(id, "alice"), std::nullopt);
  EXPECT_EQ(sessions.size(), 0u);
}

TEST(McpSessionsTest, AtTheCapTheLeastRecentlyUsedEnds) {
  McpSessions sessions(SessionLimits{.idle_timeout = std::chrono::hours(1), .max_sessions = 2});
  const std::string first = sessions.Open("a", "v");
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string second = sessions.Open("a", "v");
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(sessions.Use(first, "a"));  // now the second is the least recently used
  const std::string third = sessions.Open("a", "v");
  EXPECT_EQ(sessions.size(), 2u);
  EXPECT_TRUE(sessions.Use(first, "a"));
  EXPECT_FALSE(sessions.Use(second, "a"));
  EXPECT_TRUE(sessions.Use(third, "a"));
}

TEST(McpSessionsTest, ACallerOpeningSessionsInALoopEndsOnlyItsOwn) {
  McpSessions sessions(SessionLimits{
      .idle_timeout = std::chrono::hours(1), .max_sessions = 100, .max_per_owner = 3});
  const std::string bobs = sessions.Open("bob", "v");
  std::string last;
  for (int i = 0; i < 50; ++i) last = sessions.Open("mallory", "v");
  EXPECT_EQ(sessions.size(), 4u);
  EXPECT_TRUE(sessions.Use(bobs, "bob"));
  EXPECT_TRUE(sessions.Use(last, "mallory"));
}

}  // namespace
}  // namespace nexus::rpc::mcp
