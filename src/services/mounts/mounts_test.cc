#include "services/mounts/mounts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>

#include "services/test_tree_store.h"
#include "services/workspaces/workspace_registry.h"
#include "testing/test_store.h"
#include "util/file.h"

namespace nexus::services {
namespace {

auth::Identity User(const std::string& user, const std::string& tenant, bool admin) {
  auth::Identity id;
  id.subject_type = "user";
  id.subject_id = user;
  id.user_id = user;
  id.tenant_id = tenant;
  id.is_admin = admin;
  return id;
}

auth::Identity SystemAdmin() {
  auth::Identity id = User("admin", "default", true);
  id.is_system = true;
  return id;
}

class MountsTest : public TreeStoreTest {
 protected:
  void SetUp() override {
    TreeStoreTest::SetUp();
    if (!store_.engine) return;
    host_ = *RealPath(roots_.path()) + "/host";
    ASSERT_TRUE(CreateDirectories(host_).ok());
    mounts_ = std::make_unique<MountService>(
        *store_.engine, *tree_, *rebac_,
        MountServiceOptions{store_.dir->path(), {*RealPath(roots_.path())}});
    ASSERT_TRUE(WriteFileAtomically(host_ + "/a.txt", "A", false).ok());
  }

  MountSpec Local(const std::string& point, const std::string& dir) const {
    return MountSpec{point, "local", R"({"data_dir":")" + dir + R"("})", 0, false};
  }

  test::TempDir roots_{"nexus-roots"};
  std::string host_;  // a directory under roots_
  std::unique_ptr<MountService> mounts_;
  const auth::Identity admin_ = SystemAdmin();
  const auth::Identity tenant_admin_ = User("boss", "default", true);
  const auth::Identity alice_ = User("alice", "default", false);
  const auth::Identity other_admin_ = User("root", "acme", true);
  const std::string point_ = "/tenant:default/data";
};

TEST_P(MountsTest, AddGrantsOwnershipAndRemoveCleansUp) {
  ASSERT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
  EXPECT_TRUE(*tree_->IsDirectory(point_));
  auto owner = rebac_->Check("default", {"user", "admin", ""}, "write", {"file", point_});
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE(*owner);
  EXPECT_EQ(mounts_->Active(admin_).size(), 1u);
  EXPECT_TRUE(mounts_->Active(other_admin_).empty()) << "another tenant sees none";
  const std::string inner = point_ + "/x/a.txt";
  ASSERT_TRUE(
      rebac_
          ->WriteTuple(
              {"default", {"user", "bob", ""}, "direct_viewer", {"file", inner}, {}, {}, "", ""})
          .ok());
  auto removed = mounts_->Remove(admin_, point_);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->removed);
  EXPECT_TRUE(removed->directory_deleted);
  EXPECT_EQ(removed->permissions_cleaned, 2) << "the owner and the grant inside";
  EXPECT_FALSE(*rebac_->Check("default", {"user", "bob", ""}, "read", {"file", inner}));
  auto again = mounts_->Remove(admin_, point_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->removed);
  EXPECT_EQ(again->errors, (std::vector<std::string>{"Mount not found: " + point_}));
}

TEST_P(MountsTest, AddRefusesBadPlacesAndBackends) {
  EXPECT_EQ(mounts_->Add(alice_, Local(point_, host_)).code(), Code::kPermissionDenied);
  EXPECT_EQ(mounts_->Add(admin_, Local("/tenant:default", host_)).code(), Code::kValidation);
  EXPECT_EQ(mounts_->Add(other_admin_, Local(point_, host_)).code(), Code::kPermissionDenied);
  MountService data_root(*store_.engine, *tree_, *rebac_,
                         MountServiceOptions{store_.dir->path(), {*RealPath(store_.dir->path())}});
  const Status data_dir = data_root.Add(admin_, Local(point_, store_.dir->path()));
  EXPECT_EQ(data_dir.code(), Code::kValidation);
  EXPECT_NE(data_dir.message().find("server's data directory"), std::string::npos)
      << "even under a root: " << data_dir.ToString();
  EXPECT_EQ(mounts_->Add(admin_, Local(point_, "relative")).code(), Code::kValidation);
  MountSpec s3{point_, "s3_connector", "{}", 0, false};
  Status unavailable = mounts_->Add(admin_, s3);
  EXPECT_EQ(unavailable.code(), Code::kValidation);
  EXPECT_NE(unavailable.message().find("backend not available: s3_connector"), std::string::npos);
  MountSpec unknown{point_, "floppy", "{}", 0, false};
  EXPECT_NE(mounts_->Add(admin_, unknown).message().find("floppy"), std::string::npos);
  ASSERT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
  EXPECT_EQ(mounts_->Add(admin_, Local(point_ + "/inner", host_)).code(), Code::kValidation);
}

TEST_P(MountsTest, SavedMountsAreScopedAndLoad) {
  SaveRequest request{Local(point_, host_), std::nullopt, std::nullopt, "docs"};
  auto id = mounts_->Save(admin_, request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(mounts_->Save(admin_, request).status().code(), Code::kInvalidArgument);
  auto listed = mounts_->ListSaved(admin_, std::nullopt, std::nullopt);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].mount_id, *id);
  EXPECT_EQ((*listed)[0].description, "docs");
  EXPECT_TRUE(mounts_->ListSaved(other_admin_, std::nullopt, std::nullopt)->empty());
  EXPECT_TRUE(mounts_->ListSaved(alice_, std::nullopt, std::nullopt)->empty());
  EXPECT_EQ(mounts_->Load(admin_, "/tenant:default/nope").code(), Code::kInvalidArgument);
  ASSERT_TRUE(mounts_->Load(admin_, point_).ok());
  EXPECT_EQ(mounts_->Active(admin_).size(), 1u);
  EXPECT_FALSE(*mounts_->DeleteSaved(other_admin_, point_));
  EXPECT_TRUE(*mounts_->DeleteSaved(admin_, point_));
  EXPECT_FALSE(*mounts_->DeleteSaved(admin_, point_));
}

TEST_P(MountsTest, SyncCountsAgainstThePreviousSync) {
  ASSERT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
  auto first = mounts_->Sync(admin_, point_, SyncOptions{});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->files_scanned, 1);
  EXPECT_EQ(first->files_created, 1);
  ASSERT_TRUE(WriteFileAtomically(host_ + "/b.md", "B", false).ok());
  ASSERT_TRUE(WriteFileAtomically(host_ + "/a.txt", "AA", false).ok());
  SyncOptions only_md;
  only_md.include_patterns = {"*.md"};
  EXPECT_EQ(mounts_->Sync(admin_, point_, only_md)->files_scanned, 1);
  auto second = mounts_->Sync(admin_, point_, SyncOptions{});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->files_scanned, 2);
  EXPECT_EQ(second->files_created, 0) << "b.md was seen by the filtered sync";
  EXPECT_EQ(second->files_updated, 1);
  ASSERT_EQ(::unlink((host_ + "/b.md").c_str()), 0);
  EXPECT_EQ(mounts_->Sync(admin_, point_, SyncOptions{})->files_deleted, 1);
  EXPECT_EQ(mounts_->Sync(admin_, "/tenant:default/none", SyncOptions{}).status().code(),
            Code::kNotFound);
}

TEST_P(MountsTest, APatternWithoutASlashMatchesTheFileNameAtAnyDepth) {
  // Names longer than a short string's inline buffer: the matcher once read the name from a
  // destroyed copy of the path, which ASan reports only when the copy was on the heap.
  const std::string dir = host_ + "/a-directory-with-a-rather-long-name";
  ASSERT_TRUE(CreateDirectories(dir).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/a-file-with-a-rather-long-name.md", "M", false).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/a-file-with-a-rather-long-name.txt", "T", false).ok());
  ASSERT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
  SyncOptions only_md;
  only_md.include_patterns = {"*.md"};
  auto report = mounts_->Sync(admin_, point_, only_md);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files_scanned, 1);
  SyncOptions no_md;
  no_md.exclude_patterns = {"*.md"};
  EXPECT_EQ(mounts_->Sync(admin_, point_, no_md)->files_scanned, 2) << "a.txt and the .txt";
}

// Two nodes sharing the database, each with its own mount service.
class TwoNodesMountsTest : public MountsTest {
 protected:
  void SetUp() override {
    MountsTest::SetUp();
    if (!store_.engine) return;
    for (const char* id : {"a", "b"}) {
      // On SQLite no thread renews the heartbeat: a long timeout keeps both nodes alive for
      // the test however slow the machine (sanitizers).
      clusters_[id] = std::make_unique<cluster::Cluster>(
          *store_.engine,
          cluster::ClusterOptions{.node_id = id, .node_timeout = std::chrono::minutes(10)});
      ASSERT_TRUE(clusters_[id]->Start(std::string("http://") + id).ok());
      nodes_[id] = std::make_unique<MountService>(
          *store_.engine, *tree_, *rebac_,
          MountServiceOptions{store_.dir->path(), {*RealPath(roots_.path())}, clusters_[id].get()});
    }
  }

  MountService& node(const std::string& id) { return *nodes_[id]; }

  std::map<std::string, std::unique_ptr<cluster::Cluster>> clusters_;
  std::map<std::string, std::unique_ptr<MountService>> nodes_;
};

// A node that restarts fails its own unfinished jobs and leaves another node's alone.
TEST_P(TwoNodesMountsTest, ARestartFailsOnlyThisNodesUnfinishedJobs) {
  ASSERT_TRUE(node("a").Add(admin_, Local(point_, host_)).ok());
  // Without workers both stay pending.
  auto on_a = node("a").SubmitSync(admin_, point_, SyncOptions{}, "{}");
  ASSERT_TRUE(on_a.ok()) << on_a.status().ToString();
  ASSERT_TRUE(node("b").RecoverJobsAfterRestart().ok());
  EXPECT_EQ((*node("b").GetJob(admin_, on_a->id))->status, "pending") << "node a's job";
  ASSERT_TRUE(node("a").RecoverJobsAfterRestart().ok());
  EXPECT_EQ((*node("a").GetJob(admin_, on_a->id))->status, "failed");
}

// Another node's mount is that node's to serve: its files, syncs, removal and jobs go there
// (kUnavailable naming it, which the server forwards), and its point cannot be taken.
TEST_P(TwoNodesMountsTest, AnotherNodesMountIsServedThere) {
  ASSERT_TRUE(node("a").Add(admin_, Local(point_, host_)).ok());
  ASSERT_TRUE(node("b").LoadOtherNodesMounts().ok());
  const auto active = node("b").Active(admin_);
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0]->node_id, "a");
  EXPECT_FALSE(active[0]->served_here());

  const auto forwarded_to_a = [](const Status& s) {
    return s.code() == Code::kUnavailable && s.detail("owner_node") == "a";
  };
  EXPECT_TRUE(forwarded_to_a(node("b").Sync(admin_, point_, SyncOptions{}).status()));
  EXPECT_TRUE(forwarded_to_a(node("b").SubmitSync(admin_, point_, SyncOptions{}, "{}").status()));
  EXPECT_TRUE(forwarded_to_a(node("b").Remove(admin_, point_).status()));
  const Status taken = node("b").Add(admin_, Local(point_, host_));
  EXPECT_EQ(taken.code(), Code::kValidation);
  EXPECT_NE(taken.message().find("served by node a"), std::string::npos) << taken.ToString();
  // Nested in a's mount, even before b's table knows of it (the claims refuse it).
  MountService fresh_b(
      *store_.engine, *tree_, *rebac_,
      MountServiceOptions{store_.dir->path(), {*RealPath(roots_.path())}, clusters_["b"].get()});
  const Status nested = fresh_b.Add(admin_, Local(point_ + "/inner", host_));
  EXPECT_EQ(nested.code(), Code::kValidation);
  EXPECT_NE(nested.message().find("overlaps the mount " + point_), std::string::npos)
      << nested.ToString();
  auto job = node("a").SubmitSync(admin_, point_, SyncOptions{}, "{}");
  ASSERT_TRUE(job.ok());
  EXPECT_TRUE(forwarded_to_a(node("b").CancelJob(admin_, job->id).status()));

  // Node a stops (and withdraws from the registry): b gives its mount and jobs up.
  clusters_["a"]->Stop();
  EXPECT_EQ((*node("b").GetJob(admin_, job->id))->status, "failed");
  auto removed = node("b").Remove(admin_, point_);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(removed->removed);
  ASSERT_TRUE(node("b").LoadOtherNodesMounts().ok());
  EXPECT_TRUE(node("b").Active(admin_).empty());
  EXPECT_TRUE(node("b").Add(admin_, Local(point_, host_)).ok()) << "the point is free again";
}

// A node starting again withdraws what its previous life claimed, then claims its saved
// mounts anew; another node's claim on a saved mount is left alone and reported.
TEST_P(TwoNodesMountsTest, StartWithdrawsThisNodesOldClaimsOnly) {
  ASSERT_TRUE(node("a").Add(admin_, Local(point_, host_)).ok());
  const std::string saved_point = "/tenant:default/saved";
  SaveRequest save;
  save.spec = Local(saved_point, host_);
  ASSERT_TRUE(node("b").Save(admin_, save).ok());
  std::vector<std::string> failed;
  const auto report = [&](const std::string& point, const Status&) { failed.push_back(point); };
  ASSERT_TRUE(node("b").LoadAllSaved(report).ok());
  EXPECT_TRUE(failed.empty());
  ASSERT_TRUE(node("a").LoadAllSaved(report).ok());
  EXPECT_EQ(failed, (std::vector<std::string>{saved_point})) << "b serves it";
  ASSERT_TRUE(node("b").LoadOtherNodesMounts().ok());
  EXPECT_TRUE(node("b").Active(admin_).size() == 1u) << "a's added mount went with its restart";
}

TEST_P(MountsTest, JobsRunCancelAndStayInTheirTenant) {
  ASSERT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
  // Without a worker the job stays pending, so it can be cancelled deterministically.
  auto queued = mounts_->SubmitSync(admin_, point_, SyncOptions{}, "{}");
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(queued->status, "pending");
  EXPECT_FALSE(mounts_->GetJob(other_admin_, queued->id)->has_value());
  EXPECT_FALSE(mounts_->GetJob(alice_, queued->id)->has_value()) << "not alice's job";
  auto cancel = mounts_->CancelJob(admin_, queued->id);
  ASSERT_TRUE(cancel.ok());
  EXPECT_TRUE(cancel->success);
  EXPECT_EQ(cancel->message, "Cancellation requested");
  EXPECT_EQ((*mounts_->GetJob(admin_, queued->id))->status, "cancelled");
  EXPECT_EQ(mounts_->OpenCancelRequests(), 0u) << "a queued job just leaves the queue";
  EXPECT_EQ(mounts_->CancelJob(admin_, queued->id)->message,
            "Cannot cancel job with status: cancelled");
  EXPECT_EQ(mounts_->CancelJob(admin_, "nope")->message, "Job not found");

  auto job = mounts_->SubmitSync(admin_, point_, SyncOptions{}, "{}");
  ASSERT_TRUE(job.ok());
  mounts_->StartWorker();
  std::string status;
  for (int i = 0; i < 500 && status != "completed"; ++i) {
    status = (*mounts_->GetJob(admin_, job->id))->status;
    if (status != "completed") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(status, "completed");
  EXPECT_EQ((*mounts_->GetJob(admin_, queued->id))->status, "cancelled") << "never run";
  EXPECT_EQ(mounts_->OpenCancelRequests(), 0u);
  const SyncJob done = **mounts_->GetJob(admin_, job->id);
  EXPECT_EQ(done.progress_pct, 100);
  EXPECT_NE(done.result_json.find("\"files_scanned\":1"), std::string::npos) << done.result_json;
  auto listed = mounts_->ListJobs(admin_, point_, std::nullopt, 50);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, job->id) << "newest first";
  EXPECT_TRUE(mounts_->ListJobs(other_admin_, std::nullopt, std::nullopt, 50)->empty());
  EXPECT_EQ(mounts_->ListJobs(admin_, std::nullopt, std::nullopt, 0).status().code(),
            Code::kInvalidArgument);
  mounts_->Stop();
}

// Host directories are exposed by the system administrator only, under a configured root.
TEST_P(MountsTest, LocalMountsNeedTheSystemAdministratorAndARoot) {
  EXPECT_EQ(mounts_->Add(tenant_admin_, Local(point_, host_)).code(), Code::kPermissionDenied);
  SaveRequest request{Local(point_, host_), std::nullopt, std::nullopt, ""};
  EXPECT_EQ(mounts_->Save(tenant_admin_, request).status().code(), Code::kPermissionDenied);
  ASSERT_TRUE(mounts_->Save(admin_, request).ok());
  EXPECT_EQ(mounts_->Load(tenant_admin_, point_).code(), Code::kPermissionDenied);
  EXPECT_TRUE(mounts_->Active(admin_).empty());

  test::TempDir outside("nexus-outside");
  EXPECT_EQ(mounts_->Add(admin_, Local(point_, outside.path())).code(), Code::kValidation);
  EXPECT_EQ(mounts_->Add(admin_, Local(point_, "/proc")).code(), Code::kValidation);
  EXPECT_EQ(mounts_->Add(admin_, Local(point_, host_ + "/../..")).code(), Code::kValidation);
  // A link inside a root that leads out is judged by where it leads.
  ASSERT_TRUE(CreateDirectories(outside.path() + "/sub").ok());
  ASSERT_EQ(::symlink(outside.path().c_str(), (host_ + "/out").c_str()), 0);
  const Status linked = mounts_->Add(admin_, Local(point_, host_ + "/out/sub"));
  EXPECT_EQ(linked.code(), Code::kValidation);
  EXPECT_NE(linked.message().find("not under a mount root"), std::string::npos)
      << linked.ToString();

  MountService no_roots(*store_.engine, *tree_, *rebac_,
                        MountServiceOptions{store_.dir->path(), {}});
  const Status disabled = no_roots.Add(admin_, Local(point_, host_));
  EXPECT_EQ(disabled.code(), Code::kValidation);
  EXPECT_NE(disabled.message().find("--mount-root"), std::string::npos) << disabled.ToString();
  EXPECT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok());
}

// Mounts never cover what services write through the tree directly.
TEST_P(MountsTest, MountPointsAvoidServiceDirectories) {
  for (const std::string point :
       {"/tenant:default/skill", "/tenant:default/skill/mine", "/tenant:default/user:alice",
        "/tenant:default/user:alice/skill", "/tenant:default/user:alice/skill/s",
        "/tenant:default/user:alice/agent/bot", "/skill/shared"}) {
    const Status s = mounts_->Add(admin_, Local(point, host_));
    EXPECT_EQ(s.code(), Code::kValidation) << point << ": " << s.ToString();
  }
  WorkspaceRegistry registry(*store_.engine, *tree_, *rebac_);
  NewRegistration ws;
  ws.path = "/tenant:default/workspace/proj";
  ASSERT_TRUE(registry.Register(DirKind::kWorkspace, admin_, ws).ok());
  NewRegistration memory;
  memory.path = "/tenant:default/memory/notes";
  ASSERT_TRUE(registry.Register(DirKind::kMemory, admin_, memory).ok());
  for (const std::string point :
       {"/tenant:default/workspace/proj", "/tenant:default/workspace/proj/sub",
        "/tenant:default/workspace", "/tenant:default/memory/notes/x"}) {
    EXPECT_EQ(mounts_->Add(admin_, Local(point, host_)).code(), Code::kValidation) << point;
  }
  SaveRequest request{Local("/tenant:default/workspace/proj", host_), std::nullopt, std::nullopt,
                      ""};
  EXPECT_EQ(mounts_->Save(admin_, request).status().code(), Code::kValidation);
  EXPECT_TRUE(mounts_->Active(admin_).empty());
  EXPECT_TRUE(mounts_->Add(admin_, Local("/tenant:default/user:alice/data", host_)).ok())
      << "elsewhere in a home is fine";
  EXPECT_TRUE(mounts_->Add(admin_, Local("/tenant:acme/workspace/proj", host_ + "/..")).ok())
      << "another tenant's registrations do not count";
}

TEST_P(MountsTest, AMountWhoseOwnerCannotBeGrantedIsTakenDown) {
  auth::Identity odd = admin_;
  odd.subject_id = std::string("bad\x01id");
  EXPECT_FALSE(mounts_->Add(odd, Local(point_, host_)).ok());
  EXPECT_TRUE(mounts_->Active(admin_).empty());
  EXPECT_FALSE(*tree_->Exists(point_));
  EXPECT_TRUE(mounts_->Add(admin_, Local(point_, host_)).ok()) << "the place is free";
}

TEST_P(MountsTest, LoadingGrantsTheSavedOwner) {
  SaveRequest request{Local(point_, host_), "carol", std::nullopt, ""};
  ASSERT_TRUE(mounts_->Save(admin_, request).ok());
  ASSERT_TRUE(mounts_->Load(admin_, point_).ok());
  EXPECT_TRUE(*rebac_->Check("default", {"user", "carol", ""}, "write", {"file", point_}));
  EXPECT_FALSE(*rebac_->Check("default", {"user", "admin", ""}, "write", {"file", point_}))
      << "the loader is not made owner";
  EXPECT_EQ(mounts_->Active(admin_).front()->owner, "carol");
}

INSTANTIATE_TEST_SUITE_P(Engines, MountsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());
INSTANTIATE_TEST_SUITE_P(Engines, TwoNodesMountsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
