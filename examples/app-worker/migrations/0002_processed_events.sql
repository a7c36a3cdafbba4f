-- Usher delivers each lifecycle event at least once (and once per sink): the ids of events already acted on,
-- so acting is idempotent. Old rows can be deleted after a few days (Usher retries for at most ~11 hours).
CREATE TABLE processed_events (
  id TEXT PRIMARY KEY,
  processed_at INTEGER NOT NULL
);
