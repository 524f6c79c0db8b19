-- The delivery hint looks up the newest message to a destination.
CREATE INDEX outbox_destination ON outbox(destination, created_at);
