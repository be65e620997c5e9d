#include "util/sse.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

TEST(SseTest, EventsAreTheirDataLines) {
  EXPECT_EQ(SseEventData("event: message\ndata: {\"a\":1}\n\n: comment\n\ndata:x\r\ndata: y\n\n"),
            (std::vector<std::string>{"{\"a\":1}", "x\ny"}));
  EXPECT_EQ(SseEventData("data: last"), std::vector<std::string>{"last"});
  EXPECT_TRUE(SseEventData(": keepalive\n\n").empty());
  EXPECT_TRUE(SseEventData("").empty());
}

}  // namespace
}  // namespace nexus
