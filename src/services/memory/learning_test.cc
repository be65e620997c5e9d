// Trajectories and playbooks (trajectories.h, playbooks.h) on both engines.
#include <gtest/gtest.h>

#include "services/memory/memory_service.h"
#include "services/test_identities.h"
#include "testing/test_store.h"

namespace nexus::services {
namespace {

using test_ids::Admin;
using test_ids::User;

class LearningTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    service_ = std::make_unique<MemoryService>(*store_.engine);
  }

  TrajectoryLog& log() { return service_->trajectories; }
  Playbooks& playbooks() { return service_->playbooks; }

  std::string Finished(const auth::Identity& who, const std::string& task,
                       const std::string& status, std::optional<std::string> error = {}) {
    StatusOr<std::string> id = log().Start(who, task, "test");
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(log().Complete(who, *id, status, 0.5, error).ok());
    return *id;
  }

  test::TestStore store_;
  std::unique_ptr<MemoryService> service_;
  const auth::Identity alice_ = User("alice");
  const auth::Identity bob_ = User("bob");
  const auth::Identity eve_ = User("alice", "other");
};

TEST_P(LearningTest, TrajectoryLifecycle) {
  auto id = log().Start(alice_, "write a report", "writing");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  for (const char* step : {"plan", "draft", "edit"})
    ASSERT_TRUE(log().LogStep(alice_, *id, "action", step, R"({"ok":true})").ok());
  ASSERT_TRUE(log().Complete(alice_, *id, "success", 0.9, std::nullopt).ok());
  EXPECT_EQ(log().Complete(alice_, *id, "failure", {}, {}).code(), Code::kValidation);
  EXPECT_EQ(log().LogStep(alice_, *id, "action", "late", "").code(), Code::kValidation);

  TrajectoryFilter f;
  f.task_type = "writing";
  auto found = log().Query(alice_, f);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  const Trajectory& t = (*found)[0];
  EXPECT_EQ(t.status, "success");
  EXPECT_EQ(*t.success_score, 0.9);
  ASSERT_TRUE(t.completed_at.has_value());
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[0].description, "plan");
  EXPECT_EQ(t.steps[2].description, "edit");
  EXPECT_EQ(t.steps[2].seq, 3);
  f.status = "failure";
  EXPECT_TRUE(log().Query(alice_, f)->empty());

  EXPECT_TRUE(log().Query(bob_, {})->empty()) << "trajectories are private to their user";
  EXPECT_TRUE(log().Query(eve_, {})->empty());
  EXPECT_EQ(log().Query(Admin(), {})->size(), 1u);
  EXPECT_EQ(log().LogStep(bob_, *id, "x", "y", "").code(), Code::kNotFound);
  EXPECT_EQ(log().Complete(alice_, *id, "done", {}, {}).code(), Code::kValidation);
}

TEST_P(LearningTest, FeedbackAndScores) {
  const std::string id = Finished(alice_, "task", "success");  // success_score 0.5
  auto score = [&](const std::string& strategy) {
    StatusOr<double> s = log().EffectiveScore(alice_, id, strategy);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : -1;
  };
  EXPECT_DOUBLE_EQ(score("latest"), 0.5);
  ASSERT_TRUE(log().AddFeedback(alice_, NewFeedback{id, "human", 1.0, "alice", "great", ""}).ok());
  ASSERT_TRUE(log().AddFeedback(alice_, NewFeedback{id, "comment", {}, {}, "note", ""}).ok());
  ASSERT_TRUE(
      log().AddFeedback(alice_, NewFeedback{id, "metric", 0.2, "ci", {}, R"({"p95":3})"}).ok());
  EXPECT_DOUBLE_EQ(score("latest"), 0.2);
  EXPECT_NEAR(score("average"), (0.5 + 1.0 + 0.2) / 3, 1e-9);
  EXPECT_NEAR(score("weighted"), (0.5 * 1 + 1.0 * 2 + 0.2 * 3) / 6, 1e-9);
  EXPECT_EQ(log().EffectiveScore(alice_, id, "median").status().code(), Code::kValidation);
  auto feedback = log().ListFeedback(alice_, id);
  ASSERT_TRUE(feedback.ok());
  ASSERT_EQ(feedback->size(), 3u);
  EXPECT_EQ((*feedback)[0].feedback_type, "human");
  EXPECT_EQ((*feedback)[2].metrics_json, R"({"p95":3})");
  auto t = log().Get(alice_, id);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->feedback_count, 3);
  EXPECT_DOUBLE_EQ(*(*t)->effective_score, 0.2);
  EXPECT_EQ(log().AddFeedback(alice_, NewFeedback{id, "x", 1.5, {}, {}, ""}).status().code(),
            Code::kValidation);
  EXPECT_EQ(log().ListFeedback(bob_, id).status().code(), Code::kNotFound);
}

TEST_P(LearningTest, Relearning) {
  const std::string low = Finished(alice_, "low", "failure");
  const std::string high = Finished(alice_, "high", "failure");
  ASSERT_TRUE(log().MarkForRelearning(alice_, low, "drift", 2).ok());
  ASSERT_TRUE(log().MarkForRelearning(alice_, high, "wrong", 9).ok());
  EXPECT_EQ(log().MarkForRelearning(bob_, low, "x", 1).code(), Code::kNotFound);
  EXPECT_EQ(log().MarkForRelearning(alice_, low, "x", 11).code(), Code::kValidation);
  EXPECT_TRUE(log().TakeRelearning(bob_, 10)->empty());
  auto taken = log().TakeRelearning(alice_, 10);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_EQ((*taken)[0].trajectory_id, high);
  EXPECT_EQ(*(*taken)[0].relearning_reason, "wrong");
  EXPECT_TRUE(log().TakeRelearning(alice_, 10)->empty()) << "the mark is cleared";
}

TEST_P(LearningTest, PlaybooksCreateGetQuery) {
  auto id = playbooks().Create(alice_, "coding", "how we code", "tenant");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(playbooks().Create(alice_, "coding", "", "agent").status().code(),
            Code::kAlreadyExists);
  EXPECT_EQ(playbooks().Create(alice_, "x", "", "galaxy").status().code(), Code::kValidation);
  ASSERT_TRUE(playbooks().Create(alice_, "private", "", "agent").ok());
  auto got = playbooks().Get(bob_, *id);
  ASSERT_TRUE(got.ok() && got->has_value()) << "scope tenant is readable in the tenant";
  EXPECT_EQ((*got)->visibility, "shared");
  EXPECT_FALSE(playbooks().Get(eve_, *id)->has_value());
  EXPECT_EQ(playbooks().Query(bob_, {})->size(), 1u);
  EXPECT_EQ(playbooks().Query(alice_, {})->size(), 2u);
  PlaybookFilter f;
  f.scope = "agent";
  EXPECT_EQ(playbooks().Query(alice_, f)->size(), 1u);
  EXPECT_TRUE(playbooks().Query(eve_, {})->empty());
}

TEST_P(LearningTest, CurationIsDeterministicAndMerges) {
  NewMemory lesson;
  lesson.content = "run the tests before pushing";
  lesson.memory_type = "reflection";
  const std::string good = *service_->memories.Store(alice_, lesson);
  lesson.content = "never force-push main";
  lesson.memory_type = "anti_pattern";
  const std::string bad = *service_->memories.Store(alice_, lesson);
  const std::string bobs = *service_->memories.Store(bob_, lesson);
  const std::string failed = Finished(alice_, "deploy", "failure", "timeout");
  const std::string open = *log().Start(alice_, "still running", std::nullopt);

  Curation c;
  c.memory_ids = {good, bad, bobs};
  c.trajectory_ids = {failed, open};
  auto first = playbooks().Curate(alice_, c);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->added, 3);
  EXPECT_EQ(first->merged, 0);
  EXPECT_EQ(first->skipped, (std::vector<std::string>{bobs, open}));
  auto second = playbooks().Curate(alice_, c);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->playbook_id, first->playbook_id);
  EXPECT_EQ(second->merged, 3);

  auto p = playbooks().GetByName(alice_, "default");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->version, 3);
  ASSERT_EQ((*p)->strategies.size(), 3u);
  EXPECT_EQ((*p)->strategies[0].category, "helpful");
  EXPECT_EQ((*p)->strategies[1].category, "harmful");
  EXPECT_EQ((*p)->strategies[2].content, "deploy (error: timeout)");
  EXPECT_EQ((*p)->strategies[2].evidence_count, 2);
  EXPECT_FALSE(playbooks().GetByName(bob_, "default")->has_value());
}

TEST_P(LearningTest, AnAgentActingForItselfSeesOnlyItsOwnRecords) {
  const auth::Identity bot = User("alice", "default", "alice,bot");
  auth::Identity heir = User("alice", "default", "alice,heir");
  heir.inherit_permissions = true;
  const std::string users = Finished(alice_, "the user's task", "success");
  const std::string bots = Finished(bot, "the bot's task", "success");
  auto seen = log().Query(bot, {});
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].trajectory_id, bots);
  EXPECT_FALSE(log().Get(bot, users)->has_value());
  EXPECT_EQ(log().MarkForRelearning(bot, users, "r", 1).code(), Code::kNotFound);
  EXPECT_EQ(log().Query(alice_, {})->size(), 2u) << "the user sees its agent's";
  EXPECT_EQ(log().Query(heir, {})->size(), 2u);

  ASSERT_TRUE(playbooks().Create(alice_, "private", "", "user").ok());
  ASSERT_TRUE(playbooks().Create(alice_, "team", "", "tenant").ok());
  auto books = playbooks().Query(bot, {});
  ASSERT_TRUE(books.ok());
  ASSERT_EQ(books->size(), 1u);
  EXPECT_EQ((*books)[0].name, "team");
  EXPECT_FALSE(playbooks().GetByName(bot, "private")->has_value());
  EXPECT_EQ(playbooks().Query(heir, {})->size(), 2u);
  Curation c;
  c.playbook_name = "private";
  c.trajectory_ids = {bots};
  EXPECT_EQ(playbooks().Curate(bot, c).status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(playbooks().Curate(heir, c).ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, LearningTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services
