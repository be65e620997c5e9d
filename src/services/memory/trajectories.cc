#include "services/memory/trajectories.h"

#include "services/ownership.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "trajectory_id, tenant_id, user_id, agent_id, task_description, task_type, status, "
    "success_score, error_message, started_at, completed_at, duration_ms, feedback_count, "
    "effective_score, needs_relearning, relearning_priority, relearning_reason";

constexpr const char* kFeedbackColumns =
    "feedback_id, trajectory_id, feedback_type, score, source, message, metrics, created_at";

Trajectory FromRow(const Row& r) {
  Trajectory t;
  t.trajectory_id = r.Text(0);
  t.tenant_id = r.Text(1);
  t.user_id = r.Text(2);
  t.agent_id = r.Text(3);
  t.task_description = r.Text(4);
  t.task_type = r.OptText(5);
  t.status = r.Text(6);
  t.success_score = r.OptReal(7);
  t.error_message = r.OptText(8);
  t.started_at = r.Int(9);
  t.completed_at = r.OptInt(10);
  t.duration_ms = r.OptInt(11);
  t.feedback_count = r.Int(12);
  t.effective_score = r.OptReal(13);
  t.needs_relearning = r.Int(14) != 0;
  t.relearning_priority = r.Int(15);
  t.relearning_reason = r.OptText(16);
  return t;
}

Feedback FeedbackFromRow(const Row& r) {
  return Feedback{r.Text(0),    r.Text(1),    r.Text(2), r.OptReal(3),
                  r.OptText(4), r.OptText(5), r.Text(6), r.Int(7)};
}

Status ValidateScore(const char* field, std::optional<double> score) {
  if (score && !(*score >= 0.0 && *score <= 1.0))
    return Status(Code::kValidation, std::string(field) + " must be between 0 and 1");
  return Status::OK();
}

TrajectoryStep StepFromRow(const Row& r) {
  return TrajectoryStep{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)};
}

Status LoadSteps(Tx& tx, Trajectory& t) {
  ASSIGN_OR_RETURN(t.steps, storage::QueryAll(tx,
                                              "SELECT seq, step_type, description, result, "
                                              "created_at FROM trajectory_steps WHERE "
                                              "trajectory_id = ? ORDER BY seq",
                                              {t.trajectory_id}, StepFromRow));
  return Status::OK();
}

StatusOr<std::vector<Feedback>> SelectFeedback(Tx& tx, const std::string& trajectory_id) {
  return storage::QueryAll(tx,
                           std::string("SELECT ") + kFeedbackColumns +
                               " FROM trajectory_feedback WHERE trajectory_id = ? ORDER BY seq",
                           {trajectory_id}, FeedbackFromRow);
}

// The scores a trajectory has, oldest first: its success_score, then each feedback score.
std::vector<double> Scores(const Trajectory& t, const std::vector<Feedback>& feedback) {
  std::vector<double> scores;
  if (t.success_score) scores.push_back(*t.success_score);
  for (const Feedback& f : feedback) {
    if (f.score) scores.push_back(*f.score);
  }
  return scores;
}

StatusOr<double> Combine(const std::vector<double>& scores, const std::string& strategy) {
  if (strategy != "latest" && strategy != "average" && strategy != "weighted") {
    return Status(Code::kValidation,
                  "strategy must be latest, average or weighted, got '" + strategy + "'");
  }
  if (scores.empty()) return 0.0;
  if (strategy == "latest") return scores.back();
  double sum = 0;
  double weights = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const double w = strategy == "weighted" ? static_cast<double>(i + 1) : 1.0;
    sum += w * scores[i];
    weights += w;
  }
  return sum / weights;
}

}  // namespace

StatusOr<Trajectory> TrajectoryLog::LoadWritable(Tx& tx, const auth::Identity& caller,
                                                 const std::string& trajectory_id) {
  ASSIGN_OR_RETURN(
      std::optional<Trajectory> t,
      storage::QueryFirst(
          tx, std::string("SELECT ") + kColumns + " FROM trajectories WHERE trajectory_id = ?",
          {trajectory_id}, FromRow));
  if (!t || !CanWrite(caller, RecordOwner{t->tenant_id, t->user_id, "", t->agent_id}))
    return NotFound("Trajectory not found: " + trajectory_id);
  return std::move(*t);
}

StatusOr<std::string> TrajectoryLog::Start(const auth::Identity& caller,
                                           const std::string& task_description,
                                           const std::optional<std::string>& task_type) {
  if (task_description.empty())
    return Status(Code::kValidation, "task_description must not be empty");
  const std::string id = NewUuid4();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "INSERT INTO trajectories (trajectory_id, tenant_id, user_id, agent_id, "
            "task_description, task_type, status, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?)",
            {id, caller.tenant_id, caller.user_id, caller.agent_id, task_description,
             storage::OptionalValue(task_type), NowMicros()})
        .status();
  }));
  return id;
}

Status TrajectoryLog::LogStep(const auth::Identity& caller, const std::string& trajectory_id,
                              const std::string& step_type, const std::string& description,
                              const std::string& result_json) {
  if (step_type.empty()) return Status(Code::kValidation, "step_type must not be empty");
  return engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Trajectory t, LoadWritable(tx, caller, trajectory_id));
    if (t.status != "in_progress")
      return Status(Code::kValidation, "Trajectory already completed: " + trajectory_id);
    ASSIGN_OR_RETURN(Rows last, tx.Query("SELECT COALESCE(MAX(seq), 0) FROM trajectory_steps "
                                         "WHERE trajectory_id = ?",
                                         {trajectory_id}));
    return tx
        .Exec(
            "INSERT INTO trajectory_steps (trajectory_id, seq, step_type, description, result, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            {trajectory_id, last.at(0).Int(0) + 1, step_type, description,
             result_json.empty() ? storage::Null() : storage::Value(result_json), NowMicros()})
        .status();
  });
}

Status TrajectoryLog::Complete(const auth::Identity& caller, const std::string& trajectory_id,
                               const std::string& status, std::optional<double> success_score,
                               const std::optional<std::string>& error_message) {
  if (status != "success" && status != "failure" && status != "partial") {
    return Status(Code::kValidation,
                  "status must be success, failure or partial, got '" + status + "'");
  }
  RETURN_IF_ERROR(ValidateScore("success_score", success_score));
  return engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Trajectory t, LoadWritable(tx, caller, trajectory_id));
    if (t.status != "in_progress")
      return Status(Code::kValidation, "Trajectory already completed: " + trajectory_id);
    const int64_t now = NowMicros();
    return tx
        .Exec(
            "UPDATE trajectories SET status = ?, success_score = ?, error_message = ?, "
            "completed_at = ?, duration_ms = ? WHERE trajectory_id = ?",
            {status, storage::OptionalValue(success_score), storage::OptionalValue(error_message),
             now, (now - t.started_at) / 1000, trajectory_id})
        .status();
  });
}

StatusOr<std::vector<Trajectory>> TrajectoryLog::Query(const auth::Identity& caller,
                                                       const TrajectoryFilter& filter) {
  RETURN_IF_ERROR(CheckListLimit(filter.limit));
  ListingSql listing(caller, kColumns, "trajectories", /*has_scope=*/false);
  listing.Equal("task_type", filter.task_type);
  listing.Equal("agent_id", filter.agent_id);
  listing.Equal("status", filter.status);
  const std::string sql = listing.Sql("started_at DESC, trajectory_id", filter.limit);
  std::vector<Trajectory> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out, storage::QueryAll(tx, sql, listing.params(), FromRow));
    for (Trajectory& t : out) RETURN_IF_ERROR(LoadSteps(tx, t));
    return Status::OK();
  }));
  return out;
}

StatusOr<std::optional<Trajectory>> TrajectoryLog::Get(const auth::Identity& caller,
                                                       const std::string& trajectory_id) {
  std::optional<Trajectory> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    StatusOr<Trajectory> t = LoadWritable(tx, caller, trajectory_id);
    out.reset();
    if (t.status().code() == Code::kNotFound) return Status::OK();
    if (!t.ok()) return t.status();
    out = std::move(*t);
    return LoadSteps(tx, *out);
  }));
  return out;
}

StatusOr<std::string> TrajectoryLog::AddFeedback(const auth::Identity& caller,
                                                 const NewFeedback& feedback) {
  if (feedback.feedback_type.empty())
    return Status(Code::kValidation, "feedback_type must not be empty");
  RETURN_IF_ERROR(ValidateScore("score", feedback.score));
  const std::string id = NewUuid4();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Trajectory t, LoadWritable(tx, caller, feedback.trajectory_id));
    const int64_t now = NowMicros();
    const int64_t seq = t.feedback_count + 1;
    RETURN_IF_ERROR(
        tx.Exec(std::string("INSERT INTO trajectory_feedback (") + kFeedbackColumns +
                    ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, t.trajectory_id, feedback.feedback_type,
                 storage::OptionalValue(feedback.score), storage::OptionalValue(feedback.source),
                 storage::OptionalValue(feedback.message), feedback.metrics_json, now, seq})
            .status());
    const std::optional<double> latest = feedback.score ? feedback.score : t.effective_score;
    return tx
        .Exec(
            "UPDATE trajectories SET feedback_count = ?, effective_score = ?, "
            "last_feedback_at = ? WHERE trajectory_id = ?",
            {seq, storage::OptionalValue(latest), now, t.trajectory_id})
        .status();
  }));
  return id;
}

StatusOr<std::vector<Feedback>> TrajectoryLog::ListFeedback(const auth::Identity& caller,
                                                            const std::string& trajectory_id) {
  std::vector<Feedback> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(LoadWritable(tx, caller, trajectory_id).status());
    ASSIGN_OR_RETURN(out, SelectFeedback(tx, trajectory_id));
    return Status::OK();
  }));
  return out;
}

StatusOr<double> TrajectoryLog::EffectiveScore(const auth::Identity& caller,
                                               const std::string& trajectory_id,
                                               const std::string& strategy) {
  std::vector<double> scores;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Trajectory t, LoadWritable(tx, caller, trajectory_id));
    ASSIGN_OR_RETURN(const std::vector<Feedback> feedback, SelectFeedback(tx, trajectory_id));
    scores = Scores(t, feedback);
    return Status::OK();
  }));
  return Combine(scores, strategy);
}

Status TrajectoryLog::MarkForRelearning(const auth::Identity& caller,
                                        const std::string& trajectory_id, const std::string& reason,
                                        int64_t priority) {
  if (priority < 0 || priority > 10)
    return Status(Code::kValidation, "priority must be between 0 and 10");
  return engine_.Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(LoadWritable(tx, caller, trajectory_id).status());
    return tx
        .Exec(
            "UPDATE trajectories SET needs_relearning = 1, relearning_priority = ?, "
            "relearning_reason = ? WHERE trajectory_id = ?",
            {priority, reason, trajectory_id})
        .status();
  });
}

StatusOr<std::vector<Trajectory>> TrajectoryLog::TakeRelearning(const auth::Identity& caller,
                                                                int64_t limit) {
  RETURN_IF_ERROR(CheckListLimit(limit));
  ListingSql listing(caller, kColumns, "trajectories", /*has_scope=*/false);
  listing.Where("needs_relearning = ?", int64_t{1});
  const std::string sql = listing.Sql("relearning_priority DESC, started_at, trajectory_id", limit);
  std::vector<Trajectory> out;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out, storage::QueryAll(tx, sql, listing.params(), FromRow));
    for (const Trajectory& t : out) {
      RETURN_IF_ERROR(
          tx.Exec("UPDATE trajectories SET needs_relearning = 0 WHERE trajectory_id = ?",
                  {t.trajectory_id})
              .status());
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace nexus::services
