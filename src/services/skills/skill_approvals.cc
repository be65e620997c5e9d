#include "services/skills/skill_approvals.h"

#include "storage/rows.h"
#include "util/clock.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "approval_id, tenant_id, skill_name, status, submitted_by, reviewers, comments, "
    "submitted_at, reviewed_by, reviewer_type, reviewed_at";

constexpr char kPending[] = "pending";

std::string Tenant(const auth::Identity& caller) {
  return caller.tenant_id.empty() ? auth::kDefaultTenant : caller.tenant_id;
}

std::string Me(const auth::Identity& caller) {
  return caller.user_id.empty() ? caller.subject_id : caller.user_id;
}

// Names are stored one per line, so a name may not hold a line break (or other controls).
Status CheckName(const char* what, const std::string& name) {
  if (name.empty() || name.size() > 255)
    return Status(Code::kValidation, std::string(what) + " must be 1 to 255 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      return Status(Code::kValidation, std::string(what) + " contains a control character");
  }
  return Status::OK();
}

std::string JoinLines(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : "\n") + n;
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

SkillApproval FromRow(const Row& r) {
  return SkillApproval{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), SplitLines(r.Text(5)),
                       r.Text(6), r.Int(7),  r.Text(8), r.Text(9), r.Int(10)};
}

}  // namespace

StatusOr<SkillApproval> SkillApprovals::Submit(const auth::Identity& caller,
                                               const std::string& skill_name,
                                               const std::string& submitted_by,
                                               const std::vector<std::string>& reviewers,
                                               const std::string& comments) {
  RETURN_IF_ERROR(CheckName("submitted_by", submitted_by));
  for (const std::string& r : reviewers) RETURN_IF_ERROR(CheckName("a reviewer", r));
  if (submitted_by != Me(caller) && submitted_by != caller.subject_id && !caller.is_admin &&
      !caller.is_system) {
    return PermissionDenied("Access denied: cannot submit on behalf of '" + submitted_by + "'");
  }
  SkillApproval a{NewUuid4(), Tenant(caller), skill_name,  kPending, submitted_by,
                  reviewers,  comments,       NowMicros(), "",       "",
                  0};
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(std::string("INSERT INTO skill_approvals (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
              {a.approval_id, a.tenant_id, a.skill_name, a.status, a.submitted_by,
               JoinLines(a.reviewers), a.comments, a.submitted_at})
        .status();
  }));
  return a;
}

StatusOr<SkillApproval> SkillApprovals::Review(const auth::Identity& caller,
                                               const std::string& approval_id, bool approve,
                                               const std::string& reviewed_by,
                                               const std::string& reviewer_type,
                                               const std::string& comments,
                                               const std::optional<std::string>& tenant_id) {
  const std::string tenant = tenant_id.value_or(Tenant(caller));
  if (tenant != Tenant(caller) && !caller.is_system)
    return PermissionDenied("Access denied: approvals of tenant '" + tenant + "'");
  if (!caller.is_admin && !caller.is_system)
    return PermissionDenied("Access denied: only an admin of the tenant reviews skills");
  RETURN_IF_ERROR(CheckName("reviewed_by", reviewed_by));
  if (reviewer_type != "user" && reviewer_type != "agent")
    return Status(Code::kValidation, "reviewer_type must be 'user' or 'agent'");
  SkillApproval a;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        const std::optional<SkillApproval> stored,
        storage::QueryFirst(tx,
                            std::string("SELECT ") + kColumns +
                                " FROM skill_approvals WHERE tenant_id = ? AND approval_id = ?",
                            {tenant, approval_id}, FromRow));
    if (!stored) return Status(Code::kValidation, "Approval not found: " + approval_id);
    a = *stored;
    if (a.status != kPending)
      return Status(Code::kValidation, "Approval " + approval_id + " is already " + a.status);
    a.status = approve ? "approved" : "rejected";
    a.reviewed_by = reviewed_by;
    a.reviewer_type = reviewer_type;
    a.reviewed_at = NowMicros();
    if (!comments.empty()) a.comments = comments;
    return tx
        .Exec(
            "UPDATE skill_approvals SET status = ?, reviewed_by = ?, reviewer_type = ?, "
            "reviewed_at = ?, comments = ? WHERE tenant_id = ? AND approval_id = ? AND status = ?",
            {a.status, a.reviewed_by, a.reviewer_type, a.reviewed_at, a.comments, tenant,
             approval_id, std::string(kPending)})
        .status();
  }));
  return a;
}

StatusOr<std::vector<SkillApproval>> SkillApprovals::List(const auth::Identity& caller,
                                                          const ApprovalFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM skill_approvals WHERE tenant_id = ?";
  storage::Params params = {Tenant(caller)};
  if (!caller.is_admin && !caller.is_system) {
    sql += " AND submitted_by IN (?, ?)";
    params.push_back(Me(caller));
    params.push_back(caller.subject_id);
  }
  if (filter.status) {
    sql += " AND status = ?";
    params.push_back(*filter.status);
  }
  if (filter.skill_name) {
    sql += " AND skill_name = ?";
    params.push_back(*filter.skill_name);
  }
  return storage::ReadAll(engine_, sql + " ORDER BY submitted_at, approval_id", params, FromRow);
}

}  // namespace nexus::services
