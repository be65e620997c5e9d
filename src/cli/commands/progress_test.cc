#include "cli/commands/progress.h"

#include <gtest/gtest.h>

namespace nexus::cli {
namespace {

TEST(ProgressLine, ShowsCountsRateAndTimeLeft) {
  EXPECT_EQ(Progress::Line("Uploading", 0, 10, 0, 2048, 0), "Uploading 0/10 files  0 B/2.0 KiB");
  EXPECT_EQ(Progress::Line("Uploading", 5, 10, 1 << 20, 3 << 20, 2.0),
            "Uploading 5/10 files  1.0 MiB/3.0 MiB  512 KiB/s  0:04 left");
  EXPECT_EQ(Progress::Line("Downloading", 10, 10, 3 << 20, 3 << 20, 3.0),
            "Downloading 10/10 files  3.0 MiB/3.0 MiB  1.0 MiB/s");
}

TEST(ProgressLine, LongWaitsShowHours) {
  EXPECT_EQ(Progress::Line("Uploading", 1, 2, 1000, 4000000, 1.0),
            "Uploading 1/2 files  1000 B/3.8 MiB  1000 B/s  1:06:39 left");
}

}  // namespace
}  // namespace nexus::cli
