-- The bound worker's table: 100,000 rows keyed like Usher's sessions (24-hex text primary key), seeded by
-- test/bench/seed.ts, read one row per request by GET /d1.
CREATE TABLE `bound_rows` (
	`id` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
