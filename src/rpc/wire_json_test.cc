#include "rpc/wire_json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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
  EXPECT_EQ(EncodeWire(Json("bad\xff")), "\"bad\xef\xbf\xbd\"");
  EXPECT_EQ(EncodeWire(Json{{"k\xc3", "\xed\xa0\x80"}}),
            "{\"k\xef\xbf\xbd\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
}

// Bytes chosen to hit every branch of the string writer: escapes, control characters,
// DEL, well-formed sequences of each length, and the ill-formed ones the decoder refuses
// (overlong, surrogate, above U+10FFFF, truncated, stray continuation).
std::string RandomString(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {"a",
                                                   "Z",
                                                   " ",
                                                   "/",
                                                   "\"",
                                                   "\\",
                                                   "\b",
                                                   "\f",
                                                   "\n",
                                                   "\r",
                                                   "\t",
                                                   std::string(1, '\0'),
                                                   "\x01",
                                                   "\x1f",
                                                   "\x7f",
                                                   "\xc3\xa9",
                                                   "\xe2\x82\xac",
                                                   "\xf0\x9f\x98\x80",
                                                   "\xed\x9f\xbf",
                                                   "\xc0\xaf",
                                                   "\xe0\x80\xaf",
                                                   "\xed\xa0\x80",
                                                   "\xf4\x90\x80\x80",
                                                   "\xe2\x82",
                                                   "\x80",
                                                   "\xff",
                                                   "\xf0\x9f\x98"};
  std::string out;
  const int count = static_cast<int>(rng() % 12);
  for (int i = 0; i < count; ++i) out += kPieces[rng() % kPieces.size()];
  return out;
}

Json RandomJson(std::mt19937& rng, int depth) {
  switch (rng() % (depth < 4 ? 9 : 6)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int64_t>(rng()) - static_cast<int64_t>(rng()) * 4096;
    case 3:
      return static_cast<uint64_t>(rng()) << 32 | rng();
    case 4:
      return static_cast<double>(static_cast<int32_t>(rng())) / 7.0;
    case 5:
      return RandomString(rng);
    case 6: {
      Json array = Json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i)
        array.push_back(RandomJson(rng, depth + 1));
      return array;
    }
    default: {
      Json object = Json::object();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
        object[RandomString(rng)] = RandomJson(rng, depth + 1);
      }
      return object;
    }
  }
}

// The writer must give what nlohmann's dump gives, byte for byte: clients parse either.
TEST(WireJsonTest, EncodeMatchesNlohmannDumpOnRandomValues) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    const Json value = RandomJson(rng, 0);
    ASSERT_EQ(EncodeWire(value), value.dump(-1, ' ', false, Json::error_handler_t::replace))
        << "case " << i;
  }
}

TEST(WireJsonTest, EncodesBinaryAnywhereInTheTree) {
  const Json value = {{"a", Json::array({BytesValue(""), BytesValue("ab"), BytesValue("abc")})},
                      {"b", {{"c", BytesValue(std::string(1, '\0'))}}}};
  EXPECT_EQ(EncodeWire(value),
            R"({"a":[{"__type__":"bytes","data":""},{"__type__":"bytes","data":"YWI="},)"
            R"({"__type__":"bytes","data":"YWJj"}],"b":{"c":{"__type__":"bytes","data":"AA=="}}})");
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
