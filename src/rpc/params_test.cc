#include "rpc/params.h"

#include <gtest/gtest.h>

namespace nexus::rpc {
namespace {

const std::vector<ParamSpec> kSpecs = {
    Required("path", ParamType::kString), Optional("n", ParamType::kInt, 7),
    Optional("flag", ParamType::kBool, false), Optional("tag", ParamType::kString),
    Optional("paths", ParamType::kStringList)};

TEST(ParamsTest, DefaultsFillAbsentKeys) {
  auto p = Params::Bind("m", kSpecs, Json{{"path", "/a"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Str("path"), "/a");
  EXPECT_EQ(p->Int("n"), 7);
  EXPECT_FALSE(p->Bool("flag"));
  EXPECT_FALSE(p->OptStr("tag").has_value());
  EXPECT_TRUE(p->StrList("paths").empty());
}

TEST(ParamsTest, NullParamsMeansNone) {
  auto p = Params::Bind("m", {Optional("x", ParamType::kInt, 1)}, nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Int("x"), 1);
}

TEST(ParamsTest, UnknownKeyIsNamed) {
  auto p = Params::Bind("read", kSpecs, Json{{"path", "/a"}, {"bogus", 1}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "Invalid parameters for read: unexpected keyword argument 'bogus'");
}

TEST(ParamsTest, MissingRequiredKeyIsNamed) {
  auto p = Params::Bind("read", kSpecs, Json::object());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "Invalid parameters for read: missing 1 required positional argument: 'path'");
}

TEST(ParamsTest, WrongTypesAreRefused) {
  for (const Json& bad :
       {Json{{"path", 5}}, Json{{"path", "/a"}, {"n", "7"}}, Json{{"path", "/a"}, {"n", 1.5}},
        Json{{"path", "/a"}, {"flag", 1}}, Json{{"path", "/a"}, {"paths", {"x", 2}}},
        Json{{"path", nullptr}}, Json{{"path", "/a"}, {"n", 18446744073709551615ull}}}) {
    auto p = Params::Bind("m", kSpecs, bad);
    EXPECT_FALSE(p.ok()) << bad.dump();
  }
}

TEST(ParamsTest, ExplicitNullForOptionalIsAbsent) {
  auto p = Params::Bind("m", kSpecs, Json{{"path", "/a"}, {"tag", nullptr}});
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->Has("tag"));
}

TEST(ParamsTest, TimedeltaNeedsTheWrapper) {
  const std::vector<ParamSpec> specs = {Optional("ttl", ParamType::kTimedelta)};
  auto p = Params::Bind("m", specs, Json{{"ttl", {{"__type__", "timedelta"}, {"seconds", 90.5}}}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Seconds("ttl"), 90.5);
  EXPECT_FALSE(Params::Bind("m", specs, Json::object())->Seconds("ttl").has_value());
  auto plain = Params::Bind("m", specs, Json{{"ttl", 60}});
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("'ttl' must be a timedelta"), std::string::npos)
      << plain.status().message();
  EXPECT_FALSE(Params::Bind("m", specs, Json{{"ttl", {{"__type__", "bytes"}}}}).ok());
}

TEST(ParamsTest, NonObjectParamsAreRefused) {
  EXPECT_FALSE(Params::Bind("m", kSpecs, Json::array()).ok());
}

}  // namespace
}  // namespace nexus::rpc
