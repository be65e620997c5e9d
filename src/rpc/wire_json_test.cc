#include "rpc/wire_json.h"

#include <gtest/gtest.h>

namespace nexus::rpc {
namespace {

TEST(WireJsonTest, DecodesWrappersAnywhere) {
  Json v = Json::parse(R"({"a":{"__type__":"bytes","data":"aGk="},
                           "b":[{"__type__":"datetime","data":"2025-12-18T00:00:00+00:00"}],
                           "c":{"__type__":"timedelta","seconds":1.5},
                           "d":{"__type__":"unknown","x":1}})");
  ASSERT_TRUE(DecodeWireTypes(v).ok());
  ASSERT_TRUE(v["a"].is_binary());
  EXPECT_EQ(std::string(v["a"].get_binary().begin(), v["a"].get_binary().end()), "hi");
  EXPECT_EQ(v["b"][0], "2025-12-18T00:00:00+00:00");
  EXPECT_DOUBLE_EQ(v["c"]["seconds"].get<double>(), 1.5) << "timedelta wrappers stay wrappers";
  EXPECT_EQ(v["d"]["x"], 1);
}

TEST(WireJsonTest, BadWrappersAreInvalidArguments) {
  for (const char* bad :
       {R"({"__type__":"bytes","data":"***"})", R"({"__type__":"bytes"})",
        R"({"__type__":"datetime","data":5})", R"({"__type__":"timedelta","seconds":"x"})"}) {
    Json v = Json::parse(bad);
    EXPECT_EQ(DecodeWireTypes(v).code(), Code::kInvalidArgument) << bad;
  }
}

TEST(WireJsonTest, EncodesBinaryAsWrapper) {
  Json v = {{"content", BytesValue(std::string("hello\0\xff", 7))}, {"n", 1}};
  EXPECT_EQ(EncodeWire(v), R"({"content":{"__type__":"bytes","data":"aGVsbG8A/w=="},"n":1})");
  EXPECT_EQ(EncodeWire(DateTimeValue(0)),
            R"({"__type__":"datetime","data":"1970-01-01T00:00:00.000000+00:00"})");
}

TEST(WireJsonTest, InvalidUtf8InStringsIsReplacedNotFatal) {
  const std::string out = EncodeWire(Json("bad\xff"));
  EXPECT_FALSE(out.empty());
}

TEST(WireJsonTest, ParseRejectsGarbageAndDeepNesting) {
  EXPECT_EQ(ParseJson("{").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseJson("not json").status().code(), Code::kInvalidArgument);
  std::string deep(100000, '[');
  auto r = ParseJson(deep + std::string(100000, ']'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested"), std::string::npos);
  EXPECT_TRUE(ParseJson(std::string(60, '[') + std::string(60, ']')).ok());
}

// Found by the wire_json fuzz target: nlohmann reports a number beyond a double's range as
// out_of_range, not parse_error, and the exception escaped the parser.
TEST(WireJsonTest, ParseRejectsNumbersOutOfRange) {
  for (const char* text : {"1e400", "[-1e400]", R"({"path":1e999})"}) {
    const auto r = ParseJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find("number overflow"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace nexus::rpc
