// Mounts and connectors over HTTP (api.md §6.4): a host directory mounted with `local`, read
// and written through the file methods, confined, scoped by tenant, saved across restarts.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "testing/temp_dir.h"
#include "tests/http_test_fixture.h"
#include "util/file.h"

namespace nexus::e2e {
namespace {

// Local mounts need a root (--mount-root); the host directory of these tests lies under one.
class MountsHttpTest : public HttpTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CreateDirectories(host_).ok());
    HttpTest::SetUp();
  }
  std::vector<std::string> ServeArgs() const override { return {"--mount-root", roots_.path()}; }

  Json LocalMount(const std::string& point, bool readonly = false) const {
    return Json{{"mount_point", point},
                {"backend_type", "local"},
                {"backend_config", {{"data_dir", host_}}},
                {"readonly", readonly}};
  }
  std::string Host(const std::string& rel) const { return host_ + "/" + rel; }

  test::TempDir roots_{"nexus-roots"};
  const std::string host_ = roots_.path() + "/host";
};

TEST_P(MountsHttpTest, FileMethodsLandInTheHostDirectory) {
  EXPECT_EQ(Result("add_mount", LocalMount("/workspace/data")), "/tenant:default/workspace/data");
  Result("write", {{"path", "/workspace/data/notes/a.txt"}, {"content", "hello"}});
  EXPECT_EQ(*ReadFile(Host("notes/a.txt")), "hello");
  ASSERT_TRUE(WriteFileAtomically(Host("b.md"), "# from the host", false).ok());
  const Json read = Result("read", {{"path", "/workspace/data/b.md"}});
  EXPECT_EQ(read["__type__"], "bytes");
  Result("append", {{"path", "/workspace/data/notes/a.txt"}, {"content", " world"}});
  EXPECT_EQ(*ReadFile(Host("notes/a.txt")), "hello world");

  const Json listed =
      Result("list", {{"path", "/workspace/data"}, {"recursive", true}, {"details", true}});
  ASSERT_EQ(listed["files"].size(), 3u) << listed.dump();
  EXPECT_EQ(listed["files"][0]["path"], "/workspace/data/b.md");
  EXPECT_EQ(listed["files"][0]["mime_type"], "text/markdown");
  EXPECT_EQ(listed["files"][0]["size"], 15);
  EXPECT_EQ(listed["files"][1]["path"], "/workspace/data/notes");
  EXPECT_TRUE(listed["files"][1]["is_directory"]);
  const Json above = Result("list", {{"path", "/workspace"}, {"recursive", false}});
  EXPECT_EQ(above["files"], Json::array({"/workspace/data"})) << "the mount point shows";

  EXPECT_TRUE(Result("exists", {{"path", "/workspace/data/b.md"}})["exists"]);
  EXPECT_TRUE(Result("is_directory", {{"path", "/workspace/data/notes"}})["is_directory"]);
  EXPECT_EQ(Result("stat", {{"path", "/workspace/data/b.md"}})["size"], 15);
  Result("rename",
         {{"old_path", "/workspace/data/b.md"}, {"new_path", "/workspace/data/notes/c.md"}});
  EXPECT_EQ(*ReadFile(Host("notes/c.md")), "# from the host");
  Result("mkdir", {{"path", "/workspace/data/empty"}});
  struct stat st;
  EXPECT_EQ(::stat(Host("empty").c_str(), &st), 0);
  Result("rmdir", {{"path", "/workspace/data/empty"}});
  Result("delete", {{"path", "/workspace/data/notes/c.md"}});
  EXPECT_NE(::stat(Host("notes/c.md").c_str(), &st), 0);
  EXPECT_EQ(Result("glob", {{"pattern", "**/*.txt"}, {"path", "/workspace"}})["matches"],
            Json::array({"/workspace/data/notes/a.txt"}));

  EXPECT_EQ(ErrorCode("list_versions", {{"path", "/workspace/data/notes/a.txt"}}), -32005);
  EXPECT_EQ(ErrorCode("delete", {{"path", "/workspace/data"}}), -32005) << "use remove_mount";
}

TEST_P(MountsHttpTest, ConfinedToTheHostDirectory) {
  test::TempDir outside("nexus-outside");
  ASSERT_TRUE(WriteFileAtomically(outside.path() + "/secret", "s", false).ok());
  Result("add_mount", LocalMount("/workspace/data"));
  // Planted after mounting.
  ASSERT_EQ(::symlink((outside.path() + "/secret").c_str(), Host("link").c_str()), 0);
  ASSERT_EQ(::symlink(outside.path().c_str(), Host("dir").c_str()), 0);
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/link"}}), -32004);
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/dir/secret"}}), -32004);
  EXPECT_EQ(ErrorCode("write", {{"path", "/workspace/data/dir/x"}, {"content", "x"}}), -32004);
  EXPECT_FALSE(Result("exists", {{"path", "/workspace/data/link"}})["exists"]);
  EXPECT_EQ(Result("list", {{"path", "/workspace/data"}})["files"], Json::array());
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/../data/x/../../secret"}}), -32002);
  EXPECT_EQ(*ReadFile(outside.path() + "/secret"), "s");
}

TEST_P(MountsHttpTest, ReadOnlyMountsRefuseWrites) {
  ASSERT_TRUE(WriteFileAtomically(Host("r.txt"), "R", false).ok());
  Result("add_mount", LocalMount("/workspace/ro", /*readonly=*/true));
  EXPECT_EQ(Result("list_mounts", Json::object())[1]["readonly"], true);
  EXPECT_EQ(Result("read", {{"path", "/workspace/ro/r.txt"}})["__type__"], "bytes");
  EXPECT_EQ(ErrorCode("write", {{"path", "/workspace/ro/r.txt"}, {"content", "x"}}), -32005);
  EXPECT_EQ(ErrorCode("delete", {{"path", "/workspace/ro/r.txt"}}), -32005);
  EXPECT_EQ(ErrorCode("mkdir", {{"path", "/workspace/ro/d"}}), -32005);
  EXPECT_EQ(*ReadFile(Host("r.txt")), "R");
}

TEST_P(MountsHttpTest, OtherUsersAndTenants) {
  const std::string bob = NewUserKey("bob");
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/tenant:default/user:bob/mine"), bob), -32004);
  Result("add_mount", LocalMount("/workspace/data"));
  ASSERT_TRUE(WriteFileAtomically(Host("a.txt"), "A", false).ok());
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/a.txt"}}, bob), -32004);
  EXPECT_EQ(ErrorCode("write", {{"path", "/workspace/data/b"}, {"content", "x"}}, bob), -32004);
  EXPECT_EQ(Result("list_mounts", Json::object(), bob).size(), 1u) << "only the root";
  Result("rebac_create", {{"subject", {"user", "bob"}},
                          {"relation", "direct_viewer"},
                          {"object", {"file", "/tenant:default/workspace/data"}}});
  EXPECT_EQ(Result("read", {{"path", "/workspace/data/a.txt"}}, bob)["__type__"], "bytes");
  EXPECT_EQ(Result("list_mounts", Json::object(), bob).size(), 2u);

  const Json other =
      Result("admin_create_key",
             {{"user_id", "boss"}, {"name", "boss"}, {"tenant_id", "acme"}, {"is_admin", true}});
  const std::string acme = other["api_key"];
  EXPECT_EQ(Result("list_mounts", Json::object(), acme).size(), 1u) << "another tenant's mounts";
  EXPECT_EQ(ErrorCode("read", {{"path", "/tenant:default/workspace/data/a.txt"}}, acme), -32004);
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/tenant:default/x"), acme), -32004);
  EXPECT_EQ(Result("add_mount", LocalMount("/tenant:acme/workspace/data")),
            "/tenant:acme/workspace/data")
      << "the system administrator mounts into any tenant";
  EXPECT_EQ(Result("list_mounts", Json::object(), acme).size(), 2u);
  EXPECT_EQ(Result("read", {{"path", "/workspace/data/a.txt"}}, acme)["__type__"], "bytes")
      << "the tenant's admin reads its tenant's mount";
}

// A host directory is the system administrator's to expose, and only under a mount root.
TEST_P(MountsHttpTest, LocalMountsNeedTheSystemAdministratorAndARoot) {
  const std::string boss = Result(
      "admin_create_key", {{"user_id", "boss"}, {"name", "boss"}, {"is_admin", true}})["api_key"];
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/workspace/data"), boss), -32004);
  EXPECT_EQ(ErrorCode("save_mount", LocalMount("/workspace/data"), boss), -32004);
  Result("save_mount", LocalMount("/workspace/data"));
  EXPECT_EQ(ErrorCode("load_mount", {{"mount_point", "/workspace/data"}}, boss), -32004);
  Json proc = LocalMount("/workspace/proc");
  proc["backend_config"]["data_dir"] = "/proc";
  EXPECT_EQ(ErrorCode("add_mount", proc), -32005);
  proc["backend_config"]["data_dir"] = "/etc";
  EXPECT_EQ(ErrorCode("save_mount", proc), -32005);
  test::TempDir outside("nexus-outside");
  ASSERT_EQ(::symlink(outside.path().c_str(), Host("out").c_str()), 0);
  Json linked = LocalMount("/workspace/out");
  linked["backend_config"]["data_dir"] = Host("out") + "/.";
  const Json refused = Rpc("add_mount", linked);
  EXPECT_EQ(refused["error"]["code"], -32005) << refused.dump();
  EXPECT_EQ(Result("list_mounts", Json::object()).size(), 1u);
}

TEST_P(MountsHttpTest, BadMountsAreRefused) {
  Result("add_mount", LocalMount("/workspace/data"));
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/workspace/data/inner")), -32005);
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/workspace")), -32005) << "contains a mount";
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/tenant:default")), -32005);
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/")), -32005);
  Json in_data = LocalMount("/workspace/db");
  in_data["backend_config"]["data_dir"] = dir_.path();
  EXPECT_EQ(ErrorCode("add_mount", in_data), -32005) << "the server's own data directory";
  in_data["backend_config"]["data_dir"] = "relative";
  EXPECT_EQ(ErrorCode("add_mount", in_data), -32005);
  EXPECT_EQ(ErrorCode("add_mount", {{"mount_point", "/workspace/x"}, {"backend_type", "local"}}),
            -32602);
  for (const char* type : {"gcs", "gcs_connector", "s3_connector", "gdrive_connector",
                           "x_connector", "hn_connector", "gmail_connector"}) {
    const Json answer = Rpc("add_mount", {{"mount_point", "/workspace/c"},
                                          {"backend_type", type},
                                          {"backend_config", Json::object()}});
    EXPECT_EQ(answer["error"]["code"], -32005) << type;
    EXPECT_NE(answer["error"]["message"].get<std::string>().find(
                  std::string("backend not available: ") + type),
              std::string::npos)
        << answer.dump();
  }
  const Json floppy = Rpc("add_mount", {{"mount_point", "/workspace/c"},
                                        {"backend_type", "floppy"},
                                        {"backend_config", Json::object()}});
  EXPECT_EQ(floppy["error"]["code"], -32005);
  EXPECT_NE(floppy["error"]["message"].get<std::string>().find("floppy"), std::string::npos);
}

TEST_P(MountsHttpTest, MountQueriesAndRemoval) {
  const Json mounts = Result("list_mounts", Json::object());
  EXPECT_EQ(mounts, Json::array({{{"mount_point", "/"},
                                  {"priority", 0},
                                  {"readonly", false},
                                  {"backend_type", "LocalBackend"},
                                  {"node", nullptr}}}))
      << "the root is every node's";
  Result("add_mount", LocalMount("/workspace/data"));
  Json mount = Result("get_mount", {{"mount_point", "/workspace/data"}});
  ASSERT_TRUE(mount["node"].is_string()) << "the node serving it: " << mount.dump();
  EXPECT_FALSE(mount["node"].get<std::string>().empty());
  mount.erase("node");
  EXPECT_EQ(mount, Json({{"mount_point", "/tenant:default/workspace/data"},
                         {"priority", 0},
                         {"readonly", false},
                         {"backend_type", "LocalBackend"}}));
  EXPECT_TRUE(Result("has_mount", {{"mount_point", "/workspace/data"}}));
  EXPECT_TRUE(Result("get_mount", {{"mount_point", "/nope"}}).is_null());
  const Json connectors = Result("list_connectors", Json::object());
  ASSERT_EQ(connectors.size(), 8u);
  EXPECT_EQ(connectors[0]["name"], "local");
  EXPECT_TRUE(connectors[0]["available"]);
  EXPECT_EQ(Result("list_connectors", {{"category", "oauth"}}).size(), 2u);

  const Json removed = Result("remove_mount", {{"mount_point", "/workspace/data"}});
  EXPECT_EQ(removed["removed"], true);
  EXPECT_EQ(removed["directory_deleted"], true);
  EXPECT_GE(removed["permissions_cleaned"], 1);
  EXPECT_EQ(removed["errors"], Json::array());
  EXPECT_FALSE(Result("has_mount", {{"mount_point", "/workspace/data"}}));
  const Json missing = Result("remove_mount", {{"mount_point", "/workspace/data"}});
  EXPECT_EQ(missing["removed"], false);
  EXPECT_EQ(missing["errors"], Json::array({"Mount not found: /tenant:default/workspace/data"}));
}

TEST_P(MountsHttpTest, SavedMountsSurviveARestart) {
  const Json id = Result("save_mount", {{"mount_point", "/workspace/data"},
                                        {"backend_type", "local"},
                                        {"backend_config", {{"data_dir", host_}}},
                                        {"description", "host files"}});
  ASSERT_TRUE(id.is_string());
  EXPECT_EQ(ErrorCode("save_mount", {{"mount_point", "/workspace/data"},
                                     {"backend_type", "local"},
                                     {"backend_config", {{"data_dir", host_}}}}),
            -32602);
  const Json saved = Result("list_saved_mounts", Json::object());
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0]["mount_id"], id);
  EXPECT_EQ(saved[0]["mount_point"], "/tenant:default/workspace/data");
  EXPECT_EQ(saved[0]["backend_config"]["data_dir"], host_);
  EXPECT_EQ(saved[0]["tenant_id"], "default");
  EXPECT_EQ(saved[0]["description"], "host files");
  EXPECT_EQ(saved[0]["created_at"]["__type__"], "datetime");
  EXPECT_EQ(Result("list_saved_mounts", Json::object(), NewUserKey("bob")), Json::array());
  EXPECT_EQ(ErrorCode("load_mount", {{"mount_point", "/workspace/other"}}), -32602);
  EXPECT_EQ(Result("load_mount", {{"mount_point", "/workspace/data"}}),
            "/tenant:default/workspace/data");

  ASSERT_TRUE(WriteFileAtomically(Host("kept.txt"), "K", false).ok());
  EXPECT_EQ(server_->Stop(), 0) << server_->output();
  Start();
  EXPECT_FALSE(Result("has_mount", {{"mount_point", "/workspace/data"}}))
      << "without its root a saved mount is not restored";
  EXPECT_EQ(server_->Stop(), 0) << server_->output();
  Start(ServeArgs());
  EXPECT_TRUE(Result("has_mount", {{"mount_point", "/workspace/data"}}));
  EXPECT_EQ(Result("read", {{"path", "/workspace/data/kept.txt"}})["__type__"], "bytes");

  EXPECT_TRUE(Result("delete_saved_mount", {{"mount_point", "/workspace/data"}}));
  EXPECT_FALSE(Result("delete_saved_mount", {{"mount_point", "/workspace/data"}}));
  EXPECT_EQ(Result("list_saved_mounts", Json::object()), Json::array());
}

TEST_P(MountsHttpTest, SyncCountsAndJobs) {
  ASSERT_TRUE(WriteFileAtomically(Host("a.txt"), "A", false).ok());
  ASSERT_TRUE(WriteFileAtomically(Host("b.md"), "B", false).ok());
  Result("add_mount", LocalMount("/workspace/data"));
  const Json report = Result("sync_mount", {{"mount_point", "/workspace/data"}});
  EXPECT_EQ(report, Json({{"files_scanned", 2},
                          {"files_created", 2},
                          {"files_updated", 0},
                          {"files_deleted", 0},
                          {"cache_synced", 0},
                          {"cache_bytes", 0},
                          {"cache_skipped", 0},
                          {"embeddings_generated", 0},
                          {"errors", Json::array()}}));
  const Json all = Result("sync_mount", {{"include_patterns", {"*.md"}}});
  EXPECT_EQ(all["files_scanned"], 1);
  EXPECT_EQ(all["mounts_synced"], 1);
  EXPECT_EQ(all["mounts_skipped"], 0);
  EXPECT_EQ(ErrorCode("sync_mount", {{"mount_point", "/workspace/none"}}), -32000);

  const Json queued = Result("sync_mount_async", {{"mount_point", "/workspace/data"}});
  EXPECT_EQ(queued["status"], "pending");
  EXPECT_EQ(queued["mount_point"], "/tenant:default/workspace/data");
  const std::string job_id = queued["job_id"];
  Json job;
  for (int i = 0; i < 500; ++i) {
    job = Result("get_sync_job", {{"job_id", job_id}});
    if (job["status"] == "completed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(job["status"], "completed") << job.dump();
  EXPECT_EQ(job["id"], job_id);
  EXPECT_EQ(job["progress_pct"], 100);
  EXPECT_EQ(job["result"]["files_scanned"], 2);
  EXPECT_EQ(job["sync_params"]["recursive"], true);
  EXPECT_TRUE(job["created_at"].is_string());
  EXPECT_TRUE(job["completed_at"].is_string());
  EXPECT_TRUE(job["error_message"].is_null());
  EXPECT_EQ(job.size(), 12u);
  EXPECT_EQ(Result("cancel_sync_job", {{"job_id", job_id}}),
            Json({{"success", false},
                  {"job_id", job_id},
                  {"message", "Cannot cancel job with status: completed"}}));
  EXPECT_EQ(Result("cancel_sync_job", {{"job_id", "nope"}})["message"], "Job not found");
  EXPECT_TRUE(Result("get_sync_job", {{"job_id", "nope"}}).is_null());
  const Json jobs = Result("list_sync_jobs", {{"mount_point", "/workspace/data"}});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(Result("list_sync_jobs", {{"status", "failed"}}), Json::array());
  const std::string bob = NewUserKey("bob");
  EXPECT_TRUE(Result("get_sync_job", {{"job_id", job_id}}, bob).is_null());
  EXPECT_EQ(Result("list_sync_jobs", Json::object(), bob), Json::array());
  EXPECT_EQ(ErrorCode("sync_mount", {{"mount_point", "/workspace/data"}}, bob), -32004);
}

// Grants on mounted files go with the files: a file put back later is not shared again.
TEST_P(MountsHttpTest, GrantsFollowMountedFiles) {
  const std::string bob = NewUserKey("bob");
  Result("add_mount", LocalMount("/workspace/data"));
  Result("write", {{"path", "/workspace/data/a.txt"}, {"content", "A"}});
  const auto grant = [&](const std::string& path) {
    Result("rebac_create", {{"subject", {"user", "bob"}},
                            {"relation", "direct_viewer"},
                            {"object", {"file", "/tenant:default/workspace/data/" + path}}});
  };
  grant("a.txt");
  EXPECT_EQ(Result("read", {{"path", "/workspace/data/a.txt"}}, bob)["__type__"], "bytes");
  Result("rename", {{"old_path", "/workspace/data/a.txt"}, {"new_path", "/workspace/data/b.txt"}});
  EXPECT_EQ(Result("read", {{"path", "/workspace/data/b.txt"}}, bob)["__type__"], "bytes")
      << "the grant moved with the file";
  Result("delete", {{"path", "/workspace/data/b.txt"}});
  Result("write", {{"path", "/workspace/data/b.txt"}, {"content", "new"}});
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/b.txt"}}, bob), -32004);

  Result("write", {{"path", "/workspace/data/c.txt"}, {"content", "C"}});
  grant("c.txt");
  const Json removed = Result("remove_mount", {{"mount_point", "/workspace/data"}});
  EXPECT_EQ(removed["permissions_cleaned"], 2) << removed.dump();
  Result("add_mount", LocalMount("/workspace/data"));
  EXPECT_EQ(ErrorCode("read", {{"path", "/workspace/data/c.txt"}}, bob), -32004)
      << "no grant survives its mount";
}

// Mounts and the directories services write through the tree directly stay apart.
TEST_P(MountsHttpTest, MountsAndServiceDirectoriesStayApart) {
  NewUserKey("alice");
  for (const char* point : {"/tenant:default/user:alice", "/tenant:default/user:alice/skill/s",
                            "/tenant:default/user:alice/agent/bot", "/tenant:default/skill"}) {
    EXPECT_EQ(ErrorCode("add_mount", LocalMount(point)), -32005) << point;
  }
  Result("register_workspace", {{"path", "/workspace/proj"}});
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/workspace/proj/sub")), -32005);
  EXPECT_EQ(ErrorCode("add_mount", LocalMount("/workspace")), -32005);

  Result("add_mount", LocalMount("/workspace/data"));
  EXPECT_EQ(ErrorCode("register_workspace", {{"path", "/workspace/data/ws"}}), -32005);
  EXPECT_EQ(ErrorCode("register_memory", {{"path", "/workspace/data"}}), -32005);
  Result("mkdir", {{"path", "/shared"}});
  Result("remove_mount", {{"mount_point", "/workspace/data"}});
  Result("add_mount", LocalMount("/shared/data"));
  EXPECT_EQ(ErrorCode("register_workspace", {{"path", "/shared"}}), -32005) << "holds a mount";
  EXPECT_EQ(Result("register_workspace", {{"path", "/workspace/data"}})["path"], "/workspace/data")
      << "free again once the mount is gone";
}

// `list` with a limit pages (api.md §10) through directories with a mount below them: every
// entry once and in order, no page over the limit and only the last one short, has_more and
// next_cursor right; for a caller who sees part of the directory, pages of what it sees.
TEST_P(MountsHttpTest, ListPagesThroughMounts) {
  Result("add_mount", LocalMount("/workspace/data"));
  for (const char* rel : {"b.txt", "notes/a.txt", "notes/c.txt", "z.txt"})
    Result("write", {{"path", std::string("/workspace/data/") + rel}, {"content", "x"}});
  for (const char* path : {"/workspace/a.txt", "/workspace/data-2.txt", "/workspace/m.txt"})
    Result("write", {{"path", path}, {"content", "x"}});
  const std::string bob = NewUserKey("bob");
  for (const char* path :
       {"/tenant:default/workspace/data/notes", "/tenant:default/workspace/m.txt"})
    Result(
        "rebac_create",
        {{"subject", {"user", "bob"}}, {"relation", "direct_viewer"}, {"object", {"file", path}}});
  using Paths = std::vector<std::string>;
  const auto whole = [&](const Json& params, const std::string& key) {
    return Result("list", params, key)["files"].get<Paths>();
  };
  const auto paged = [&](Json params, size_t limit, const std::string& key) {
    Paths all;
    params["limit"] = limit;
    for (int guard = 0; guard < 50; ++guard) {
      const Json page = Result("list", params, key);
      const Paths files = page["files"].get<Paths>();
      all.insert(all.end(), files.begin(), files.end());
      if (page["has_more"] == false) {
        EXPECT_LE(files.size(), limit) << page.dump();
        EXPECT_TRUE(page["next_cursor"].is_null()) << page.dump();
        return all;
      }
      EXPECT_EQ(files.size(), limit) << "a page before the last is full: " << page.dump();
      EXPECT_EQ(page["next_cursor"], files.back()) << page.dump();
      params["cursor"] = page["next_cursor"];
    }
    ADD_FAILURE() << "no last page";
    return all;
  };

  const Json recursive = {{"path", "/workspace"}, {"recursive", true}};
  EXPECT_EQ(whole(recursive, kAdminKey),
            (Paths{"/workspace/a.txt", "/workspace/data", "/workspace/data-2.txt",
                   "/workspace/data/b.txt", "/workspace/data/notes", "/workspace/data/notes/a.txt",
                   "/workspace/data/notes/c.txt", "/workspace/data/z.txt", "/workspace/m.txt"}));
  EXPECT_EQ(whole(recursive, bob),
            (Paths{"/workspace/data", "/workspace/data/notes", "/workspace/data/notes/a.txt",
                   "/workspace/data/notes/c.txt", "/workspace/m.txt"}));
  for (const Json& params : {recursive, Json{{"path", "/workspace"}, {"recursive", false}},
                             Json{{"path", "/tenant:default/workspace"}, {"recursive", true}},
                             Json{{"path", "/workspace/data"}, {"recursive", true}},
                             Json{{"path", "/workspace"}, {"recursive", true}, {"prefix", "data"}},
                             Json{{"path", "/"}, {"recursive", false}}}) {
    for (const size_t limit : {1, 2, 3, 100}) {
      EXPECT_EQ(paged(params, limit, kAdminKey), whole(params, kAdminKey))
          << params.dump() << " limit " << limit;
      EXPECT_EQ(paged(params, limit, bob), whole(params, bob))
          << params.dump() << " limit " << limit << " as bob";
    }
  }
  EXPECT_EQ(ErrorCode("list", {{"path", "/workspace"}, {"limit", 0}}), -32602);
  EXPECT_EQ(ErrorCode("list", {{"path", "/workspace"}, {"limit", 10001}}), -32602);
  EXPECT_EQ(ErrorCode("list", {{"path", "/workspace"}, {"limit", 1}, {"cursor", "/a/../.."}}),
            -32002);
}

// grep and search find what mounted files hold, filtered by the caller's permissions as the
// tree's files are.
TEST_P(MountsHttpTest, GrepAndSearchReachMountedFiles) {
  Result("add_mount", LocalMount("/workspace/data"));
  Result("write", {{"path", "/workspace/data/notes/needle.md"}, {"content", "x\na needle\n"}});
  Result("write", {{"path", "/workspace/data/secret.txt"}, {"content", "needle secret\n"}});
  Result("write", {{"path", "/workspace/plain.txt"}, {"content", "one needle\n"}});
  const auto files = [](const Json& results, const char* key) {
    std::vector<std::string> out;
    for (const Json& r : results) out.push_back(r[key]);
    return out;
  };
  using Paths = std::vector<std::string>;

  const Json grep = Result("grep", {{"pattern", "needle"}, {"path", "/workspace"}});
  EXPECT_EQ(files(grep["results"], "file"),
            (Paths{"/workspace/data/notes/needle.md", "/workspace/data/secret.txt",
                   "/workspace/plain.txt"}));
  EXPECT_EQ(grep["results"][0]["line"], 2);
  EXPECT_EQ(grep["results"][0]["content"], "a needle");
  EXPECT_EQ(
      files(Result("grep",
                   {{"pattern", "needle"}, {"path", "/workspace"}, {"max_results", 1}})["results"],
            "file"),
      (Paths{"/workspace/data/notes/needle.md"}));
  EXPECT_EQ(files(Result("grep", {{"pattern", "needle"},
                                  {"path", "/workspace/data"},
                                  {"file_pattern", "*.txt"}})["results"],
                  "file"),
            (Paths{"/workspace/data/secret.txt"}));
  const Json search = Result("search", {{"query", "NEEDLE"}, {"path", "/workspace"}});
  EXPECT_EQ(files(search["results"], "path"),
            (Paths{"/workspace/data/notes/needle.md", "/workspace/data/notes/needle.md",
                   "/workspace/data/secret.txt", "/workspace/plain.txt"}));
  EXPECT_EQ(search["results"][0]["match"], "name");
  EXPECT_EQ(search["results"][1]["match"], "content");

  // bob may read the notes only: the other files are neither searched nor named.
  const std::string bob = NewUserKey("bob");
  Result("rebac_create", {{"subject", {"user", "bob"}},
                          {"relation", "direct_viewer"},
                          {"object", {"file", "/tenant:default/workspace/data/notes"}}});
  EXPECT_EQ(files(Result("grep", {{"pattern", "needle"}, {"path", "/workspace"}}, bob)["results"],
                  "file"),
            (Paths{"/workspace/data/notes/needle.md"}));
  EXPECT_EQ(files(Result("search", {{"query", "needle"}, {"path", "/workspace"}}, bob)["results"],
                  "path"),
            (Paths{"/workspace/data/notes/needle.md", "/workspace/data/notes/needle.md"}));
  EXPECT_EQ(ErrorCode("grep", {{"pattern", "needle"}, {"path", "/workspace/data/secret.txt"}}, bob),
            -32004);
}

NEXUS_INSTANTIATE_ENGINES(MountsHttpTest);

// A server started without a mount root refuses every local mount, and says how to allow one.
class MountRootsHttpTest : public HttpTest {};

TEST_P(MountRootsHttpTest, NoRootNoLocalMountsAndTheConfigFileSetsRoots) {
  test::TempDir host("nexus-host");
  const Json mount = {{"mount_point", "/workspace/data"},
                      {"backend_type", "local"},
                      {"backend_config", {{"data_dir", host.path()}}}};
  const Json refused = Rpc("add_mount", mount);
  EXPECT_EQ(refused["error"]["code"], -32005);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("--mount-root"), std::string::npos)
      << refused.dump();
  EXPECT_EQ(ErrorCode("save_mount", mount), -32005);

  EXPECT_EQ(server_->Stop(), 0) << server_->output();
  const std::string config = dir_.path() + "/nexus.yaml";
  ASSERT_TRUE(
      WriteFileAtomically(config, "mounts:\n  local_roots:\n    - " + host.path() + "\n", false)
          .ok());
  Start({"--config", config});
  EXPECT_EQ(Result("add_mount", mount), "/tenant:default/workspace/data");
}

NEXUS_INSTANTIATE_ENGINES(MountRootsHttpTest);

}  // namespace
}  // namespace nexus::e2e
