// The methods the reference exposed but could not serve (api.md §6.1) over HTTP, on SQLite
// and PostgreSQL: shapes, tenancy and permissions, bad input, and the outside services that
// answer with what is missing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/http_test_fixture.h"
#include "util/base64.h"
#include "util/hash.h"

namespace nexus::e2e {
namespace {

constexpr char kHome[] = "/tenant:default/user:alice";

class ExposedHttpTest : public ThreeUsersHttpTest {
 protected:
  bool Exists(const std::string& path) {
    return Result("exists", Json{{"path", path}}, alice_)["exists"].get<bool>();
  }

  std::string Export(const std::string& path, const std::string& key) {
    const Json r = Result("export_metadata", Json{{"path", path}}, key);
    return r["data"].get<std::string>();
  }

  // One export line for `content` at relative `path`.
  static std::string Line(const std::string& path, const std::string& content) {
    return Json{{"etag", Sha256Hex(content)},
                {"mime_type", "text/plain"},
                {"path", path},
                {"size", content.size()}}
        .dump();
  }
};

TEST_P(ExposedHttpTest, ExportImportExportRoundTrips) {
  Write(std::string(kHome) + "/src/a.txt", "alpha");
  Write(std::string(kHome) + "/src/d/b.csv", "x,y\n");
  const Json exported =
      Result("export_metadata", Json{{"path", std::string(kHome) + "/src"}}, alice_);
  EXPECT_EQ(exported["count"], 2);
  const std::string text = exported["data"];
  const Json csv_line = {
      {"etag", Sha256Hex("x,y\n")}, {"mime_type", "text/csv"}, {"path", "d/b.csv"}, {"size", 4}};
  EXPECT_EQ(text, Line("a.txt", "alpha") + "\n" + csv_line.dump() + "\n");

  const Json imported = Result("import_metadata",
                               Json{{"data", text}, {"path", std::string(kHome) + "/dst"}}, alice_);
  EXPECT_EQ(
      imported,
      (Json{{"total", 2}, {"created", 2}, {"updated", 0}, {"skipped", 0}, {"dry_run", false}}));
  EXPECT_EQ(Export(std::string(kHome) + "/dst", alice_), text);
  EXPECT_EQ(Text(Result("read", Json{{"path", std::string(kHome) + "/dst/d/b.csv"}}, alice_)),
            "x,y\n");

  const Json again = Result("import_metadata",
                            Json{{"data", text}, {"path", std::string(kHome) + "/dst"}}, alice_);
  EXPECT_EQ(again["skipped"], 2) << "skip is the default conflict mode";
  EXPECT_EQ(
      ErrorCode("import_metadata",
                Json{{"data", text}, {"path", std::string(kHome) + "/dst"}, {"conflict", "fail"}},
                alice_),
      -32001);
}

TEST_P(ExposedHttpTest, ABadLineImportsNothingAndNamesItsNumber) {
  for (const char* name : {"1", "2", "4", "5"}) Write(std::string(kHome) + "/c/" + name, name);
  const auto lines = [&](const std::string& third) {
    return Line("1", "1") + "\n" + Line("2", "2") + "\n" + third + "\n" + Line("4", "4") + "\n" +
           Line("5", "5") + "\n";
  };
  for (const std::string& bad : {std::string("{not json"), Line("3", "never stored"),
                                 Line("../3", "1"), std::string(20000, 'x')}) {
    const Json r = Rpc("import_metadata",
                       Json{{"data", lines(bad)}, {"path", std::string(kHome) + "/in"}}, alice_);
    ASSERT_TRUE(r.contains("error")) << r.dump();
    EXPECT_EQ(r["error"]["code"], -32005) << r.dump();
    EXPECT_NE(r["error"]["message"].get<std::string>().find("line 3"), std::string::npos)
        << r.dump();
    EXPECT_FALSE(Exists(std::string(kHome) + "/in/1")) << "nothing of the import is applied";
  }
  const Json dry = Result(
      "import_metadata",
      Json{
          {"data", lines(Line("3", "1"))}, {"path", std::string(kHome) + "/in"}, {"dry_run", true}},
      alice_);
  EXPECT_EQ(dry["created"], 5);
  EXPECT_FALSE(Exists(std::string(kHome) + "/in/1")) << "a dry run writes nothing";
}

TEST_P(ExposedHttpTest, ExportAndImportFollowPermissionsAndTenancy) {
  Write(std::string(kHome) + "/secret.txt", "alice's secret");
  EXPECT_EQ(Export(kHome, bob_), "") << "bob reads nothing of alice's";
  EXPECT_EQ(ErrorCode("export_metadata", Json{{"path", kHome}}, carol_), -32004)
      << "another tenant's tree is closed, as for list";
  EXPECT_EQ(Result("export_metadata", Json::object(), bob_)["count"], 0);
  const std::string line = Line("s.txt", "alice's secret");
  EXPECT_EQ(ErrorCode("import_metadata", Json{{"data", line}, {"path", "/tenant:default/user:bob"}},
                      bob_),
            -32005)
      << "content bob may not read is as absent as content never stored";
  EXPECT_EQ(ErrorCode("import_metadata", Json{{"data", line}, {"path", kHome}}, bob_), -32004);
  EXPECT_EQ(ErrorCode("import_metadata", Json{{"data", line}, {"path", kHome}}, carol_), -32004);
  Result("rebac_create",
         Json{{"subject", {"user", "bob"}},
              {"relation", "direct_viewer"},
              {"object", {"file", std::string(kHome) + "/secret.txt"}}},
         alice_);
  EXPECT_EQ(Export(kHome, bob_), Line("secret.txt", "alice's secret") + "\n");
  EXPECT_EQ(Result("import_metadata", Json{{"data", line}, {"path", "/tenant:default/user:bob"}},
                   bob_)["created"],
            1);
}

TEST_P(ExposedHttpTest, ImportAndExportBadParameters) {
  EXPECT_EQ(ErrorCode("import_metadata", Json::object(), alice_), -32602);
  EXPECT_EQ(ErrorCode("import_metadata", Json{{"data", ""}, {"conflict", "merge"}}, alice_),
            -32602);
  EXPECT_EQ(ErrorCode("import_metadata", Json{{"data", 5}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("export_metadata", Json{{"filter", {{"after_time", "x"}}}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("export_metadata", Json{{"path", "/a/../b"}}, alice_), -32002);
  // The Python client's call shapes.
  Write(std::string(kHome) + "/p/a.txt", "a");
  const Json out = Result("export_metadata",
                          Json{{"output_path", std::string(kHome) + "/meta.jsonl"},
                               {"filter", nullptr},
                               {"prefix", std::string(kHome) + "/p"}},
                          alice_);
  EXPECT_EQ(out["count"], 1);
  const Json in = Result("import_metadata",
                         Json{{"input_path", std::string(kHome) + "/meta.jsonl"},
                              {"options", nullptr},
                              {"overwrite", false},
                              {"skip_existing", true},
                              {"path", std::string(kHome) + "/q"}},
                         alice_);
  EXPECT_EQ(in["created"], 1);
}

TEST_P(ExposedHttpTest, BatchGetContentIds) {
  Write(std::string(kHome) + "/a.txt", "a");
  const Json ids = Result(
      "batch_get_content_ids",
      Json{{"paths", {std::string(kHome) + "/a.txt", std::string(kHome) + "/missing", kHome}}},
      alice_);
  EXPECT_EQ(ids, (Json{{std::string(kHome) + "/a.txt", Sha256Hex("a")},
                       {std::string(kHome) + "/missing", nullptr},
                       {kHome, nullptr}}));
  EXPECT_EQ(Result("batch_get_content_ids", Json{{"paths", {std::string(kHome) + "/a.txt"}}}, bob_),
            (Json{{std::string(kHome) + "/a.txt", nullptr}}))
      << "unreadable answers as missing";
  EXPECT_EQ(Result("batch_get_content_ids", Json{{"paths", {std::string(kHome) + "/a.txt"}}},
                   carol_)[std::string(kHome) + "/a.txt"],
            nullptr);
  EXPECT_EQ(ErrorCode("batch_get_content_ids", Json{{"paths", "x"}}, alice_), -32602);
}

TEST_P(ExposedHttpTest, StreamAndWriteStream) {
  const std::string path = std::string(kHome) + "/s.bin";
  const Json written = Result(
      "write_stream",
      Json{{"path", path}, {"chunks", {Bytes(Base64Encode("hel")), Bytes(Base64Encode("lo"))}}},
      alice_);
  EXPECT_EQ(written["size"], 5);
  EXPECT_EQ(written["version"], 1);
  EXPECT_EQ(written["etag"], Sha256Hex("hello"));
  Result("write_stream", Json{{"path", path}, {"chunks", Bytes(Base64Encode("hello!"))}}, alice_);
  const Json chunks = Result("stream", Json{{"path", path}, {"chunk_size", 4}}, alice_);
  ASSERT_EQ(chunks.size(), 2u) << chunks.dump();
  EXPECT_EQ(Text(chunks[0]), "hell");
  EXPECT_EQ(Text(chunks[1]), "o!");
  EXPECT_EQ(ErrorCode("stream", Json{{"path", path}}, bob_), -32004);
  EXPECT_EQ(ErrorCode("stream", Json{{"path", path}}, carol_), -32004);
  EXPECT_EQ(ErrorCode("stream", Json{{"path", path}, {"chunk_size", 0}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("write_stream", Json{{"path", path}, {"chunks", {1}}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("write_stream", Json{{"path", path}, {"chunks", "x"}}, bob_), -32004);
}

TEST_P(ExposedHttpTest, StreamRefusesMoreThanTenThousandChunks) {
  const std::string path = std::string(kHome) + "/big.bin";
  Write(path, std::string(10001, 'x'));
  const Json refused = Rpc("stream", Json{{"path", path}, {"chunk_size", 1}}, alice_);
  EXPECT_EQ(refused["error"]["code"], -32602) << refused.dump();
  EXPECT_EQ(refused["error"]["message"],
            "Invalid parameters: stream answers at most 10000 chunks; this file needs a "
            "chunk_size of at least 2");
  EXPECT_EQ(Result("stream", Json{{"path", path}, {"chunk_size", 2}}, alice_).size(), 5001u);
}

TEST_P(ExposedHttpTest, SearchFindsNamesAndContentTheCallerMayRead) {
  Write(std::string(kHome) + "/notes/Report.md", "nothing here");
  Write(std::string(kHome) + "/notes/other.txt", "see the report (draft)\nline two");
  const Json found = Result("search", Json{{"query", "report"}}, alice_);
  EXPECT_EQ(found, (Json{{"results",
                          {{{"path", std::string(kHome) + "/notes/Report.md"},
                            {"match", "name"},
                            {"line", nullptr},
                            {"content", nullptr}},
                           {{"path", std::string(kHome) + "/notes/other.txt"},
                            {"match", "content"},
                            {"line", 1},
                            {"content", "see the report (draft)"}}}}}));
  EXPECT_EQ(Result("search", Json{{"query", "(draft"}, {"path", kHome}}, alice_)["results"].size(),
            1u)
      << "the query is text, not a pattern";
  EXPECT_EQ(Result("search", Json{{"query", "report"}, {"limit", 1}}, alice_)["results"].size(),
            1u);
  EXPECT_EQ(Result("search", Json{{"query", "report"}}, bob_)["results"], Json::array());
  EXPECT_EQ(Result("search", Json{{"query", "report"}}, carol_)["results"], Json::array());
  EXPECT_EQ(ErrorCode("search", Json{{"query", ""}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("search", Json{{"query", "x"}, {"limit", 0}}, alice_), -32602);
}

TEST_P(ExposedHttpTest, SearchAndGrepCountOnlyReadableMatchesTowardTheLimit) {
  for (int i = 1; i <= 5; ++i) Write(std::string(kHome) + "/a/f" + std::to_string(i), "needle");
  const std::string shared = std::string(kHome) + "/z/shared.txt";
  Write(shared, "a needle");
  Result("rebac_create",
         Json{{"subject", {"user", "bob"}},
              {"relation", "direct_viewer"},
              {"object", {"file", shared}}},
         alice_);
  EXPECT_EQ(
      Result("search", Json{{"query", "needle"}, {"limit", 1}}, bob_),
      (Json{{"results",
             {{{"path", shared}, {"match", "content"}, {"line", 1}, {"content", "a needle"}}}}}))
      << "the five unreadable matches before it take no place within the limit";
  const Json grep =
      Result("grep", Json{{"pattern", "needle"}, {"path", kHome}, {"max_results", 1}}, bob_);
  ASSERT_EQ(grep["results"].size(), 1u) << grep.dump();
  EXPECT_EQ(grep["results"][0]["file"], shared);
  EXPECT_EQ(Result("search", Json{{"query", "needle"}}, carol_)["results"], Json::array());
  EXPECT_EQ(Result("search", Json{{"query", "needle"}, {"limit", 3}}, alice_)["results"].size(),
            3u);
}

TEST_P(ExposedHttpTest, NamespaceAliases) {
  const Json ns = Result("namespace_get", Json{{"object_type", "file"}}, alice_);
  EXPECT_EQ(ns, Result("get_namespace", Json{{"object_type", "file"}}, alice_));
  const Json config = {{"relations", {{"viewer", Json::object()}}},
                       {"permissions", {{"read", {"viewer"}}}}};
  EXPECT_TRUE(Result("register_namespace",
                     Json{{"namespace", {{"object_type", "document"}, {"config", config}}}})
                  .is_null());
  EXPECT_EQ(Result("namespace_get", Json{{"object_type", "document"}})["custom"], true);
  EXPECT_EQ(ErrorCode("register_namespace",
                      Json{{"namespace", {{"object_type", "doc2"}, {"config", config}}}}, alice_),
            -32004);
  EXPECT_EQ(ErrorCode("register_namespace", Json{{"namespace", {{"object_type", "x"}}}}), -32602);
  EXPECT_EQ(ErrorCode("namespace_get", Json::object()), -32602);
}

TEST_P(ExposedHttpTest, RebacOptions) {
  EXPECT_EQ(Result("get_rebac_option", Json{{"key", "max_depth"}}, alice_), 50);
  EXPECT_TRUE(Result("get_rebac_option", Json{{"key", "cache_ttl"}}, alice_).is_null());
  EXPECT_EQ(ErrorCode("get_rebac_option", Json{{"key", "colour"}}, alice_), -32005);
  EXPECT_EQ(ErrorCode("set_rebac_option", Json{{"key", "max_depth"}, {"value", 10}}, alice_),
            -32004);
  EXPECT_EQ(ErrorCode("set_rebac_option", Json{{"key", "max_depth"}, {"value", 10}}, carol_),
            -32004);
  EXPECT_EQ(ErrorCode("set_rebac_option", Json{{"key", "max_depth"}, {"value", 0}}), -32005);
  EXPECT_EQ(ErrorCode("set_rebac_option", Json{{"key", "cache_ttl"}, {"value", 5}}), -32005);
  EXPECT_TRUE(Result("set_rebac_option", Json{{"key", "max_depth"}, {"value", 12}}).is_null());
  EXPECT_EQ(Result("get_rebac_option", Json{{"key", "max_depth"}}, alice_), 12);
  Write(std::string(kHome) + "/a.txt", "a");
  EXPECT_EQ(Result("exists", Json{{"path", std::string(kHome) + "/a.txt"}}, alice_)["exists"], true)
      << "checks still work under the new limit";
}

TEST_P(ExposedHttpTest, ExpandWithPrivacyHidesUndiscoverableSubjects) {
  const std::string file = std::string(kHome) + "/shared.txt";
  Write(file, "x");
  for (const char* user : {"bob", "dave"}) {
    Result(
        "rebac_create",
        Json{
            {"subject", {"user", user}}, {"relation", "direct_viewer"}, {"object", {"file", file}}},
        alice_);
  }
  const Json params = {{"permission", "read"}, {"object", {"file", file}}};
  const auto subjects = [](std::vector<std::string> users) {
    Json out = Json::array();
    for (const std::string& u : users) out.push_back(Json::array({"user", u}));
    return out;
  };
  EXPECT_EQ(Result("rebac_expand", params, alice_), subjects({"alice", "bob", "dave"}));
  EXPECT_EQ(Result("rebac_expand_with_privacy", params, alice_), subjects({"alice"}))
      << "only the requester itself is discoverable without consent";
  Result("grant_consent",
         Json{{"from_subject", {"user", "bob"}}, {"to_subject", {"user", "alice"}}}, bob_);
  EXPECT_EQ(Result("rebac_expand_with_privacy", params, alice_), subjects({"alice", "bob"}));
  Json unfiltered = params;
  unfiltered["respect_consent"] = false;
  EXPECT_EQ(Result("rebac_expand_with_privacy", unfiltered, alice_),
            subjects({"alice", "bob", "dave"}));
  Json other = params;
  other["requester"] = {"user", "dave"};
  EXPECT_EQ(ErrorCode("rebac_expand_with_privacy", other, alice_), -32004);
  EXPECT_EQ(Result("rebac_expand_with_privacy", other), subjects({"dave"})) << "an admin may ask";
  EXPECT_EQ(
      ErrorCode("rebac_expand_with_privacy", Json{{"permission", "read"}, {"object", "x"}}, alice_),
      -32602);
}

TEST_P(ExposedHttpTest, DynamicViewerShowsAConfiguredViewOfACsv) {
  const std::string csv = std::string(kHome) + "/people.csv";
  Write(csv, "name,age,ssn\nann,30,111\nben,40,222\n");
  const Json config = {{"hidden_columns", {"ssn"}}, {"aggregations", {{"age", "mean"}}}};
  const Json grant = {{"subject", {"user", "bob"}},
                      {"relation", "dynamic_viewer"},
                      {"object", {"file", csv}},
                      {"column_config", config}};
  EXPECT_EQ(ErrorCode("rebac_create", grant, bob_), -32004) << "only the owner grants";
  EXPECT_TRUE(Result("rebac_create", grant, alice_).is_string());
  const Json stored = {{"hidden_columns", {"ssn"}},
                       {"aggregations", {{"age", "mean"}}},
                       {"visible_columns", Json::array()}};
  const Json who = {{"subject", {"user", "bob"}}, {"file_path", csv}};
  EXPECT_EQ(Result("get_dynamic_viewer_config", who, bob_), stored);
  EXPECT_EQ(Result("get_dynamic_viewer_config", who, alice_), stored);
  EXPECT_TRUE(Result("get_dynamic_viewer_config",
                     Json{{"subject", {"user", "alice"}}, {"file_path", csv}}, alice_)
                  .is_null());
  EXPECT_EQ(ErrorCode("get_dynamic_viewer_config",
                      Json{{"subject", {"user", "dave"}}, {"file_path", csv}}, bob_),
            -32004);

  EXPECT_EQ(ErrorCode("read", Json{{"path", csv}}, bob_), -32004) << "no plain read";
  const Json view = Result("read_with_dynamic_viewer", who, bob_);
  EXPECT_EQ(view, (Json{{"content", "name,mean(age)\nann,35\nben,35\n"},
                        {"is_filtered", true},
                        {"config", stored},
                        {"aggregations", {{"mean(age)", 35}}},
                        {"columns_shown", {"name"}},
                        {"aggregated_columns", {"mean(age)"}}}));
  const Json own = Result("read_with_dynamic_viewer",
                          Json{{"subject", {"user", "alice"}}, {"file_path", csv}}, alice_);
  EXPECT_EQ(own["is_filtered"], false);
  EXPECT_EQ(own["content"], "name,age,ssn\nann,30,111\nben,40,222\n");
  EXPECT_EQ(ErrorCode("read_with_dynamic_viewer", who, alice_), -32004)
      << "reading as another subject needs an admin";
  EXPECT_EQ(Result("read_with_dynamic_viewer", who)["is_filtered"], true);
  EXPECT_EQ(ErrorCode("read_with_dynamic_viewer",
                      Json{{"subject", {"user", "dave"}}, {"file_path", csv}}, bob_),
            -32004);
  EXPECT_EQ(ErrorCode("read_with_dynamic_viewer", who, carol_), -32004);

  Json not_csv = grant;
  not_csv["object"] = {"file", std::string(kHome) + "/a.txt"};
  EXPECT_EQ(ErrorCode("rebac_create", not_csv, alice_), -32602);
  Json no_config = grant;
  no_config.erase("column_config");
  EXPECT_EQ(ErrorCode("rebac_create", no_config, alice_), -32602);
  Json both = grant;
  both["column_config"] = {{"hidden_columns", {"age"}}, {"visible_columns", {"age"}}};
  EXPECT_EQ(ErrorCode("rebac_create", both, alice_), -32602);
  Json other_relation = grant;
  other_relation["relation"] = "direct_viewer";
  EXPECT_EQ(ErrorCode("rebac_create", other_relation, alice_), -32602);
}

TEST_P(ExposedHttpTest, ApplyDynamicViewerFilter) {
  const Json r = Result("apply_dynamic_viewer_filter",
                        Json{{"data", "name,email,age,password\nalice,a@ex.com,30,secret\n"},
                             {"column_config",
                              {{"hidden_columns", {"password"}},
                               {"aggregations", {{"age", "sum"}}},
                               {"visible_columns", {"name", "email"}}}}},
                        alice_);
  EXPECT_EQ(r, (Json{{"filtered_data", "name,email,sum(age)\nalice,a@ex.com,30\n"},
                     {"aggregations", {{"sum(age)", 30}}},
                     {"columns_shown", {"name", "email"}},
                     {"aggregated_columns", {"sum(age)"}}}));
  EXPECT_EQ(
      ErrorCode("apply_dynamic_viewer_filter",
                Json{{"data", "a\n"}, {"column_config", Json::object()}, {"file_format", "xlsx"}},
                alice_),
      -32602);
  EXPECT_EQ(
      ErrorCode("apply_dynamic_viewer_filter",
                Json{{"data", "a\nx\n"}, {"column_config", {{"aggregations", {{"a", "sum"}}}}}},
                alice_),
      -32005);
  EXPECT_EQ(ErrorCode("apply_dynamic_viewer_filter",
                      Json{{"data", "a\n"}, {"column_config", {{"aggregations", {{"a", "avg"}}}}}},
                      alice_),
            -32602);
}

TEST_P(ExposedHttpTest, LoadWorkspaceMemoryConfig) {
  const std::string config = std::string(kHome) + "/nexus.yaml";
  Write(config, "workspaces:\n  - path: " + std::string(kHome) +
                    "/ws\n    name: main\n    metadata: {team: red}\nmemories:\n  - path: " +
                    kHome + "/mem\n");
  const Json loaded = Result("load_workspace_memory_config", Json{{"path", config}}, alice_);
  EXPECT_EQ(loaded, (Json{{"workspaces", {std::string(kHome) + "/ws"}},
                          {"memories", {std::string(kHome) + "/mem"}},
                          {"skipped", Json::array()}}));
  const Json info =
      Result("get_workspace_info", Json{{"path", std::string(kHome) + "/ws"}}, alice_);
  EXPECT_EQ(info["name"], "main");
  EXPECT_EQ(info["metadata"], (Json{{"team", "red"}}));
  EXPECT_EQ(
      Result("load_workspace_memory_config", Json{{"path", config}}, alice_)["skipped"].size(), 2u);
  EXPECT_EQ(ErrorCode("load_workspace_memory_config", Json{{"path", config}}, bob_), -32004);
  EXPECT_EQ(ErrorCode("load_workspace_memory_config", Json{{"path", config}}, carol_), -32004);
  const std::string bobs = "/tenant:default/user:bob/nexus.yaml";
  Write(bobs, "workspaces:\n  - path: " + std::string(kHome) + "/taken\n", bob_);
  EXPECT_EQ(ErrorCode("load_workspace_memory_config", Json{{"path", bobs}}, bob_), -32004)
      << "an entry bob may not write";
  Write(config, "workspaces:\n  - path: /x\n    owner: me\n");
  const Json bad = Rpc("load_workspace_memory_config", Json{{"path", config}}, alice_);
  EXPECT_EQ(bad["error"]["code"], -32005) << bad.dump();
  EXPECT_EQ(bad["error"]["message"], "workspace config: workspaces[0] has unknown key 'owner'");
  EXPECT_EQ(ErrorCode("load_workspace_memory_config", Json::object(), alice_), -32602);
}

TEST_P(ExposedHttpTest, ShutdownParserThreads) {
  EXPECT_EQ(Result("shutdown_parser_threads", Json::object(), alice_), (Json{{"success", true}}));
  EXPECT_EQ(ErrorCode("shutdown_parser_threads", Json{{"x", 1}}, alice_), -32602);
}

TEST_P(ExposedHttpTest, OutsideServicesNameWhatIsMissing) {
  const auto message = [&](const std::string& method, const Json& params) {
    const Json r = Rpc(method, params, alice_);
    EXPECT_TRUE(r.contains("error")) << method << ": " << r.dump();
    if (!r.contains("error")) return std::string();
    EXPECT_EQ(r["error"]["code"], -32005) << method << ": " << r.dump();
    return r["error"]["message"].get<std::string>();
  };
  for (const char* method :
       {"semantic_search_stats", "semantic_search_index", "initialize_semantic_search"}) {
    EXPECT_NE(message(method, Json::object()).find("semantic_search.provider"), std::string::npos);
  }
  EXPECT_NE(message("semantic_search", Json{{"query", "q"}}).find("embedding provider"),
            std::string::npos);
  Write(std::string(kHome) + "/doc.txt", "text");
  const Json read = {{"path", std::string(kHome) + "/doc.txt"}, {"prompt", "summarise"}};
  for (const char* method : {"llm_read", "llm_read_detailed", "llm_read_stream"}) {
    EXPECT_NE(message(method, read).find("llm.provider"), std::string::npos);
    EXPECT_EQ(ErrorCode(method, read, bob_), -32004) << "the path is checked first";
    EXPECT_EQ(ErrorCode(method, Json{{"path", "/x"}}, alice_), -32602);
  }
  EXPECT_NE(message("create_llm_reader", Json::object()).find("llm.provider"), std::string::npos);
  EXPECT_NE(message("mcp_connect", Json{{"provider", "github"}}).find("KLAVIS_API_KEY"),
            std::string::npos);
  EXPECT_EQ(ErrorCode("mcp_connect", Json::object(), alice_), -32602);
  EXPECT_EQ(Result("mcp_list_mounts", Json::object(), alice_), Json::array());
  EXPECT_EQ(ErrorCode("mcp_list_mounts", Json{{"tier", "galaxy"}}, alice_), -32602);
  EXPECT_EQ(message("mcp_list_tools", Json{{"name", "gh"}}), "MCP server 'gh' is not mounted");
  // Mounting is an administrator's (tests/mcp_gateway_test.cc has the rest).
  EXPECT_EQ(ErrorCode("mcp_unmount", Json{{"name", "gh"}}, alice_), -32004);
  EXPECT_EQ(ErrorCode("mcp_sync", Json{{"name", "gh"}}, alice_), -32004);
  EXPECT_EQ(ErrorCode("mcp_mount", Json{{"name", "gh"}, {"command", "gh-mcp"}}, alice_), -32004);
  EXPECT_EQ(
      ErrorCode("mcp_mount", Json{{"name", "gh"}, {"url", "u"}, {"transport", "pigeon"}}, alice_),
      -32602);
  EXPECT_EQ(ErrorCode("mcp_list_tools", Json::object(), alice_), -32602);
}

NEXUS_INSTANTIATE_ENGINES(ExposedHttpTest);

}  // namespace
}  // namespace nexus::e2e
