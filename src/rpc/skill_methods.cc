// The skill methods of api.md §6.8 over the skill service, scoped to the caller.
#include "rpc/json_values.h"
#include "rpc/method_table.h"
#include "services/skills/skill_template.h"
#include "services/skills/skills.h"
#include "util/base64.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

using P = ParamType;
using services::DiscoveredSkill;
using services::SkillTier;

// The caller as the skill service sees it, with permissions answered by the session.
class Caller {
 public:
  explicit Caller(CallContext& ctx)
      : access_(ctx.session.SkillAccess()), caller_{ctx.caller, access_} {}
  operator const services::SkillCaller&() const { return caller_; }  // NOLINT: by design

 private:
  session::PolicySkillAccess access_;
  services::SkillCaller caller_;
};

services::SkillService& Skills(const CallContext& ctx) { return *ctx.services.skills; }

StatusOr<std::optional<SkillTier>> OptTier(const Params& p, const std::string& key) {
  if (!p.Has(key)) return std::optional<SkillTier>();
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str(key)));
  return std::optional<SkillTier>(tier);
}

Json SkillJson(const DiscoveredSkill& s) {
  const services::SkillMetadata& m = s.meta();
  Json out{{"name", m.name},
           {"description", m.description},
           {"version", OrNull(m.version)},
           {"author", OrNull(m.author)},
           {"tier", services::SkillTierName(s.tier)},
           {"file_path", s.file_path},
           {"requires", m.requires_}};
  if (m.created_at) out["created_at"] = *m.created_at;
  if (m.modified_at) out["modified_at"] = *m.modified_at;
  return out;
}

StatusOr<std::string> Base64Param(const Params& p, const std::string& key) {
  StatusOr<std::string> data = Base64Decode(p.Str(key));
  if (!data.ok()) return InvalidArgument(key + " is not valid base64");
  return data;
}

StatusOr<MethodResult> List(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<SkillTier> tier, OptTier(p, "tier"));
  ASSIGN_OR_RETURN(const std::vector<DiscoveredSkill> all, Skills(ctx).List(Caller(ctx), tier));
  Json skills = Json::array();
  for (const DiscoveredSkill& s : all) {
    skills.push_back(p.Bool("include_metadata") ? SkillJson(s) : Json(s.meta().name));
  }
  return MethodResult(Json{{"skills", std::move(skills)}, {"count", all.size()}});
}

StatusOr<MethodResult> Info(const Params& p, CallContext& ctx) {
  const Caller caller(ctx);
  ASSIGN_OR_RETURN(const DiscoveredSkill skill, Skills(ctx).Find(caller, p.Str("skill_name")));
  Json out = SkillJson(skill);
  out["metadata"] = Json::parse(skill.meta().metadata_json);
  if (!skill.meta().requires_.empty()) {
    ASSIGN_OR_RETURN(const std::vector<std::string> order,
                     Skills(ctx).Dependencies(caller, skill.meta().name));
    out["resolved_dependencies"] = order;
  }
  return MethodResult(std::move(out));
}

services::NewSkill NewSkillOf(const Params& p) {
  return services::NewSkill{p.OptStr("name").value_or(""), p.OptStr("description").value_or(""), "",
                            p.OptStr("author"), p.Has("metadata") ? p.Raw("metadata").dump() : ""};
}

StatusOr<MethodResult> Create(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str("tier")));
  services::NewSkill skill = NewSkillOf(p);
  ASSIGN_OR_RETURN(skill.body,
                   services::SkillTemplateBody(p.Str("template"), skill.name, skill.description));
  ASSIGN_OR_RETURN(const std::string path, Skills(ctx).Create(Caller(ctx), tier, skill));
  return MethodResult(Json{{"skill_path", path},
                           {"name", skill.name},
                           {"tier", p.Str("tier")},
                           {"template", p.Str("template")}});
}

StatusOr<MethodResult> CreateFromContent(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str("tier")));
  services::NewSkill skill = NewSkillOf(p);
  skill.body = p.Str("content");
  if (p.Has("source_url")) {
    Json extra = p.Has("metadata") ? p.Raw("metadata") : Json::object();
    extra["source_url"] = p.Str("source_url");
    skill.metadata_json = extra.dump();
  }
  ASSIGN_OR_RETURN(const std::string path, Skills(ctx).Create(Caller(ctx), tier, skill));
  return MethodResult(
      Json{{"skill_path", path},
           {"name", skill.name},
           {"tier", p.Str("tier")},
           {"source_url", p.Has("source_url") ? Json(p.Str("source_url")) : Json()}});
}

StatusOr<MethodResult> CreateFromFile(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str("tier")));
  if (!p.Has("file_data")) {
    return Status(Code::kValidation,
                  "file_data is required: this server does not fetch URLs or read server files");
  }
  ASSIGN_OR_RETURN(const std::string data, Base64Param(p, "file_data"));
  services::NewSkill skill = NewSkillOf(p);
  skill.author = p.OptStr("_author");
  const std::string source = p.Str("source");
  ASSIGN_OR_RETURN(const std::string path,
                   Skills(ctx).CreateFromFile(Caller(ctx), tier, source, data, skill));
  return MethodResult(Json{
      {"skill_path", path}, {"name", skill.name}, {"tier", p.Str("tier")}, {"source", source}});
}

StatusOr<MethodResult> Fork(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str("tier")));
  ASSIGN_OR_RETURN(const std::string path,
                   Skills(ctx).Fork(Caller(ctx), p.Str("source_name"), p.Str("target_name"), tier,
                                    p.OptStr("author")));
  return MethodResult(Json{{"forked_path", path},
                           {"source_name", p.Str("source_name")},
                           {"target_name", p.Str("target_name")},
                           {"tier", p.Str("tier")}});
}

StatusOr<MethodResult> Publish(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier from, services::ParseSkillTier(p.Str("source_tier")));
  ASSIGN_OR_RETURN(const SkillTier to, services::ParseSkillTier(p.Str("target_tier")));
  ASSIGN_OR_RETURN(const std::string path,
                   Skills(ctx).Publish(Caller(ctx), p.Str("skill_name"), from, to));
  return MethodResult(Json{{"published_path", path},
                           {"skill_name", p.Str("skill_name")},
                           {"source_tier", p.Str("source_tier")},
                           {"target_tier", p.Str("target_tier")}});
}

StatusOr<MethodResult> Search(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<SkillTier> tier, OptTier(p, "tier"));
  ASSIGN_OR_RETURN(const std::vector<services::SearchHit> hits,
                   Skills(ctx).Search(Caller(ctx), p.Str("query"), tier, p.Int("limit")));
  Json results = Json::array();
  for (const services::SearchHit& h : hits)
    results.push_back(Json{{"skill_name", h.skill_name}, {"score", h.score}});
  return MethodResult(
      Json{{"results", std::move(results)}, {"query", p.Str("query")}, {"count", hits.size()}});
}

Json ApprovalJson(const services::SkillApproval& a) {
  Json out{{"approval_id", a.approval_id},
           {"skill_name", a.skill_name},
           {"status", a.status},
           {"submitted_by", a.submitted_by},
           {"submitted_at", FormatIsoMicros(a.submitted_at)}};
  if (!a.reviewed_by.empty()) {
    out["reviewed_by"] = a.reviewed_by;
    out["reviewed_at"] = FormatIsoMicros(a.reviewed_at);
  }
  if (!a.comments.empty()) out["comments"] = a.comments;
  return out;
}

StatusOr<MethodResult> SubmitApproval(const Params& p, CallContext& ctx) {
  const std::vector<std::string> reviewers =
      p.Has("reviewers") ? p.StrList("reviewers") : std::vector<std::string>();
  ASSIGN_OR_RETURN(const DiscoveredSkill skill, Skills(ctx).Find(Caller(ctx), p.Str("skill_name")));
  ASSIGN_OR_RETURN(
      const services::SkillApproval a,
      Skills(ctx).approvals().Submit(ctx.caller, skill.meta().name, p.Str("submitted_by"),
                                     reviewers, p.OptStr("comments").value_or("")));
  return MethodResult(Json{{"approval_id", a.approval_id},
                           {"skill_name", a.skill_name},
                           {"submitted_by", a.submitted_by},
                           {"reviewers", a.reviewers}});
}

Handler ReviewHandler(bool approve) {
  return [approve](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    ASSIGN_OR_RETURN(
        const services::SkillApproval a,
        Skills(ctx).approvals().Review(ctx.caller, p.Str("approval_id"), approve,
                                       p.Str("reviewed_by"), p.Str("reviewer_type"),
                                       p.OptStr("comments").value_or(""), p.OptStr("tenant_id")));
    return MethodResult(Json{{"approval_id", a.approval_id},
                             {"reviewed_by", a.reviewed_by},
                             {"reviewer_type", a.reviewer_type},
                             {"status", a.status}});
  };
}

StatusOr<MethodResult> ListApprovals(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(
      const std::vector<services::SkillApproval> all,
      Skills(ctx).approvals().List(
          ctx.caller, services::ApprovalFilter{p.OptStr("status"), p.OptStr("skill_name")}));
  Json approvals = Json::array();
  for (const services::SkillApproval& a : all) approvals.push_back(ApprovalJson(a));
  return MethodResult(Json{{"approvals", std::move(approvals)}, {"count", all.size()}});
}

StatusOr<MethodResult> Import(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const SkillTier tier, services::ParseSkillTier(p.Str("tier")));
  ASSIGN_OR_RETURN(const std::string zip, Base64Param(p, "zip_data"));
  const Caller caller(ctx);
  ASSIGN_OR_RETURN(const std::vector<std::string> names,
                   Skills(ctx).Import(caller, tier, zip, p.Bool("allow_overwrite")));
  Json paths = Json::array();
  for (const std::string& n : names)
    paths.push_back(services::SkillTierDir(ctx.caller, tier) + "/" + n + "/");
  return MethodResult(
      Json{{"imported_skills", names}, {"skill_paths", std::move(paths)}, {"tier", p.Str("tier")}});
}

StatusOr<MethodResult> ValidateZip(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string zip, Base64Param(p, "zip_data"));
  const services::ZipReport report = Skills(ctx).ValidateZip(zip);
  return MethodResult(Json{{"valid", report.valid},
                           {"skills_found", report.skills_found},
                           {"errors", report.errors},
                           {"warnings", report.warnings}});
}

StatusOr<MethodResult> Export(const Params& p, CallContext& ctx) {
  const std::string name = p.Str("skill_name");
  ASSIGN_OR_RETURN(const std::string zip, Skills(ctx).Export(Caller(ctx), name, p.Str("format"),
                                                             p.Bool("include_dependencies")));
  return MethodResult(Json{{"skill_name", name},
                           {"zip_data", Base64Encode(zip)},
                           {"size_bytes", zip.size()},
                           {"filename", name + ".skill"}});
}

}  // namespace

void AddSkillMethods(MethodTable& t) {
  const auto skill_name = Required("skill_name", P::kString);
  const auto tier = Optional("tier", P::kString, "agent");
  const auto author = Optional("author", P::kString);
  const auto zip = Required("zip_data", P::kString);
  t.Add({"skills_list",
         {Optional("tier", P::kString), Optional("include_metadata", P::kBool, true)},
         List,
         kCacheDefault});
  t.Add({"skills_info", {skill_name}, Info, kCacheDefault});
  t.Add({"skills_create",
         {Required("name", P::kString), Required("description", P::kString),
          Optional("template", P::kString, "basic"), tier, author},
         Create,
         kCacheNoStore});
  t.Add({"skills_create_from_content",
         {Required("name", P::kString), Required("description", P::kString),
          Required("content", P::kString), tier, author, Optional("source_url", P::kString),
          Optional("metadata", P::kObject)},
         CreateFromContent,
         kCacheNoStore});
  t.Add({"skills_create_from_file",
         {Required("source", P::kString), Optional("file_data", P::kString),
          Optional("name", P::kString), Optional("description", P::kString), tier,
          Optional("use_ai", P::kBool, false), Optional("use_ocr", P::kBool, false),
          Optional("extract_tables", P::kBool, false), Optional("extract_images", P::kBool, false),
          Optional("_author", P::kString)},
         CreateFromFile,
         kCacheNoStore});
  t.Add({"skills_fork",
         {Required("source_name", P::kString), Required("target_name", P::kString), tier, author},
         Fork,
         kCacheNoStore});
  t.Add({"skills_publish",
         {skill_name, Optional("source_tier", P::kString, "agent"),
          Optional("target_tier", P::kString, "tenant")},
         Publish,
         kCacheNoStore});
  t.Add({"skills_search",
         {Required("query", P::kString), Optional("tier", P::kString),
          Optional("limit", P::kInt, 10)},
         Search,
         kCacheDefault});
  t.Add({"skills_submit_approval",
         {skill_name, Required("submitted_by", P::kString), Optional("reviewers", P::kStringList),
          Optional("comments", P::kString)},
         SubmitApproval,
         kCacheNoStore});
  const std::vector<ParamSpec> review = {
      Required("approval_id", P::kString), Required("reviewed_by", P::kString),
      Optional("reviewer_type", P::kString, "user"), Optional("comments", P::kString),
      Optional("tenant_id", P::kString)};
  t.Add({"skills_approve", review, ReviewHandler(true), kCacheNoStore});
  t.Add({"skills_reject", review, ReviewHandler(false), kCacheNoStore});
  t.Add({"skills_list_approvals",
         {Optional("status", P::kString), Optional("skill_name", P::kString)},
         ListApprovals,
         kCacheDefault});
  t.Add({"skills_import",
         {zip, Optional("tier", P::kString, "user"), Optional("allow_overwrite", P::kBool, false)},
         Import,
         kCacheNoStore});
  t.Add({"skills_validate_zip", {zip}, ValidateZip, kCacheDefault});
  t.Add({"skills_export",
         {skill_name, Optional("format", P::kString, "generic"),
          Optional("include_dependencies", P::kBool, false)},
         Export,
         kCacheDefault});
}

}  // namespace nexus::rpc
