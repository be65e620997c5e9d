// The real `nexus serve` binary over loopback, on SQLite and on PostgreSQL: routes, the
// RPC envelope, authentication, CORS, gzip, 304, 401, 413, 503, restart and load.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/http_client.h"
#include "testing/postgres.h"
#include "testing/server_process.h"
#include "testing/temp_dir.h"
#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

class HttpApiTest : public HttpTest {};

TEST_P(HttpApiTest, HealthStatusAndUnknownRoutes) {
  test::ClientResponse r = test::Fetch(port(), "GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), (Json{{"status", "healthy"}, {"service", "nexus-rpc"}}));
  r = test::Fetch(port(), "GET", "/health/");
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(r.Header("Location"), "/health");
  r = test::Fetch(port(), "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not Found"})");
  r = test::Fetch(port(), "GET", "/api/nfs/read");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"detail":"Method Not Allowed"})");
  r = test::Fetch(port(), "GET", "/api/nfs/status");
  const Json status = Json::parse(r.body);
  EXPECT_EQ(status["status"], "running");
  EXPECT_NE(std::find(status["methods"].begin(), status["methods"].end(), "write"),
            status["methods"].end());
  r = test::Fetch(port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("nexus_http_requests_total"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("nexus_store_commits_total"), std::string::npos);
}

// The method name in the URL is the caller's choice: a metrics label made of it would let
// any caller add series without end. Unknown names, however the call fails, count as one.
TEST_P(HttpApiTest, MetricsLabelOnlyKnownMethods) {
  for (const char* name : {"zz_unknown_a", "zz_unknown_b"}) {
    for (const char* body : {"x", "[]", R"({"jsonrpc":"2.0","id":1,"method":"other"})", "{}"}) {
      test::Fetch(port(), "POST", std::string("/api/nfs/") + name, Auth(), body);
    }
  }
  test::Fetch(port(), "POST", "/api/nfs/read", Auth(), "x");
  const std::string metrics = test::Fetch(port(), "GET", "/metrics").body;
  EXPECT_EQ(metrics.find("zz_unknown"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(nexus_rpc_calls_total{method="unknown",outcome="-32700"})"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(nexus_rpc_calls_total{method="read",outcome="-32700"})"),
            std::string::npos)
      << metrics;
}

TEST_P(HttpApiTest, WhoamiAndAuthentication) {
  Json me = Json::parse(test::Fetch(port(), "GET", "/api/auth/whoami", Auth()).body);
  EXPECT_EQ(me, (Json{{"authenticated", true},
                      {"subject_type", "user"},
                      {"subject_id", "admin"},
                      {"tenant_id", "default"},
                      {"is_admin", true},
                      {"inherit_permissions", false},
                      {"user", "admin"}}));
  me = Json::parse(test::Fetch(port(), "GET", "/api/auth/whoami",
                               Auth("sk-wrong_key_00000000_000000000000000000000000"))
                       .body);
  EXPECT_EQ(me["authenticated"], false);
  for (const Headers& bad :
       {Headers{}, Auth("sk-wrong_key_00000000_000000000000000000000000"),
        Headers{{"Authorization", kAdminKey}}, Headers{{"Authorization", "bearer x"}}}) {
    const test::ClientResponse r = Post("list", "{}", bad);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, R"({"detail":"Invalid or missing API key"})");
  }
}

TEST_P(HttpApiTest, ProvisionedHomeAndKeyFile) {
  const Json files = Rpc("list", Json{{"path", "/tenant:default/user:admin"},
                                      {"recursive", false}})["result"]["files"];
  EXPECT_EQ(files.size(), 6u) << files.dump();
  // The key came from NEXUS_ADMIN_API_KEY, so it was created at first start and written.
  std::ifstream key_file(dir_.path() + "/admin-api-key");
  std::string key;
  key_file >> key;
  EXPECT_EQ(key, kAdminKey);
}

TEST_P(HttpApiTest, WriteReadAndConditionalRead) {
  Json w = Rpc("write",
               Json{{"path", "/tenant:default/user:admin/a.txt"}, {"content", Bytes("aGVsbG8=")}});
  ASSERT_TRUE(w.contains("result")) << w.dump();
  const test::ClientResponse r = Post(
      "read", R"({"jsonrpc":"2.0","id":7,"params":{"path":"/tenant:default/user:admin/a.txt"}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["result"], Bytes("aGVsbG8="));
  EXPECT_EQ(r.Header("Cache-Control"), "private, max-age=60");
  const std::string etag = r.Header("ETag");
  ASSERT_FALSE(etag.empty());
  Headers conditional = Auth();
  conditional.emplace_back("If-None-Match", etag);
  const test::ClientResponse again =
      Post("read", R"({"params":{"path":"/tenant:default/user:admin/a.txt"}})", conditional);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("ETag"), etag);
}

TEST_P(HttpApiTest, EveryFileMethodAnswersOverHttp) {
  const std::string home = "/tenant:default/user:admin";
  const std::string f = home + "/m/f.txt";
  const Json b = Bytes("eA==");
  const std::vector<std::pair<std::string, Json>> calls = {
      {"write", {{"path", f}, {"content", b}}},
      {"append", {{"path", f}, {"content", "y"}}},
      {"write_batch", {{"files", Json::array({Json::array({home + "/m/g.txt", b})})}}},
      {"read", {{"path", f}}},
      {"read_range", {{"path", f}, {"start", 0}, {"end", 1}}},
      {"read_bulk", {{"paths", {f}}}},
      {"exists", {{"path", f}}},
      {"is_directory", {{"path", home}}},
      {"get_metadata", {{"path", f}}},
      {"stat", {{"path", f}}},
      {"get_etag", {{"path", f}}},
      {"list", {{"path", home}, {"recursive", false}, {"details", true}}},
      {"glob", {{"pattern", "**/*.txt"}, {"path", home}}},
      {"grep", {{"pattern", "x"}, {"path", home}}},
      {"get_available_namespaces", Json::object()},
      {"list_versions", {{"path", f}}},
      {"get_version", {{"path", f}, {"version", 1}}},
      {"diff_versions", {{"path", f}, {"v1", 1}, {"v2", 2}, {"mode", "content"}}},
      {"rollback", {{"path", f}, {"version", 1}}},
      {"copy", {{"src_path", f}, {"dst_path", home + "/m/copy.txt"}}},
      {"rename", {{"old_path", home + "/m/copy.txt"}, {"new_path", home + "/m/moved.txt"}}},
      {"rename_bulk",
       {{"renames", Json::array({Json::array({home + "/m/moved.txt", home + "/m/moved2.txt"})})}}},
      {"mkdir", {{"path", home + "/m/d"}, {"parents", true}}},
      {"rmdir", {{"path", home + "/m/d"}}},
      {"delete", {{"path", home + "/m/moved2.txt"}}},
      {"delete_bulk", {{"paths", {home + "/m/g.txt"}}}},
  };
  for (const auto& [method, params] : calls) {
    const Json answer = Rpc(method, params);
    EXPECT_TRUE(answer.contains("result")) << method << ": " << answer.dump();
  }
}

TEST_P(HttpApiTest, BadInputGetsClearErrors) {
  EXPECT_EQ(Json::parse(Post("read", "{oops").body)["error"]["code"], -32700);
  EXPECT_EQ(Json::parse(Post("read", "[]").body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(Post("read", R"({"params":"x"})").body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(Post("read", R"({"method":"write"})").body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(Post("frobnicate", "{}").body)["error"]["code"], -32601);
  const Json bad_b64 = Json::parse(
      Post(
          "write",
          R"({"params":{"path":"/tenant:default/user:admin/b","content":{"__type__":"bytes","data":"@@"}}})")
          .body);
  EXPECT_EQ(bad_b64["error"]["code"], -32602);
  EXPECT_EQ(Rpc("exists", Json{{"path", "/tenant:default/user:admin/b"}})["result"]["exists"],
            false);
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(Json::parse(Post("read", deep).body)["error"]["code"], -32700);
}

TEST_P(HttpApiTest, NonAdminKeyIsConfinedToItsHome) {
  const Json created =
      Rpc("admin_create_key", Json{{"user_id", "alice"}, {"name", "alice"}})["result"];
  const std::string alice = created["api_key"];
  EXPECT_TRUE(
      Rpc("write", Json{{"path", "/tenant:default/user:alice/n.md"}, {"content", "x"}}, alice)
          .contains("result"));
  EXPECT_EQ(Rpc("write", Json{{"path", "/tenant:default/user:admin/n.md"}, {"content", "x"}},
                alice)["error"]["code"],
            -32004);
  EXPECT_EQ(Rpc("admin_list_keys", Json::object(), alice)["error"]["code"], -32004);
  // X-Agent-ID must name an agent of the key's user.
  Headers as_agent = Auth(alice);
  as_agent.emplace_back("X-Agent-ID", "bob,helper");
  const test::ClientResponse foreign = Post("list", "{}", as_agent);
  EXPECT_EQ(foreign.status, 200);
  EXPECT_EQ(Json::parse(foreign.body)["error"]["message"],
            "Permission denied: Agent bob,helper is not owned by alice");
  Rpc("admin_revoke_key", Json{{"key_id", created["key_id"]}});
  EXPECT_EQ(Post("list", "{}", Auth(alice)).status, 401) << "revocation takes effect at once";
}

TEST_P(HttpApiTest, TenantsHaveTheirOwnTrees) {
  // The provisioned key is the system administrator's: it alone creates keys in other tenants.
  const Json acme_admin = Rpc("admin_create_key", Json{{"user_id", "boss"},
                                                       {"name", "acme admin"},
                                                       {"tenant_id", "acme"},
                                                       {"is_admin", true}})["result"];
  ASSERT_TRUE(acme_admin.contains("api_key")) << acme_admin.dump();
  const std::string acme = acme_admin["api_key"];
  EXPECT_EQ(Rpc("admin_create_key", Json{{"user_id", "x"}, {"name", "x"}, {"tenant_id", "default"}},
                acme)["error"]["code"],
            -32004);

  // The same legacy path is a different file in each tenant.
  ASSERT_TRUE(Rpc("write", Json{{"path", "/workspace/plan.md"}, {"content", "default's"}})
                  .contains("result"));
  ASSERT_TRUE(Rpc("write", Json{{"path", "/workspace/plan.md"}, {"content", "acme's"}}, acme)
                  .contains("result"));
  EXPECT_EQ(Rpc("read", Json{{"path", "/workspace/plan.md"}})["result"], Bytes("ZGVmYXVsdCdz"));
  EXPECT_EQ(Rpc("read", Json{{"path", "/workspace/plan.md"}}, acme)["result"], Bytes("YWNtZSdz"));
  EXPECT_EQ(
      Rpc("list", Json{{"path", "/workspace"}, {"recursive", false}}, acme)["result"]["files"],
      (Json{"/workspace/plan.md"}));
  EXPECT_EQ(Rpc("read", Json{{"path", "/tenant:acme/workspace/plan.md"}}, acme)["result"],
            Bytes("YWNtZSdz"));

  // Nothing of one tenant is reachable from the other.
  EXPECT_EQ(Rpc("read", Json{{"path", "/tenant:default/workspace/plan.md"}}, acme)["error"]["code"],
            -32004);
  EXPECT_EQ(Rpc("list", Json{{"path", "/tenant:default"}}, acme)["error"]["code"], -32004);
  const std::string everything = Rpc("list", Json{{"path", "/"}, {"recursive", true}}, acme).dump();
  EXPECT_EQ(everything.find("tenant:default"), std::string::npos) << everything;
  EXPECT_EQ(Rpc("glob", Json{{"pattern", "**/*.md"}, {"path", "/"}}, acme)["result"]["matches"],
            (Json{"/workspace/plan.md"}));
  const std::string keys = Rpc("admin_list_keys", Json::object(), acme).dump();
  EXPECT_EQ(keys.find("\"default\""), std::string::npos) << keys;
  // System-wide content: everyone reads it, only the system administrator writes it.
  ASSERT_TRUE(Rpc("write", Json{{"path", "/skill/shared/SKILL.md"}, {"content", "# s"}})
                  .contains("result"));
  EXPECT_EQ(Rpc("read", Json{{"path", "/skill/shared/SKILL.md"}}, acme)["result"], Bytes("IyBz"));
  EXPECT_EQ(Rpc("write", Json{{"path", "/skill/shared/SKILL.md"}, {"content", "x"}},
                acme)["error"]["code"],
            -32004);
}

// Two tenants, each with an admin, a user and an agent. Every method that takes a path or
// lists something is tried across the boundary: each attempt is denied or comes back
// empty, and nothing of the other tenant's (names or content) appears in any answer.
TEST_P(HttpApiTest, TenantIsolationAcrossEveryMethod) {
  struct Party {
    std::string tenant, admin, user, agent;
  };
  auto key = [&](const Json& params) {
    const Json r = Rpc("admin_create_key", params)["result"];
    EXPECT_TRUE(r.contains("api_key")) << r.dump();
    return r.value("api_key", std::string());
  };
  std::map<std::string, Party> parties;
  for (const std::string& t : std::vector<std::string>{"alpha", "beta"}) {
    parties[t] = Party{
        t, key({{"user_id", t + "-boss"}, {"name", "a"}, {"tenant_id", t}, {"is_admin", true}}),
        key({{"user_id", t + "-user"}, {"name", "u"}, {"tenant_id", t}}),
        key({{"user_id", t + "-user"},
             {"name", "g"},
             {"tenant_id", t},
             {"subject_type", "agent"},
             {"subject_id", t + "-user,bot"}})};
    const Party& p = parties[t];
    const std::string home = "/tenant:" + t + "/user:" + t + "-user";
    ASSERT_TRUE(Rpc("write",
                    {{"path", home + "/secret-" + t + ".md"}, {"content", "classified-" + t}},
                    p.user)
                    .contains("result"));
    ASSERT_TRUE(
        Rpc("write", {{"path", "/workspace/plan-" + t + ".md"}, {"content", "plan-" + t}}, p.admin)
            .contains("result"));
    ASSERT_TRUE(
        Rpc("share_with_user",
            {{"resource", {"file", home + "/secret-" + t + ".md"}}, {"user_id", t + "-boss"}},
            p.user)
            .contains("result"));
  }
  for (const auto& [victim_name, victim] : parties) {
    const Party& attacker = parties[victim_name == "alpha" ? "beta" : "alpha"];
    const std::string t = victim.tenant;
    const std::string root = "/tenant:" + t;
    const std::string file = root + "/user:" + t + "-user/secret-" + t + ".md";
    const std::string plan = root + "/workspace/plan-" + t + ".md";
    const std::vector<std::pair<std::string, Json>> attempts = {
        {"read", {{"path", file}}},
        {"read", {{"path", plan}}},
        {"write", {{"path", file}, {"content", "x"}}},
        {"write", {{"path", root + "/new"}, {"content", "x"}}},
        {"append", {{"path", file}, {"content", "x"}}},
        {"delete", {{"path", file}}},
        {"rename", {{"old_path", file}, {"new_path", "/workspace/stolen"}}},
        {"copy", {{"src_path", file}, {"dst_path", "/workspace/stolen"}}},
        {"mkdir", {{"path", root + "/d"}, {"parents", true}}},
        {"rmdir", {{"path", root + "/workspace"}, {"recursive", true}}},
        {"exists", {{"path", file}}},
        {"is_directory", {{"path", root}}},
        {"get_metadata", {{"path", file}}},
        {"stat", {{"path", file}}},
        {"get_etag", {{"path", file}}},
        {"list", {{"path", root}, {"recursive", true}}},
        {"list", {{"path", "/"}, {"recursive", true}}},
        {"list", {{"path", "/workspace"}, {"recursive", true}}},
        {"glob", {{"pattern", "**/*.md"}, {"path", "/"}}},
        {"glob", {{"pattern", root + "/**"}}},
        {"grep", {{"pattern", "classified|plan"}, {"path", "/"}}},
        {"grep", {{"pattern", "classified"}, {"path", root}}},
        {"read_range", {{"path", file}, {"start", 0}, {"end", 5}}},
        {"read_bulk", {{"paths", {file, plan}}}},
        {"list_versions", {{"path", file}}},
        {"get_version", {{"path", file}, {"version", 1}}},
        {"rollback", {{"path", file}, {"version", 1}}},
        {"diff_versions", {{"path", file}, {"v1", 1}, {"v2", 1}}},
        {"delete_bulk", {{"paths", {file}}}},
        {"rebac_check",
         {{"subject", {"user", t + "-user"}},
          {"permission", "read"},
          {"object", {"file", file}},
          {"tenant_id", t}}},
        {"rebac_list_tuples", Json::object()},
        {"rebac_create",
         {{"subject", {"user", "x"}}, {"relation", "direct_owner"}, {"object", {"file", file}}}},
        {"share_with_user", {{"resource", {"file", file}}, {"user_id", "x"}}},
        {"list_outgoing_shares", Json::object()},
        {"list_incoming_shares", {{"user_id", t + "-boss"}}},
        {"admin_list_keys", Json::object()},
        {"admin_list_keys", {{"tenant_id", t}}},
    };
    for (const std::string& who :
         std::vector<std::string>{attacker.admin, attacker.user, attacker.agent}) {
      for (const auto& [method, params] : attempts) {
        const Json answer = Rpc(method, params, who);
        const std::string text = answer.dump();
        const bool denied = answer.contains("error") && answer["error"]["code"] == -32004;
        EXPECT_TRUE(denied || !answer.contains("error"))
            << method << " " << params.dump() << ": " << text;
        // The victim's content, and names the attacker did not send, never come back.
        for (const std::string& secret : std::vector<std::string>{"classified-" + t, "plan-" + t,
                                                                  "Y2xhc3NpZmllZC", "cGxhbi1"}) {
          const std::string sent = params.dump();
          if (sent.find(secret) != std::string::npos) continue;
          EXPECT_EQ(text.find(secret), std::string::npos)
              << method << " " << sent << " leaked " << secret << ": " << text;
        }
        if (!denied && method != "read_bulk" && method != "delete_bulk") {
          EXPECT_EQ(text.find(t + "-user"), std::string::npos) << method << ": " << text;
        }
      }
    }
    // The victim's data is intact.
    EXPECT_EQ(Rpc("read", {{"path", file}}, victim.user)["result"],
              Bytes(t == "alpha" ? "Y2xhc3NpZmllZC1hbHBoYQ==" : "Y2xhc3NpZmllZC1iZXRh"));
  }
}

TEST_P(HttpApiTest, GrantAndRevokeAreSeenByTheNextRequestOnAnotherConnection) {
  const std::string alice =
      Rpc("admin_create_key", {{"user_id", "alice"}, {"name", "a"}})["result"]["api_key"];
  const std::string bob =
      Rpc("admin_create_key", {{"user_id", "bob"}, {"name", "b"}})["result"]["api_key"];
  const std::string file = "/tenant:default/user:bob/notes.md";
  ASSERT_TRUE(Rpc("write", {{"path", file}, {"content", "n"}}, bob).contains("result"));
  // Bob's connection grants and revokes; alice's keep-alive connection reads right after.
  test::TestHttpClient bob_conn(port());
  test::TestHttpClient alice_conn(port());
  auto call = [](test::TestHttpClient& conn, const std::string& key, const std::string& method,
                 const Json& params) {
    const auto r =
        conn.Request("POST", "/api/nfs/" + method, Auth(key), Json{{"params", params}}.dump());
    return r ? Json::parse(r->body) : Json();
  };
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(
        call(bob_conn, bob, "share_with_user", {{"resource", {"file", file}}, {"user_id", "alice"}})
            .contains("result"));
    EXPECT_EQ(call(alice_conn, alice, "read", {{"path", file}})["result"], Bytes("bg=="))
        << "round " << round;
    ASSERT_EQ(call(bob_conn, bob, "revoke_share",
                   {{"resource", {"file", file}}, {"user_id", "alice"}})["result"],
              true);
    EXPECT_EQ(call(alice_conn, alice, "read", {{"path", file}})["error"]["code"], -32004)
        << "round " << round;
  }
}

// Code in a sandbox reaches Nexus only through the socket bound in by sandbox_connect, with
// the caller's own rights; the network stays closed.
TEST_P(HttpApiTest, SandboxReachesNexusThroughItsSocketWithTheCallersRights) {
  const std::string alice =
      Rpc("admin_create_key", {{"user_id", "alice"}, {"name", "a"}})["result"]["api_key"];
  ASSERT_TRUE(Rpc("write", {{"path", "/tenant:acme/secret.txt"}, {"content", "acme only"}})
                  .contains("result"));
  const Json box = Rpc("sandbox_get_or_create", {{"name", "alice,bot"}, {"provider", "docker"}},
                       alice)["result"];
  ASSERT_TRUE(box.contains("sandbox_id")) << box.dump();
  EXPECT_EQ(box["provider"], "bubblewrap");
  const std::string id = box["sandbox_id"];
  const std::string client = R"py(
import json, os, socket
def call(method, params):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["NEXUS_SOCKET"])
    body = json.dumps({"params": params}).encode()
    head = "POST /api/nfs/%s HTTP/1.1\r\nHost: nexus\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (method, os.environ["NEXUS_API_KEY"], len(body))
    s.sendall(head.encode() + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data.split(b"\r\n\r\n", 1)[1])
own = call("write", {"path": "/tenant:default/user:alice/from-sandbox.txt", "content": "hi"})
other = call("read", {"path": "/tenant:acme/secret.txt"})
print(json.dumps(["result" in own, other.get("error", {}).get("code")]))
)py";
  // Before connecting there is no socket and no key inside.
  Json run = Rpc("sandbox_run", {{"sandbox_id", id}, {"language", "python"}, {"code", client}},
                 alice)["result"];
  EXPECT_NE(run["exit_code"], 0) << run.dump();
  const Json connected =
      Rpc("sandbox_connect", {{"sandbox_id", id}, {"nexus_api_key", alice}}, alice);
  ASSERT_TRUE(connected.contains("result")) << connected.dump();
  run = Rpc("sandbox_run", {{"sandbox_id", id}, {"language", "python"}, {"code", client}},
            alice)["result"];
  EXPECT_EQ(run["stdout"], "[true, -32004]\n") << run.dump();
  EXPECT_EQ(Rpc("read", {{"path", "/tenant:default/user:alice/from-sandbox.txt"}}, alice)["result"],
            Bytes("aGk="));
  // The network is closed even to this very server.
  const std::string dial =
      "import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(('127.0.0.1', " +
      std::to_string(port()) + "))\nprint('connected')";
  run = Rpc("sandbox_run", {{"sandbox_id", id}, {"language", "python"}, {"code", dial}},
            alice)["result"];
  EXPECT_NE(run["exit_code"], 0) << run.dump();
  EXPECT_EQ(run["stdout"], "");
  // Another user cannot touch the sandbox; it looks like no sandbox at all.
  const std::string bob =
      Rpc("admin_create_key", {{"user_id", "bob"}, {"name", "b"}})["result"]["api_key"];
  EXPECT_EQ(Rpc("sandbox_run", {{"sandbox_id", id}, {"language", "bash"}, {"code", "true"}},
                bob)["error"]["code"],
            -32000);
  ASSERT_TRUE(Rpc("sandbox_disconnect", {{"sandbox_id", id}}, alice).contains("result"));
  run = Rpc("sandbox_run", {{"sandbox_id", id}, {"language", "python"}, {"code", client}},
            alice)["result"];
  EXPECT_NE(run["exit_code"], 0) << "disconnected again";
}

TEST_P(HttpApiTest, AgentsRegisterListAuthenticateAndGo) {
  const Json agent = Rpc("register_agent", {{"agent_id", "admin,UntrustedAgent"},
                                            {"name", "Untrusted"},
                                            {"description", "d"},
                                            {"generate_api_key", true},
                                            {"metadata", {{"platform", "langgraph"}}}})["result"];
  ASSERT_TRUE(agent.contains("api_key")) << agent.dump();
  EXPECT_EQ(agent["config_path"], "/tenant:default/user:admin/agent/UntrustedAgent/config.yaml");
  EXPECT_EQ(agent["metadata"], (Json{{"description", "d"}}));
  ASSERT_TRUE(Rpc("register_agent", {{"agent_id", "admin,ImpersonatedUser"}, {"name", "Twin"}})
                  .contains("result"));
  const Json listed = Rpc("list_agents", Json::object())["result"];
  ASSERT_EQ(listed.size(), 2u) << listed.dump();
  const std::string key = agent["api_key"];
  const Json me = Json::parse(test::Fetch(port(), "GET", "/api/auth/whoami", Auth(key)).body);
  EXPECT_EQ(me["subject_type"], "agent");
  EXPECT_EQ(me["subject_id"], "admin,UntrustedAgent");
  EXPECT_EQ(Rpc("get_agent", {{"agent_id", "admin,UntrustedAgent"}})["result"]["metadata"],
            (Json{{"platform", "langgraph"}}));
  // Another user of the tenant sees none of them.
  const std::string carol =
      Rpc("admin_create_key", {{"user_id", "carol"}, {"name", "c"}})["result"]["api_key"];
  EXPECT_EQ(Rpc("list_agents", Json::object(), carol)["result"], Json::array());
  EXPECT_EQ(Rpc("get_agent", {{"agent_id", "admin,UntrustedAgent"}}, carol)["result"], nullptr);
  EXPECT_EQ(ErrorCode("update_agent", {{"agent_id", "admin,UntrustedAgent"}, {"description", "x"}},
                      carol),
            -32000);
  EXPECT_EQ(ErrorCode("register_agent", {{"agent_id", "admin,ImpersonatedUser"}, {"name", "T"}}),
            -32001);
  const Json updated = Result("update_agent", {{"agent_id", "admin,ImpersonatedUser"},
                                               {"description", "Digital twin"},
                                               {"metadata", {{"platform", "langgraph"}}}});
  EXPECT_EQ(updated["description"], "Digital twin");
  EXPECT_EQ(updated["name"], "Twin");
  EXPECT_EQ(updated["metadata"], (Json{{"platform", "langgraph"}}));
  EXPECT_EQ(updated["config_path"],
            "/tenant:default/user:admin/agent/ImpersonatedUser/config.yaml");
  EXPECT_EQ(Rpc("delete_agent", {{"agent_id", "admin,UntrustedAgent"}})["result"], true);
  EXPECT_EQ(Post("list", "{}", Auth(key)).status, 401) << "the agent's key went with it";
}

// X-Agent-ID acts as an agent only when it names a registered agent of the key's user: one
// never registered, or deleted, is refused as another user's is (-32004), and nothing runs.
TEST_P(HttpApiTest, AgentHeaderNeedsARegisteredAgent) {
  const std::string alice = NewUserKey("alice");
  const auto as = [&](const std::string& agent) {
    Headers headers = Auth(alice);
    headers.emplace_back("X-Agent-ID", agent);
    return headers;
  };
  const std::string path = "/tenant:default/user:alice/by-agent.txt";
  const auto write_as = [&](const std::string& agent) {
    const test::ClientResponse r = Post("write",
                                        Json{{"jsonrpc", "2.0"},
                                             {"id", 7},
                                             {"method", "write"},
                                             {"params", {{"path", path}, {"content", "x"}}}}
                                            .dump(),
                                        as(agent));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Json::parse(r.body) : Json();
  };

  const Json never = write_as("alice,ghost");
  EXPECT_EQ(never["id"], 7);
  EXPECT_EQ(never["error"]["code"], -32004);
  EXPECT_EQ(never["error"]["message"], "Permission denied: Agent alice,ghost is not registered");
  EXPECT_FALSE(Result("exists", {{"path", path}})["exists"]) << "the refused write did not run";
  EXPECT_EQ(test::Fetch(port(), "GET", "/api/subscriptions", as("alice,ghost")).status, 403)
      << "the REST routes refuse with their HTTP status";

  ASSERT_TRUE(Rpc("register_agent", {{"agent_id", "alice,ghost"}, {"name", "Ghost"}}, alice)
                  .contains("result"));
  EXPECT_TRUE(write_as("alice,ghost").contains("result")) << "usable as soon as registered";
  EXPECT_EQ(test::Fetch(port(), "GET", "/api/subscriptions", as("alice,ghost")).status, 200);

  ASSERT_EQ(Rpc("delete_agent", {{"agent_id", "alice,ghost"}}, alice)["result"], true);
  const Json deleted = write_as("alice,ghost");
  EXPECT_EQ(deleted["error"]["code"], -32004) << "refused at once, though just used";
  EXPECT_EQ(test::Fetch(port(), "GET", "/api/subscriptions", as("alice,ghost")).status, 403);
  EXPECT_TRUE(Rpc("list", {{"path", "/tenant:default/user:alice"}}, alice).contains("result"))
      << "the key itself still works";
}

TEST_P(HttpApiTest, CorsPreflightAndSimpleRequests) {
  test::ClientResponse r =
      test::Fetch(port(), "OPTIONS", "/api/nfs/list",
                  {{"Origin", "http://localhost:5173"},
                   {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "authorization,content-type"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK");
  EXPECT_EQ(r.Header("access-control-allow-origin"), "http://localhost:5173");
  EXPECT_EQ(r.Header("access-control-allow-headers"), "authorization,content-type");
  EXPECT_EQ(r.Header("access-control-allow-methods"),
            "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  EXPECT_EQ(r.Header("access-control-max-age"), "600");
  r = test::Fetch(port(), "GET", "/health", {{"Origin", "http://localhost:5173"}});
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(r.Header("access-control-allow-credentials"), "true");
}

TEST_P(HttpApiTest, LargeAnswersAreGzippedWhenAccepted) {
  for (int i = 0; i < 40; ++i) {
    Rpc("write",
        Json{{"path", "/tenant:default/user:admin/g/file-with-a-long-name-" + std::to_string(i)},
             {"content", "x"}});
  }
  const std::string body =
      R"({"params":{"path":"/tenant:default/user:admin/g","recursive":false,"details":true}})";
  Headers gzip = Auth();
  gzip.emplace_back("Accept-Encoding", "gzip");
  const test::ClientResponse zipped = Post("list", body, gzip);
  EXPECT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
  const test::ClientResponse plain = Post("list", body);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(Json::parse(plain.body)["result"]["files"].size(), 40u);
  EXPECT_LT(zipped.body.size(), plain.body.size());
}

TEST_P(HttpApiTest, OversizeBodyIs413) {
  server_.reset();
  Start({"--max-body-bytes", "4096"});
  const test::ClientResponse r = Post("write", std::string(8192, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200) << "the server keeps serving";
}

TEST_P(HttpApiTest, FullQueueAnswers503WithRetryAfter) {
  server_.reset();
  Start({"--workers", "1", "--max-queue", "1"});
  std::atomic<int> busy{0}, ok{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const Json params{{"path", "/tenant:default/user:admin/q/" + std::to_string(t)},
                          {"content", std::string(1000, 'q')}};
        const test::ClientResponse r =
            test::Fetch(port(), "POST", "/api/nfs/write", Auth(), Json{{"params", params}}.dump());
        if (r.status == 503 && r.Header("Retry-After") == "1") {
          busy++;
        } else if (r.status == 200) {
          ok++;
        } else {
          other++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(busy.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(other.load(), 0);
}

TEST_P(HttpApiTest, RestartKeepsFilesVersionsAndKeys) {
  const std::string path = "/tenant:default/user:admin/keep.txt";
  Rpc("write", Json{{"path", path}, {"content", "one"}});
  Rpc("write", Json{{"path", path}, {"content", "two"}});
  const std::string key =
      Rpc("admin_create_key", Json{{"user_id", "carol"}, {"name", "c"}})["result"]["api_key"];
  EXPECT_EQ(server_->Stop(), 0) << server_->output();
  Start();
  EXPECT_EQ(Rpc("read", Json{{"path", path}})["result"], Bytes("dHdv"));
  EXPECT_EQ(Rpc("list_versions", Json{{"path", path}})["result"].size(), 2u);
  const Json carol = Json::parse(test::Fetch(port(), "GET", "/api/auth/whoami", Auth(key)).body);
  EXPECT_EQ(carol["subject_id"], "carol");
}

TEST_P(HttpApiTest, SixtyFourConnectionsOfMixedCallsForTenSeconds) {
  std::atomic<int> server_errors{0}, transport_errors{0}, internal_errors{0}, calls{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      test::TestHttpClient conn(port());
      const std::string dir = "/tenant:default/user:admin/load/" + std::to_string(t % 8);
      for (int i = 0; !stop; ++i) {
        const std::string path = dir + "/f" + std::to_string(i % 5);
        Json call;
        switch (i % 6) {
          case 0:
            call = {{"method", "write"},
                    {"params", {{"path", path}, {"content", "v" + std::to_string(i)}}}};
            break;
          case 1:
            call = {{"method", "read"}, {"params", {{"path", path}}}};
            break;
          case 2:
            call = {{"method", "list"},
                    {"params", {{"path", dir}, {"recursive", false}, {"details", true}}}};
            break;
          case 3:
            call = {{"method", "append"}, {"params", {{"path", path}, {"content", "+"}}}};
            break;
          case 4:
            call = {{"method", "exists"}, {"params", {{"path", path}}}};
            break;
          default:
            call = {{"method", "delete"}, {"params", {{"path", path}}}};
            break;
        }
        const std::string method = call["method"];
        const test::ClientResponse r =
            conn.Request("POST", "/api/nfs/" + method, Auth(), call.dump())
                .value_or(test::ClientResponse{});
        calls++;
        if (r.status == 0) {
          transport_errors++;
        } else if (r.status >= 500) {
          server_errors++;
        } else if (r.body.find("-32603") != std::string::npos) {
          internal_errors++;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(10));
  stop = true;
  for (auto& t : threads) t.join();
  RecordProperty("calls", calls.load());
  std::printf("64 connections, 10 s: %d calls\n", calls.load());
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(server_errors.load(), 0);
  EXPECT_EQ(transport_errors.load(), 0);
  EXPECT_EQ(internal_errors.load(), 0);
  EXPECT_EQ(server_->Stop(), 0) << "SIGTERM drains and exits cleanly";
  EXPECT_EQ(Fsck(), 0) << "the store passes its integrity check";
}

TEST_P(HttpApiTest, MalformedHttpIsRefusedAndTheServerStaysUp) {
  test::TestHttpClient garbage(port());
  ASSERT_TRUE(garbage.Send("NONSENSE\r\n\r\n"));
  const std::optional<test::ClientResponse> refused = garbage.ReadResponse();
  EXPECT_TRUE(!refused || refused->status == 400) << refused->status;
  EXPECT_TRUE(garbage.WaitForClose(std::chrono::seconds(5)));
  test::TestHttpClient truncated(port());
  ASSERT_TRUE(
      truncated.Send("POST /api/nfs/list HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
  EXPECT_FALSE(truncated.ReadResponse(false, std::chrono::milliseconds(500)).has_value());
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200);
}

NEXUS_INSTANTIATE_ENGINES(HttpApiTest);

}  // namespace
}  // namespace nexus::e2e
