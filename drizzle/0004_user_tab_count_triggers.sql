-- Exact per-tab user counts for users.list, kept by triggers (drizzle-kit cannot express triggers, hence a
-- custom migration): a page reads 4 rows instead of counting 100,000 index entries.
INSERT INTO `user_tab_counts` (`tab`, `n`) SELECT `tab`, count(*) FROM `users` GROUP BY `tab`;
--> statement-breakpoint
CREATE TRIGGER `users_tab_count_insert` AFTER INSERT ON `users` BEGIN
  INSERT INTO `user_tab_counts` (`tab`, `n`) VALUES (NEW.`tab`, 1)
    ON CONFLICT (`tab`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `users_tab_count_delete` AFTER DELETE ON `users` BEGIN
  UPDATE `user_tab_counts` SET `n` = `n` - 1 WHERE `tab` = OLD.`tab`;
END;
--> statement-breakpoint
CREATE TRIGGER `users_tab_count_update` AFTER UPDATE OF `type`, `status`, `disabled` ON `users`
WHEN OLD.`tab` IS NOT NEW.`tab` BEGIN
  UPDATE `user_tab_counts` SET `n` = `n` - 1 WHERE `tab` = OLD.`tab`;
  INSERT INTO `user_tab_counts` (`tab`, `n`) VALUES (NEW.`tab`, 1)
    ON CONFLICT (`tab`) DO UPDATE SET `n` = `n` + 1;
END;
