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

TEST(Table, AlignsColumnsAndRightAlignsNumbers) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  Table table({false, true, false});
  table.AddRow({"d", "-", "dir/"});
  table.AddRow({"-", "4.2 KiB", "file.txt"});
  table.Print(out);
  std::fclose(out);
  EXPECT_EQ(std::string(text, size), "d        -  dir/\n-  4.2 KiB  file.txt\n");
  std::free(text);
}

TEST(Table, ColourCodesAndUtf8CharactersTakeTheirVisibleWidth) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  Table table;
  table.AddRow({"\033[32mok\033[0m", "a"});
  table.AddRow({"déjà", "b"});
  table.AddRow({"x", "c"});
  table.Print(out);
  std::fclose(out);
  EXPECT_EQ(std::string(text, size), "\033[32mok\033[0m    a\ndéjà  b\nx     c\n");
  std::free(text);
}

TEST(Table, PrintsItsHeaderOnlyAboveRows) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&text, &size);
  Table empty({true});
  empty.Header({"N"});
  empty.Print(out);
  Table table({true, false});
  table.Header({"N", "NAME"});
  table.AddRow({"10", "a"});
  table.Print(out);
  std::fclose(out);
  EXPECT_EQ(std::string(text, size), " N  NAME\n10  a\n");
  std::free(text);
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
