CREATE TABLE `oauth_flows` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`provider` text NOT NULL,
	`app_state` text NOT NULL,
	`redirect_url` text NOT NULL,
	`device_id` text NOT NULL,
	`code_verifier` text NOT NULL,
	`nonce` text NOT NULL,
	`link_user_id` text,
	`link_session_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `identities` ADD `external_id` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `data` text;--> statement-breakpoint
CREATE UNIQUE INDEX `identities_external_idx` ON `identities` (`provider_type`,`external_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `data` text DEFAULT '{}' NOT NULL;