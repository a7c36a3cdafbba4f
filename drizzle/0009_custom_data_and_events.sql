CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`user_id` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`delivered_to` text DEFAULT '[]' NOT NULL,
	`last_error` text,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_idx` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_due_idx` ON `events` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `events_user_idx` ON `events` (`user_id`,`seq`);--> statement-breakpoint
ALTER TABLE `users` ADD `custom_data` text DEFAULT '{}' NOT NULL;