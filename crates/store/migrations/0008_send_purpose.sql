-- The 60 s resend wait is per purpose (a recovery or new-device code right after a sign-up code
-- is fine); the hourly and daily caps still count every send to a destination.
ALTER TABLE code_sends ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX code_sends_destination_purpose ON code_sends(destination, purpose, at);
