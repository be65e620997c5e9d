// A local mount is a directory of the machine of the node that mounted it. Calls for its
// paths through any other node are forwarded there; list_mounts says which node serves each
// mount; once that node is gone its mount can be removed from any other.
#include <signal.h>

#include "testing/eventually.h"
#include "testing/postgres.h"
#include "testing/temp_dir.h"
#include "tests/cluster/cluster_test_fixture.h"
#include "util/file.h"

namespace nexus::e2e {
namespace {

class MountForwardingTest : public ClusterTest {
 protected:
  void SetUp() override {
    database_url_ = test::FreshPostgresUrl();
    if (database_url_.empty()) GTEST_SKIP() << "no PostgreSQL test server";
    ASSERT_TRUE(CreateDirectories(host_).ok());
    for (int i = 0; i < 2; ++i) {
      std::string failure;
      ASSERT_EQ(StartNode({"--mount-root", roots_.path(), "--node-id", "node" + std::to_string(i)},
                          &failure),
                i)
          << failure;
    }
  }

  std::string Host(const std::string& rel) const { return host_ + "/" + rel; }

  void Mount(int node, const std::string& point, const std::string& dir) {
    ASSERT_TRUE(CreateDirectories(dir).ok());
    Result(node, "add_mount",
           Json{{"mount_point", point},
                {"backend_type", "local"},
                {"backend_config", {{"data_dir", dir}}}});
  }

  test::TempDir roots_{"nexus-roots"};
  const std::string host_ = roots_.path() + "/host";  // node 0's machine
  const std::string point_ = "/workspace/data";
};

TEST_F(MountForwardingTest, CallsThroughAnotherNodeReachTheNodeServingTheMount) {
  Mount(0, point_, host_);
  // Node 1 knows of the mount when add_mount returns (it waits for every node to catch up).
  Json mounts;
  ASSERT_TRUE(test::Eventually([&] {
    mounts = Result(1, "list_mounts", Json::object());
    return mounts.size() == 2;
  })) << mounts.dump();
  EXPECT_TRUE(mounts[1]["mount_point"].get<std::string>().ends_with(point_)) << mounts.dump();
  EXPECT_EQ(mounts[1]["node"], "node0");
  EXPECT_TRUE(mounts[0]["node"].is_null()) << "the root is every node's";

  Result(1, "write", Json{{"path", point_ + "/notes/a.txt"}, {"content", "from node 1"}});
  EXPECT_EQ(*ReadFile(Host("notes/a.txt")), "from node 1") << "written on node 0's disk";
  ASSERT_TRUE(WriteFileAtomically(Host("b.md"), "# on the host", false).ok());
  EXPECT_EQ(Result(1, "stat", Json{{"path", point_ + "/b.md"}})["size"], 13);
  EXPECT_TRUE(Result(1, "is_directory", Json{{"path", point_ + "/notes"}})["is_directory"]);
  EXPECT_TRUE(Result(1, "get_etag", Json{{"path", point_ + "/b.md"}})["etag"].is_string())
      << "answered by node 0, not taken for a missing file";
  const Json listed = Result(1, "list", Json{{"path", "/workspace"}, {"recursive", true}});
  EXPECT_NE(listed.dump().find(point_ + "/notes/a.txt"), std::string::npos) << listed.dump();
  const Json found = Result(1, "grep", Json{{"pattern", "node 1"}, {"path", "/workspace"}});
  EXPECT_NE(found.dump().find("a.txt"), std::string::npos) << found.dump();
  Result(1, "write", Json{{"path", point_ + "/gone.txt"}, {"content", "x"}});
  const Json deleted = Result(1, "delete_bulk", Json{{"paths", {point_ + "/gone.txt"}}});
  EXPECT_EQ(deleted[point_ + "/gone.txt"]["success"], true) << deleted.dump();
  EXPECT_FALSE(ReadFile(Host("gone.txt")).ok()) << "deleted on node 0's disk";
  const Json synced = Result(1, "sync_mount", Json{{"mount_point", point_}});
  EXPECT_EQ(synced["files_scanned"], 2) << synced.dump();

  // Node 0 dies: its mount cannot be served, and is not silently replaced by the tree.
  ASSERT_EQ(::kill(node(0).pid(), SIGKILL), 0);
  ASSERT_TRUE(test::Eventually(
      [&] {
        return Rpc(1, "read", Json{{"path", point_ + "/b.md"}}).value("http_status", 0) == 503;
      },
      std::chrono::seconds(20)));
  // Once node 0 is gone (10 s behind node 1), node 1 may take the mount down.
  Json removed;
  ASSERT_TRUE(test::Eventually(
      [&] {
        removed = Rpc(1, "remove_mount", Json{{"mount_point", point_}});
        return removed.contains("result") && removed["result"]["removed"] == true;
      },
      std::chrono::seconds(40)))
      << removed.dump();
  EXPECT_EQ(Result(1, "list_mounts", Json::object()).size(), 1u);
}

// A call that needs the mounts of two other nodes can be made by neither: it is refused with
// an error to show, not answered 503, which clients and balancers would resend for ever.
TEST_F(MountForwardingTest, ACallNeedingMountsOfTwoNodesIsRefusedNotResent) {
  Mount(0, point_, host_);
  Mount(1, "/workspace/other", roots_.path() + "/other");
  std::string failure;
  ASSERT_EQ(StartNode({"--mount-root", roots_.path(), "--node-id", "node2"}, &failure), 2)
      << failure;
  EXPECT_EQ(Result(2, "list_mounts", Json::object()).size(), 3u);
  const Json both = Rpc(2, "list", Json{{"path", "/workspace"}, {"recursive", true}});
  ASSERT_TRUE(both.contains("error")) << both.dump();
  EXPECT_EQ(both["error"]["code"], -32005) << both.dump();
  EXPECT_NE(both["error"]["message"].get<std::string>().find("more than one node"),
            std::string::npos)
      << both.dump();
  const Json one = Result(2, "list", Json{{"path", point_}, {"recursive", true}});
  EXPECT_TRUE(one.contains("files")) << "a call for one node's mount is still forwarded";
}

}  // namespace
}  // namespace nexus::e2e
