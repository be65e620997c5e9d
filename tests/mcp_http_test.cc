// /mcp end to end: the Streamable HTTP transport (sessions, versions, batches, Origin, keys),
// the tools as each caller's rights allow, bad input, and the `nexus mcp` stdio bridge.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <ext/stdio_filebuf.h>

#include <istream>
#include <ostream>
#include <string>
#include <thread>

#include "client/client.h"
#include "mcp/stdio_bridge.h"
#include "mcp_test_fixture.h"
#include "testing/child_process.h"
#include "util/base64.h"

namespace nexus::e2e {
namespace {

using McpHttpTest = McpTest;

TEST_P(McpHttpTest, InitializeNegotiatesTheVersionAndOpensASession) {
  const Json init{
      {"jsonrpc", "2.0"},
      {"id", "first"},
      {"method", "initialize"},
      {"params", {{"protocolVersion", "2025-03-26"}, {"capabilities", Json::object()}}}};
  test::ClientResponse r = Mcp(init.dump(), Auth());
  ASSERT_EQ(r.status, 200) << r.body;
  Json answer = Json::parse(r.body);
  EXPECT_EQ(answer["id"], "first");
  EXPECT_EQ(answer["result"]["protocolVersion"], "2025-03-26");
  EXPECT_EQ(answer["result"]["serverInfo"]["name"], "nexus");
  EXPECT_TRUE(answer["result"]["capabilities"].contains("tools"));
  EXPECT_EQ(r.Header("Mcp-Session-Id").size(), 32u);

  // A version the server does not speak is answered with the newest it does.
  Json future = init;
  future["params"]["protocolVersion"] = "2099-01-01";
  r = Mcp(future.dump(), Auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["result"]["protocolVersion"], "2025-11-25");

  Json no_version = init;
  no_version["params"].erase("protocolVersion");
  r = Mcp(no_version.dump(), Auth());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], -32602);
}

TEST_P(McpHttpTest, EveryOtherMessageNeedsItsCallersSession) {
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  test::ClientResponse r = Mcp(ping, Auth());
  EXPECT_EQ(r.status, 400) << "no Mcp-Session-Id";
  EXPECT_EQ(Mcp(ping, Session(kAdminKey, "0123456789abcdef0123456789abcdef")).status, 404);

  const std::string session = Initialize(alice_);
  EXPECT_EQ(Mcp(ping, Session(alice_, session)).status, 200);
  EXPECT_EQ(Mcp(ping, Session(bob_, session)).status, 404) << "another caller's session";

  Headers wrong_version = Session(alice_, session);
  wrong_version.emplace_back("MCP-Protocol-Version", "2025-03-26");
  EXPECT_EQ(Mcp(ping, wrong_version).status, 400);
  Headers right_version = Session(alice_, session);
  right_version.emplace_back("MCP-Protocol-Version", kVersion);
  EXPECT_EQ(Mcp(ping, right_version).status, 200);

  EXPECT_EQ(Mcp("", Session(bob_, session), "DELETE").status, 404);
  EXPECT_EQ(Mcp("", Session(alice_, session), "DELETE").status, 204);
  EXPECT_EQ(Mcp(ping, Session(alice_, session)).status, 404) << "ended";
}

TEST_P(McpHttpTest, NotificationsAreAcceptedAndBatchesFollowTheVersion) {
  const std::string session = Initialize();
  test::ClientResponse r =
      Mcp(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", Session(kAdminKey, session));
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
  const std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}])";
  EXPECT_EQ(Mcp(batch, Session(kAdminKey, session)).status, 400) << kVersion << " has no batches";

  const std::string old_session = Initialize(kAdminKey, "2025-03-26");
  r = Mcp(batch, Session(kAdminKey, old_session));
  ASSERT_EQ(r.status, 200) << r.body;
  const Json answers = Json::parse(r.body);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]["id"], 1);
  EXPECT_EQ(Mcp("[]", Session(kAdminKey, old_session)).status, 400);
  EXPECT_EQ(Mcp(R"([{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}])",
                Session(kAdminKey, old_session))
                .status,
            400);
}

TEST_P(McpHttpTest, BadMessagesGetClearErrors) {
  const std::string session = Initialize();
  test::ClientResponse r = Mcp("{not json", Session(kAdminKey, session));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], -32700);
  r = Mcp(R"({"id":1,"method":"ping"})", Session(kAdminKey, session));
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], -32600) << "no jsonrpc member";
  EXPECT_EQ(Request(session, "no/such", Json::object())["error"]["code"], -32601);
  EXPECT_EQ(Request(session, "tools/call", {{"name", "nexus_nope"}})["error"]["code"], -32602);
  EXPECT_EQ(Request(session, "prompts/get", {{"name", "no-such-skill"}})["error"]["code"], -32602);
  EXPECT_EQ(
      Request(session, "resources/read", {{"uri", "nexus:///workspace/none"}})["error"]["code"],
      -32002);
  EXPECT_EQ(Request(session, "resources/read", {{"uri", "file:///etc/passwd"}})["error"]["code"],
            -32602);

  // Wrong arguments are the tool's error, so a model can correct them, and change nothing.
  Json result = Tool(session, "nexus_write_file", {{"path", "/workspace/w.txt"}, {"content", 5}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("'content' must be a string"), std::string::npos) << TextOf(result);
  result = Tool(session, "nexus_write_file", {{"path", "/workspace/w.txt"}, {"contents", "x"}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_EQ(Tool(session, "nexus_file_info",
                 {{"path", "/workspace/w.txt"}})["structuredContent"]["exists"],
            false);
  result = Tool(session, "nexus_list_files", {{"limit", 5000}});
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("limit must be between 1 and 1000"), std::string::npos);

  // Larger than any tool argument should be: refused unread.
  const std::string huge(17 << 20, 'x');
  r = Mcp(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nexus_write_file",)"
          R"("arguments":{"path":"/workspace/huge","content":")" +
              huge + "\"}}}",
          Session(kAdminKey, session));
  EXPECT_EQ(r.status, 413);
}

TEST_P(McpHttpTest, KeysAndOriginsAreChecked) {
  const std::string init =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})";
  test::ClientResponse r = Mcp(init, {});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Mcp(init, Auth("sk-default_nobody_00000000_0000000000000000000000000000000")).status,
            401);
  EXPECT_EQ(Mcp(init, {{"X-Nexus-API-Key", kAdminKey}}).status, 200) << "the reference's header";

  Headers evil = Auth();
  evil.emplace_back("Origin", "http://evil.example");
  r = Mcp(init, evil);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Origin"), std::string::npos);
  Headers local = Auth();
  local.emplace_back("Origin", "http://localhost:3000");
  EXPECT_EQ(Mcp(init, local).status, 200);
}

TEST_P(McpHttpTest, ToolsActWithTheCallersRights) {
  Write("/tenant:default/user:alice/plan.md", "alice's plan");
  const std::string alice = Initialize(alice_), bob = Initialize(bob_), carol = Initialize(carol_);
  EXPECT_EQ(TextOf(Tool(alice, "nexus_read_file", {{"path", "/tenant:default/user:alice/plan.md"}},
                        alice_)),
            "alice's plan");

  const Json denied =
      Tool(bob, "nexus_read_file", {{"path", "/tenant:default/user:alice/plan.md"}}, bob_);
  EXPECT_EQ(denied["isError"], true);
  EXPECT_EQ(TextOf(denied).rfind("Error: ", 0), 0u) << TextOf(denied);
  const Json overwrite =
      Tool(bob, "nexus_write_file",
           {{"path", "/tenant:default/user:alice/plan.md"}, {"content", "bob's"}}, bob_);
  EXPECT_EQ(overwrite["isError"], true);
  EXPECT_EQ(TextOf(Tool(alice, "nexus_read_file", {{"path", "/tenant:default/user:alice/plan.md"}},
                        alice_)),
            "alice's plan")
      << "a refused write changes nothing";

  // Another tenant sees nothing of this one, through any MCP method.
  const Json info =
      Tool(carol, "nexus_file_info", {{"path", "/tenant:default/user:alice/plan.md"}}, carol_);
  ASSERT_EQ(info["isError"], true) << info.dump();
  // The tenancy rule, which says nothing of whether the file exists.
  EXPECT_EQ(TextOf(info),
            "Error: Access denied: '/tenant:default/user:alice/plan.md' belongs to another tenant");
  const Json found = Tool(carol, "nexus_glob", {{"pattern", "**/*.md"}}, carol_);
  EXPECT_EQ(found["structuredContent"]["total"], 0) << found.dump();
  const Json grep = Tool(carol, "nexus_grep", {{"pattern", "plan"}}, carol_);
  EXPECT_EQ(grep["structuredContent"]["count"], 0) << grep.dump();
  const Json resources =
      Request(carol, "resources/list", Json::object(), carol_)["result"]["resources"];
  for (const Json& resource : resources)
    EXPECT_EQ(resource["uri"].get<std::string>().find("plan.md"), std::string::npos)
        << resource.dump();
  EXPECT_NE(Request(carol, "resources/read",
                    {{"uri", "nexus:///tenant:default/user:alice/plan.md"}}, carol_)["error"],
            nullptr);
  const Json alice_resources =
      Request(alice, "resources/list", Json::object(), alice_)["result"]["resources"];
  bool listed = false;
  for (const Json& resource : alice_resources)
    listed |= resource["uri"] == "nexus:///tenant:default/user:alice/plan.md";
  EXPECT_TRUE(listed) << alice_resources.dump();
}

TEST_P(McpHttpTest, AnAgentKeyActsAsItsAgent) {
  const Json agent = Result(
      "register_agent",
      {{"agent_id", "alice,helper"}, {"name", "helper"}, {"generate_api_key", true}}, alice_);
  const std::string key = agent["api_key"];
  const std::string session = Initialize(key);
  ASSERT_EQ(Tool(session, "nexus_store_memory", {{"content", "agent's note"}}, key)["isError"],
            false);
  const Json memories = Tool(session, "nexus_query_memory", {{"query", "note"}}, key);
  ASSERT_EQ(memories["structuredContent"]["memories"].size(), 1u) << memories.dump();
  EXPECT_EQ(memories["structuredContent"]["memories"][0]["agent_id"], "alice,helper");
}

TEST_P(McpHttpTest, LongTextIsCutWithANoteAndReadOnByOffset) {
  const std::string session = Initialize();
  const std::string big = std::string(1 << 20, 'a') + "tail";
  Result("write", {{"path", "/workspace/big.txt"}, {"content", Bytes(Base64Encode(big))}});
  const std::string first =
      TextOf(Tool(session, "nexus_read_file", {{"path", "/workspace/big.txt"}}));
  EXPECT_EQ(first.substr(0, 1 << 20), big.substr(0, 1 << 20));
  EXPECT_NE(first.find("[Truncated: bytes 0 to 1048576 of 1048580 shown. Call nexus_read_file with "
                       "offset=1048576 to read on.]"),
            std::string::npos);
  EXPECT_EQ(TextOf(Tool(session, "nexus_read_file",
                        {{"path", "/workspace/big.txt"}, {"offset", 1 << 20}})),
            "tail");

  for (int i = 0; i < 7; ++i)
    Result("write", {{"path", "/workspace/many/f" + std::to_string(i)}, {"content", "x"}});
  Json page =
      Tool(session, "nexus_list_files", {{"path", "/workspace/many"}, {"limit", 3}, {"offset", 3}});
  EXPECT_EQ(page["structuredContent"]["count"], 3);
  EXPECT_EQ(page["structuredContent"]["items"][0]["path"], "/workspace/many/f3");
  EXPECT_EQ(page["structuredContent"]["has_more"], true);
  EXPECT_EQ(page["structuredContent"]["next_offset"], 6);
  page = Tool(session, "nexus_list_files",
              {{"path", "/workspace/many"}, {"offset", 6}, {"response_format", "markdown"}});
  EXPECT_EQ(TextOf(page).rfind("Showing 1 item(s) from offset 6 of 7.\n\n- **created_at**: ", 0),
            0u)
      << TextOf(page);
  EXPECT_NE(TextOf(page).find("**path**: /workspace/many/f6;"), std::string::npos) << TextOf(page);
}

TEST_P(McpHttpTest, TheStdioBridgeCarriesMessagesBothWays) {
  const std::string lines =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      "not json\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nexus_write_file","arguments":{"path":"/workspace/s.txt","content":"a\nb"}}})"
      "\n";
  const std::string url = "NEXUS_URL=http://127.0.0.1:" + std::to_string(port());
  test::ChildResult r = test::RunChild(
      NEXUS_BINARY, {"mcp"},
      {.env = {url, std::string("NEXUS_API_KEY=") + kAdminKey, "HOME=" + dir_.path()},
       .stdin_data = lines});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> answers;
  size_t start = 0;
  for (size_t end; (end = r.out.find('\n', start)) != std::string::npos; start = end + 1)
    answers.push_back(Json::parse(r.out.substr(start, end - start)));
  ASSERT_EQ(answers.size(), 3u) << r.out;
  EXPECT_EQ(answers[0]["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(answers[1]["error"]["code"], -32700);
  EXPECT_EQ(answers[2]["result"]["content"][0]["text"],
            "Successfully wrote 3 bytes to /workspace/s.txt");
  EXPECT_EQ(Text(Result("read", {{"path", "/workspace/s.txt"}})), "a\nb");

  // A refused key still answers the request, with the server's reason.
  r = test::RunChild(NEXUS_BINARY, {"mcp"},
                     {.env = {url, "NEXUS_API_KEY=sk-wrong", "HOME=" + dir_.path()},
                      .stdin_data = lines.substr(0, lines.find('\n') + 1)});
  EXPECT_EQ(r.exit_code, 0);
  const Json refused = Json::parse(r.out);
  EXPECT_EQ(refused["id"], 1);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("HTTP 401"), std::string::npos)
      << r.out;
}

// GET /mcp held open on a socket of its own, read as it arrives.
class EventStream {
 public:
  EventStream(uint16_t port, const std::string& key, const std::string& session)
      : fd_(test::ConnectLoopback(port)) {
    const std::string request = "GET /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                                key + "\r\nMcp-Session-Id: " + session +
                                "\r\nAccept: text/event-stream\r\n\r\n";
    EXPECT_EQ(write(fd_, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  ~EventStream() { close(fd_); }

  // Reads until `text` arrived (true) or 15 s passed or the stream ended (false).
  bool WaitFor(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (received_.find(text, consumed_) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[4096];
      const ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n <= 0) return false;
      received_.append(chunk, static_cast<size_t>(n));
    }
    consumed_ = received_.find(text, consumed_) + text.size();
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_;
  std::string received_;
  size_t consumed_ = 0;
};

TEST_P(McpHttpTest, TheStreamNotifiesSubscribedFilesAndPromptChanges) {
  const std::string file = "/tenant:default/user:alice/watched.md";
  Write(file, "one");
  const std::string session = Initialize(alice_);
  const Json subscribed =
      Request(session, "resources/subscribe", {{"uri", "nexus://" + file}}, alice_);
  EXPECT_EQ(subscribed["result"], Json::object()) << subscribed.dump();
  EXPECT_NE(Request(session, "resources/subscribe",
                    {{"uri", "nexus:///tenant:default/user:bob/x.md"}}, alice_)["error"],
            nullptr)
      << "a file alice may not read";

  EventStream stream(port(), alice_, session);
  ASSERT_TRUE(stream.WaitFor(": stream open")) << stream.received();
  EXPECT_NE(stream.received().find("Content-Type: text/event-stream"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a poll that sees the start
  Write(file, "two");
  ASSERT_TRUE(stream.WaitFor(R"("method":"notifications/resources/updated")")) << stream.received();
  EXPECT_NE(stream.received().find(R"("uri":"nexus://)" + file + "\""), std::string::npos);

  Result("skills_create", {{"name", "watch-skill"}, {"description", "d"}, {"tier", "user"}},
         alice_);
  ASSERT_TRUE(stream.WaitFor("notifications/prompts/list_changed")) << stream.received();

  // Ending the session ends its stream.
  EXPECT_EQ(Mcp("", Session(alice_, session), "DELETE").status, 204);
  EXPECT_FALSE(stream.WaitFor("never sent"));
}

TEST_P(McpHttpTest, AStreamNeedsItsCallersSession) {
  const std::string session = Initialize(alice_);
  EXPECT_EQ(Mcp("", Auth(alice_), "GET").status, 400);
  EXPECT_EQ(Mcp("", Session(bob_, session), "GET").status, 404);
}

// The bridge in this process, between two pipes, so the test can write a line, read the
// answer, restart the server, and go on.
class BridgeOverPipes {
 public:
  explicit BridgeOverPipes(uint16_t port) {
    client::ClientOptions options;
    options.url = "http://127.0.0.1:" + std::to_string(port);
    options.api_key = kAdminKey;
    client_ = std::move(client::Client::Open(options)).value();
    EXPECT_EQ(pipe2(to_bridge_, O_CLOEXEC), 0);  // not inherited by a restarted server
    EXPECT_EQ(pipe2(from_bridge_, O_CLOEXEC), 0);
    in_buf_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(to_bridge_[0], std::ios::in);
    out_buf_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(from_bridge_[1], std::ios::out);
    in_ = std::make_unique<std::istream>(in_buf_.get());
    out_ = std::make_unique<std::ostream>(out_buf_.get());
    bridge_ = std::make_unique<mcp::StdioBridge>(*client_, *in_, *out_);
    thread_ = std::thread([this] { EXPECT_TRUE(bridge_->Run().ok()); });
  }

  ~BridgeOverPipes() {
    close(to_bridge_[1]);  // end of input: the bridge finishes
    thread_.join();
    close(from_bridge_[0]);
  }

  void Send(const std::string& line) {
    const std::string text = line + "\n";
    EXPECT_EQ(write(to_bridge_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }

  // The next line the bridge writes; "" after 30 s without one.
  std::string Receive() {
    for (;;) {
      if (const size_t end = pending_.find('\n'); end != std::string::npos) {
        std::string line = pending_.substr(0, end);
        pending_.erase(0, end + 1);
        return line;
      }
      pollfd p{from_bridge_[0], POLLIN, 0};
      if (poll(&p, 1, 30000) <= 0) return "";
      char chunk[4096];
      const ssize_t n = read(from_bridge_[0], chunk, sizeof chunk);
      if (n <= 0) return "";
      pending_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  std::unique_ptr<client::Client> client_;
  int to_bridge_[2] = {-1, -1};
  int from_bridge_[2] = {-1, -1};
  std::unique_ptr<__gnu_cxx::stdio_filebuf<char>> in_buf_, out_buf_;
  std::unique_ptr<std::istream> in_;
  std::unique_ptr<std::ostream> out_;
  std::unique_ptr<mcp::StdioBridge> bridge_;
  std::thread thread_;
  std::string pending_;
};

TEST_P(McpHttpTest, TheBridgeRenewsASessionTheServerForgot) {
  BridgeOverPipes bridge(port());
  bridge.Send(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  EXPECT_EQ(Json::parse(bridge.Receive())["result"]["protocolVersion"], "2025-06-18");
  bridge.Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  bridge.Send(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nexus_write_file","arguments":{"path":"/workspace/kept.txt","content":"kept"}}})");
  EXPECT_EQ(Json::parse(bridge.Receive())["result"]["isError"], false);

  Restart();  // the new server knows no session
  bridge.Send(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nexus_read_file","arguments":{"path":"/workspace/kept.txt"}}})");
  const std::string line = bridge.Receive();
  ASSERT_FALSE(line.empty());
  const Json answer = Json::parse(line);
  EXPECT_EQ(answer["id"], 3);
  EXPECT_EQ(answer["result"]["content"][0]["text"], "kept") << line;
}

NEXUS_INSTANTIATE_ENGINES(McpHttpTest);

}  // namespace
}  // namespace nexus::e2e
