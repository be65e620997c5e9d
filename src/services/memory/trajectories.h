// Trajectories of the learning loop (domain.md §1.2.6): the record of one task an agent
// worked on, its steps in order, how it ended, the feedback it received afterwards, and
// whether it should be learned from again. A trajectory belongs to the caller's user; only
// that user (and the tenant's admins) see and change it.
#ifndef NEXUS_SERVICES_MEMORY_TRAJECTORIES_H_
#define NEXUS_SERVICES_MEMORY_TRAJECTORIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "storage/engine.h"

namespace nexus::services {

struct TrajectoryStep {
  int64_t seq = 0;  // 1, 2, ... in the order logged
  std::string step_type;
  std::string description;
  std::string result_json;  // the step's result as JSON, or "" for none
  int64_t created_at = 0;
};

struct Trajectory {
  std::string trajectory_id;
  std::string tenant_id;
  std::string user_id;
  std::string agent_id;  // "" when started by a user
  std::string task_description;
  std::optional<std::string> task_type;
  std::string status;  // in_progress until completed, then success|failure|partial
  std::optional<double> success_score;
  std::optional<std::string> error_message;
  int64_t started_at = 0;
  std::optional<int64_t> completed_at;
  std::optional<int64_t> duration_ms;
  int64_t feedback_count = 0;
  std::optional<double> effective_score;  // the latest score (EffectiveScore "latest")
  bool needs_relearning = false;
  int64_t relearning_priority = 0;
  std::optional<std::string> relearning_reason;
  std::vector<TrajectoryStep> steps;
};

struct TrajectoryFilter {
  std::optional<std::string> task_type;
  std::optional<std::string> agent_id;
  std::optional<std::string> status;
  int64_t limit = 50;
};

struct NewFeedback {
  std::string trajectory_id;
  std::string feedback_type;
  std::optional<double> score;  // 0..1
  std::optional<std::string> source;
  std::optional<std::string> message;
  std::string metrics_json;  // a JSON object, or ""
};

struct Feedback {
  std::string feedback_id;
  std::string trajectory_id;
  std::string feedback_type;
  std::optional<double> score;
  std::optional<std::string> source;
  std::optional<std::string> message;
  std::string metrics_json;
  int64_t created_at = 0;
};

class TrajectoryLog {
 public:
  explicit TrajectoryLog(storage::Engine& engine) : engine_(engine) {}

  StatusOr<std::string> Start(const auth::Identity& caller, const std::string& task_description,
                              const std::optional<std::string>& task_type);
  // Appends a step. kNotFound for a trajectory the caller cannot see; kValidation once it
  // is completed.
  Status LogStep(const auth::Identity& caller, const std::string& trajectory_id,
                 const std::string& step_type, const std::string& description,
                 const std::string& result_json);
  // status is success, failure or partial; success_score 0..1. Completing twice is kValidation.
  Status Complete(const auth::Identity& caller, const std::string& trajectory_id,
                  const std::string& status, std::optional<double> success_score,
                  const std::optional<std::string>& error_message);
  // Newest first, with their steps.
  StatusOr<std::vector<Trajectory>> Query(const auth::Identity& caller,
                                          const TrajectoryFilter& filter);
  // None when there is no such trajectory visible to the caller.
  StatusOr<std::optional<Trajectory>> Get(const auth::Identity& caller,
                                          const std::string& trajectory_id);

  StatusOr<std::string> AddFeedback(const auth::Identity& caller, const NewFeedback& feedback);
  // Oldest first.
  StatusOr<std::vector<Feedback>> ListFeedback(const auth::Identity& caller,
                                               const std::string& trajectory_id);
  // strategy "latest": the score of the newest scored feedback, else the success_score;
  // "average": the mean of the success_score and every feedback score;
  // "weighted": the same scores weighted 1, 2, 3, ... from oldest to newest.
  // 0 when there is no score at all.
  StatusOr<double> EffectiveScore(const auth::Identity& caller, const std::string& trajectory_id,
                                  const std::string& strategy);
  Status MarkForRelearning(const auth::Identity& caller, const std::string& trajectory_id,
                           const std::string& reason, int64_t priority);
  // The caller's trajectories marked for relearning (highest priority first), with the mark
  // cleared.
  StatusOr<std::vector<Trajectory>> TakeRelearning(const auth::Identity& caller, int64_t limit);

 private:
  // Loads the trajectory inside a unit; kNotFound unless the caller may change it.
  StatusOr<Trajectory> LoadWritable(storage::Tx& tx, const auth::Identity& caller,
                                    const std::string& trajectory_id);

  storage::Engine& engine_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MEMORY_TRAJECTORIES_H_
