// The surface audit (issue 9): every method name a client calls answers with a result of
// the shape spec/api.md gives it, or, when it needs a service this server cannot reach, with
// -32005 naming what is missing. Never -32601. The names walked are the union of the 121
// callable names of api.md §6.1, the exposed names the Python client wraps, and the memory,
// trajectory and playbook names; `GET /api/nfs/status` must list exactly them.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "testing/loopback_http_server.h"
#include "testing/temp_dir.h"
#include "tests/http_test_fixture.h"
#include "util/base64.h"
#include "util/file.h"

namespace nexus::e2e {
namespace {

// The names of api.md §6.1 and §7.4 that clients call, as this server answers them. Each
// must appear in the audit below exactly once as a called name.
const std::vector<std::string>& ExpectedNames() {
  static const std::vector<std::string> names = {
      // §6.1, the 121 callable names.
      "read", "write", "exists", "list", "delete", "rename", "mkdir", "rmdir", "get_metadata",
      "glob", "grep", "is_directory", "append", "delete_bulk", "rename_bulk", "get_etag",
      "get_available_namespaces", "get_version", "list_versions", "rollback", "diff_versions",
      "rebac_create", "rebac_check", "rebac_expand", "rebac_explain", "rebac_delete",
      "rebac_list_tuples", "namespace_create", "namespace_list", "namespace_delete",
      "share_with_user", "revoke_share", "revoke_share_by_id", "list_outgoing_shares",
      "list_incoming_shares", "make_public", "make_private", "register_workspace",
      "unregister_workspace", "get_workspace_info", "list_workspaces", "workspace_snapshot",
      "workspace_restore", "workspace_log", "workspace_diff", "register_memory",
      "unregister_memory", "get_memory_info", "list_registered_memories", "register_agent",
      "list_agents", "get_agent", "delete_agent", "ace_start_trajectory", "ace_log_trajectory_step",
      "ace_complete_trajectory", "ace_add_feedback", "ace_get_trajectory_feedback",
      "ace_get_effective_score", "ace_mark_for_relearning", "ace_query_trajectories",
      "ace_create_playbook", "ace_get_playbook", "ace_query_playbooks", "admin_create_key",
      "admin_list_keys", "admin_get_key", "admin_revoke_key", "admin_update_key", "sandbox_create",
      "sandbox_run", "sandbox_pause", "sandbox_resume", "sandbox_stop", "sandbox_list",
      "sandbox_status", "sandbox_get_or_create", "sandbox_connect", "sandbox_disconnect",
      "add_mount", "remove_mount", "list_connectors", "list_mounts", "get_mount", "has_mount",
      "save_mount", "list_saved_mounts", "load_mount", "delete_saved_mount", "sync_mount",
      "sync_mount_async", "get_sync_job", "cancel_sync_job", "list_sync_jobs", "skills_create",
      "skills_create_from_content", "skills_create_from_file", "skills_list", "skills_info",
      "skills_fork", "skills_publish", "skills_search", "skills_submit_approval", "skills_approve",
      "skills_reject", "skills_list_approvals", "skills_import", "skills_validate_zip",
      "skills_export", "oauth_list_providers", "oauth_get_auth_url", "oauth_exchange_code",
      "oauth_list_credentials", "oauth_revoke_credential", "oauth_test_credential", "mcp_connect",
      "mcp_list_mounts", "mcp_list_tools", "mcp_mount", "mcp_unmount", "mcp_sync",
      // Exposed but not callable in the reference, wrapped by the Python client (§6.1, §7.4).
      "stat", "read_range", "read_bulk", "write_batch", "copy", "rebac_check_batch",
      "get_namespace", "grant_consent", "revoke_consent", "batch_get_content_ids",
      "export_metadata", "import_metadata", "namespace_get", "register_namespace",
      "get_rebac_option", "set_rebac_option", "rebac_expand_with_privacy",
      "get_dynamic_viewer_config", "apply_dynamic_viewer_filter", "read_with_dynamic_viewer",
      "semantic_search", "semantic_search_index", "semantic_search_stats",
      "initialize_semantic_search", "llm_read", "llm_read_detailed", "llm_read_stream",
      "create_llm_reader", "load_workspace_memory_config", "shutdown_parser_threads", "stream",
      "write_stream", "search",
      // The legacy memory, trajectory and playbook API the frontend calls (§6.1).
      "store_memory", "list_memories", "query_memories", "retrieve_memory", "delete_memory",
      "approve_memory", "deactivate_memory", "approve_memory_batch", "deactivate_memory_batch",
      "delete_memory_batch", "update_memory", "start_trajectory", "log_trajectory_step",
      "complete_trajectory", "query_trajectories", "get_playbook", "curate_playbook",
      "query_playbooks", "process_relearning", "batch_reflect",
      // Ours: the frontend edits agents; files of any size (docs/compatibility.md).
      "update_agent", "upload_begin", "upload_part", "upload_commit", "upload_abort"};
  return names;
}

constexpr char kHome[] = "/tenant:default/user:admin";

// An OAuth token endpoint that grants every request.
test::CannedReply GrantTokens(const test::ReceivedRequest&) {
  return {200,
          {{"Content-Type", "application/json"}},
          R"({"access_token":"at","refresh_token":"rt","token_type":"Bearer","expires_in":3600})"};
}

class SurfaceHttpTest : public HttpTest {
 protected:
  void SetUp() override {
    const std::string yaml =
        "oauth:\n  encryption_key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
        "  providers:\n    - name: loopback\n"
        "      client_id: nexus\n      client_secret: s3cret\n"
        "      authorize_url: https://auth.example/authorize\n"
        "      token_url: " +
        token_endpoint_.url("/token") + "\n";
    ASSERT_TRUE(WriteFileAtomically(config_.path() + "/nexus.yaml", yaml, false).ok());
    HttpTest::SetUp();
  }
  std::vector<std::string> ServeArgs() const override {
    return {"--demo", "--mount-root", mount_root_.path(), "--config",
            config_.path() + "/nexus.yaml"};
  }

  // Calls `method` and checks that it succeeded; returns the result.
  Json Call(const std::string& method, const Json& params) {
    called_.push_back(method);
    const Json answer = Rpc(method, params);
    EXPECT_FALSE(answer.contains("error")) << method << ": " << answer.dump();
    return answer.value("result", Json());
  }
  // An object holding at least `keys`.
  Json Object(const std::string& method, const Json& params, std::vector<std::string> keys) {
    const Json r = Call(method, params);
    EXPECT_TRUE(r.is_object()) << method << ": " << r.dump();
    for (const std::string& key : keys) {
      EXPECT_TRUE(r.is_object() && r.contains(key)) << method << " lacks " << key << ": " << r;
    }
    return r;
  }
  // A non-empty array whose elements are objects holding at least `keys`.
  Json Array(const std::string& method, const Json& params, std::vector<std::string> keys) {
    const Json r = Call(method, params);
    EXPECT_TRUE(r.is_array() && !r.empty()) << method << ": " << r.dump();
    for (const Json& item : r.is_array() ? r : Json::array()) {
      for (const std::string& key : keys) {
        EXPECT_TRUE(item.is_object() && item.contains(key))
            << method << " item lacks " << key << ": " << item;
      }
    }
    return r;
  }
  void Bool(const std::string& method, const Json& params, bool expected) {
    const Json r = Call(method, params);
    EXPECT_EQ(r, Json(expected)) << method;
  }
  std::string String(const std::string& method, const Json& params) {
    const Json r = Call(method, params);
    EXPECT_TRUE(r.is_string() && !r.get<std::string>().empty()) << method << ": " << r.dump();
    return r.is_string() ? r.get<std::string>() : "";
  }
  void Null(const std::string& method, const Json& params) {
    EXPECT_TRUE(Call(method, params).is_null()) << method;
  }
  // A bytes wrapper (api.md §3.5) holding `content`.
  void BytesOf(const std::string& method, const Json& params, const std::string& content) {
    EXPECT_EQ(Call(method, params), Bytes(Base64Encode(content))) << method;
  }
  // Needs a service this server cannot reach: -32005, and the message names `missing`.
  void Missing(const std::string& method, const Json& params, const std::string& missing) {
    called_.push_back(method);
    const Json answer = Rpc(method, params);
    EXPECT_EQ(answer["error"]["code"], -32005) << method << ": " << answer.dump();
    EXPECT_NE(answer["error"].value("message", "").find(missing), std::string::npos)
        << method << " does not name " << missing << ": " << answer.dump();
  }

  void Files();
  void Rebac();
  void AdminKeys();
  void Agents();
  void Registries();
  void Memories();
  void Learning();
  void Sandboxes();
  void Mounts();
  void Skills();
  void OAuth();
  void ExposedFiles();
  void ExposedRebac();
  void OutsideServices();

  test::LoopbackHttpServer token_endpoint_{GrantTokens};
  test::TempDir config_;
  test::TempDir mount_root_;
  std::vector<std::string> called_;
};

void SurfaceHttpTest::Files() {
  const std::string a = std::string(kHome) + "/audit/a.txt";
  const std::string dir = std::string(kHome) + "/audit";
  Object("write", {{"path", a}, {"content", "one\n"}}, {"bytes_written"});
  Call("write", {{"path", a}, {"content", "two\n"}});
  Object("append", {{"path", a}, {"content", "three\n"}},
         {"etag", "version", "modified_at", "size"});
  BytesOf("read", {{"path", a}}, "two\nthree\n");
  BytesOf("read_range", {{"path", a}, {"start", 0}, {"end", 3}}, "two");
  Object("read_bulk", {{"paths", Json::array({a})}}, {a});
  const std::string upload = Object("upload_begin", {{"path", std::string(kHome) + "/up.bin"}},
                                    {"upload_id", "part_size", "expires_at"})["upload_id"];
  Object("upload_part", {{"upload_id", upload}, {"index", 0}, {"content", "parted"}},
         {"index", "size", "etag"});
  Object("upload_commit", {{"upload_id", upload}, {"parts", 1}},
         {"etag", "version", "modified_at", "size", "path"});
  const std::string dropped =
      Call("upload_begin", {{"path", std::string(kHome) + "/up.bin"}})["upload_id"];
  EXPECT_EQ(Call("upload_abort", {{"upload_id", dropped}}), (Json{{"aborted", true}}));
  const Json batch =
      Call("write_batch", {{"files", Json::array({Json::array({dir + "/b.txt", "bee"})})}});
  ASSERT_TRUE(batch.is_array() && batch.size() == 1) << batch;
  EXPECT_TRUE(batch[0].contains("etag") && batch[0].contains("version")) << batch;
  Object("stat", {{"path", a}}, {"size", "is_directory"});
  EXPECT_EQ(Call("exists", {{"path", a}}), (Json{{"exists", true}}));
  EXPECT_EQ(Call("is_directory", {{"path", dir}}), (Json{{"is_directory", true}}));
  EXPECT_TRUE(Object("get_metadata", {{"path", a}}, {"metadata"})["metadata"].is_object());
  Object("get_etag", {{"path", a}}, {"etag"});
  EXPECT_EQ(Object("list", {{"path", dir}, {"recursive", false}}, {"files"})["files"].size(), 2u);
  EXPECT_EQ(Object("glob", {{"pattern", "*.txt"}, {"path", dir}}, {"matches"})["matches"].size(),
            2u);
  EXPECT_EQ(Object("grep", {{"pattern", "thr"}, {"path", dir}}, {"results"})["results"].size(), 1u);
  EXPECT_EQ(Call("mkdir", {{"path", dir + "/d"}, {"parents", true}}), (Json{{"created", true}}));
  EXPECT_EQ(Call("copy", {{"src_path", a}, {"dst_path", dir + "/c.txt"}}),
            (Json{{"copied", true}}));
  EXPECT_EQ(Call("rename", {{"old_path", dir + "/c.txt"}, {"new_path", dir + "/d/c.txt"}}),
            (Json{{"renamed", true}}));
  Object("rename_bulk",
         {{"renames", Json::array({Json::array({dir + "/d/c.txt", dir + "/d/e.txt"})})}},
         {dir + "/d/c.txt"});
  Object("delete_bulk", {{"paths", Json::array({dir + "/d/e.txt"})}}, {dir + "/d/e.txt"});
  EXPECT_EQ(Call("rmdir", {{"path", dir + "/d"}}), (Json{{"removed", true}}));
  Object("get_available_namespaces", Json::object(), {"namespaces"});
  BytesOf("get_version", {{"path", a}, {"version", 1}}, "one\n");
  Array("list_versions", {{"path", a}}, {"version", "content_hash", "size", "created_at"});
  Object("diff_versions", {{"path", a}, {"v1", 1}, {"v2", 2}}, {"content_changed", "size_delta"});
  Null("rollback", {{"path", a}, {"version", 1}});
  EXPECT_EQ(Call("delete", {{"path", dir + "/b.txt"}}), (Json{{"deleted", true}}));
}

void SurfaceHttpTest::Rebac() {
  const Json file = {"file", std::string(kHome) + "/audit/a.txt"};
  const Json bob = {"user", "bob"};
  Null("namespace_create",
       {{"object_type", "doc"},
        {"config",
         {{"relations", {{"owner", Json::object()}}}, {"permissions", {{"read", {"owner"}}}}}}});
  Object("get_namespace", {{"object_type", "doc"}}, {"object_type", "config"});
  Array("namespace_list", Json::object(), {"namespace_id", "object_type", "config"});
  Bool("namespace_delete", {{"object_type", "doc"}}, true);
  const std::string tuple =
      String("rebac_create", {{"subject", bob}, {"relation", "direct_viewer"}, {"object", file}});
  Bool("rebac_check", {{"subject", bob}, {"permission", "read"}, {"object", file}}, true);
  EXPECT_EQ(Call("rebac_check_batch", {{"checks", {{bob, "read", file}, {bob, "write", file}}}}),
            (Json{true, false}));
  Array("rebac_expand", {{"permission", "read"}, {"object", file}}, {});
  Object("rebac_explain", {{"subject", bob}, {"permission", "read"}, {"object", file}},
         {"result", "reason", "paths"});
  Array("rebac_list_tuples", {{"subject", bob}},
        {"tuple_id", "subject_type", "subject_id", "relation", "object_type", "object_id"});
  Bool("rebac_delete", {{"tuple_id", tuple}}, true);
  String("share_with_user", {{"resource", file}, {"user_id", "bob"}});
  Array("list_outgoing_shares", Json::object(), {"share_id", "resource_type", "recipient_id"});
  Array("list_incoming_shares", {{"user_id", "bob"}}, {"share_id", "resource_id"});
  Bool("revoke_share", {{"resource", file}, {"user_id", "bob"}}, true);
  const std::string share = String("share_with_user", {{"resource", file}, {"user_id", "bob"}});
  Bool("revoke_share_by_id", {{"share_id", share}}, true);
  String("make_public", {{"resource", file}});
  Bool("make_private", {{"resource", file}}, true);
  String("grant_consent", {{"from_subject", {"user", "admin"}}, {"to_subject", bob}});
  Bool("revoke_consent", {{"from_subject", {"user", "admin"}}, {"to_subject", bob}}, true);
}

void SurfaceHttpTest::AdminKeys() {
  const Json created =
      Object("admin_create_key", {{"user_id", "bob"}, {"name", "audit"}}, {"key_id", "api_key"});
  const Json id = created.value("key_id", Json());
  Object("admin_list_keys", Json::object(), {"keys"});
  Object("admin_get_key", {{"key_id", id}}, {"key_id", "user_id", "name"});
  Object("admin_update_key", {{"key_id", id}, {"name", "audit2"}}, {"key_id"});
  Object("admin_revoke_key", {{"key_id", id}}, {"success"});
}

void SurfaceHttpTest::Agents() {
  const Json id = "admin,auditor";
  Object("register_agent", {{"agent_id", id}, {"name", "auditor"}},
         {"agent_id", "user_id", "name", "tenant_id", "config_path", "has_api_key"});
  Array("list_agents", Json::object(), {"agent_id", "user_id", "name", "has_api_key"});
  Object("get_agent", {{"agent_id", id}}, {"agent_id", "name"});
  Object("update_agent", {{"agent_id", id}, {"description", "audits"}}, {"agent_id"});
  Bool("delete_agent", {{"agent_id", id}}, true);
}

void SurfaceHttpTest::Registries() {
  const std::string ws = std::string(kHome) + "/audit-ws";
  const std::vector<std::string> record = {"path",       "name",       "description",
                                           "created_at", "created_by", "metadata"};
  Object("register_workspace", {{"path", ws}}, record);
  Object("get_workspace_info", {{"path", ws}}, record);
  Array("list_workspaces", Json::object(), record);
  Call("write", {{"path", ws + "/f.txt"}, {"content", "1"}});
  const std::vector<std::string> snapshot = {"snapshot_id", "snapshot_number",  "manifest_hash",
                                             "file_count",  "total_size_bytes", "created_at"};
  Object("workspace_snapshot", {{"workspace_path", ws}}, snapshot);
  Call("write", {{"path", ws + "/g.txt"}, {"content", "2"}});
  Call("workspace_snapshot", {{"workspace_path", ws}});
  Array("workspace_log", {{"workspace_path", ws}}, snapshot);
  Object("workspace_diff", {{"snapshot_1", 1}, {"snapshot_2", 2}, {"workspace_path", ws}},
         {"snapshot_1", "snapshot_2", "added", "removed", "modified", "unchanged"});
  Object("workspace_restore", {{"snapshot_number", 1}, {"workspace_path", ws}},
         {"files_restored", "files_deleted", "snapshot_info"});
  Bool("unregister_workspace", {{"path", ws}}, true);
  const std::string mem = std::string(kHome) + "/audit-mem";
  Object("register_memory", {{"path", mem}}, record);
  Object("get_memory_info", {{"path", mem}}, record);
  Array("list_registered_memories", Json::object(), record);
  Bool("unregister_memory", {{"path", mem}}, true);
}

void SurfaceHttpTest::Memories() {
  const Json id =
      Object("store_memory", {{"content", "the sky is blue"}}, {"memory_id"})["memory_id"];
  Object("list_memories", Json::object(), {"memories"});
  Object("query_memories", {{"query", "sky"}}, {"memories"});
  EXPECT_TRUE(Object("retrieve_memory", {{"memory_id", id}}, {"memory"})["memory"].is_object());
  Object("update_memory", {{"memory_id", id}, {"content", "the sky is grey"}}, {"updated"});
  Object("approve_memory", {{"memory_id", id}}, {"approved"});
  Object("deactivate_memory", {{"memory_id", id}}, {"deactivated"});
  Object("approve_memory_batch", {{"memory_ids", Json::array({id})}}, {});
  Object("deactivate_memory_batch", {{"memory_ids", Json::array({id})}}, {});
  Object("delete_memory_batch", {{"memory_ids", Json::array({id})}}, {});
  const Json other = Call("store_memory", {{"content", "water is wet"}})["memory_id"];
  EXPECT_EQ(Call("delete_memory", {{"memory_id", other}}), (Json{{"deleted", true}}));
}

void SurfaceHttpTest::Learning() {
  const Json traj = Object("start_trajectory", {{"task_description", "audit"}},
                           {"trajectory_id"})["trajectory_id"];
  EXPECT_EQ(Call("log_trajectory_step",
                 {{"trajectory_id", traj}, {"step_type", "action"}, {"description", "looked"}}),
            (Json{{"success", true}}));
  Object("complete_trajectory", {{"trajectory_id", traj}, {"status", "success"}},
         {"trajectory_id"});
  Object("query_trajectories", Json::object(), {"trajectories"});
  Object("curate_playbook", {{"reflection_memory_ids", Json::array()}}, {});
  Object("query_playbooks", Json::object(), {"playbooks"});
  Object("get_playbook", {{"playbook_name", "default"}}, {});
  Object("process_relearning", Json::object(), {"results"});
  Missing("batch_reflect", Json::object(), "LLM");

  const Json ace = Object("ace_start_trajectory", {{"task_description", "audit"}},
                          {"trajectory_id"})["trajectory_id"];
  EXPECT_EQ(Call("ace_log_trajectory_step",
                 {{"trajectory_id", ace}, {"step_type", "action"}, {"description", "d"}}),
            (Json{{"success", true}}));
  Object("ace_complete_trajectory",
         {{"trajectory_id", ace}, {"status", "success"}, {"success_score", 0.9}},
         {"trajectory_id"});
  Object("ace_add_feedback", {{"trajectory_id", ace}, {"feedback_type", "human"}, {"score", 0.5}},
         {"feedback_id"});
  Array("ace_get_trajectory_feedback", {{"trajectory_id", ace}}, {});
  Object("ace_get_effective_score", {{"trajectory_id", ace}}, {"effective_score"});
  EXPECT_EQ(Call("ace_mark_for_relearning", {{"trajectory_id", ace}, {"reason", "stale"}}),
            (Json{{"success", true}}));
  Array("ace_query_trajectories", Json::object(), {});
  const Json book =
      Object("ace_create_playbook", {{"name", "audit"}}, {"playbook_id"})["playbook_id"];
  Object("ace_get_playbook", {{"playbook_id", book}}, {});
  Array("ace_query_playbooks", Json::object(), {});
}

void SurfaceHttpTest::Sandboxes() {
  const std::vector<std::string> record = {"sandbox_id", "name",   "user_id",   "tenant_id",
                                           "provider",   "status", "created_at"};
  const Json id = Object("sandbox_create", {{"name", "audit"}}, record)["sandbox_id"];
  Object("sandbox_run", {{"sandbox_id", id}, {"language", "bash"}, {"code", "echo hi"}},
         {"stdout", "stderr", "exit_code", "execution_time"});
  Object("sandbox_pause", {{"sandbox_id", id}}, record);
  Object("sandbox_resume", {{"sandbox_id", id}}, record);
  Object("sandbox_status", {{"sandbox_id", id}}, record);
  Object("sandbox_list", Json::object(), {"sandboxes"});
  Object("sandbox_get_or_create", {{"name", "audit"}}, record);
  Object("sandbox_connect", {{"sandbox_id", id}, {"nexus_api_key", kAdminKey}},
         {"success", "sandbox_id", "provider", "mount_path", "mounted_at", "mount_status"});
  Object("sandbox_disconnect", {{"sandbox_id", id}},
         {"success", "sandbox_id", "provider", "unmounted_at"});
  Object("sandbox_stop", {{"sandbox_id", id}}, record);
}

void SurfaceHttpTest::Mounts() {
  const std::string point = "/tenant:default/workspace/audit-mount";
  const std::string saved = "/tenant:default/workspace/audit-saved";
  const Json config = {{"data_dir", mount_root_.path()}};
  Array("list_connectors", Json::object(), {"name", "description", "category", "requires"});
  EXPECT_EQ(Call("add_mount",
                 {{"mount_point", point}, {"backend_type", "local"}, {"backend_config", config}}),
            Json(point));
  const std::vector<std::string> mount = {"mount_point", "priority", "readonly", "backend_type"};
  Array("list_mounts", Json::object(), mount);
  Object("get_mount", {{"mount_point", point}}, mount);
  Bool("has_mount", {{"mount_point", point}}, true);
  Object("sync_mount", {{"mount_point", point}}, {"files_scanned", "files_created", "errors"});
  const Json job = Object("sync_mount_async", {{"mount_point", point}},
                          {"job_id", "status", "mount_point"})["job_id"];
  Object("get_sync_job", {{"job_id", job}}, {"id", "mount_point", "status"});
  Array("list_sync_jobs", Json::object(), {"id", "status"});
  Object("cancel_sync_job", {{"job_id", job}}, {"success", "job_id", "message"});
  String("save_mount",
         {{"mount_point", saved}, {"backend_type", "local"}, {"backend_config", config}});
  Array("list_saved_mounts", Json::object(), {"mount_id", "mount_point", "backend_type"});
  EXPECT_EQ(Call("load_mount", {{"mount_point", saved}}), Json(saved));
  Bool("delete_saved_mount", {{"mount_point", saved}}, true);
  Object("remove_mount", {{"mount_point", point}},
         {"removed", "directory_deleted", "permissions_cleaned", "errors"});
}

void SurfaceHttpTest::Skills() {
  const std::vector<std::string> skill = {"name", "description", "version", "author",
                                          "tier", "file_path",   "requires"};
  const Json listed = Object("skills_list", Json::object(), {"skills", "count"});
  ASSERT_FALSE(listed["skills"].empty());
  Object("skills_info", {{"skill_name", listed["skills"][0]["name"]}}, skill);
  Object("skills_create", {{"name", "audit-skill"}, {"description", "audits"}},
         {"skill_path", "name", "tier", "template"});
  Object("skills_create_from_content",
         {{"name", "audit-two"}, {"description", "two"}, {"content", "# Two\n"}},
         {"skill_path", "name", "tier", "source_url"});
  Object("skills_create_from_file",
         {{"source", "audit-three.md"}, {"file_data", Base64Encode("# Three\n\nSteps.\n")}},
         {"skill_path", "name", "tier", "source"});
  Object("skills_fork", {{"source_name", "audit-skill"}, {"target_name", "audit-fork"}},
         {"forked_path", "source_name", "target_name", "tier"});
  Object("skills_publish", {{"skill_name", "audit-skill"}},
         {"published_path", "skill_name", "source_tier", "target_tier"});
  Object("skills_search", {{"query", "audit"}}, {"results", "query", "count"});
  const std::vector<std::string> submitted = {"approval_id", "skill_name", "submitted_by",
                                              "reviewers"};
  const std::vector<std::string> reviewed = {"approval_id", "reviewed_by", "reviewer_type",
                                             "status"};
  const Json first =
      Object("skills_submit_approval", {{"skill_name", "audit-skill"}, {"submitted_by", "admin"}},
             submitted)["approval_id"];
  Object("skills_approve", {{"approval_id", first}, {"reviewed_by", "admin"}}, reviewed);
  const Json second = Call("skills_submit_approval",
                           {{"skill_name", "audit-two"}, {"submitted_by", "admin"}})["approval_id"];
  Object("skills_reject", {{"approval_id", second}, {"reviewed_by", "admin"}}, reviewed);
  Object("skills_list_approvals", Json::object(), {"approvals", "count"});
  const Json zip = Object("skills_export", {{"skill_name", "audit-skill"}},
                          {"skill_name", "zip_data", "size_bytes", "filename"})["zip_data"];
  Object("skills_validate_zip", {{"zip_data", zip}},
         {"valid", "skills_found", "errors", "warnings"});
  Object("skills_import", {{"zip_data", zip}, {"allow_overwrite", true}},
         {"imported_skills", "skill_paths", "tier"});
}

void SurfaceHttpTest::OAuth() {
  Array("oauth_list_providers", Json::object(),
        {"name", "display_name", "scopes", "requires_pkce", "metadata"});
  const Json auth = Object("oauth_get_auth_url", {{"provider", "loopback"}}, {"url", "state"});
  Object("oauth_exchange_code",
         {{"provider", "loopback"},
          {"code", "c"},
          {"state", auth.value("state", "")},
          {"user_email", "admin@example.com"}},
         {"credential_id", "user_email", "expires_at", "success"});
  Array("oauth_list_credentials", Json::object(),
        {"credential_id", "provider", "user_email", "user_id", "tenant_id", "expires_at",
         "is_expired", "created_at", "last_used_at"});
  const Json account = {{"provider", "loopback"}, {"user_email", "admin@example.com"}};
  Object("oauth_test_credential", account, {"valid"});
  Object("oauth_revoke_credential", account, {"success"});
}

void SurfaceHttpTest::ExposedFiles() {
  const std::string dir = std::string(kHome) + "/audit";
  const std::string a = dir + "/a.txt";
  const Json exported = Object("export_metadata", {{"path", dir}}, {"data", "count"});
  Object("import_metadata", {{"data", exported.value("data", "")}, {"path", dir + "-copy"}},
         {"total", "created", "updated", "skipped", "dry_run"});
  Object("batch_get_content_ids", {{"paths", Json::array({a})}}, {a});
  Object("write_stream", {{"path", dir + "/s.txt"}, {"chunks", Json::array({"ab", "cd"})}},
         {"etag", "version", "modified_at", "size"});
  EXPECT_EQ(Call("stream", {{"path", dir + "/s.txt"}, {"chunk_size", 2}}),
            (Json{Bytes(Base64Encode("ab")), Bytes(Base64Encode("cd"))}));
  Object("search", {{"query", "s.txt"}, {"path", dir}}, {"results"});
  EXPECT_EQ(Call("shutdown_parser_threads", Json::object()), (Json{{"success", true}}));
  const std::string config = dir + "/nexus.yaml";
  Call("write", {{"path", config}, {"content", "workspaces:\n  - path: " + dir + "-ws2\n"}});
  Object("load_workspace_memory_config", {{"path", config}}, {"workspaces", "memories", "skipped"});
}

void SurfaceHttpTest::ExposedRebac() {
  const std::string csv = std::string(kHome) + "/audit/people.csv";
  const Json bob = {"user", "bob"};
  Call("write", {{"path", csv}, {"content", "name,age\nann,30\n"}});
  const Json columns = {{"hidden_columns", Json::array()},
                        {"aggregations", {{"age", "mean"}}},
                        {"visible_columns", Json::array({"name"})}};
  String("rebac_create", {{"subject", bob},
                          {"relation", "dynamic_viewer"},
                          {"object", {"file", csv}},
                          {"column_config", columns}});
  Object("get_dynamic_viewer_config", {{"subject", bob}, {"file_path", csv}},
         {"hidden_columns", "aggregations", "visible_columns"});
  Object("read_with_dynamic_viewer", {{"subject", {"user", "admin"}}, {"file_path", csv}},
         {"content", "is_filtered"});
  Object("apply_dynamic_viewer_filter",
         {{"data", "name,age\nann,30\n"}, {"column_config", columns}},
         {"filtered_data", "aggregations", "columns_shown", "aggregated_columns"});
  Array("rebac_expand_with_privacy", {{"permission", "read"}, {"object", {"file", csv}}}, {});
  Object("namespace_get", {{"object_type", "file"}}, {"object_type", "config"});
  Null(
      "register_namespace",
      {{"namespace",
        {{"object_type", "doc2"},
         {"config",
          {{"relations", {{"owner", Json::object()}}}, {"permissions", {{"read", {"owner"}}}}}}}}});
  const Json depth = Call("get_rebac_option", {{"key", "max_depth"}});
  EXPECT_TRUE(depth.is_number_integer()) << depth;
  Call("set_rebac_option", {{"key", "max_depth"}, {"value", depth}});
}

void SurfaceHttpTest::OutsideServices() {
  Missing("semantic_search", {{"query", "q"}}, "embedding provider");
  for (const char* method :
       {"semantic_search_index", "semantic_search_stats", "initialize_semantic_search"}) {
    Missing(method, Json::object(), "semantic_search.provider");
  }
  const Json read = {{"path", std::string(kHome) + "/audit/a.txt"}, {"prompt", "summarise"}};
  for (const char* method : {"llm_read", "llm_read_detailed", "llm_read_stream"}) {
    Missing(method, read, "llm.provider");
  }
  Missing("create_llm_reader", Json::object(), "llm.provider");
  Missing("mcp_connect", {{"provider", "github"}}, "KLAVIS_API_KEY");
  EXPECT_EQ(Call("mcp_list_mounts", Json::object()), Json::array());
  Missing("mcp_mount", {{"name", "gh"}, {"command", "gh-mcp"}}, "gh-mcp: not found");
  for (const char* method : {"mcp_list_tools", "mcp_unmount", "mcp_sync"}) {
    Missing(method, {{"name", "gh"}}, "not mounted");
  }
}

TEST_P(SurfaceHttpTest, EveryNameAClientCallsAnswers) {
  Files();
  Rebac();
  AdminKeys();
  Agents();
  Registries();
  Memories();
  Learning();
  Sandboxes();
  Mounts();
  Skills();
  OAuth();
  ExposedFiles();
  ExposedRebac();
  OutsideServices();

  std::set<std::string> expected(ExpectedNames().begin(), ExpectedNames().end());
  ASSERT_EQ(expected.size(), ExpectedNames().size()) << "a name is listed twice";
  const std::set<std::string> called(called_.begin(), called_.end());
  std::vector<std::string> not_called;
  std::set_difference(expected.begin(), expected.end(), called.begin(), called.end(),
                      std::back_inserter(not_called));
  std::vector<std::string> unexpected;
  std::set_difference(called.begin(), called.end(), expected.begin(), expected.end(),
                      std::back_inserter(unexpected));
  EXPECT_TRUE(not_called.empty()) << "not audited: " << Json(not_called);
  EXPECT_TRUE(unexpected.empty()) << "audited but not expected: " << Json(unexpected);

  const test::ClientResponse status = test::Fetch(port(), "GET", "/api/nfs/status");
  ASSERT_EQ(status.status, 200);
  const Json methods = Json::parse(status.body)["methods"];
  EXPECT_EQ(std::set<std::string>(methods.begin(), methods.end()), expected)
      << "/api/nfs/status must list exactly the names that answer";
}

NEXUS_INSTANTIATE_ENGINES(SurfaceHttpTest);

}  // namespace
}  // namespace nexus::e2e
