CREATE TABLE `login_throttle` (
	`subject` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_start` integer NOT NULL,
	`window_failures` integer NOT NULL,
	`locked_until` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
