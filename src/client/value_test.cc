#include "client/value.h"

#include <gtest/gtest.h>

namespace nexus::client {
namespace {

Value Parsed(std::string_view text) {
  StatusOr<Value> v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value();
}

TEST(ValueJson, ParsesEveryKind) {
  const Value v = Parsed(R"( {"n": null, "t": true, "f": false, "i": -42, "d": 2.5,
                              "s": "h\u00e9\n", "a": [1, [2]], "o": {}} )");
  ASSERT_TRUE(v.is_object());
  EXPECT_TRUE(v["n"].is_null());
  EXPECT_TRUE(v["t"].AsBool());
  EXPECT_FALSE(v["f"].AsBool());
  EXPECT_EQ(v["i"].AsInt(), -42);
  EXPECT_EQ(v["d"].AsDouble(), 2.5);
  EXPECT_EQ(v["s"].AsString(), "h\xc3\xa9\n");
  EXPECT_EQ(v["a"].size(), 2u);
  EXPECT_EQ(v["a"].AsArray()[1].AsArray()[0].AsInt(), 2);
  EXPECT_TRUE(v["o"].is_object());
  EXPECT_TRUE(v["missing"].is_null());
  EXPECT_EQ(v.Find("missing"), nullptr);
}

TEST(ValueJson, KeepsMemberOrderAndLargeIntegers) {
  const Value v = Parsed(R"({"z": 9007199254740993, "a": 1})");
  EXPECT_EQ(v.AsObject()[0].first, "z");
  EXPECT_EQ(v["z"].AsInt(), 9007199254740993);
  EXPECT_EQ(ToJson(v), R"({"z":9007199254740993,"a":1})");
}

TEST(ValueJson, DecodesTheWireWrappers) {
  const Value v = Parsed(R"([{"__type__": "bytes", "data": "aGVsbG8A/w=="},
                            {"__type__": "datetime", "data": "2025-12-18T00:00:00+00:00"},
                            {"__type__": "timedelta", "seconds": 1.5}])");
  const Value::Array& a = v.AsArray();
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(a[0].is_bytes());
  EXPECT_EQ(a[0].AsString(), std::string("hello\0\xff", 7));
  EXPECT_TRUE(a[1].is_datetime());
  EXPECT_EQ(a[1].AsString(), "2025-12-18T00:00:00+00:00");
  EXPECT_TRUE(a[2].is_object());  // not a kind of its own: passed through
  EXPECT_EQ(a[2]["seconds"].AsDouble(), 1.5);
}

TEST(ValueJson, RoundTripsThroughText) {
  Value v = {{"path", "/a b/\"q\""},
             {"content", Value::Bytes(std::string("\0\x01\xfe", 3))},
             {"when", Value::DateTime("2025-01-02T03:04:05")},
             {"list", Value::Array{1, 2.0, "x", nullptr, true}},
             {"ctl", "tab\there\x01"}};
  const Value back = Parsed(ToJson(v));
  EXPECT_EQ(back, v);
  EXPECT_EQ(Parsed(ToPrettyJson(v)), v);
}

TEST(ValueJson, WritesInvalidUtf8AsReplacementCharacters) {
  const std::string text =
      ToJson(Value(std::string("a\xff"
                               "b\xc3",
                               4)));
  EXPECT_EQ(text, "\"a\\ufffdb\\ufffd\"");
  EXPECT_EQ(Parsed(text).AsString(),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd");
}

TEST(ValueJson, DecodesSurrogatePairs) {
  EXPECT_EQ(Parsed(R"("\ud83d\ude00")").AsString(), "\xf0\x9f\x98\x80");
}

TEST(ValueJson, WritesDoublesSoTheyReadBackAsDoubles) {
  EXPECT_EQ(ToJson(Value(1.0)), "1.0");
  EXPECT_TRUE(Parsed(ToJson(Value(1.0))).kind() == Value::Kind::kDouble);
  EXPECT_EQ(ToJson(Value(0.1)), "0.1");
}

TEST(ValueJson, CopiesPlainRunsBetweenEscapesAndMultibyteCharacters) {
  EXPECT_EQ(Parsed(R"("plain text \"quoted\" caf\u00e9 naïve \\ end")").AsString(),
            "plain text \"quoted\" caf\xc3\xa9 na\xc3\xafve \\ end");
  EXPECT_EQ(Parsed(R"("\n")").AsString(), "\n");
  EXPECT_EQ(Parsed(R"("")").AsString(), "");
  const std::string long_run(100000, 'x');
  EXPECT_EQ(Parsed("\"" + long_run + "\\t\"").AsString(), long_run + "\t");
  // The error names the byte where the string went wrong, after a run of good ones.
  StatusOr<Value> bad = ParseJson("\"abc\xff\"");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("byte 4"), std::string::npos) << bad.status().message();
}

TEST(ValueJson, RefusesMalformedText) {
  for (std::string_view bad : {"",
                               "{",
                               "[1,]",
                               "{\"a\" 1}",
                               "{\"a\":1,}",
                               "01",
                               "1.",
                               "-",
                               "+1",
                               ".5",
                               "1e",
                               "tru",
                               "\"unterminated",
                               "\"bad \\x escape\"",
                               "\"\\u12\"",
                               "\"\\udc00\"",
                               "\"\\ud800x\"",
                               "\"raw \x01 control\"",
                               "\"\xff\"",
                               "1 2",
                               "nul",
                               "[1e400]",
                               "{1:2}",
                               R"({"__type__": "bytes", "data": "not base64!"})"}) {
    StatusOr<Value> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << "accepted: " << bad;
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(ValueJson, RefusesNestingDeeperThanTheLimit) {
  const std::string ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  StatusOr<Value> v = ParseJson(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nested deeper"), std::string::npos);
}

TEST(Value, BuildsObjectsAndArrays) {
  Value v;
  v.Set("a", 1).Set("b", "x").Set("a", 2);
  EXPECT_EQ(ToJson(v), R"({"a":2,"b":"x"})");
  Value list;
  list.Append("one");
  list.Append(Value::EmptyObject());
  EXPECT_EQ(ToJson(list), R"(["one",{}])");
}

TEST(Value, TakeMovesAMemberOut) {
  Value v = {{"result", Value::Array{"a", "b"}}, {"id", 1}};
  EXPECT_EQ(v.Take("result"), (Value(Value::Array{"a", "b"})));
  EXPECT_TRUE(v["result"].is_null());
  EXPECT_EQ(v["id"].AsInt(), 1);
  EXPECT_TRUE(v.Take("missing").is_null());
  EXPECT_TRUE(Value("text").Take("result").is_null());
}

TEST(Value, LenientReadersGiveEmptyValuesForOtherKinds) {
  const Value s("text");
  EXPECT_EQ(s.AsInt(), 0);
  EXPECT_FALSE(s.AsBool());
  EXPECT_TRUE(s.AsArray().empty());
  EXPECT_TRUE(s["key"].is_null());
  EXPECT_EQ(Value(7).AsString(), "");
  EXPECT_EQ(Value(3.9).AsInt(), 3);
  EXPECT_EQ(Value(1e300).AsInt(), 0) << "beyond int64: no undefined conversion";
  EXPECT_EQ(Value(-1e300).AsInt(), 0);
}

}  // namespace
}  // namespace nexus::client
