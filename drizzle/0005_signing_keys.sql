CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`algorithm` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_key` text,
	`slot` text,
	`created_at` integer NOT NULL,
	`rotated_at` integer,
	`retires_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signing_keys_slot_idx` ON `signing_keys` (`slot`);