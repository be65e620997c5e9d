// The workspace registry and workspace snapshots, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "services/test_identities.h"
#include "services/test_tree_store.h"
#include "services/workspaces/workspace_registry.h"
#include "services/workspaces/workspace_snapshots.h"
#include "storage/blob_refs.h"
#include "testing/blob_check.h"
#include "testing/test_store.h"

namespace nexus::services {
namespace {

constexpr char kWs[] = "/tenant:default/user:alice/ws";

class WorkspacesTest : public TreeStoreTest {
 protected:
  void SetUp() override {
    TreeStoreTest::SetUp();
    if (!store_.engine) return;
    registry_ = std::make_unique<WorkspaceRegistry>(*store_.engine, *tree_, *rebac_);
    snapshots_ = std::make_unique<WorkspaceSnapshots>(*store_.engine, *tree_, *store_.blobs);
  }

  void TearDown() override { test::ExpectBlobsConsistent(store_); }

  Registration MustRegister(DirKind kind, const std::string& path, NewRegistration reg = {}) {
    reg.path = path;
    auto r = registry_->Register(kind, alice_, reg);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Registration{};
  }

  void MustWrite(const std::string& rel, const std::string& content) {
    auto w = tree_->Write(actor_, std::string(kWs) + "/" + rel, content);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }

  std::string MustRead(const std::string& rel) {
    auto r = tree_->Read(std::string(kWs) + "/" + rel);
    EXPECT_TRUE(r.ok()) << rel << ": " << r.status().ToString();
    return r.ok() ? r->content : "";
  }

  Snapshot MustSnapshot(const std::string& description = "") {
    NewSnapshot request;
    if (!description.empty()) request.description = description;
    auto s = snapshots_->Create(actor_, kWs, request);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : Snapshot{};
  }

  std::unique_ptr<WorkspaceRegistry> registry_;
  std::unique_ptr<WorkspaceSnapshots> snapshots_;
  const auth::Identity alice_ = test_ids::User("alice");
  const vfs::Actor actor_{"alice"};
};

TEST_P(WorkspacesTest, RegisterCreatesTheDirectoryAndGrantsOwnership) {
  NewRegistration reg;
  reg.name = "main";
  reg.metadata_json = R"({"k":1})";
  const Registration r = MustRegister(DirKind::kWorkspace, kWs, reg);
  EXPECT_EQ(r.created_by, "alice");
  EXPECT_EQ(r.tenant_id, "default");
  EXPECT_EQ(r.name, "main");
  EXPECT_TRUE(*tree_->IsDirectory(kWs));
  auto owner = rebac_->Check("default", {"user", "alice", ""}, "write", {"file", kWs});
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE(*owner);

  auto got = registry_->Get(DirKind::kWorkspace, kWs);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->metadata_json, R"({"k":1})");
  EXPECT_FALSE(registry_->Get(DirKind::kMemory, kWs)->has_value()) << "kinds are separate";
  EXPECT_EQ(registry_->List(DirKind::kWorkspace, "default")->size(), 1u);
  EXPECT_TRUE(registry_->List(DirKind::kWorkspace, "other")->empty());
}

TEST_P(WorkspacesTest, DuplicatesAndBadRegistrations) {
  MustRegister(DirKind::kWorkspace, kWs);
  NewRegistration again;
  again.path = kWs;
  EXPECT_EQ(registry_->Register(DirKind::kWorkspace, alice_, again).status().code(),
            Code::kAlreadyExists);
  NewRegistration outside;
  outside.path = "/skill/x";
  EXPECT_EQ(registry_->Register(DirKind::kWorkspace, alice_, outside).status().code(),
            Code::kInvalidArgument);
  for (double ttl : {0.0, -5.0, 1e12}) {
    NewRegistration bad;
    bad.path = "/tenant:default/user:alice/other";
    bad.ttl_seconds = ttl;
    EXPECT_EQ(registry_->Register(DirKind::kWorkspace, alice_, bad).status().code(),
              Code::kInvalidArgument)
        << ttl;
  }
}

TEST_P(WorkspacesTest, MemoryRegistrationLeavesTheTreeAlone) {
  const std::string mem = "/tenant:default/user:alice/memory/notes";
  MustRegister(DirKind::kMemory, mem);
  EXPECT_FALSE(*tree_->Exists(mem));
  ASSERT_TRUE(registry_->Get(DirKind::kMemory, mem)->has_value());
  EXPECT_TRUE(*registry_->Unregister(DirKind::kMemory, mem));
  EXPECT_FALSE(*registry_->Unregister(DirKind::kMemory, mem));
}

TEST_P(WorkspacesTest, ExpiredRegistrationsAreAbsentAndReplaceable) {
  NewRegistration reg;
  reg.ttl_seconds = 0.000001;
  reg.session_id = "s1";
  const Registration r = MustRegister(DirKind::kWorkspace, kWs, reg);
  ASSERT_TRUE(r.expires_at.has_value());
  EXPECT_EQ(*r.expires_at, r.created_at + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_FALSE(registry_->Get(DirKind::kWorkspace, kWs)->has_value());
  EXPECT_TRUE(registry_->List(DirKind::kWorkspace, "default")->empty());
  EXPECT_EQ(snapshots_->Log(kWs, 10).status().code(), Code::kNotFound);
  MustRegister(DirKind::kWorkspace, kWs);
  EXPECT_TRUE(registry_->Get(DirKind::kWorkspace, kWs)->has_value());
}

TEST_P(WorkspacesTest, SnapshotsAreNumberedAndHashTheManifest) {
  MustRegister(DirKind::kWorkspace, kWs);
  EXPECT_EQ(snapshots_->Create(actor_, "/tenant:default/user:alice/nope", {}).status().code(),
            Code::kNotFound);
  const Snapshot empty = MustSnapshot();
  EXPECT_EQ(empty.snapshot_number, 1);
  EXPECT_EQ(empty.file_count, 0);
  EXPECT_EQ(empty.manifest_hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  MustWrite("a.txt", "hello");
  MustWrite("src/b.py", "print(1)\n");
  const Snapshot two = MustSnapshot("two files");
  EXPECT_EQ(two.snapshot_number, 2);
  EXPECT_EQ(two.file_count, 2);
  EXPECT_EQ(two.total_size_bytes, 14);
  EXPECT_EQ(two.description, "two files");
  EXPECT_EQ(two.created_by, "alice");
  EXPECT_NE(two.manifest_hash, empty.manifest_hash);
  EXPECT_EQ(MustSnapshot().manifest_hash, two.manifest_hash) << "same files, same manifest";

  auto log = snapshots_->Log(kWs, 2);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].snapshot_number, 3);
  EXPECT_EQ((*log)[1].snapshot_number, 2);
  EXPECT_EQ(snapshots_->Log(kWs, 0).status().code(), Code::kInvalidArgument);
}

TEST_P(WorkspacesTest, SnapshotKeepsContentAliveAfterDelete) {
  MustRegister(DirKind::kWorkspace, kWs);
  MustWrite("a.txt", "precious");
  MustSnapshot();
  ASSERT_TRUE(tree_->Delete(std::string(kWs) + "/a.txt").ok());
  auto swept = storage::SweepBlobs(*store_.engine, *store_.blobs, 0);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0) << "the snapshot still references the content";
  auto restored = snapshots_->Restore(actor_, kWs, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(MustRead("a.txt"), "precious");
}

TEST_P(WorkspacesTest, RestoreBringsBackChangedAndDeletedFilesAndRemovesNewOnes) {
  MustRegister(DirKind::kWorkspace, kWs);
  MustWrite("keep.txt", "same");
  MustWrite("edit.txt", "v1");
  MustWrite("gone.txt", "bye");
  MustSnapshot();
  MustWrite("edit.txt", "v2");
  ASSERT_TRUE(tree_->Delete(std::string(kWs) + "/gone.txt").ok());
  MustWrite("new/added.txt", "later");

  auto restored = snapshots_->Restore(actor_, kWs, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->files_restored, 2);
  EXPECT_EQ(restored->files_deleted, 1);
  EXPECT_EQ(restored->snapshot.snapshot_number, 1);
  EXPECT_EQ(MustRead("edit.txt"), "v1");
  EXPECT_EQ(MustRead("gone.txt"), "bye");
  EXPECT_EQ(MustRead("keep.txt"), "same");
  EXPECT_FALSE(*tree_->Exists(std::string(kWs) + "/new/added.txt"));
  EXPECT_EQ(tree_->ListVersions(std::string(kWs) + "/edit.txt")->size(), 3u);
  EXPECT_EQ(snapshots_->Restore(actor_, kWs, 9).status().code(), Code::kNotFound);
}

// Files come and go and the workspace is unregistered while restores run: a restore either
// applies or finds the workspace gone; a file deleted under it never fails it.
TEST_P(WorkspacesTest, RestoreRacesWithDeletesAndUnregister) {
  MustRegister(DirKind::kWorkspace, kWs);
  MustWrite("keep.txt", "same");
  MustSnapshot();
  std::atomic<bool> done{false};
  std::thread churn([&] {
    for (int i = 0; i < 40; ++i) {
      const std::string path = std::string(kWs) + "/new" + std::to_string(i % 4) + ".txt";
      EXPECT_TRUE(tree_->Write(actor_, path, "x").ok());
      (void)tree_->Delete(path);  // a restore may have deleted it first
    }
    EXPECT_TRUE(*registry_->Unregister(DirKind::kWorkspace, kWs));
    done = true;
  });
  int gone = 0;
  while (!done || gone == 0) {
    auto restored = snapshots_->Restore(actor_, kWs, 1);
    if (restored.ok()) continue;
    ASSERT_EQ(restored.status().code(), Code::kNotFound) << restored.status().ToString();
    ASSERT_EQ(restored.status().message().find("Workspace not registered"), 0u)
        << restored.status().ToString();
    ++gone;
  }
  churn.join();
}

TEST_P(WorkspacesTest, DiffClassifiesEveryPath) {
  MustRegister(DirKind::kWorkspace, kWs);
  MustWrite("keep.txt", "same");
  MustWrite("edit.txt", "v1");
  MustWrite("gone.txt", "bye");
  MustSnapshot();
  MustWrite("edit.txt", "v2!");
  ASSERT_TRUE(tree_->Delete(std::string(kWs) + "/gone.txt").ok());
  MustWrite("dir/added.txt", "later");
  MustSnapshot();

  auto diff = snapshots_->Diff(kWs, 1, 2);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  ASSERT_EQ(diff->added.size(), 1u);
  EXPECT_EQ(diff->added[0].path, "dir/added.txt");
  EXPECT_EQ(diff->added[0].size, 5);
  ASSERT_EQ(diff->removed.size(), 1u);
  EXPECT_EQ(diff->removed[0].path, "gone.txt");
  ASSERT_EQ(diff->modified.size(), 1u);
  EXPECT_EQ(diff->modified[0].path, "edit.txt");
  EXPECT_EQ(diff->modified[0].old_size, 2);
  EXPECT_EQ(diff->modified[0].new_size, 3);
  EXPECT_NE(diff->modified[0].old_hash, diff->modified[0].new_hash);
  EXPECT_EQ(diff->unchanged, 1);
  EXPECT_EQ(snapshots_->Diff(kWs, 1, 7).status().code(), Code::kNotFound);
}

TEST_P(WorkspacesTest, UnregisterDropsSnapshotsButKeepsFiles) {
  MustRegister(DirKind::kWorkspace, kWs);
  MustWrite("a.txt", "x");
  MustSnapshot();
  ASSERT_TRUE(*registry_->Unregister(DirKind::kWorkspace, kWs));
  EXPECT_EQ(MustRead("a.txt"), "x");
  EXPECT_EQ(snapshots_->Log(kWs, 10).status().code(), Code::kNotFound);
  MustRegister(DirKind::kWorkspace, kWs);
  auto log = snapshots_->Log(kWs, 10);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->empty()) << "history went with the old registration";
  EXPECT_EQ(MustSnapshot().snapshot_number, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkspacesTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
