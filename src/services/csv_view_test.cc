#include "services/csv_view.h"

#include <gtest/gtest.h>

namespace nexus::services {
namespace {

ColumnConfig Config(const std::string& json) {
  auto config = ParseColumnConfig(json);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : ColumnConfig{};
}

TEST(CsvViewTest, HidesShowsAndAggregates) {
  const std::string csv = "name,email,age,password\nalice,a@ex.com,30,s1\nbob,b@ex.com,41,s2\n";
  auto view = ApplyColumnConfig(
      csv, Config(R"({"hidden_columns":["password"],"aggregations":{"age":"mean"}})"));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->filtered_data, "name,email,mean(age)\nalice,a@ex.com,35.5\nbob,b@ex.com,35.5\n");
  EXPECT_EQ(view->columns_shown, (std::vector<std::string>{"name", "email"}));
  EXPECT_EQ(view->aggregated_columns, (std::vector<std::string>{"mean(age)"}));
  ASSERT_EQ(view->aggregations.size(), 1u);
  EXPECT_EQ(view->aggregations[0].second, 35.5);
}

TEST(CsvViewTest, VisibleColumnsAreExactlyThoseShown) {
  auto view = ApplyColumnConfig("a,b,c\n1,2,3\n", Config(R"({"visible_columns":["c","a"]})"));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->filtered_data, "a,c\n1,3\n") << "in the file's order";
}

TEST(CsvViewTest, QuotingSurvives) {
  auto view =
      ApplyColumnConfig("q,x\n\"a, \"\"b\"\"\r\nc\",1\r\n", Config(R"({"hidden_columns":["x"]})"));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->filtered_data, "q\n\"a, \"\"b\"\"\r\nc\"\n");
}

TEST(CsvViewTest, Operations) {
  const std::string csv = "v\n1\n2\n\n4\n";
  const auto value = [&](const std::string& op) {
    auto view = ApplyColumnConfig(csv, Config(R"({"aggregations":{"v":")" + op + "\"}}"));
    EXPECT_TRUE(view.ok()) << op;
    return view.ok() ? view->aggregations[0].second : std::nullopt;
  };
  EXPECT_EQ(value("sum"), 7);
  EXPECT_EQ(value("min"), 1);
  EXPECT_EQ(value("max"), 4);
  EXPECT_EQ(value("median"), 2);
  EXPECT_EQ(value("count"), 3) << "empty cells do not count";
  EXPECT_NEAR(*value("std"), 1.5275252316519468, 1e-12);
  auto none = ApplyColumnConfig("v\n\n", Config(R"({"aggregations":{"v":"mean"}})"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->aggregations[0].second.has_value());
}

TEST(CsvViewTest, BadConfigsAreInvalidArguments) {
  for (const char* bad :
       {R"([])", R"({"hidden":["a"]})", R"({"hidden_columns":"a"})",
        R"({"aggregations":{"a":"avg"}})", R"({"hidden_columns":["a"],"visible_columns":["a"]})",
        R"({"hidden_columns":["a"],"aggregations":{"a":"sum"}})"}) {
    EXPECT_EQ(ParseColumnConfig(bad).status().code(), Code::kInvalidArgument) << bad;
  }
  const ColumnConfig config = Config(R"({"hidden_columns":["a"],"aggregations":{"b":"sum"}})");
  EXPECT_EQ(ColumnConfigJson(config),
            R"({"aggregations":{"b":"sum"},"hidden_columns":["a"],"visible_columns":[]})");
}

TEST(CsvViewTest, BadDataIsAValidationError) {
  const ColumnConfig sum = Config(R"({"aggregations":{"v":"sum"}})");
  EXPECT_EQ(ApplyColumnConfig("v\n1\nx\n", sum).status().message(),
            "column 'v', row 3: not a number");
  EXPECT_EQ(ApplyColumnConfig("w\n1\n", sum).status().message(),
            "column 'v' is not in the CSV header");
  EXPECT_EQ(ApplyColumnConfig("v\n\"1\n", sum).status().code(), Code::kValidation);
  EXPECT_EQ(ApplyColumnConfig("v\n\xff\n", sum).status().code(), Code::kValidation);
}

// An aggregated column is hidden from the subject, so its error must not quote the cell.
TEST(CsvViewTest, NotANumberErrorDoesNotLeakTheCell) {
  const ColumnConfig mean = Config(R"({"aggregations":{"ssn":"mean"}})");
  const Status s = ApplyColumnConfig("name,ssn\nann,123-45-6789\n", mean).status();
  EXPECT_EQ(s.code(), Code::kValidation);
  EXPECT_EQ(s.message(), "column 'ssn', row 2: not a number");
  EXPECT_EQ(s.message().find("6789"), std::string::npos);
}

}  // namespace
}  // namespace nexus::services
