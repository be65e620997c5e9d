#include "services/skills/schema.h"

#include <string_view>

namespace nexus::services::skills {
namespace {

// Migration 7: the approval workflow of skills. Reviewers are stored one name per line.
constexpr std::string_view kSkillApprovals = R"sql(
CREATE TABLE skill_approvals (
  approval_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  skill_name TEXT NOT NULL,
  status TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  reviewers TEXT NOT NULL,
  comments TEXT NOT NULL,
  submitted_at BIGINT NOT NULL,
  reviewed_by TEXT,
  reviewer_type TEXT,
  reviewed_at BIGINT
);
CREATE INDEX skill_approvals_tenant ON skill_approvals(tenant_id, status, submitted_at);
)sql";

constexpr storage::Migration kMigrations[] = {
    {7, "skill approvals", kSkillApprovals, kSkillApprovals},
};

}  // namespace

std::span<const storage::Migration> Schema() { return kMigrations; }

}  // namespace nexus::services::skills
