-- name: webhook subscriptions, event outbox and scheduled deliveries
-- Webhook subscriptions and the outbox of change events (subscriptions.h,
-- webhook_outbox.h). An outbox row is written in the transaction of the change it reports; a
-- delivery worker claims rows by setting claimed_until (a lease, so a crashed node's claims
-- lapse) and deletes them once delivered or dropped. event_types and patterns are JSON lists;
-- path_scope limits a non-admin's subscription to its home.

CREATE TABLE subscriptions (
  subscription_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,
  patterns TEXT,
  secret TEXT,
  name TEXT,
  description TEXT,
  metadata TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  path_scope TEXT NOT NULL,
  last_delivery_at BIGINT,
  last_delivery_status TEXT,
  consecutive_failures BIGINT NOT NULL DEFAULT 0,
  failed_attempts BIGINT NOT NULL DEFAULT 0,
  paused_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions(tenant_id, enabled, created_at);
CREATE TABLE webhook_outbox (
  event_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  path TEXT NOT NULL,
  old_path TEXT,
  etag TEXT,
  version BIGINT,
  size BIGINT,
  metadata_key TEXT,
  created_at BIGINT NOT NULL,
  claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_outbox_claim ON webhook_outbox(claimed_until, created_at);
CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  event_time BIGINT NOT NULL,
  data TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, event_time);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id);
