// The JSON-RPC envelope and the file methods through the dispatcher, without HTTP.
#include "rpc/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>

#include "auth/key_store.h"
#include "rebac/rebac.h"
#include "rpc/wire_json.h"
#include "services/permission_hooks.h"
#include "testing/test_store.h"
#include "vfs/path_tree.h"

namespace nexus::rpc {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(test::EngineKind::kSqlite);
    rebac_ = std::make_unique<rebac::Rebac>(*store_.engine);
    tree_ = std::make_unique<vfs::PathTree>(*store_.engine, *store_.blobs,
                                            services::PermissionHooks(*rebac_));
    keys_ = std::make_unique<auth::KeyStore>(*store_.engine);
    dispatcher_ = std::make_unique<Dispatcher>(
        session::Services{store_.engine.get(), tree_.get(), keys_.get(), rebac_.get()});
    admin_.subject_type = "user";
    admin_.subject_id = admin_.user_id = "admin";
    admin_.tenant_id = "default";
    admin_.is_admin = true;
    alice_ = admin_;
    alice_.subject_id = alice_.user_id = "alice";
    alice_.is_admin = false;
  }

  RpcResponse Raw(const std::string& method, const std::string& body,
                  const auth::Identity* who = nullptr, const std::string& if_none_match = "") {
    return dispatcher_->Handle(RpcRequest{method, body, if_none_match, who ? who : &admin_});
  }

  Json Call(const std::string& method, const Json& params, const auth::Identity* who = nullptr) {
    const RpcResponse r = Raw(
        method, Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump(),
        who);
    EXPECT_EQ(r.http_status, 200);
    return Json::parse(r.body);
  }

  static Json Bytes(const std::string& s) { return Json{{"__type__", "bytes"}, {"data", s}}; }

  test::TestStore store_;
  std::unique_ptr<rebac::Rebac> rebac_;
  std::unique_ptr<vfs::PathTree> tree_;
  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<Dispatcher> dispatcher_;
  auth::Identity admin_, alice_;
};

TEST_F(DispatcherTest, EnvelopeErrors) {
  EXPECT_EQ(Json::parse(Raw("read", "{not json").body)["error"]["code"], -32700);
  EXPECT_EQ(Json::parse(Raw("read", "[1,2]").body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(Raw("read", R"({"params":[1]})").body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(Raw("read", R"({"id":{"x":1}})").body)["error"]["code"], -32600);
  const Json mismatch = Json::parse(Raw("read", R"({"id":9,"method":"write","params":{}})").body);
  EXPECT_EQ(mismatch["error"]["code"], -32600);
  EXPECT_EQ(mismatch["error"]["message"], "Method mismatch: URL=read, body=write");
  EXPECT_EQ(mismatch["id"], 9);
  const Json unknown = Json::parse(Raw("no_such_method", R"({"id":"abc"})").body);
  EXPECT_EQ(unknown["error"]["code"], -32601);
  EXPECT_EQ(unknown["id"], "abc") << "ids are echoed in errors too";
}

// Found by the rpc_request fuzz target: a number too large for a double escaped the parser as
// an exception instead of a parse error.
TEST_F(DispatcherTest, NumberOverflowIsAParseError) {
  const Json r = Json::parse(Raw("read", R"({"id":1,"params":{"path":1e400}})").body);
  EXPECT_EQ(r["error"]["code"], -32700);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("number overflow"), std::string::npos);
}

TEST_F(DispatcherTest, RejectDecodesWithoutRunning) {
  const Dispatcher bare{session::Services{}};  // Reject needs no services: nothing may run
  const auto reject = [&bare](const std::string& body) {
    return bare.Reject(RpcRequest{"read", body, "", nullptr});
  };
  const auto deep =
      reject(R"({"params":)" + std::string(100000, '[') + std::string(100000, ']') + "}");
  ASSERT_TRUE(deep.has_value());
  EXPECT_EQ(Json::parse(deep->body)["error"]["code"], -32700);
  const auto unknown = reject(R"({"id":7,"params":{"bogus":1}})");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->outcome, "-32602");
  EXPECT_EQ(Json::parse(unknown->body)["id"], 7);
  EXPECT_FALSE(reject(R"({"params":{"path":"/a"}})").has_value());
  EXPECT_FALSE(*tree_->Exists("/a"));
}

// A refused request (X-Agent-ID naming an agent the key may not act as) is answered with the
// refusal once its envelope decodes, and its method does not run.
TEST_F(DispatcherTest, RefusedRequestsRunNothing) {
  const auto refused = [&](const std::string& body) {
    return Json::parse(dispatcher_
                           ->Handle(RpcRequest{"write", body, "", &admin_,
                                               PermissionDenied("Agent admin,x is not registered")})
                           .body);
  };
  const Json r = refused(R"({"id":3,"params":{"path":"/a","content":"x"}})");
  EXPECT_EQ(r["id"], 3);
  EXPECT_EQ(r["error"]["code"], -32004);
  EXPECT_EQ(r["error"]["message"], "Permission denied: Agent admin,x is not registered");
  EXPECT_FALSE(*tree_->Exists("/tenant:default/a"));
  EXPECT_EQ(refused("{oops")["error"]["code"], -32700) << "the envelope's errors come first";
}

TEST_F(DispatcherTest, ParameterErrorsNameTheKey) {
  Json r = Call("read", Json{{"path", "/a"}, {"bogus", true}});
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("'bogus'"), std::string::npos);
  r = Call("read", Json::object());
  EXPECT_NE(r["error"]["message"].get<std::string>().find("'path'"), std::string::npos);
  r = Call("write", Json{{"path", "/a"}, {"content", Bytes("!!!")}});
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_FALSE(*tree_->Exists("/a")) << "a rejected call stores nothing";
}

TEST_F(DispatcherTest, EmptyBodyIsAnEmptyObject) {
  const Json r = Json::parse(Raw("get_available_namespaces", "").body);
  EXPECT_EQ(r["result"]["namespaces"],
            (Json{"archives", "external", "shared", "system", "workspace"}));
}

TEST_F(DispatcherTest, WriteThenReadRoundTrip) {
  Json w = Call("write", Json{{"path", "/t/hello.txt"}, {"content", Bytes("aGVsbG8=")}});
  ASSERT_TRUE(w.contains("result")) << w.dump();
  const Json meta = w["result"]["bytes_written"];
  EXPECT_EQ(meta["version"], 1);
  EXPECT_EQ(meta["size"], 5);
  EXPECT_EQ(meta["modified_at"]["__type__"], "datetime");
  EXPECT_EQ(w["id"], 1);
  Json r = Call("read", Json{{"path", "/t/hello.txt"}});
  EXPECT_EQ(r["result"], Bytes("aGVsbG8="));
  r = Call("read", Json{{"path", "/t/hello.txt"}, {"return_metadata", true}});
  EXPECT_EQ(r["result"]["content"], Bytes("aGVsbG8="));
  EXPECT_EQ(r["result"]["etag"], meta["etag"]);
  // Plain strings are accepted as content (UTF-8).
  w = Call("write", Json{{"path", "/t/plain.txt"}, {"content", "héllo"}});
  ASSERT_TRUE(w.contains("result"));
  EXPECT_EQ(w["result"]["bytes_written"]["size"], 6);
}

TEST_F(DispatcherTest, ReadSetsETagAndAnswers304) {
  Call("write", Json{{"path", "/e.txt"}, {"content", "x"}});
  const RpcResponse first = Raw("read", R"({"params":{"path":"/e.txt"}})");
  std::string etag;
  for (const auto& [k, v] : first.headers) {
    if (k == "ETag") etag = v;
  }
  ASSERT_EQ(etag.size(), 66u);
  const RpcResponse second =
      Raw("read", R"({"params":{"path":"/e.txt"}})", nullptr, etag.substr(1, 64));
  EXPECT_EQ(second.http_status, 304);
  EXPECT_TRUE(second.body.empty());
  const RpcResponse stale = Raw("read", R"({"params":{"path":"/e.txt"}})", nullptr, "0000");
  EXPECT_EQ(stale.http_status, 200);
}

TEST_F(DispatcherTest, ErrorCodesFollowTheSpec) {
  EXPECT_EQ(Call("read", Json{{"path", "/missing"}})["error"]["code"], -32000);
  EXPECT_EQ(Call("read", Json{{"path", "/a/../b"}})["error"]["code"], -32002);
  Call("write", Json{{"path", "/c.txt"}, {"content", "1"}});
  const Json conflict =
      Call("write", Json{{"path", "/c.txt"}, {"content", "2"}, {"if_match", "deadbeef"}});
  EXPECT_EQ(conflict["error"]["code"], -32006);
  EXPECT_EQ(conflict["error"]["data"]["expected_etag"], "deadbeef");
  // Errors name the stored path: the file's full name in the one tree.
  EXPECT_EQ(conflict["error"]["data"]["path"], "/tenant:default/c.txt");
  EXPECT_EQ(
      Call("write",
           Json{{"path", "/c.txt"}, {"content", "3"}, {"if_none_match", true}})["error"]["code"],
      -32001);
  EXPECT_EQ(Call("grep", Json{{"pattern", "(unclosed"}})["error"]["code"], -32602);
  Call("mkdir", Json{{"path", "/d/e"}, {"parents", true}});
  EXPECT_EQ(Call("rmdir", Json{{"path", "/d"}})["error"]["code"], -32005);
}

TEST_F(DispatcherTest, ResultShapesOfTheFileMethods) {
  Call("write", Json{{"path", "/s/a.md"}, {"content", "# a"}});
  EXPECT_EQ(Call("exists", Json{{"path", "/s/a.md"}})["result"], (Json{{"exists", true}}));
  EXPECT_EQ(Call("exists", Json{{"path", "/s/../x"}})["result"], (Json{{"exists", false}}));
  EXPECT_EQ(Call("is_directory", Json{{"path", "/s"}})["result"], (Json{{"is_directory", true}}));
  EXPECT_EQ(Call("list", Json{{"path", "/s"}, {"recursive", false}})["result"],
            (Json{{"files", {"/s/a.md"}}}));
  const Json details =
      Call("list", Json{{"path", "/"}, {"recursive", false}, {"details", true}})["result"]["files"];
  // The root shows the tenant's own tree and, at the top, its legacy namespaces.
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0]["path"], "/s");
  EXPECT_EQ(details[1]["path"], "/tenant:default");
  EXPECT_EQ(details[0]["is_directory"], true);
  EXPECT_EQ(details[0]["etag"], nullptr);
  EXPECT_EQ(Call("list", Json{{"path", "/tenant:default"}, {"recursive", true}})["result"],
            (Json{{"files", {"/tenant:default/s", "/tenant:default/s/a.md"}}}));
  EXPECT_EQ(Call("list", Json{{"path", "/nowhere"}})["result"], (Json{{"files", Json::array()}}));
  EXPECT_EQ(Call("glob", Json{{"pattern", "*.md"}, {"path", "/s"}})["result"],
            (Json{{"matches", {"/s/a.md"}}}));
  const Json grep = Call("grep", Json{{"pattern", "a"}, {"path", "/s"}})["result"]["results"];
  ASSERT_EQ(grep.size(), 1u);
  EXPECT_EQ(grep[0], (Json{{"file", "/s/a.md"}, {"line", 1}, {"content", "# a"}, {"match", "a"}}));
  const Json meta = Call("get_metadata", Json{{"path", "/s/a.md"}})["result"]["metadata"];
  EXPECT_EQ(meta["mime_type"], "text/markdown");
  EXPECT_EQ(meta["mode"], 420);
  EXPECT_EQ(Call("get_metadata", Json{{"path", "/s"}})["result"]["metadata"]["mode"], 493);
  EXPECT_EQ(Call("get_metadata", Json{{"path", "/none"}})["result"], (Json{{"metadata", nullptr}}));
  EXPECT_EQ(Call("get_etag", Json{{"path", "/s/a.md"}})["result"]["etag"].get<std::string>().size(),
            64u);
  const Json stat = Call("stat", Json{{"path", "/s/a.md"}})["result"];
  EXPECT_EQ(stat["size"], 3);
  EXPECT_EQ(stat["is_directory"], false);
  EXPECT_EQ(Call("read_range", Json{{"path", "/s/a.md"}, {"start", 2}, {"end", 10}})["result"],
            Bytes("YQ=="));
  EXPECT_EQ(
      Call("read_range", Json{{"path", "/s/a.md"}, {"start", 2}, {"end", 1}})["error"]["code"],
      -32602);
  const Json bulk = Call("read_bulk", Json{{"paths", {"/s/a.md", "/none"}}})["result"];
  EXPECT_EQ(bulk["/s/a.md"], Bytes("IyBh"));
  EXPECT_EQ(bulk["/none"], nullptr);
  const Json batch =
      Call("write_batch", Json{{"files", Json::array({Json::array({"/b/1", Bytes("MQ==")}),
                                                      Json::array({"/b/2", "2"})})}})["result"];
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1]["size"], 1);
  EXPECT_EQ(Call("copy", Json{{"src_path", "/b/1"}, {"dst_path", "/b/3"}})["result"],
            (Json{{"copied", true}}));
  EXPECT_EQ(Call("rename", Json{{"old_path", "/b/3"}, {"new_path", "/b/4"}})["result"],
            (Json{{"renamed", true}}));
  const Json renames =
      Call("rename_bulk", Json{{"renames", Json::array({Json::array({"/b/4", "/b/5"}),
                                                        Json::array({"/none", "/x"})})}})["result"];
  EXPECT_EQ(renames["/b/4"], (Json{{"success", true}, {"new_path", "/b/5"}}));
  EXPECT_EQ(renames["/none"]["success"], false);
  const Json deleted = Call("delete_bulk", Json{{"paths", {"/b/5", "/none"}}})["result"];
  EXPECT_EQ(deleted["/b/5"], (Json{{"success", true}}));
  EXPECT_EQ(deleted["/none"]["success"], false);
  EXPECT_EQ(Call("append", Json{{"path", "/b/1"}, {"content", "+"}})["result"]["version"], 2);
  EXPECT_EQ(Call("delete", Json{{"path", "/b/1"}})["result"], (Json{{"deleted", true}}));
  EXPECT_EQ(Call("mkdir", Json{{"path", "/m"}})["result"], (Json{{"created", true}}));
  EXPECT_EQ(Call("rmdir", Json{{"path", "/m"}})["result"], (Json{{"removed", true}}));
}

TEST_F(DispatcherTest, VersionMethods) {
  Call("write", Json{{"path", "/v.txt"}, {"content", "a\n"}});
  Call("write", Json{{"path", "/v.txt"}, {"content", "b\n"}});
  const Json versions = Call("list_versions", Json{{"path", "/v.txt"}})["result"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]["version"], 2);
  EXPECT_EQ(versions[0]["created_at"]["__type__"], "datetime");
  EXPECT_EQ(Call("get_version", Json{{"path", "/v.txt"}, {"version", 1}})["result"], Bytes("YQo="));
  const Json meta = Call("diff_versions", Json{{"path", "/v.txt"}, {"v1", 1}, {"v2", 2}})["result"];
  EXPECT_EQ(meta["content_changed"], true);
  EXPECT_EQ(meta["size_delta"], 0);
  const Json text =
      Call("diff_versions",
           Json{{"path", "/v.txt"}, {"v1", 1}, {"v2", 2}, {"mode", "content"}})["result"];
  EXPECT_NE(text.get<std::string>().find("-a"), std::string::npos);
  EXPECT_EQ(Call("diff_versions",
                 Json{{"path", "/v.txt"}, {"v1", 1}, {"v2", 1}, {"mode", "content"}})["result"],
            "(no content changes)");
  EXPECT_EQ(Call("diff_versions",
                 Json{{"path", "/v.txt"}, {"v1", 1}, {"v2", 2}, {"mode", "x"}})["error"]["code"],
            -32602);
  EXPECT_EQ(Call("rollback", Json{{"path", "/v.txt"}, {"version", 1}})["result"], nullptr);
  EXPECT_EQ(Call("read", Json{{"path", "/v.txt"}})["result"], Bytes("YQo="));
}

TEST_F(DispatcherTest, NonAdminsStayInTheirLane) {
  ASSERT_TRUE(
      Call("admin_create_key", Json{{"user_id", "alice"}, {"name", "a"}}).contains("result"));
  const Json denied =
      Call("write", Json{{"path", "/tenant:default/user:bob/x"}, {"content", "x"}}, &alice_);
  EXPECT_EQ(denied["error"]["code"], -32004);
  const Json own =
      Call("write", Json{{"path", "/tenant:default/user:alice/x"}, {"content", "x"}}, &alice_);
  EXPECT_TRUE(own.contains("result")) << own.dump();
  Call("write", Json{{"path", "/tenant:default/user:bob/secret"}, {"content", "s"}});
  const Json listing = Call("list", Json{{"path", "/tenant:default"}, {"recursive", true}},
                            &alice_)["result"]["files"];
  for (const Json& p : listing)
    EXPECT_EQ(p.get<std::string>().find("user:bob"), std::string::npos) << p;
  EXPECT_EQ(Call("admin_list_keys", Json::object(), &alice_)["error"]["code"], -32004);
}

TEST_F(DispatcherTest, ReBACGrantsAndRevokesTakeEffectAtOnce) {
  ASSERT_TRUE(
      Call("admin_create_key", Json{{"user_id", "alice"}, {"name", "a"}}).contains("result"));
  ASSERT_TRUE(Call("admin_create_key", Json{{"user_id", "bob"}, {"name", "b"}}).contains("result"));
  auth::Identity bob = alice_;
  bob.subject_id = bob.user_id = "bob";
  const std::string file = "/tenant:default/user:bob/plan.md";
  ASSERT_TRUE(Call("write", Json{{"path", file}, {"content", "p"}}, &bob).contains("result"));
  EXPECT_EQ(Call("read", Json{{"path", file}}, &alice_)["error"]["code"], -32004);

  // Bob shares with alice; she reads at once; he revokes; she is denied at once.
  const Json share =
      Call("share_with_user", Json{{"resource", {"file", file}}, {"user_id", "alice"}}, &bob);
  ASSERT_TRUE(share["result"].is_string()) << share.dump();
  EXPECT_EQ(Call("read", Json{{"path", file}}, &alice_)["result"], Bytes("cA=="));
  EXPECT_EQ(Call("write", Json{{"path", file}, {"content", "x"}}, &alice_)["error"]["code"],
            -32004);
  EXPECT_EQ(Call("rebac_check", Json{{"subject", {"user", "alice"}},
                                     {"permission", "read"},
                                     {"object", {"file", file}}})["result"],
            true);
  const Json incoming = Call("list_incoming_shares", Json{{"user_id", "alice"}}, &alice_)["result"];
  ASSERT_EQ(incoming.size(), 1u);
  EXPECT_EQ(incoming[0]["permission_level"], "viewer");
  EXPECT_EQ(Call("revoke_share", Json{{"resource", {"file", file}}, {"user_id", "alice"}},
                 &bob)["result"],
            true);
  EXPECT_EQ(Call("read", Json{{"path", file}}, &alice_)["error"]["code"], -32004);

  // Alice may not hand out permissions on what she does not own.
  EXPECT_EQ(Call("rebac_create",
                 Json{{"subject", {"user", "alice"}},
                      {"relation", "direct_owner"},
                      {"object", {"file", file}}},
                 &alice_)["error"]["code"],
            -32004);
  // An admin may; expand and list_tuples see the grant; delete removes it.
  const Json id = Call("rebac_create", Json{{"subject", {"user", "alice"}},
                                            {"relation", "direct_editor"},
                                            {"object", {"file", file}}})["result"];
  ASSERT_TRUE(id.is_string()) << id.dump();
  EXPECT_TRUE(
      Call("write", Json{{"path", file}, {"content", "edited"}}, &alice_).contains("result"));
  const Json readers =
      Call("rebac_expand", Json{{"permission", "read"}, {"object", {"file", file}}})["result"];
  EXPECT_NE(std::find(readers.begin(), readers.end(), Json::array({"user", "alice"})),
            readers.end())
      << readers.dump();
  EXPECT_EQ(
      Call("rebac_list_tuples", Json{{"subject", {"user", "alice"}}}, &alice_)["result"].size(), 2u)
      << "her home and the grant";
  EXPECT_EQ(Call("rebac_delete", Json{{"tuple_id", id}})["result"], true);
  EXPECT_EQ(Call("write", Json{{"path", file}, {"content", "again"}}, &alice_)["error"]["code"],
            -32004);
}

TEST_F(DispatcherTest, PermissionCheckedReadsCommitNothing) {
  ASSERT_TRUE(
      Call("admin_create_key", Json{{"user_id", "alice"}, {"name", "a"}}).contains("result"));
  const std::string home = "/tenant:default/user:alice";
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        Call("write", Json{{"path", home + "/d/f" + std::to_string(i)}, {"content", "x"}}, &alice_)
            .contains("result"));
  }
  const storage::EngineStats before = store_.engine->Stats();
  for (int i = 0; i < 300; ++i) {
    EXPECT_TRUE(Call("read", Json{{"path", home + "/d/f" + std::to_string(i % 5)}}, &alice_)
                    .contains("result"));
    EXPECT_TRUE(
        Call("list", Json{{"path", home}, {"recursive", true}}, &alice_).contains("result"));
    EXPECT_EQ(
        Call("exists", Json{{"path", "/tenant:default/user:admin"}}, &alice_)["result"]["exists"],
        false);
  }
  const storage::EngineStats after = store_.engine->Stats();
  EXPECT_EQ(after.commits, before.commits);
  EXPECT_EQ(after.write_units, before.write_units);
}

TEST_F(DispatcherTest, ConsentIsGivenAndTakenBackByItsGiver) {
  const Json alice = {"user", "alice"}, bob = {"user", "bob"};
  const Json id =
      Call("grant_consent", Json{{"from_subject", alice}, {"to_subject", bob}}, &alice_)["result"];
  ASSERT_TRUE(id.is_string()) << id.dump();
  EXPECT_EQ(
      Call("rebac_check",
           Json{{"subject", bob}, {"permission", "consent_granted"}, {"object", alice}})["result"],
      true);
  EXPECT_EQ(Call("grant_consent", Json{{"from_subject", bob}, {"to_subject", alice}},
                 &alice_)["error"]["code"],
            -32004);
  EXPECT_EQ(
      Call("revoke_consent", Json{{"from_subject", alice}, {"to_subject", bob}}, &alice_)["result"],
      true);
  EXPECT_EQ(
      Call("revoke_consent", Json{{"from_subject", alice}, {"to_subject", bob}}, &alice_)["result"],
      false);
  EXPECT_EQ(
      Call("rebac_check",
           Json{{"subject", bob}, {"permission", "consent_granted"}, {"object", alice}})["result"],
      false);
}

TEST_F(DispatcherTest, ReBACBadInput) {
  const Json obj = {"file", "/tenant:default/x"};
  EXPECT_EQ(Call("rebac_create", Json{{"subject", {"user"}},
                                      {"relation", "direct_owner"},
                                      {"object", obj}})["error"]["code"],
            -32602);
  EXPECT_EQ(Call("rebac_create", Json{{"subject", {"user", "a"}},
                                      {"relation", "no_such_relation"},
                                      {"object", obj}})["error"]["code"],
            -32005);
  EXPECT_EQ(Call("rebac_create", Json{{"subject", {"user", "a"}},
                                      {"relation", "viewer"},
                                      {"object", {"nosuchtype", "x"}}})["error"]["code"],
            -32005);
  EXPECT_EQ(Call("rebac_create", Json{{"subject", {"user", "a"}},
                                      {"relation", "direct_viewer"},
                                      {"object", obj},
                                      {"expires_at", "2001-01-01T00:00:00Z"}})["error"]["code"],
            -32005);
  EXPECT_EQ(Call("rebac_create", Json{{"subject", {"user", "a"}},
                                      {"relation", "direct_viewer"},
                                      {"object", obj},
                                      {"expires_at", "soon"}})["error"]["code"],
            -32005);
  EXPECT_TRUE(Call("rebac_create", Json{{"subject", {"user", "a"}},
                                        {"relation", "direct_viewer"},
                                        {"object", obj},
                                        {"expires_at", "2999-01-01T00:00:00Z"}})
                  .contains("result"));
  EXPECT_EQ(Call("rebac_check",
                 Json{{"subject", {"user", "a"}},
                      {"permission", "read"},
                      {"object", obj},
                      {"tenant_id", "acme"}},
                 &alice_)["error"]["code"],
            -32004);
  EXPECT_EQ(Call("share_with_user",
                 Json{{"resource", obj}, {"user_id", "a"}, {"relation", "god"}})["error"]["code"],
            -32602);
  EXPECT_EQ(
      Call("namespace_create",
           Json{{"object_type", "doc"},
                {"config", {{"relations", {{"r", {{"union", {"missing"}}}}}}}}})["error"]["code"],
      -32005);
  EXPECT_EQ(Call("namespace_create",
                 Json{{"object_type", "doc"},
                      {"config",
                       {{"relations", {{"owner", Json::object()}}},
                        {"permissions", {{"read", {"owner"}}}}}}},
                 &alice_)["error"]["code"],
            -32004);
  EXPECT_EQ(Call("namespace_create", Json{{"object_type", "doc"},
                                          {"config",
                                           {{"relations", {{"owner", Json::object()}}},
                                            {"permissions", {{"read", {"owner"}}}}}}})["result"],
            nullptr);
  EXPECT_EQ(Call("get_namespace", Json{{"object_type", "doc"}})["result"]["custom"], true);
}

TEST_F(DispatcherTest, AdminKeyMethods) {
  const Json created =
      Call("admin_create_key", Json{{"user_id", "alice"}, {"name", "alice key"}})["result"];
  ASSERT_TRUE(created.contains("api_key")) << created.dump();
  EXPECT_TRUE(created["api_key"].get<std::string>().starts_with("sk-default_alice_"));
  const std::string id = created["key_id"];
  const Json list = Call("admin_list_keys", Json::object())["result"];
  EXPECT_EQ(list["total"], 1);
  EXPECT_FALSE(list["keys"][0].contains("key_hash"));
  EXPECT_EQ(Call("admin_get_key", Json{{"key_id", id}})["result"]["name"], "alice key");
  EXPECT_EQ(Call("admin_update_key", Json{{"key_id", id}, {"name", "renamed"}})["result"]["name"],
            "renamed");
  EXPECT_EQ(Call("admin_revoke_key", Json{{"key_id", id}})["result"],
            (Json{{"success", true}, {"key_id", id}}));
  EXPECT_EQ(Call("admin_get_key", Json{{"key_id", "nope"}})["error"]["code"], -32000);
  EXPECT_EQ(Call("admin_create_key",
                 Json{{"user_id", "x"}, {"name", "n"}, {"subject_type", "robot"}})["error"]["code"],
            -32602);
}

// The engine under test, except that every write after the first `commits_allowed` answers
// kUnavailable, as PostgreSQL's does while a failover is under way.
class FailingOverEngine : public storage::Engine {
 public:
  FailingOverEngine(storage::Engine& real, int commits_allowed)
      : real_(real), left_(commits_allowed) {}
  storage::Dialect dialect() const override { return real_.dialect(); }
  Status Write(const storage::Unit& unit) override {
    if (left_.fetch_sub(1) <= 0) return Status(Code::kUnavailable, "the primary is failing over");
    return real_.Write(unit);
  }
  Status Read(const storage::Unit& unit) override { return real_.Read(unit); }
  storage::EngineStats Stats() const override { return real_.Stats(); }
  Status CheckIntegrity() override { return real_.CheckIntegrity(); }
  StatusOr<std::unique_ptr<storage::Listener>> Listen(std::string_view channel) override {
    return real_.Listen(channel);
  }

 private:
  storage::Engine& real_;
  std::atomic<int> left_;
};

// A call the database could not serve is 503 + Retry-After only while it changed nothing; a
// batch whose first file was saved would be done twice if a balancer resent it.
TEST_F(DispatcherTest, UnavailableIsRetryableOnlyWhileNothingWasSaved) {
  const auto batch = [&](int commits_allowed) {
    FailingOverEngine engine(*store_.engine, commits_allowed);
    vfs::PathTree tree(engine, *store_.blobs, services::PermissionHooks(*rebac_));
    const Dispatcher dispatcher(session::Services{&engine, &tree, keys_.get(), rebac_.get()});
    const Json files =
        Json::array({Json::array({"/b1", Bytes("eA==")}), Json::array({"/b2", Bytes("eA==")})});
    return dispatcher.Handle(RpcRequest{
        "write_batch", Json{{"jsonrpc", "2.0"}, {"id", 1}, {"params", {{"files", files}}}}.dump(),
        "", &admin_});
  };
  const RpcResponse untouched = batch(0);
  EXPECT_EQ(untouched.http_status, 503) << untouched.body;
  ASSERT_EQ(untouched.headers.size(), 1u);
  EXPECT_EQ(untouched.headers[0].first, "Retry-After");
  EXPECT_FALSE(*tree_->Exists("/tenant:default/b1"));

  const RpcResponse half = batch(1);
  EXPECT_EQ(half.http_status, 200);
  EXPECT_TRUE(half.headers.empty());
  const Json error = Json::parse(half.body)["error"];
  EXPECT_EQ(error["code"], -32603);
  EXPECT_NE(error["message"].get<std::string>().find("part of the call was saved"),
            std::string::npos)
      << error;
  EXPECT_TRUE(*tree_->Exists("/tenant:default/b1"));
  EXPECT_FALSE(*tree_->Exists("/tenant:default/b2"));
}

}  // namespace
}  // namespace nexus::rpc
