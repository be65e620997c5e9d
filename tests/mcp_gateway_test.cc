// The client side of MCP end to end: mcp_mount of Streamable HTTP servers (this server's own
// /mcp, and the reference server-everything from npm), the gateway that offers their tools
// through /mcp as <mount>__<tool>, and ReBAC deciding who sees and calls them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "mcp_test_fixture.h"
#include "testing/child_process.h"

namespace nexus::e2e {
namespace {

// Where npm put the test servers: what stdio servers are given read-only (--mcp-server-dir).
const std::string kServerFiles = std::string(NEXUS_SOURCE_DIR) + "/tests/mcp_sdk/node_modules";
const std::string kEverything =
    kServerFiles + "/@modelcontextprotocol/server-everything/dist/index.js";

uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

// The reference MCP server "everything" over Streamable HTTP, as a child process.
class EverythingServer {
 public:
  EverythingServer() : port_(FreePort()) {
    // Built before fork: the child of a threaded process may only make async-signal-safe calls.
    std::vector<std::string> env = test::EnvironmentWith({"PORT=" + std::to_string(port_)});
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execle("/usr/bin/env", "env", "node", kEverything.c_str(), "streamableHttp", nullptr,
             envp.data());
      _exit(127);
    }
    for (int i = 0; i < 200 && !ready(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ~EverythingServer() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  bool ready() const {
    const int fd = test::ConnectLoopback(port_);
    if (fd < 0) return false;
    close(fd);
    return true;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

class McpGatewayTest : public McpTest {
 protected:
  std::vector<std::string> ServeArgs() const override {
    return {"--mcp-allow-private-networks", "--mcp-server-dir", kServerFiles};
  }

  // Mounts this server's own /mcp as "self", acting there with alice's key.
  void MountSelf() {
    const Json mounted =
        Result("mcp_mount", {{"name", "self"},
                             {"url", "http://127.0.0.1:" + std::to_string(port()) + "/mcp"},
                             {"headers", {{"Authorization", "Bearer " + alice_}}},
                             {"description", "this server as alice"}});
    ASSERT_EQ(mounted["tool_count"], 20) << mounted.dump();
  }

  static bool Has(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  void Grant(const std::string& user, const std::string& relation) {
    Result(
        "rebac_create",
        {{"subject", {"user", user}}, {"relation", relation}, {"object", {"mcp_server", "self"}}});
  }
};

TEST_P(McpGatewayTest, AMountIsSavedWithItsToolsAndSurvivesARestart) {
  MountSelf();
  Json mounts = Result("mcp_list_mounts", Json::object());
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0]["name"], "self");
  EXPECT_EQ(mounts[0]["transport"], "http");
  EXPECT_EQ(mounts[0]["mounted"], true);
  EXPECT_TRUE(mounts[0]["last_sync"].is_string());
  const Json tools = Result("mcp_list_tools", {{"name", "self"}});
  ASSERT_EQ(tools.size(), 20u);
  EXPECT_TRUE(tools[0]["input_schema"].is_object());

  Write("/tenant:default/user:alice/note.md", "alice's note");
  Restart();  // the mount's headers come back from their sealed row
  const std::string session = Initialize();
  EXPECT_TRUE(Has(ToolNames(session), "self__nexus_read_file"));
  const Json read = Request(session, "tools/call",
                            {{"name", "self__nexus_read_file"},
                             {"arguments", {{"path", "/tenant:default/user:alice/note.md"}}}});
  ASSERT_TRUE(read.contains("result")) << read.dump();
  EXPECT_EQ(TextOf(read["result"]), "alice's note") << read.dump();
  EXPECT_EQ(Result("mcp_sync", {{"name", "self"}})["tool_count"], 20)
      << "a server's own gateway tools are not offered back to it (they are alice's: none)";
}

TEST_P(McpGatewayTest, ReBACDecidesWhoSeesAndCallsAMountsTools) {
  MountSelf();
  Write("/tenant:default/user:alice/note.md", "alice's note");
  const std::string bob = Initialize(bob_);
  EXPECT_FALSE(Has(ToolNames(bob, bob_), "self__nexus_read_file"));
  Json call = Request(bob, "tools/call",
                      {{"name", "self__nexus_read_file"},
                       {"arguments", {{"path", "/tenant:default/user:alice/note.md"}}}},
                      bob_);
  EXPECT_EQ(call["error"]["code"], -32602) << "a tool bob cannot see does not exist for him";

  EXPECT_EQ(Result("mcp_list_mounts", Json::object(), bob_).size(), 0u);
  EXPECT_EQ(ErrorCode("mcp_list_tools", {{"name", "self"}}, bob_), -32005);

  Grant("bob", "viewer");
  EXPECT_TRUE(Has(ToolNames(bob, bob_), "self__nexus_read_file"));
  EXPECT_EQ(Result("mcp_list_mounts", Json::object(), bob_).size(), 1u);
  EXPECT_EQ(Result("mcp_list_tools", {{"name", "self"}}, bob_).size(), 20u);
  Json result =
      Tool(bob, "self__nexus_read_file", {{"path", "/tenant:default/user:alice/note.md"}}, bob_);
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("may not call"), std::string::npos) << TextOf(result);

  Grant("bob", "executor");
  result =
      Tool(bob, "self__nexus_read_file", {{"path", "/tenant:default/user:alice/note.md"}}, bob_);
  EXPECT_EQ(TextOf(result), "alice's note") << "the mount acts with its own credentials";

  // Another tenant sees nothing of this tenant's mounts.
  EXPECT_EQ(Result("mcp_list_mounts", Json::object(), carol_).size(), 0u);
  const std::string carol = Initialize(carol_);
  for (const std::string& name : ToolNames(carol, carol_))
    EXPECT_EQ(name.find("__"), std::string::npos);
  EXPECT_EQ(ErrorCode("mcp_list_tools", {{"name", "self"}}, carol_), -32005);
}

TEST_P(McpGatewayTest, OneAgentGetsTheToolsAndAnotherDoesNot) {
  MountSelf();
  const auto agent_key = [&](const std::string& id) -> std::string {
    return Result("register_agent", {{"agent_id", id}, {"name", id}, {"generate_api_key", true}},
                  alice_)["api_key"];
  };
  const std::string coder = agent_key("alice,coder"), other = agent_key("alice,other");
  Result("rebac_create", {{"subject", {"agent", "alice,coder"}},
                          {"relation", "executor"},
                          {"object", {"mcp_server", "self"}}});
  const std::string with = Initialize(coder), without = Initialize(other);
  EXPECT_TRUE(Has(ToolNames(with, coder), "self__nexus_list_files"));
  EXPECT_FALSE(Tool(with, "self__nexus_list_files", {{"path", "/"}}, coder)["isError"].get<bool>());
  EXPECT_FALSE(Has(ToolNames(without, other), "self__nexus_list_files"));
  EXPECT_EQ(
      Request(without, "tools/call", {{"name", "self__nexus_list_files"}}, other)["error"]["code"],
      -32602);
}

TEST_P(McpGatewayTest, OnlyAdministratorsMountAndBadMountsAreRefused) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port()) + "/mcp";
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "mine"}, {"url", url}}, alice_), -32004);
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "a__b"}, {"url", url}}), -32005);
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "a_"}, {"url", url}}), -32005)
      << "a___x would split as a and _x";
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "both"}, {"url", url}, {"command", "x"}}), -32005);
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "none"}}), -32005);
  const Json stdio = Rpc("mcp_mount", {{"name", "gh"}, {"command", "gh-mcp"}})["error"];
  EXPECT_EQ(stdio["code"], -32005);
  EXPECT_NE(stdio["message"].get<std::string>().find("gh-mcp: not found"), std::string::npos)
      << stdio;
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "gone"}, {"url", "http://127.0.0.1:1/mcp"}}), -32005);
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "h"}, {"url", url}, {"headers", {{"X", 1}}}}), -32602);
  EXPECT_EQ(Result("mcp_list_mounts", Json::object()).size(), 0u) << "nothing was saved";

  MountSelf();
  EXPECT_EQ(Result("mcp_unmount", {{"name", "self"}})["success"], true);
  EXPECT_EQ(ErrorCode("mcp_list_tools", {{"name", "self"}}), -32005);
  EXPECT_EQ(ErrorCode("mcp_unmount", {{"name", "self"}}), -32005);
  const Json all = Result("mcp_list_mounts", {{"include_unmounted", true}});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["mounted"], false);
  EXPECT_EQ(Result("mcp_list_mounts", {{"include_unmounted", false}}).size(), 0u);
  const std::string session = Initialize();
  EXPECT_FALSE(Has(ToolNames(session), "self__nexus_read_file"));
}

TEST_P(McpGatewayTest, TheReferenceServerEverythingThroughTheGateway) {
  EverythingServer everything;
  ASSERT_TRUE(everything.ready()) << "node " << kEverything << " did not start";
  const Json mounted = Result("mcp_mount", {{"name", "everything"}, {"url", everything.url()}});
  EXPECT_GE(mounted["tool_count"].get<int>(), 10) << mounted.dump();
  const std::string session = Initialize();
  EXPECT_TRUE(Has(ToolNames(session), "everything__echo"));
  EXPECT_EQ(TextOf(Tool(session, "everything__echo", {{"message", "hi there"}})), "Echo: hi there");
  EXPECT_EQ(TextOf(Tool(session, "everything__get-sum", {{"a", 2}, {"b", 3}})),
            "The sum of 2 and 3 is 5.");
}

TEST_P(McpGatewayTest, TheReferenceServerEverythingOverStdioInASandbox) {
  const Json mounted = Result("mcp_mount", {{"name", "every"},
                                            {"command", "node"},
                                            {"args", {kEverything, "stdio"}},
                                            {"env", {{"GREETING", "hello"}}}});
  EXPECT_EQ(mounted["transport"], "stdio");
  EXPECT_GE(mounted["tool_count"].get<int>(), 10) << mounted.dump();
  const std::string session = Initialize();
  EXPECT_EQ(TextOf(Tool(session, "every__echo", {{"message", "from a sandbox"}})),
            "Echo: from a sandbox");
  const Json env = Tool(session, "every__get-env", Json::object());
  const std::string text = TextOf(env);
  EXPECT_NE(text.find("\"GREETING\": \"hello\""), std::string::npos) << text;
  EXPECT_EQ(text.find("NEXUS"), std::string::npos) << "nothing of the server's environment";

  Restart();  // the process goes with the node; the next call starts it again
  const std::string again = Initialize();
  EXPECT_EQ(TextOf(Tool(again, "every__echo", {{"message", "again"}})), "Echo: again");
}

// A stdio MCP server in Python whose answers go wrong in every way a server can choose.
constexpr char kHostileServer[] = R"PY(
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if "id" not in m:
        continue
    reply = {"jsonrpc": "2.0", "id": m["id"]}
    method = m.get("method")
    if method == "initialize":
        reply["result"] = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                           "serverInfo": {"name": "hostile", "version": "1"}}
    elif method == "tools/list":
        reply["result"] = {"tools": [{"name": n, "inputSchema": {"type": "object"}}
                                     for n in ("ok", "deep", "noresult", "crash")]}
    else:
        name = m["params"]["name"]
        if name == "crash":
            sys.exit(3)
        if name == "deep":
            sys.stdout.write('{"jsonrpc":"2.0","id":%d,"result":%s%s}' % (m["id"], "[" * 100000, "]" * 100000) + chr(10))
            sys.stdout.flush()
            continue
        if name == "ok":
            reply["result"] = {"content": [{"type": "text", "text": "fine"}]}
    sys.stdout.write(json.dumps(reply) + chr(10))
    sys.stdout.flush()
)PY";

TEST_P(McpGatewayTest, AHostileServerGetsErrorsAndTheNodeStaysUp) {
  const Json mounted = Result(
      "mcp_mount", {{"name", "hostile"}, {"command", "python3"}, {"args", {"-c", kHostileServer}}});
  ASSERT_EQ(mounted["tool_count"], 4) << mounted.dump();
  const std::string session = Initialize();
  EXPECT_EQ(TextOf(Tool(session, "hostile__ok", Json::object())), "fine");
  Json result = Tool(session, "hostile__deep", Json::object());
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("nested too deeply"), std::string::npos) << TextOf(result);
  result = Tool(session, "hostile__noresult", Json::object());
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("without a result"), std::string::npos) << TextOf(result);
  result = Tool(session, "hostile__crash", Json::object());
  EXPECT_EQ(result["isError"], true);
  EXPECT_NE(TextOf(result).find("exited"), std::string::npos) << TextOf(result);
  EXPECT_EQ(TextOf(Tool(session, "hostile__ok", Json::object())), "fine")
      << "the next call starts the server again";
  EXPECT_EQ(Request(session, "ping", Json::object())["result"], Json::object());
}

TEST_P(McpGatewayTest, AStdioServerSeesNothingOfTheHost) {
  const std::string probe = "ls " + dir_.path() + " && cat /etc/shadow";
  const Json error =
      Rpc("mcp_mount", {{"name", "nosy"}, {"command", "bash"}, {"args", {"-c", probe}}})["error"];
  EXPECT_EQ(error["code"], -32005);
  EXPECT_NE(error["message"].get<std::string>().find("No such file or directory"),
            std::string::npos)
      << error;
  EXPECT_EQ(ErrorCode("mcp_mount", {{"name", "h"}, {"command", "node"}, {"headers", {{"A", "b"}}}}),
            -32005);
}

NEXUS_INSTANTIATE_ENGINES(McpGatewayTest);

// Without --mcp-allow-private-networks a mount may not reach loopback, like a webhook.
using McpPrivateNetworkTest = McpTest;

TEST_P(McpPrivateNetworkTest, LoopbackServersAreRefusedByDefault) {
  const Json error = Rpc(
      "mcp_mount",
      {{"name", "self"}, {"url", "http://127.0.0.1:" + std::to_string(port()) + "/mcp"}})["error"];
  EXPECT_EQ(error["code"], -32005);
  EXPECT_NE(error["message"].get<std::string>().find("127.0.0.1"), std::string::npos)
      << error.dump();
}

NEXUS_INSTANTIATE_ENGINES(McpPrivateNetworkTest);

}  // namespace
}  // namespace nexus::e2e
