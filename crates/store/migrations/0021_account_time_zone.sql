-- The IANA time zone an account's notices are written in (NULL: UTC), set on the settings page
-- or by `PATCH /me {time_zone}`.
ALTER TABLE accounts ADD COLUMN time_zone TEXT;
