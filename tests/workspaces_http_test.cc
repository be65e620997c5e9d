// Workspaces, the memory registry and workspace snapshots (api.md §6.7) over HTTP, on SQLite
// and PostgreSQL: shapes, tenancy, permissions and atomic restore.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

constexpr char kWs[] = "/tenant:default/user:alice/ws";

Json Timedelta(double seconds) { return Json{{"__type__", "timedelta"}, {"seconds", seconds}}; }

std::set<std::string> Keys(const Json& obj) {
  std::set<std::string> out;
  for (const auto& [key, value] : obj.items()) out.insert(key);
  return out;
}

std::vector<std::string> Paths(const Json& entries) {
  std::vector<std::string> out;
  for (const Json& e : entries) out.push_back(e["path"]);
  return out;
}

class WorkspacesHttpTest : public ThreeUsersHttpTest {
 protected:
  std::string Read(const std::string& path) {
    return Text(Result("read", Json{{"path", path}}, alice_));
  }
};

TEST_P(WorkspacesHttpTest, RegisterListGetUnregisterWorkspaces) {
  const Json registered = Result("register_workspace",
                                 Json{{"path", kWs},
                                      {"name", "main"},
                                      {"description", "the main one"},
                                      {"metadata", {{"k", 1}}},
                                      {"tags", {"a"}},
                                      {"ttl", Timedelta(3600)}},
                                 alice_);
  EXPECT_EQ(Keys(registered), (std::set<std::string>{"path", "name", "description", "created_at",
                                                     "created_by", "metadata"}));
  EXPECT_EQ(registered["path"], kWs);
  EXPECT_EQ(registered["name"], "main");
  EXPECT_EQ(registered["description"], "the main one");
  EXPECT_EQ(registered["created_by"], "alice");
  EXPECT_EQ(registered["metadata"], (Json{{"k", 1}}));
  EXPECT_TRUE(registered["created_at"].is_string()) << "plain ISO, as the reference";
  EXPECT_EQ(Result("is_directory", Json{{"path", kWs}}, alice_)["is_directory"], true)
      << "the directory is created";

  EXPECT_EQ(Result("list_workspaces", Json::object(), alice_), Json::array({registered}));
  EXPECT_EQ(Result("get_workspace_info", Json{{"path", kWs}}, alice_), registered);
  EXPECT_EQ(Result("list_workspaces", Json::object(), bob_), Json::array());
  EXPECT_TRUE(Result("get_workspace_info", Json{{"path", kWs}}, bob_).is_null());
  EXPECT_EQ(Result("list_workspaces", Json::object(), carol_), Json::array());
  EXPECT_EQ(Result("list_workspaces", Json::object()), Json::array({registered}))
      << "the admin sees the tenant's";

  EXPECT_EQ(ErrorCode("register_workspace", Json{{"path", kWs}}, alice_), -32001);
  EXPECT_EQ(
      ErrorCode("register_workspace", Json{{"path", "/tenant:default/user:alice/bobs"}}, bob_),
      -32004);
  EXPECT_EQ(ErrorCode("register_workspace", Json{{"path", "/tenant:default/user:carol"}}, carol_),
            -32004);
  EXPECT_EQ(ErrorCode("register_workspace",
                      Json{{"path", "/tenant:default/user:alice/t"}, {"ttl", 60}}, alice_),
            -32602);
  EXPECT_EQ(ErrorCode("register_workspace", Json{{"path", "/a/../b"}}, alice_), -32002);
  EXPECT_EQ(ErrorCode("register_workspace", Json{{"name", "x"}}, alice_), -32602);

  EXPECT_EQ(ErrorCode("unregister_workspace", Json{{"path", kWs}}, bob_), -32004);
  EXPECT_EQ(Result("unregister_workspace", Json{{"path", kWs}}, alice_), true);
  EXPECT_EQ(Result("unregister_workspace", Json{{"path", kWs}}, alice_), false);
  EXPECT_TRUE(Result("get_workspace_info", Json{{"path", kWs}}, alice_).is_null());
  EXPECT_EQ(Result("is_directory", Json{{"path", kWs}}, alice_)["is_directory"], true)
      << "the files are kept";
}

TEST_P(WorkspacesHttpTest, ListingsShowSharedAndHideExpiredRegistrations) {
  const Json shared = Result("register_workspace", Json{{"path", kWs}}, alice_);
  Result("register_workspace",
         Json{{"path", "/tenant:default/user:alice/brief"}, {"ttl", Timedelta(0.001)}}, alice_);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(Result("list_workspaces", Json::object(), alice_), Json::array({shared}))
      << "an expired registration is not listed";
  EXPECT_TRUE(
      Result("get_workspace_info", Json{{"path", "/tenant:default/user:alice/brief"}}, alice_)
          .is_null());
  Result("register_workspace", Json{{"path", "/tenant:default/user:alice/brief"}}, alice_);

  EXPECT_EQ(Result("list_workspaces", Json::object(), bob_), Json::array());
  Result(
      "rebac_create",
      Json{{"subject", {"user", "bob"}}, {"relation", "direct_viewer"}, {"object", {"file", kWs}}},
      alice_);
  EXPECT_EQ(Result("list_workspaces", Json::object(), bob_), Json::array({shared}))
      << "bob may read it now";
  EXPECT_EQ(Result("workspace_log", Json{{"workspace_path", kWs}}, bob_), Json::array());
  EXPECT_EQ(ErrorCode("workspace_snapshot", Json{{"workspace_path", kWs}}, bob_), -32004)
      << "reading is not writing";
}

TEST_P(WorkspacesHttpTest, LegacyPathsMapIntoTheCallersTenant) {
  const Json registered = Result("register_workspace", Json{{"path", "/workspace/team"}});
  EXPECT_EQ(registered["path"], "/workspace/team");
  EXPECT_EQ(registered["created_by"], "admin");
  EXPECT_EQ(Result("get_workspace_info", Json{{"path", "/tenant:default/workspace/team"}})["path"],
            "/tenant:default/workspace/team");
  EXPECT_EQ(Paths(Result("list_workspaces", Json::object())),
            (std::vector<std::string>{"/workspace/team"}));
  EXPECT_EQ(ErrorCode("register_workspace", Json{{"path", "/workspace/mine"}}, alice_), -32004)
      << "the tenant's /workspace belongs to no user";
  EXPECT_TRUE(Result("get_workspace_info", Json{{"path", "/workspace/team"}}, carol_).is_null())
      << "carol's /workspace/team is her own tenant's";
}

TEST_P(WorkspacesHttpTest, MemoryRegistry) {
  const std::string mem = "/tenant:default/user:alice/memory/notes";
  const Json registered = Result(
      "register_memory", Json{{"path", mem}, {"session_id", "s1"}, {"ttl", Timedelta(60)}}, alice_);
  EXPECT_EQ(Keys(registered), (std::set<std::string>{"path", "name", "description", "created_at",
                                                     "created_by", "metadata"}));
  EXPECT_TRUE(registered["name"].is_null());
  EXPECT_EQ(registered["description"], "");
  EXPECT_EQ(registered["metadata"], Json::object());
  EXPECT_EQ(Result("exists", Json{{"path", mem}}, alice_)["exists"], false)
      << "a memory registration creates no directory";
  EXPECT_EQ(Result("list_registered_memories", Json::object(), alice_), Json::array({registered}));
  EXPECT_EQ(Result("list_workspaces", Json::object(), alice_), Json::array());
  EXPECT_EQ(Result("get_memory_info", Json{{"path", mem}}, alice_), registered);
  EXPECT_EQ(ErrorCode("register_memory", Json{{"path", mem}}, alice_), -32001);
  EXPECT_EQ(ErrorCode("register_memory", Json{{"path", mem}, {"tags", {"x"}}}, alice_), -32602)
      << "register_memory takes no tags";
  EXPECT_EQ(Result("list_registered_memories", Json::object(), bob_), Json::array());
  EXPECT_EQ(ErrorCode("unregister_memory", Json{{"path", mem}}, bob_), -32004);
  EXPECT_EQ(Result("unregister_memory", Json{{"path", mem}}, alice_), true);
  EXPECT_TRUE(Result("get_memory_info", Json{{"path", mem}}, alice_).is_null());
}

TEST_P(WorkspacesHttpTest, SnapshotLogDiffAndRestore) {
  Result("register_workspace", Json{{"path", kWs}}, alice_);
  const std::string ws = kWs;
  Write(ws + "/keep.txt", "same");
  Write(ws + "/edit.txt", "v1");
  Write(ws + "/gone.txt", "bye");
  const Json first =
      Result("workspace_snapshot",
             Json{{"workspace_path", ws}, {"description", "start"}, {"tags", {"t"}}}, alice_);
  EXPECT_EQ(Keys(first), (std::set<std::string>{"snapshot_id", "snapshot_number", "manifest_hash",
                                                "file_count", "total_size_bytes", "description",
                                                "created_by", "tags", "created_at"}));
  EXPECT_EQ(first["snapshot_number"], 1);
  EXPECT_EQ(first["file_count"], 3);
  EXPECT_EQ(first["total_size_bytes"], 9);
  EXPECT_EQ(first["description"], "start");
  EXPECT_EQ(first["created_by"], "alice");
  EXPECT_EQ(first["tags"], Json::array({"t"}));
  EXPECT_EQ(first["manifest_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(first["created_at"]["__type__"], "datetime");

  Write(ws + "/edit.txt", "v2!");
  Result("delete", Json{{"path", ws + "/gone.txt"}}, alice_);
  Write(ws + "/new/added.txt", "later");
  const Json second = Result("workspace_snapshot", Json{{"workspace_path", ws}}, alice_);
  EXPECT_EQ(second["snapshot_number"], 2);
  EXPECT_TRUE(second["description"].is_null());
  EXPECT_EQ(second["tags"], Json::array());

  const Json log = Result("workspace_log", Json{{"workspace_path", ws}}, alice_);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], second) << "newest first";
  EXPECT_EQ(log[1], first);
  EXPECT_EQ(Result("workspace_log", Json{{"workspace_path", ws}, {"limit", 1}}, alice_).size(), 1u);

  const Json diff = Result(
      "workspace_diff", Json{{"workspace_path", ws}, {"snapshot_1", 1}, {"snapshot_2", 2}}, alice_);
  EXPECT_EQ(diff["snapshot_1"], (Json{{"snapshot_id", first["snapshot_id"]},
                                      {"snapshot_number", 1},
                                      {"created_at", first["created_at"]}}));
  EXPECT_EQ(diff["snapshot_2"]["snapshot_number"], 2);
  EXPECT_EQ(diff["added"], (Json::array({{{"path", "new/added.txt"}, {"size", 5}}})));
  EXPECT_EQ(diff["removed"], (Json::array({{{"path", "gone.txt"}, {"size", 3}}})));
  ASSERT_EQ(diff["modified"].size(), 1u);
  EXPECT_EQ(Keys(diff["modified"][0]),
            (std::set<std::string>{"path", "old_size", "new_size", "old_hash", "new_hash"}));
  EXPECT_EQ(diff["modified"][0]["path"], "edit.txt");
  EXPECT_EQ(diff["modified"][0]["old_size"], 2);
  EXPECT_EQ(diff["modified"][0]["new_size"], 3);
  EXPECT_EQ(diff["unchanged"], 1);

  const Json restored =
      Result("workspace_restore", Json{{"workspace_path", ws}, {"snapshot_number", 1}}, alice_);
  EXPECT_EQ(restored["files_restored"], 2);
  EXPECT_EQ(restored["files_deleted"], 1);
  EXPECT_EQ(restored["snapshot_info"], first);
  EXPECT_EQ(Read(ws + "/edit.txt"), "v1");
  EXPECT_EQ(Read(ws + "/gone.txt"), "bye");
  EXPECT_EQ(Read(ws + "/keep.txt"), "same");
  EXPECT_EQ(Result("exists", Json{{"path", ws + "/new/added.txt"}}, alice_)["exists"], false);

  const Json unknown =
      Rpc("workspace_restore", Json{{"workspace_path", ws}, {"snapshot_number", 9}}, alice_);
  EXPECT_EQ(unknown["error"]["code"], -32000);
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("Snapshot 9 not found"),
            std::string::npos)
      << unknown.dump();
  EXPECT_EQ(ErrorCode("workspace_diff",
                      Json{{"workspace_path", ws}, {"snapshot_1", 1}, {"snapshot_2", 5}}, alice_),
            -32000);
  EXPECT_EQ(ErrorCode("workspace_log", Json::object(), alice_), -32602);
  EXPECT_EQ(
      ErrorCode("workspace_log", Json{{"workspace_path", ws}, {"agent_id", "alice,x"}}, alice_),
      -32602);
  EXPECT_EQ(ErrorCode("workspace_log", Json{{"workspace_path", ws}, {"limit", 0}}, alice_), -32602);
  EXPECT_EQ(ErrorCode("workspace_snapshot",
                      Json{{"workspace_path", "/tenant:default/user:alice/unregistered"}}, alice_),
            -32000);

  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(Fsck(), 0) << "snapshot references are counted by fsck";
}

TEST_P(WorkspacesHttpTest, OthersCannotSnapshotRestoreOrRead) {
  Result("register_workspace", Json{{"path", kWs}}, alice_);
  Write(std::string(kWs) + "/a.txt", "x");
  Result("workspace_snapshot", Json{{"workspace_path", kWs}}, alice_);
  for (const std::string& key : {bob_, carol_}) {
    EXPECT_EQ(ErrorCode("workspace_snapshot", Json{{"workspace_path", kWs}}, key), -32004);
    EXPECT_EQ(
        ErrorCode("workspace_restore", Json{{"workspace_path", kWs}, {"snapshot_number", 1}}, key),
        -32004);
    EXPECT_EQ(ErrorCode("workspace_log", Json{{"workspace_path", kWs}}, key), -32004);
    EXPECT_EQ(ErrorCode("workspace_diff",
                        Json{{"workspace_path", kWs}, {"snapshot_1", 1}, {"snapshot_2", 1}}, key),
              -32004);
  }
  EXPECT_EQ(Result("workspace_log", Json{{"workspace_path", kWs}}).size(), 1u)
      << "the tenant's admin reads it";
}

TEST_P(WorkspacesHttpTest, AgentIdSelectsTheAgentsDirectory) {
  Result("register_agent", Json{{"agent_id", "alice,bot"}, {"name", "Bot"}}, alice_);
  const std::string dir = "/tenant:default/user:alice/agent/bot";
  EXPECT_EQ(ErrorCode("workspace_snapshot", Json{{"agent_id", "alice,bot"}}, alice_), -32000)
      << "the agent's directory is not a registered workspace yet";
  Result("register_workspace", Json{{"path", dir}}, alice_);
  const Json snap = Result("workspace_snapshot", Json{{"agent_id", "alice,bot"}}, alice_);
  EXPECT_EQ(snap["snapshot_number"], 1);
  EXPECT_EQ(snap["file_count"], 1) << "config.yaml";
  EXPECT_EQ(Result("workspace_log", Json{{"workspace_path", dir}}, alice_).size(), 1u);
  EXPECT_EQ(ErrorCode("workspace_log", Json{{"agent_id", "alice,bot"}}, bob_), -32000)
      << "bob does not see alice's agent";
}

NEXUS_INSTANTIATE_ENGINES(WorkspacesHttpTest);

}  // namespace
}  // namespace nexus::e2e
