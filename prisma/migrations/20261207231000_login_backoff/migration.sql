-- Sign-in throttling with backoff: a key (account, account+address, address) may be locked until a time.
ALTER TABLE "login_attempts" ADD COLUMN "locked_until" BIGINT NOT NULL DEFAULT 0;
