DROP INDEX `users_tab_idx`;--> statement-breakpoint
ALTER TABLE `users` ADD `tab` text GENERATED ALWAYS AS (CASE WHEN type = 'server' THEN 'server' WHEN disabled THEN 'disabled' WHEN status = 'confirmed' THEN 'confirmed' ELSE 'pending' END) VIRTUAL;--> statement-breakpoint
CREATE INDEX `users_tab_created_idx` ON `users` (`tab`,`created_at`,`id`);