CREATE TABLE `known_clients` (
	`user_id` text NOT NULL,
	`client_key` text NOT NULL,
	`last_login_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `client_key`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `mail_quota` (
	`recipient` text PRIMARY KEY NOT NULL,
	`minute_start` integer NOT NULL,
	`minute_sent` integer NOT NULL,
	`day_start` integer NOT NULL,
	`day_sent` integer NOT NULL,
	`dropped` integer NOT NULL,
	`last_dropped_at` integer,
	`last_outcome` text NOT NULL
);
