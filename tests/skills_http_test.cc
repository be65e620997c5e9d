// The skill methods of api.md §6.8 against the real binary, on SQLite and PostgreSQL:
// result shapes, isolation between users and tenants, hostile input, concurrent listings.
#include <gtest/gtest.h>

#include <thread>

#include "services/skills/skill_zip.h"
#include "tests/http_test_fixture.h"
#include "util/base64.h"

namespace nexus::e2e {
namespace {

class SkillsHttpTest : public HttpTest {};

std::string SkillMd(const std::string& name, const std::string& description,
                    const std::string& extra = "") {
  return "---\nname: " + name + "\ndescription: " + description + "\n" + extra + "---\n# " + name +
         "\n";
}

std::string Zip64(const std::vector<services::ZipEntry>& entries) {
  StatusOr<std::string> zip = services::WriteZip(entries);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  return Base64Encode(zip.ok() ? *zip : "");
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : object.items()) keys.push_back(k);
  return keys;
}

TEST_P(SkillsHttpTest, CreateListInfoShapes) {
  Json r = Result("skills_create", {{"name", "base"}, {"description", "Base skill"}});
  EXPECT_EQ(r, (Json{{"skill_path", "/tenant:default/user:admin/skill/base/SKILL.md"},
                     {"name", "base"},
                     {"tier", "agent"},
                     {"template", "basic"}}));
  r = Result("skills_create_from_content", {{"name", "pdf"},
                                            {"description", "PDF work"},
                                            {"content", "# PDF\nUse it.\n"},
                                            {"author", "Ann"},
                                            {"source_url", "https://example.com/pdf"},
                                            {"metadata", {{"license", "MIT"}}}});
  EXPECT_EQ(r, (Json{{"skill_path", "/tenant:default/user:admin/skill/pdf/SKILL.md"},
                     {"name", "pdf"},
                     {"tier", "agent"},
                     {"source_url", "https://example.com/pdf"}}));
  EXPECT_EQ(ErrorCode("skills_create_from_content", {{"name", "pdf2"},
                                                     {"description", "d"},
                                                     {"content", "x"},
                                                     {"metadata", {{"requires", {"base"}}}}}),
            -32005)
      << "metadata may not redefine a known field";
  ASSERT_EQ(
      Result("skills_import",
             {{"zip_data", Zip64({{"docx/SKILL.md", SkillMd("docx", "Word files",
                                                            "version: '2'\nrequires: [pdf]\n")},
                                  {"docx/ref.xsd", "<xsd/>"}})},
              {"tier", "personal"}}),
      (Json{{"imported_skills", {"docx"}},
            {"skill_paths", {"/tenant:default/user:admin/skill/docx/"}},
            {"tier", "personal"}}));

  const Json list = Result("skills_list", Json::object());
  ASSERT_EQ(list["count"], 3) << list.dump();
  const Json& docx = list["skills"][1];
  EXPECT_EQ(Keys(docx), (std::vector<std::string>{"author", "description", "file_path", "name",
                                                  "requires", "tier", "version"}));
  EXPECT_EQ(docx["file_path"], "/tenant:default/user:admin/skill/docx/SKILL.md");
  EXPECT_EQ(docx["tier"], "personal");
  EXPECT_EQ(docx["version"], "2");
  EXPECT_EQ(docx["author"], nullptr);
  EXPECT_EQ(docx["requires"], Json({"pdf"}));
  EXPECT_TRUE(list["skills"][0].contains("created_at"));
  EXPECT_EQ(Result("skills_list", {{"include_metadata", false}}),
            (Json{{"skills", {"base", "docx", "pdf"}}, {"count", 3}}));
  EXPECT_EQ(Result("skills_list", {{"tier", "system"}}),
            (Json{{"skills", Json::array()}, {"count", 0}}));

  const Json info = Result("skills_info", {{"skill_name", "docx"}});
  EXPECT_EQ(info["resolved_dependencies"], Json({"pdf", "docx"}));
  EXPECT_EQ(info["name"], "docx");
  EXPECT_EQ(Result("skills_info", {{"skill_name", "pdf"}})["metadata"],
            (Json{{"license", "MIT"}, {"source_url", "https://example.com/pdf"}}));
  EXPECT_FALSE(Result("skills_info", {{"skill_name", "base"}}).contains("resolved_dependencies"));
  EXPECT_EQ(ErrorCode("skills_info", {{"skill_name", "nope"}}), -32005);
  ASSERT_EQ(
      Result("skills_import",
             {{"zip_data", Zip64({{"loop/SKILL.md", SkillMd("loop", "d", "requires: loop\n")}})}}),
      (Json{{"imported_skills", {"loop"}},
            {"skill_paths", {"/tenant:default/user:admin/skill/loop/"}},
            {"tier", "user"}}));
  const Json cycle = Rpc("skills_info", {{"skill_name", "loop"}});
  EXPECT_EQ(cycle["error"]["code"], -32005);
  EXPECT_NE(cycle["error"]["message"].get<std::string>().find("loop -> loop"), std::string::npos);
}

TEST_P(SkillsHttpTest, FileForkPublishSearchExportValidate) {
  Json r =
      Result("skills_create_from_file",
             {{"source", "guide.md"}, {"file_data", Base64Encode("# Deploy guide\n\nSteps.\n")}});
  EXPECT_EQ(r, (Json{{"skill_path", "/tenant:default/user:admin/skill/guide/SKILL.md"},
                     {"name", "guide"},
                     {"tier", "agent"},
                     {"source", "guide.md"}}));
  const Json pdf = Rpc("skills_create_from_file", {{"source", "a.pdf"}, {"file_data", "JVBERg=="}});
  EXPECT_EQ(pdf["error"]["code"], -32005);
  EXPECT_NE(pdf["error"]["message"].get<std::string>().find("PDF parser"), std::string::npos);
  EXPECT_EQ(ErrorCode("skills_create_from_file", {{"source", "a.md"}}), -32005);

  EXPECT_EQ(Result("skills_fork", {{"source_name", "guide"}, {"target_name", "guide2"}}),
            (Json{{"forked_path", "/tenant:default/user:admin/skill/guide2/SKILL.md"},
                  {"source_name", "guide"},
                  {"target_name", "guide2"},
                  {"tier", "agent"}}));
  EXPECT_EQ(Result("skills_publish", {{"skill_name", "guide"}}),
            (Json{{"published_path", "/tenant:default/skill/guide/SKILL.md"},
                  {"skill_name", "guide"},
                  {"source_tier", "agent"},
                  {"target_tier", "tenant"}}));
  EXPECT_EQ(Result("skills_list", {{"tier", "tenant"}, {"include_metadata", false}})["skills"],
            Json({"guide"}));

  r = Result("skills_search", {{"query", "deploy guide"}, {"limit", 1}});
  EXPECT_EQ(Keys(r), (std::vector<std::string>{"count", "query", "results"}));
  EXPECT_EQ(r["count"], 1);
  EXPECT_EQ(r["query"], "deploy guide");
  EXPECT_EQ(Keys(r["results"][0]), (std::vector<std::string>{"score", "skill_name"}));
  EXPECT_EQ(r["results"][0]["skill_name"], "guide");

  r = Result("skills_export", {{"skill_name", "guide"}, {"format", "claude"}});
  EXPECT_EQ(r["skill_name"], "guide");
  EXPECT_EQ(r["filename"], "guide.skill");
  ASSERT_TRUE(r["zip_data"].is_string()) << "plain base64, not a bytes wrapper";
  const std::string zip = *Base64Decode(r["zip_data"].get<std::string>());
  EXPECT_EQ(r["size_bytes"], zip.size());
  const auto unpacked = services::ReadSkillZip(zip);
  ASSERT_TRUE(unpacked.ok());
  EXPECT_EQ(unpacked->at("guide").count("SKILL.md"), 1u);
  EXPECT_EQ(ErrorCode("skills_export", {{"skill_name", "guide"}, {"format", "tar"}}), -32005);

  EXPECT_EQ(Result("skills_validate_zip", {{"zip_data", r["zip_data"]}}),
            (Json{{"valid", true},
                  {"skills_found", {"guide"}},
                  {"errors", Json::array()},
                  {"warnings", Json::array()}}));
  const Json bad =
      Result("skills_validate_zip", {{"zip_data", Zip64({{"x/SKILL.md", "no front matter"}})}});
  EXPECT_EQ(bad["valid"], false);
  EXPECT_EQ(bad["skills_found"], Json({"x"}));
  EXPECT_EQ(bad["errors"].size(), 1u);
}

TEST_P(SkillsHttpTest, UsersAndTenantsAreIsolated) {
  const std::string alice = NewUserKey("alice");
  const std::string bob = NewUserKey("bob");
  const std::string carol = NewUserKey("carol", "acme");
  Result("skills_create", {{"name", "secret"}, {"description", "Alice's"}}, alice);
  Result("skills_create", {{"name", "shared"}, {"description", "System"}, {"tier", "system"}});
  EXPECT_EQ(Result("skills_list", {{"include_metadata", false}}, alice)["skills"],
            Json({"secret", "shared"}));
  for (const std::string& other : {bob, carol}) {
    EXPECT_EQ(Result("skills_list", {{"include_metadata", false}}, other)["skills"],
              Json({"shared"}))
        << "only the system tier is shared";
    EXPECT_EQ(ErrorCode("skills_info", {{"skill_name", "secret"}}, other), -32005);
    EXPECT_EQ(ErrorCode("skills_export", {{"skill_name", "secret"}}, other), -32005);
    EXPECT_EQ(
        ErrorCode("read", {{"path", "/tenant:default/user:alice/skill/secret/SKILL.md"}}, other),
        -32004);
  }
  const std::string zip = Zip64({{"mine/SKILL.md", SkillMd("mine", "d")}});
  EXPECT_EQ(ErrorCode("skills_import", {{"zip_data", zip}, {"tier", "system"}}, bob), -32004);
  EXPECT_EQ(ErrorCode("skills_import", {{"zip_data", zip}, {"tier", "tenant"}}, bob), -32004);
  EXPECT_EQ(
      ErrorCode("skills_create", {{"name", "x"}, {"description", "d"}, {"tier", "system"}}, alice),
      -32004);
  EXPECT_EQ(ErrorCode("skills_publish", {{"skill_name", "secret"}}, alice), -32004)
      << "the tenant tier is its admins'";
  EXPECT_EQ(Result("skills_import", {{"zip_data", zip}}, bob)["imported_skills"], Json({"mine"}));

  // Approvals: submitted by the user, reviewed by an admin of the tenant only.
  const Json submitted = Result("skills_submit_approval",
                                {{"skill_name", "secret"}, {"submitted_by", "alice"}}, alice);
  EXPECT_EQ(Keys(submitted),
            (std::vector<std::string>{"approval_id", "reviewers", "skill_name", "submitted_by"}));
  const std::string id = submitted["approval_id"];
  EXPECT_EQ(ErrorCode("skills_submit_approval",
                      {{"skill_name", "secret"}, {"submitted_by", "alice"}}, bob),
            -32005)
      << "bob cannot see the skill";
  const Json review{{"approval_id", id}, {"reviewed_by", "bob"}};
  EXPECT_EQ(ErrorCode("skills_approve", review, bob), -32004);
  EXPECT_EQ(Result("skills_list_approvals", Json::object(), bob),
            (Json{{"approvals", Json::array()}, {"count", 0}}));
  EXPECT_EQ(Result("skills_list_approvals", Json::object(), carol)["count"], 0);
  EXPECT_EQ(Result("skills_approve", {{"approval_id", id}, {"reviewed_by", "admin"}}),
            (Json{{"approval_id", id},
                  {"reviewed_by", "admin"},
                  {"reviewer_type", "user"},
                  {"status", "approved"}}));
  EXPECT_EQ(ErrorCode("skills_reject", {{"approval_id", id}, {"reviewed_by", "admin"}}), -32005);
  const Json mine = Result("skills_list_approvals", {{"status", "approved"}}, alice);
  ASSERT_EQ(mine["count"], 1);
  EXPECT_EQ(mine["approvals"][0]["reviewed_by"], "admin");
  EXPECT_EQ(mine["approvals"][0]["status"], "approved");
}

TEST_P(SkillsHttpTest, BadInputGetsTheRightCode) {
  EXPECT_EQ(ErrorCode("skills_import", {{"zip_data", "not base64!"}}), -32602);
  EXPECT_EQ(ErrorCode("skills_import", {{"zip_data", Base64Encode("not a zip")}}), -32005);
  EXPECT_EQ(ErrorCode("skills_list", {{"tier", "galaxy"}}), -32005);
  EXPECT_EQ(ErrorCode("skills_create", {{"name", "a b"}, {"description", "d"}}), -32005);
  EXPECT_EQ(ErrorCode("skills_create", {{"name", "x"}}), -32602);
  EXPECT_EQ(ErrorCode("skills_create", {{"name", "x"}, {"description", "d"}, {"template", "?"}}),
            -32005);
  EXPECT_EQ(ErrorCode("skills_search", {{"query", "x"}, {"limit", "ten"}}), -32602);
  const std::string ok = SkillMd("s", "d");
  const std::vector<std::vector<services::ZipEntry>> hostile = {
      {{"/abs/SKILL.md", ok}},
      {{"s/../../etc/passwd", "x"}, {"s/SKILL.md", ok}},
      {{"s/SKILL.md", ok}, {"s/link", "/etc/passwd", 0120777}},
      {{"SKILL.md", ok}},
      {{"s/SKILL.md", "no front matter"}},
      {{"s/SKILL.md", "---\ndescription: d\n---\n"}},
      {{"s/SKILL.md", SkillMd("t", "d")}},
      {{"s/SKILL.md", "---\nname: [s\n---\n"}},
      {{"s/README.md", "no SKILL.md"}},
  };
  for (const auto& entries : hostile) {
    const Json r = Rpc("skills_import", {{"zip_data", Zip64(entries)}});
    EXPECT_EQ(r["error"]["code"], -32005) << entries[0].name << ": " << r.dump();
  }
  EXPECT_EQ(Result("skills_list", Json::object())["count"], 0) << "nothing was written";
  Result("skills_import", {{"zip_data", Zip64({{"s/SKILL.md", ok}})}});
  EXPECT_EQ(ErrorCode("skills_import", {{"zip_data", Zip64({{"s/SKILL.md", ok}})}}), -32001);
  EXPECT_EQ(ErrorCode("skills_import",
                      {{"zip_data", Zip64({{"s/SKILL.md", ok}})}, {"allow_overwrite", true}}),
            0);
  // A broken SKILL.md written directly is skipped, never failing the listing.
  Result("write", {{"path", "/tenant:default/user:admin/skill/broken/SKILL.md"},
                   {"content", "no front matter"}});
  EXPECT_EQ(Result("skills_list", {{"include_metadata", false}})["skills"], Json({"s"}));
}

TEST_P(SkillsHttpTest, TenConcurrentListingsAgree) {
  for (const char* name : {"docx", "internal-comms", "pdf", "pptx", "skill-creator", "xlsx"}) {
    Result(
        "skills_import",
        {{"zip_data", Zip64({{std::string(name) + "/SKILL.md", SkillMd(name, "Default skill")}})}});
  }
  std::vector<Json> results(10);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = Rpc("skills_list", Json::object()); });
  for (std::thread& t : threads) t.join();
  for (const Json& r : results) {
    ASSERT_TRUE(r.contains("result")) << r.dump();
    EXPECT_EQ(r["result"]["count"], 6);
    EXPECT_EQ(r["result"], results[0]["result"]);
  }
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200);
}

NEXUS_INSTANTIATE_ENGINES(SkillsHttpTest);

}  // namespace
}  // namespace nexus::e2e
