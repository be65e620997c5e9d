#include "cli/commands/format.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>

namespace nexus::cli {
namespace {

TEST(HumanSize, UsesBinaryUnitsWithOneDecimalBelowTen) {
  EXPECT_EQ(HumanSize(0), "0 B");
  EXPECT_EQ(HumanSize(1023), "1023 B");
  EXPECT_EQ(HumanSize(1024), "1.0 KiB");
  EXPECT_EQ(HumanSize(4300), "4.2 KiB");
  EXPECT_EQ(HumanSize(13 << 20), "13 MiB");
  EXPECT_EQ(HumanSize(int64_t{3} << 40), "3.0 TiB");
}

class LocalTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

TEST_F(LocalTimeTest, ReadsEveryFormTheServerWrites) {
  using client::Value;
  EXPECT_EQ(LocalTime(Value::DateTime("2025-12-18T01:02:03+00:00")), "2025-12-18 01:02");
  EXPECT_EQ(LocalTime(Value("2025-12-18T01:02:03.123456")), "2025-12-18 01:02");
  EXPECT_EQ(LocalTime(Value("2025-12-18T01:02:03Z")), "2025-12-18 01:02");
  EXPECT_EQ(LocalTime(Value("2025-12-18T01:02:03+02:00")), "2025-12-17 23:02");
  EXPECT_EQ(LocalTime(Value("2025-12-18 01:02:03")), "2025-12-18 01:02");
}

TEST_F(LocalTimeTest, ShowsADashForWhatItCannotRead) {
  using client::Value;
  EXPECT_EQ(LocalTime(Value()), "-");
  EXPECT_EQ(LocalTime(Value(12)), "-");
  EXPECT_EQ(LocalTime(Value("yesterday")), "-");
  EXPECT_EQ(LocalTime(Value("2025-12-18T01:02:03 trailing")), "-");
}

// What `table` prints.
std::string Printed(const Table& table) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  table.Print(out);
  std::fclose(out);
  std::string printed(text, size);
  std::free(text);
  return printed;
}

TEST(Table, AlignsColumnsAndRightAlignsNumbers) {
  Table table({false, true, false});
  table.AddRow({"d", "-", "dir/"});
  table.AddRow({"-", "4.2 KiB", "file.txt"});
  EXPECT_EQ(Printed(table), "d        -  dir/\n-  4.2 KiB  file.txt\n");
}

TEST(Table, ColourCodesAndUtf8CharactersTakeTheirVisibleWidth) {
  Table table;
  table.AddRow({"\033[32mok\033[0m", "a"});
  table.AddRow({"déjà", "b"});
  table.AddRow({"x", "c"});
  EXPECT_EQ(Printed(table), "\033[32mok\033[0m    a\ndéjà  b\nx     c\n");
}

TEST(Table, PrintsItsHeaderOnlyAboveRows) {
  Table table({true, false});
  table.Header({"N", "NAME"});
  EXPECT_EQ(Printed(table), "");
  table.AddRow({"10", "a"});
  EXPECT_EQ(Printed(table), " N  NAME\n10  a\n");
}

TEST(Painter, NeverColoursWhatIsNotATerminal) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  const Painter paint(out);
  EXPECT_EQ(paint.Directory("d"), "d");
  std::fclose(out);
  std::free(text);
}

}  // namespace
}  // namespace nexus::cli
