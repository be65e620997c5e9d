// The memory-record and learning-loop methods over HTTP on both engines: result shapes,
// upsert, filters, ownership between users and tenants, bad input, batches, ACE round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

class MemoryHttpTest : public HttpTest {
 protected:
  std::string StoreMemory(const Json& params, const std::string& key) {
    const Json r = Result("store_memory", params, key);
    EXPECT_TRUE(r["memory_id"].is_string()) << r.dump();
    return r["memory_id"].get<std::string>();
  }

  std::vector<std::string> Contents(const std::string& method, const Json& params,
                                    const std::string& key) {
    std::vector<std::string> out;
    const Json result = Result(method, params, key);
    for (const Json& m : result["memories"]) out.push_back(m["content"]);
    return out;
  }
};

TEST_P(MemoryHttpTest, StoreRetrieveUpsertAndShapes) {
  const std::string alice = NewUserKey("alice");
  const std::string id = StoreMemory({{"content", "likes green tea"},
                                      {"memory_type", "preference"},
                                      {"importance", 0.7},
                                      {"namespace", "user/prefs"},
                                      {"path_key", "drink"},
                                      {"tags", {"food"}}},
                                     alice);
  const Json memory = Result("retrieve_memory", {{"memory_id", id}}, alice)["memory"];
  for (const char* key : {"memory_id", "content", "content_hash", "tenant_id", "user_id",
                          "agent_id", "scope", "visibility", "memory_type", "importance", "state",
                          "namespace", "path_key", "created_at", "updated_at"}) {
    EXPECT_TRUE(memory.contains(key)) << key;
  }
  EXPECT_EQ(memory["content"], "likes green tea");
  EXPECT_EQ(memory["tenant_id"], "default");
  EXPECT_EQ(memory["user_id"], "alice");
  EXPECT_EQ(memory["scope"], "agent");
  EXPECT_EQ(memory["visibility"], "private");
  EXPECT_EQ(memory["state"], "active");
  EXPECT_EQ(memory["importance"], 0.7);
  EXPECT_EQ(memory["tags"], Json::array({"food"}));
  EXPECT_TRUE(memory["created_at"].get<std::string>().ends_with("+00:00"));

  EXPECT_EQ(
      StoreMemory({{"content", "likes coffee"}, {"namespace", "user/prefs"}, {"path_key", "drink"}},
                  alice),
      id)
      << "the same (namespace, path_key) updates the record";
  Json by_key =
      Result("retrieve_memory", {{"namespace", "user/prefs"}, {"path_key", "drink"}}, alice);
  EXPECT_EQ(by_key["memory"]["content"], "likes coffee");
  by_key = Result("retrieve_memory", {{"path", "user/prefs/drink"}}, alice);
  EXPECT_EQ(by_key["memory"]["memory_id"], id);
  EXPECT_EQ(Result("retrieve_memory", {{"memory_id", "nope"}}, alice), (Json{{"memory", nullptr}}));
  EXPECT_EQ(Contents("list_memories", Json::object(), alice),
            std::vector<std::string>{"likes coffee"});

  const std::string structured = StoreMemory({{"content", {{"k", 1}}}}, alice);
  EXPECT_EQ(
      Json::parse(Result("retrieve_memory", {{"memory_id", structured}}, alice)["memory"]["content"]
                      .get<std::string>()),
      (Json{{"k", 1}}))
      << "an object content is kept as JSON text";

  const Json updated = Result(
      "update_memory",
      {{"memory_id", id}, {"content", "likes water"}, {"importance", 0.2}, {"memory_type", "fact"}},
      alice);
  EXPECT_EQ(updated["updated"], true);
  EXPECT_EQ(updated["memory"]["content"], "likes water");
  EXPECT_EQ(updated["memory"]["importance"], 0.2);
  EXPECT_EQ(Result("update_memory", {{"memory_id", "nope"}, {"state", "inactive"}}, alice),
            (Json{{"updated", false}, {"memory", nullptr}}));

  EXPECT_EQ(Result("deactivate_memory", {{"memory_id", id}}, alice), (Json{{"deactivated", true}}));
  EXPECT_EQ(Contents("list_memories", Json::object(), alice).size(), 1u);
  EXPECT_EQ(Contents("list_memories", {{"state", "inactive"}}, alice),
            std::vector<std::string>{"likes water"});
  EXPECT_EQ(Result("approve_memory", {{"memory_id", id}}, alice), (Json{{"approved", true}}));
  EXPECT_EQ(Result("delete_memory", {{"memory_id", id}}, alice), (Json{{"deleted", true}}));
  EXPECT_EQ(Result("delete_memory", {{"memory_id", id}}, alice), (Json{{"deleted", false}}));
  EXPECT_EQ(Result("approve_memory", {{"memory_id", id}}, alice), (Json{{"approved", false}}));
}

TEST_P(MemoryHttpTest, QueryFilters) {
  const std::string alice = NewUserKey("alice");
  StoreMemory({{"content", "The build uses CMake"}, {"scope", "user"}}, alice);
  StoreMemory({{"content", "prefers dark mode"}, {"memory_type", "preference"}}, alice);
  const std::string old =
      StoreMemory({{"content", "old cmake flag"}, {"scope", "user"}, {"state", "inactive"}}, alice);
  EXPECT_EQ(Contents("query_memories", {{"query", "cmake"}}, alice),
            std::vector<std::string>{"The build uses CMake"});
  EXPECT_EQ(Contents("query_memories", {{"query", "cmake"}, {"state", nullptr}}, alice).size(), 2u)
      << "state null means every state";
  EXPECT_EQ(Contents("query_memories", {{"query", "cmake"}, {"state", "inactive"}}, alice),
            std::vector<std::string>{"old cmake flag"});
  EXPECT_EQ(Contents("query_memories", {{"memory_type", "preference"}}, alice),
            std::vector<std::string>{"prefers dark mode"});
  EXPECT_EQ(Contents("query_memories", {{"scope", "user"}}, alice),
            std::vector<std::string>{"The build uses CMake"});
  EXPECT_EQ(
      Contents("query_memories", {{"scope", "user"}, {"state", "all"}, {"limit", 1}}, alice).size(),
      1u);
  EXPECT_EQ(Contents("query_memories", {{"query", "DARK"}, {"search_mode", "semantic"}}, alice),
            std::vector<std::string>{"prefers dark mode"});
  EXPECT_EQ(Result("retrieve_memory", {{"memory_id", old}}, alice)["memory"]["state"], "inactive");
}

TEST_P(MemoryHttpTest, OwnershipAcrossUsersAndTenants) {
  const std::string alice = NewUserKey("alice");
  const std::string bob = NewUserKey("bob");
  const std::string eve = NewUserKey("eve", "acme");
  const std::string secret = StoreMemory({{"content", "alice's secret"}}, alice);
  const std::string shared =
      StoreMemory({{"content", "team convention"}, {"scope", "tenant"}}, alice);

  EXPECT_EQ(Contents("list_memories", Json::object(), bob),
            std::vector<std::string>{"team convention"})
      << "another user sees only what is shared with the tenant";
  EXPECT_EQ(Result("retrieve_memory", {{"memory_id", secret}}, bob)["memory"], nullptr);
  EXPECT_EQ(Result("retrieve_memory", {{"memory_id", shared}}, bob)["memory"]["visibility"],
            "shared");
  EXPECT_EQ(Result("delete_memory", {{"memory_id", secret}}, bob), (Json{{"deleted", false}}))
      << "an invisible record is answered as an absent one";
  EXPECT_EQ(ErrorCode("delete_memory", {{"memory_id", shared}}, bob), -32004);
  EXPECT_EQ(ErrorCode("approve_memory", {{"memory_id", shared}}, bob), -32004);
  EXPECT_EQ(ErrorCode("update_memory", {{"memory_id", shared}, {"content", "x"}}, bob), -32004);
  EXPECT_EQ(
      ErrorCode("store_memory",
                {{"content", "x"}, {"namespace", "n"}, {"path_key", "k"}, {"scope", "tenant"}},
                alice),
      0);
  EXPECT_EQ(
      ErrorCode("store_memory", {{"content", "y"}, {"namespace", "n"}, {"path_key", "k"}}, bob),
      -32004)
      << "bob cannot overwrite alice's keyed record";

  EXPECT_TRUE(Contents("list_memories", Json::object(), eve).empty());
  EXPECT_TRUE(Contents("query_memories", {{"query", "team"}}, eve).empty());
  EXPECT_EQ(Result("retrieve_memory", {{"memory_id", shared}}, eve)["memory"], nullptr);
  EXPECT_EQ(Result("delete_memory", {{"memory_id", shared}}, eve), (Json{{"deleted", false}}));

  EXPECT_EQ(Contents("list_memories", Json::object(), kAdminKey).size(), 3u)
      << "an admin sees the tenant's records";
  EXPECT_EQ(Result("delete_memory", {{"memory_id", secret}}, kAdminKey), (Json{{"deleted", true}}));
}

TEST_P(MemoryHttpTest, BatchesAndBadInput) {
  const std::string alice = NewUserKey("alice");
  const std::string bob = NewUserKey("bob");
  const std::string a = StoreMemory({{"content", "a"}}, alice);
  const std::string b = StoreMemory({{"content", "b"}}, alice);
  const std::string bobs = StoreMemory({{"content", "bob's"}}, bob);
  EXPECT_EQ(
      Result("deactivate_memory_batch", {{"memory_ids", {a, b, bobs}}}, alice),
      (Json{
          {"deactivated", 2}, {"failed", 1}, {"deactivated_ids", {a, b}}, {"failed_ids", {bobs}}}));
  EXPECT_EQ(
      Result("approve_memory_batch", {{"memory_ids", {a, "nope"}}}, alice),
      (Json{{"approved", 1}, {"failed", 1}, {"approved_ids", {a}}, {"failed_ids", {"nope"}}}));
  EXPECT_EQ(
      Result("delete_memory_batch", {{"memory_ids", {a, b}}}, alice),
      (Json{
          {"deleted", 2}, {"failed", 0}, {"deleted_ids", {a, b}}, {"failed_ids", Json::array()}}));

  const auto store_error = [&](Json params) {
    if (!params.contains("content")) params["content"] = "x";
    return Rpc("store_memory", params, alice)["error"];
  };
  Json e = store_error({{"scope", "planet"}});
  EXPECT_EQ(e["code"], -32005);
  EXPECT_NE(e["message"].get<std::string>().find("scope"), std::string::npos) << e.dump();
  e = store_error({{"memory_type", "gossip"}});
  EXPECT_EQ(e["code"], -32005);
  EXPECT_NE(e["message"].get<std::string>().find("memory_type"), std::string::npos);
  e = store_error({{"importance", 1.5}});
  EXPECT_EQ(e["code"], -32005);
  EXPECT_NE(e["message"].get<std::string>().find("importance"), std::string::npos);
  e = store_error({{"state", "pending"}});
  EXPECT_EQ(e["code"], -32005);
  e = store_error({{"content", std::string((1 << 20) + 1, 'x')}});
  EXPECT_EQ(e["code"], -32005);
  EXPECT_NE(e["message"].get<std::string>().find("content"), std::string::npos);
  EXPECT_EQ(store_error({{"path_key", "k"}})["code"], -32005);
  EXPECT_EQ(store_error({{"content", 5}})["code"], -32602);
  EXPECT_EQ(store_error({{"importance", "high"}})["code"], -32602);
  EXPECT_EQ(ErrorCode("store_memory", Json::object(), alice), -32602);
  EXPECT_EQ(ErrorCode("list_memories", {{"limit", 0}}, alice), -32602);
  EXPECT_EQ(ErrorCode("query_memories", {{"state", "sleeping"}}, alice), -32005);
  EXPECT_EQ(ErrorCode("query_memories", {{"search_mode", "psychic"}}, alice), -32005);
  EXPECT_EQ(ErrorCode("retrieve_memory", Json::object(), alice), -32602);
  EXPECT_EQ(ErrorCode("approve_memory_batch", {{"memory_ids", "a"}}, alice), -32602);
  EXPECT_EQ(ErrorCode("update_memory", {{"memory_id", "x"}, {"importance", -1}}, alice), -32005);
}

TEST_P(MemoryHttpTest, AceRoundTrip) {
  const std::string alice = NewUserKey("alice");
  const std::string bob = NewUserKey("bob");
  const std::string eve = NewUserKey("eve", "acme");
  const Json started =
      Result("ace_start_trajectory", {{"task_description", "fix the bug"}, {"task_type", "coding"}},
             alice);
  const std::string id = started["trajectory_id"];
  EXPECT_EQ(started.size(), 1u);
  EXPECT_EQ(Result("ace_log_trajectory_step",
                   {{"trajectory_id", id},
                    {"step_type", "action"},
                    {"description", "read"},
                    {"result", {{"lines", 10}}}},
                   alice),
            (Json{{"success", true}}));
  EXPECT_EQ(
      Result("log_trajectory_step",
             {{"trajectory_id", id}, {"step_type", "action"}, {"description", "patch"}}, alice),
      (Json{{"success", true}}));
  EXPECT_EQ(Result("ace_complete_trajectory",
                   {{"trajectory_id", id}, {"status", "success"}, {"success_score", 0.6}}, alice),
            (Json{{"trajectory_id", id}}));
  EXPECT_EQ(ErrorCode("ace_complete_trajectory", {{"trajectory_id", id}, {"status", "meh"}}, alice),
            -32005);

  const Json listed = Result("ace_query_trajectories", {{"task_type", "coding"}}, alice);
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["status"], "success");
  ASSERT_EQ(listed[0]["steps"].size(), 2u);
  EXPECT_EQ(listed[0]["steps"][0]["description"], "read");
  EXPECT_EQ(listed[0]["steps"][0]["result"], (Json{{"lines", 10}}));
  EXPECT_EQ(listed[0]["steps"][1]["description"], "patch");
  const Json legacy = Result("query_trajectories", {{"status", "success"}}, alice);
  EXPECT_EQ(legacy["trajectories"].size(), 1u);
  EXPECT_TRUE(Result("ace_query_trajectories", Json::object(), bob).empty());
  EXPECT_TRUE(Result("ace_query_trajectories", Json::object(), eve).empty());
  EXPECT_EQ(ErrorCode("ace_add_feedback", {{"trajectory_id", id}, {"feedback_type", "x"}}, bob),
            -32000);

  const Json feedback = Result("ace_add_feedback",
                               {{"trajectory_id", id},
                                {"feedback_type", "human"},
                                {"score", 1.0},
                                {"source", "alice"},
                                {"message", "good"},
                                {"metrics", {{"tests", 3}}}},
                               alice);
  EXPECT_TRUE(feedback["feedback_id"].is_string());
  const Json all = Result("ace_get_trajectory_feedback", {{"trajectory_id", id}}, alice);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["feedback_type"], "human");
  EXPECT_EQ(all[0]["score"], 1.0);
  EXPECT_EQ(all[0]["metrics"], (Json{{"tests", 3}}));
  EXPECT_EQ(Result("ace_get_effective_score", {{"trajectory_id", id}}, alice),
            (Json{{"effective_score", 1.0}}));
  EXPECT_NEAR(Result("ace_get_effective_score", {{"trajectory_id", id}, {"strategy", "average"}},
                     alice)["effective_score"]
                  .get<double>(),
              0.8, 1e-9);
  EXPECT_EQ(
      ErrorCode("ace_get_effective_score", {{"trajectory_id", id}, {"strategy", "max"}}, alice),
      -32005);

  EXPECT_EQ(Result("ace_mark_for_relearning",
                   {{"trajectory_id", id}, {"reason", "new data"}, {"priority", 7}}, alice),
            (Json{{"success", true}}));
  const Json relearn = Result("process_relearning", Json::object(), alice);
  ASSERT_EQ(relearn["results"].size(), 1u);
  EXPECT_EQ(relearn["results"][0]["trajectory_id"], id);
  EXPECT_EQ(relearn["results"][0]["priority"], 7);
  EXPECT_EQ(Result("process_relearning", Json::object(), alice),
            (Json{{"results", Json::array()}}));

  const Json created =
      Result("ace_create_playbook",
             {{"name", "coding"}, {"description", "how"}, {"scope", "tenant"}}, alice);
  const std::string playbook = created["playbook_id"];
  EXPECT_EQ(ErrorCode("ace_create_playbook", {{"name", "coding"}}, alice), -32001);
  EXPECT_EQ(ErrorCode("ace_create_playbook", {{"name", "x"}, {"scope", "moon"}}, alice), -32005);
  const Json got = Result("ace_get_playbook", {{"playbook_id", playbook}}, bob);
  EXPECT_EQ(got["name"], "coding");
  EXPECT_EQ(got["strategies"], Json::array());
  EXPECT_EQ(Result("ace_get_playbook", {{"playbook_id", playbook}}, eve), nullptr);
  EXPECT_EQ(Result("ace_query_playbooks", {{"scope", "tenant"}}, bob).size(), 1u);
  EXPECT_TRUE(Result("ace_query_playbooks", Json::object(), eve).empty());
  EXPECT_EQ(Result("query_playbooks", Json::object(), alice)["playbooks"].size(), 1u);

  const std::string lesson = StoreMemory(
      {{"content", "write a failing test first"}, {"memory_type", "reflection"}}, alice);
  const Json curated = Result(
      "curate_playbook", {{"reflection_memory_ids", {lesson}}, {"trajectory_ids", {id}}}, alice);
  EXPECT_EQ(curated["strategies_added"], 2);
  EXPECT_EQ(curated["playbook_name"], "default");
  const Json book = Result("get_playbook", Json::object(), alice);
  ASSERT_EQ(book["strategies"].size(), 2u);
  EXPECT_EQ(book["strategies"][0]["content"], "write a failing test first");
  EXPECT_EQ(book["strategies"][1]["category"], "helpful");
  EXPECT_EQ(Result("get_playbook", {{"playbook_name", "none"}}, alice), nullptr);

  const Json reflect = Rpc("batch_reflect", Json::object(), alice);
  EXPECT_EQ(reflect["error"]["code"], -32005);
  EXPECT_NE(reflect["error"]["message"].get<std::string>().find("LLM"), std::string::npos);
}

NEXUS_INSTANTIATE_ENGINES(MemoryHttpTest);

}  // namespace
}  // namespace nexus::e2e
