-- name: memories, trajectories, playbooks
-- Memory records, trajectories with their steps and feedback, and playbooks with their
-- strategies (memories.h, trajectories.h, playbooks.h). A memory's (namespace, path_key) is
-- unique within its tenant when path_key is set. Scores are DOUBLE PRECISION (REAL affinity
-- on SQLite).

CREATE TABLE memories (
  memory_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  content TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  scope TEXT NOT NULL,
  visibility TEXT NOT NULL,
  memory_type TEXT NOT NULL,
  importance DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,
  namespace TEXT,
  path_key TEXT,
  tags TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX memories_path_key ON memories(tenant_id, namespace, path_key) WHERE path_key IS NOT NULL;
CREATE INDEX memories_owner ON memories(tenant_id, user_id, created_at);
CREATE INDEX memories_scope ON memories(tenant_id, scope, created_at);
CREATE TABLE trajectories (
  trajectory_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  task_description TEXT NOT NULL,
  task_type TEXT,
  status TEXT NOT NULL,
  success_score DOUBLE PRECISION,
  error_message TEXT,
  started_at BIGINT NOT NULL,
  completed_at BIGINT,
  duration_ms BIGINT,
  feedback_count BIGINT NOT NULL DEFAULT 0,
  effective_score DOUBLE PRECISION,
  last_feedback_at BIGINT,
  needs_relearning INTEGER NOT NULL DEFAULT 0,
  relearning_priority BIGINT NOT NULL DEFAULT 0,
  relearning_reason TEXT
);
CREATE INDEX trajectories_owner ON trajectories(tenant_id, user_id, started_at);
CREATE INDEX trajectories_relearning ON trajectories(tenant_id, relearning_priority) WHERE needs_relearning = 1;
CREATE TABLE trajectory_steps (
  trajectory_id TEXT NOT NULL REFERENCES trajectories(trajectory_id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  step_type TEXT NOT NULL,
  description TEXT NOT NULL,
  result TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (trajectory_id, seq)
);
CREATE TABLE trajectory_feedback (
  feedback_id TEXT PRIMARY KEY,
  trajectory_id TEXT NOT NULL REFERENCES trajectories(trajectory_id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  feedback_type TEXT NOT NULL,
  score DOUBLE PRECISION,
  source TEXT,
  message TEXT,
  metrics TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (trajectory_id, seq)
);
CREATE TABLE playbooks (
  playbook_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  version BIGINT NOT NULL,
  scope TEXT NOT NULL,
  visibility TEXT NOT NULL,
  usage_count BIGINT NOT NULL,
  success_rate DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, user_id, name)
);
CREATE INDEX playbooks_scope ON playbooks(tenant_id, scope, updated_at);
CREATE TABLE playbook_strategies (
  playbook_id TEXT NOT NULL REFERENCES playbooks(playbook_id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  category TEXT NOT NULL,
  content TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  source_id TEXT NOT NULL,
  evidence_count BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (playbook_id, seq),
  UNIQUE (playbook_id, category, content_hash)
);
