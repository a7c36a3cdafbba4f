CREATE TABLE `password_hash_parameters` (
	`id` text PRIMARY KEY NOT NULL,
	`scheme` text NOT NULL,
	`sealed` text NOT NULL,
	`created_at` integer NOT NULL
);
