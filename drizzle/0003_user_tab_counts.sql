CREATE TABLE `user_tab_counts` (
	`tab` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
