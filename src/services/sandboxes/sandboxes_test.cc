// Sandbox records over the real bubblewrap provider, on both engines.
#include "services/sandboxes/sandboxes.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "sandbox/bubblewrap_provider.h"
#include "testing/test_store.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {
namespace {

class SandboxesTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    provider_ = sandbox::NewBubblewrapProvider();
    ASSERT_TRUE(provider_->Available().ok()) << provider_->Available().ToString();
    MakeService();
  }

  void MakeService() {
    service_.reset();
    SandboxServiceOptions options;
    options.data_dir = store_.dir->path();
    service_ = std::make_unique<SandboxService>(*store_.engine, *provider_, options);
  }

  test::TestStore store_;
  std::unique_ptr<sandbox::Provider> provider_;
  std::unique_ptr<SandboxService> service_;
  const SandboxCaller admin_{"default", "admin", "", true};
  const SandboxCaller alice_{"default", "alice", "", false};
};

TEST_P(SandboxesTest, GetOrCreateYieldsOneLiveSandboxPerNameUnderConcurrency) {
  std::vector<std::thread> threads;
  struct {
    Mutex mu;
    std::set<std::string> ids[2] GUARDED_BY(mu);  // by name
  } seen;
  std::atomic<int> failures{0};
  const std::string names[2] = {"admin,ImpersonatedUser", "admin,UntrustedAgent"};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = service_->GetOrCreate(admin_, names[t % 2], 10, "docker", "", true);
        if (!r.ok()) {
          failures++;
          continue;
        }
        MutexLock l(&seen.mu);
        seen.ids[t % 2].insert(r->sandbox_id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  MutexLock l(&seen.mu);
  EXPECT_EQ(seen.ids[0].size(), 1u);
  EXPECT_EQ(seen.ids[1].size(), 1u);
  auto listed = service_->List(admin_, SandboxListFilter{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].provider, "bubblewrap");
  EXPECT_EQ((*listed)[0].requested_provider, "docker") << "the record tells what really runs it";
}

TEST_P(SandboxesTest, RunKeepsFilesAndHonoursStatus) {
  auto box = service_->Create(alice_, "work", 10, "", "");
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto wrote = service_->Run(alice_, box->sandbox_id, "bash", "echo kept > f.txt", 10);
  ASSERT_TRUE(wrote.ok()) << wrote.status().ToString();
  auto read =
      service_->Run(alice_, box->sandbox_id, "python", "print(open('f.txt').read().strip())", 10);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->stdout_text, "kept\n");
  EXPECT_EQ(service_->Run(alice_, box->sandbox_id, "cobol", "x", 10).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->Run(alice_, box->sandbox_id, "bash", "true", 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      service_->Run(alice_, box->sandbox_id, "bash", std::string(2 << 20, 'x'), 10).status().code(),
      Code::kInvalidArgument);
  ASSERT_TRUE(service_->Pause(alice_, box->sandbox_id).ok());
  auto paused = service_->Run(alice_, box->sandbox_id, "bash", "true", 10);
  EXPECT_EQ(paused.status().code(), Code::kValidation);
  EXPECT_NE(paused.status().message().find("paused"), std::string::npos);
  ASSERT_TRUE(service_->Resume(alice_, box->sandbox_id).ok());
  EXPECT_TRUE(service_->Run(alice_, box->sandbox_id, "bash", "true", 10).ok());
  ASSERT_TRUE(service_->Stop(alice_, box->sandbox_id).ok());
  auto stopped = service_->Run(alice_, box->sandbox_id, "bash", "true", 10);
  EXPECT_EQ(stopped.status().code(), Code::kValidation);
  EXPECT_NE(stopped.status().message().find("stopped"), std::string::npos);
}

TEST_P(SandboxesTest, OtherUsersSandboxesAreNotFound) {
  auto box = service_->Create(admin_, "mine", 10, "", "");
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(service_->Get(alice_, box->sandbox_id).status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Run(alice_, box->sandbox_id, "bash", "true", 10).status().code(),
            Code::kNotFound);
  EXPECT_EQ(service_->Stop(alice_, box->sandbox_id).status().code(), Code::kNotFound);
  const SandboxCaller other_tenant{"acme", "admin", "", true};
  EXPECT_EQ(service_->Get(other_tenant, box->sandbox_id).status().code(), Code::kNotFound);
  auto alices = service_->List(alice_, SandboxListFilter{std::string("admin"), {}, {}});
  ASSERT_TRUE(alices.ok());
  EXPECT_TRUE(alices->empty()) << "a user filter is for admins only";
}

TEST_P(SandboxesTest, BadRequestsAreRefused) {
  EXPECT_EQ(service_->Create(alice_, "x", 10, "e2b", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->Create(alice_, "x", 10, "kubernetes", "").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->Create(alice_, "", 10, "", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->Create(alice_, "x", 0, "", "").status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(service_->Create(alice_, "x", 10, "", "").ok());
  EXPECT_EQ(service_->Create(alice_, "x", 10, "", "").status().code(), Code::kInvalidArgument)
      << "duplicate name";
}

TEST_P(SandboxesTest, RestartStopsWhatWasLiveAndRecordsSurvive) {
  auto box = service_->Create(alice_, "survivor", 10, "", "");
  ASSERT_TRUE(box.ok());
  MakeService();
  ASSERT_TRUE(service_->RecoverAfterRestart().ok());
  auto after = service_->Get(alice_, box->sandbox_id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, "stopped");
  EXPECT_TRUE(after->stopped_at.has_value());
  auto again = service_->GetOrCreate(alice_, "survivor", 10, "", "", true);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->sandbox_id, box->sandbox_id) << "a stopped sandbox is replaced";
}

TEST_P(SandboxesTest, ExpiredSandboxesAreStopped) {
  auto box = service_->Create(alice_, "short", 1, "", "");
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE(store_.engine
                  ->Write([&](storage::Tx& tx) {
                    return tx
                        .Exec("UPDATE sandboxes SET expires_at = 1 WHERE sandbox_id = ?",
                              {box->sandbox_id})
                        .status();
                  })
                  .ok());
  auto expired = service_->ExpireDue();
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1);
  EXPECT_EQ(service_->Get(alice_, box->sandbox_id)->status, "stopped");
}

INSTANTIATE_TEST_SUITE_P(Engines, SandboxesTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
