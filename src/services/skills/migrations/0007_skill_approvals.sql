-- name: skill approvals
-- The approval workflow of skills. Reviewers are stored one name per line.

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
