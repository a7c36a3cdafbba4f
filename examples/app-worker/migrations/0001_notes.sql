-- The app's own table: each note belongs to the Usher user who wrote it (owner_id = Usher's user id).
CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX notes_owner_idx ON notes (owner_id, id);
