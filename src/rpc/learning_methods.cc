// The learning loop over one service: trajectories and playbooks under their legacy names
// (api.md §2.3, legacy result shapes) and their ace_* names (api.md §6.10).
#include "rpc/memory_params.h"
#include "rpc/method_table.h"
#include "services/memory/memory_service.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

services::TrajectoryLog& Trajectories(const CallContext& ctx) {
  return ctx.services.memory->trajectories;
}

services::Playbooks& Playbooks(const CallContext& ctx) { return ctx.services.memory->playbooks; }

Json TrajectoryJson(const services::Trajectory& t) {
  Json steps = Json::array();
  for (const services::TrajectoryStep& s : t.steps) {
    steps.push_back(Json{{"step_type", s.step_type},
                         {"description", s.description},
                         {"result", StoredJson(s.result_json)},
                         {"timestamp", IsoOrNull(s.created_at)}});
  }
  return Json{{"trajectory_id", t.trajectory_id},
              {"tenant_id", t.tenant_id},
              {"user_id", t.user_id},
              {"agent_id", NullIfEmpty(t.agent_id)},
              {"task_description", t.task_description},
              {"task_type", OrNull(t.task_type)},
              {"status", t.status},
              {"success_score", OrNull(t.success_score)},
              {"error_message", OrNull(t.error_message)},
              {"started_at", IsoOrNull(t.started_at)},
              {"completed_at", IsoOrNull(t.completed_at)},
              {"duration_ms", OrNull(t.duration_ms)},
              {"feedback_count", t.feedback_count},
              {"effective_score", OrNull(t.effective_score)},
              {"needs_relearning", t.needs_relearning},
              {"relearning_priority", t.relearning_priority},
              {"steps", std::move(steps)}};
}

Json PlaybookJson(const services::Playbook& p) {
  Json strategies = Json::array();
  for (const services::PlaybookStrategy& s : p.strategies) {
    strategies.push_back(Json{{"category", s.category},
                              {"content", s.content},
                              {"source_id", s.source_id},
                              {"evidence_count", s.evidence_count},
                              {"created_at", IsoOrNull(s.created_at)}});
  }
  return Json{{"playbook_id", p.playbook_id},
              {"tenant_id", p.tenant_id},
              {"user_id", p.user_id},
              {"agent_id", NullIfEmpty(p.agent_id)},
              {"name", p.name},
              {"description", p.description},
              {"version", p.version},
              {"scope", p.scope},
              {"visibility", p.visibility},
              {"usage_count", p.usage_count},
              {"success_rate", p.success_rate},
              {"created_at", IsoOrNull(p.created_at)},
              {"updated_at", IsoOrNull(p.updated_at)},
              {"strategies", std::move(strategies)}};
}

template <typename T>
Json ArrayOf(const std::vector<T>& items, Json (*to_json)(const T&)) {
  Json out = Json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

StatusOr<MethodResult> Start(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(
      const std::string id,
      Trajectories(ctx).Start(ctx.caller, p.Str("task_description"), p.OptStr("task_type")));
  return MethodResult(Json{{"trajectory_id", id}});
}

StatusOr<MethodResult> LogStep(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(Trajectories(ctx).LogStep(ctx.caller, p.Str("trajectory_id"), p.Str("step_type"),
                                            p.Str("description"),
                                            p.Has("result") ? p.Raw("result").dump() : ""));
  return MethodResult(Json{{"success", true}});
}

StatusOr<MethodResult> Complete(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(Trajectories(ctx).Complete(ctx.caller, p.Str("trajectory_id"), p.Str("status"),
                                             OptNumber(p, "success_score"),
                                             p.OptStr("error_message")));
  return MethodResult(Json{{"trajectory_id", p.Str("trajectory_id")}});
}

StatusOr<Json> QueryTrajectories(const Params& p, CallContext& ctx) {
  services::TrajectoryFilter f;
  f.task_type = p.OptStr("task_type");
  f.agent_id = p.OptStr("agent_id");
  f.status = p.OptStr("status");
  f.limit = p.Int("limit");
  ASSIGN_OR_RETURN(const std::vector<services::Trajectory> found,
                   Trajectories(ctx).Query(ctx.caller, f));
  return ArrayOf(found, &TrajectoryJson);
}

StatusOr<Json> QueryPlaybooks(const Params& p, CallContext& ctx) {
  services::PlaybookFilter f;
  f.scope = p.OptStr("scope");
  f.agent_id = p.OptStr("agent_id");
  f.limit = p.Int("limit");
  ASSIGN_OR_RETURN(const std::vector<services::Playbook> found,
                   Playbooks(ctx).Query(ctx.caller, f));
  Json out = ArrayOf(found, &PlaybookJson);
  for (Json& playbook : out) playbook.erase("strategies");
  return out;
}

// The legacy name answers {"<key>": [...]}, the ace_* name the bare list.
Handler Listing(StatusOr<Json> (*query)(const Params&, CallContext&), std::string key) {
  return [query, key](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(Json list, query(p, ctx));
    if (key.empty()) return MethodResult(std::move(list));
    return MethodResult(Json{{key, std::move(list)}});
  };
}

StatusOr<MethodResult> AddFeedback(const Params& p, CallContext& ctx) {
  services::NewFeedback f;
  f.trajectory_id = p.Str("trajectory_id");
  f.feedback_type = p.Str("feedback_type");
  f.score = OptNumber(p, "score");
  f.source = p.OptStr("source");
  f.message = p.OptStr("message");
  if (p.Has("metrics")) f.metrics_json = p.Raw("metrics").dump();
  ASSIGN_OR_RETURN(const std::string id, Trajectories(ctx).AddFeedback(ctx.caller, f));
  return MethodResult(Json{{"feedback_id", id}});
}

Json FeedbackJson(const services::Feedback& f) {
  return Json{{"feedback_id", f.feedback_id},
              {"trajectory_id", f.trajectory_id},
              {"feedback_type", f.feedback_type},
              {"score", OrNull(f.score)},
              {"source", OrNull(f.source)},
              {"message", OrNull(f.message)},
              {"metrics", StoredJson(f.metrics_json)},
              {"created_at", IsoOrNull(f.created_at)}};
}

StatusOr<MethodResult> GetFeedback(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<services::Feedback> feedback,
                   Trajectories(ctx).ListFeedback(ctx.caller, p.Str("trajectory_id")));
  return MethodResult(ArrayOf(feedback, &FeedbackJson));
}

StatusOr<MethodResult> EffectiveScore(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const double score, Trajectories(ctx).EffectiveScore(
                                           ctx.caller, p.Str("trajectory_id"), p.Str("strategy")));
  return MethodResult(Json{{"effective_score", score}});
}

StatusOr<MethodResult> MarkForRelearning(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(Trajectories(ctx).MarkForRelearning(ctx.caller, p.Str("trajectory_id"),
                                                      p.Str("reason"), p.Int("priority")));
  return MethodResult(Json{{"success", true}});
}

StatusOr<MethodResult> ProcessRelearning(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<services::Trajectory> taken,
                   Trajectories(ctx).TakeRelearning(ctx.caller, p.Int("limit")));
  Json results = Json::array();
  for (const services::Trajectory& t : taken) {
    results.push_back(Json{{"trajectory_id", t.trajectory_id},
                           {"task_description", t.task_description},
                           {"task_type", OrNull(t.task_type)},
                           {"status", t.status},
                           {"effective_score", OrNull(t.effective_score)},
                           {"priority", t.relearning_priority},
                           {"reason", OrNull(t.relearning_reason)}});
  }
  return MethodResult(Json{{"results", std::move(results)}});
}

StatusOr<MethodResult> CreatePlaybook(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(
      const std::string id,
      Playbooks(ctx).Create(ctx.caller, p.Str("name"), p.Str("description"), p.Str("scope")));
  return MethodResult(Json{{"playbook_id", id}});
}

StatusOr<MethodResult> PlaybookOrNull(const StatusOr<std::optional<services::Playbook>>& found) {
  RETURN_IF_ERROR(found.status());
  return MethodResult(*found ? PlaybookJson(**found) : Json(nullptr));
}

StatusOr<MethodResult> GetPlaybookById(const Params& p, CallContext& ctx) {
  return PlaybookOrNull(Playbooks(ctx).Get(ctx.caller, p.Str("playbook_id")));
}

StatusOr<MethodResult> GetPlaybookByName(const Params& p, CallContext& ctx) {
  return PlaybookOrNull(Playbooks(ctx).GetByName(ctx.caller, p.Str("playbook_name")));
}

StatusOr<MethodResult> Curate(const Params& p, CallContext& ctx) {
  const double threshold = p.Number("merge_threshold");
  if (!(threshold >= 0.0 && threshold <= 1.0))
    return Status(Code::kValidation, "merge_threshold must be between 0 and 1");
  services::Curation c;
  c.playbook_name = p.Str("playbook_name");
  c.memory_ids = p.StrList("reflection_memory_ids");
  if (p.Has("trajectory_ids")) c.trajectory_ids = p.StrList("trajectory_ids");
  ASSIGN_OR_RETURN(const services::CurationResult r, Playbooks(ctx).Curate(ctx.caller, c));
  return MethodResult(Json{{"playbook_id", r.playbook_id},
                           {"playbook_name", c.playbook_name},
                           {"strategies_added", r.added},
                           {"strategies_merged", r.merged},
                           {"skipped_ids", r.skipped}});
}

// Reflection asks a language model to read trajectories; this server runs none.
StatusOr<MethodResult> BatchReflect(const Params&, CallContext&) {
  return Status(Code::kValidation,
                "batch_reflect needs an LLM provider to reflect on trajectories, and none is "
                "configured on this server");
}

}  // namespace

void AddLearningMethods(MethodTable& t) {
  const auto trajectory = Required("trajectory_id", P::kString);
  const auto limit = Optional("limit", P::kInt, 50);
  // The ace_* methods accept the reference's `context` argument; the caller's identity
  // replaces it.
  const auto context = Optional("context", P::kAny);
  const std::vector<ParamSpec> start = {Required("task_description", P::kString),
                                        Optional("task_type", P::kString)};
  const std::vector<ParamSpec> step = {trajectory, Required("step_type", P::kString),
                                       Required("description", P::kString),
                                       Optional("result", P::kAny)};
  const std::vector<ParamSpec> complete = {trajectory, Required("status", P::kString),
                                           Optional("success_score", P::kNumber),
                                           Optional("error_message", P::kString)};
  const auto with_context = [&](std::vector<ParamSpec> specs) {
    specs.push_back(context);
    return specs;
  };
  t.Add({"start_trajectory", start, Start, kCacheNoStore});
  t.Add({"ace_start_trajectory", with_context(start), Start, kCacheNoStore});
  t.Add({"log_trajectory_step", step, LogStep, kCacheNoStore});
  t.Add({"ace_log_trajectory_step", with_context(step), LogStep, kCacheNoStore});
  t.Add({"complete_trajectory", complete, Complete, kCacheNoStore});
  t.Add({"ace_complete_trajectory", with_context(complete), Complete, kCacheNoStore});
  t.Add({"query_trajectories",
         {Optional("agent_id", P::kString), Optional("task_type", P::kString),
          Optional("status", P::kString), limit},
         Listing(QueryTrajectories, "trajectories"),
         kCacheDefault});
  t.Add({"ace_query_trajectories",
         with_context({Optional("task_type", P::kString), Optional("status", P::kString), limit}),
         Listing(QueryTrajectories, ""), kCacheDefault});
  t.Add({"ace_add_feedback",
         with_context({trajectory, Required("feedback_type", P::kString),
                       Optional("score", P::kNumber), Optional("source", P::kString),
                       Optional("message", P::kString), Optional("metrics", P::kObject)}),
         AddFeedback, kCacheNoStore});
  t.Add({"ace_get_trajectory_feedback", with_context({trajectory}), GetFeedback, kCacheDefault});
  t.Add({"ace_get_effective_score",
         with_context({trajectory, Optional("strategy", P::kString, "latest")}), EffectiveScore,
         kCacheDefault});
  t.Add(
      {"ace_mark_for_relearning",
       with_context({trajectory, Required("reason", P::kString), Optional("priority", P::kInt, 5)}),
       MarkForRelearning, kCacheNoStore});
  t.Add({"process_relearning", {Optional("limit", P::kInt, 10)}, ProcessRelearning, kCacheNoStore});
  t.Add({"ace_create_playbook",
         with_context({Required("name", P::kString), Optional("description", P::kString, ""),
                       Optional("scope", P::kString, "agent")}),
         CreatePlaybook, kCacheNoStore});
  t.Add({"ace_get_playbook", with_context({Required("playbook_id", P::kString)}), GetPlaybookById,
         kCacheDefault});
  t.Add({"get_playbook",
         {Optional("playbook_name", P::kString, "default")},
         GetPlaybookByName,
         kCacheDefault});
  t.Add({"query_playbooks",
         {Optional("agent_id", P::kString), Optional("scope", P::kString), limit},
         Listing(QueryPlaybooks, "playbooks"),
         kCacheDefault});
  t.Add({"ace_query_playbooks", with_context({Optional("scope", P::kString), limit}),
         Listing(QueryPlaybooks, ""), kCacheDefault});
  t.Add({"curate_playbook",
         {Required("reflection_memory_ids", P::kStringList),
          Optional("playbook_name", P::kString, "default"),
          Optional("merge_threshold", P::kNumber, 0.7), Optional("trajectory_ids", P::kStringList)},
         Curate,
         kCacheNoStore});
  t.Add({"batch_reflect",
         {Optional("agent_id", P::kString), Optional("since", P::kString),
          Optional("min_trajectories", P::kInt, 10), Optional("task_type", P::kString)},
         BatchReflect,
         kCacheNoStore});
}

}  // namespace nexus::rpc
