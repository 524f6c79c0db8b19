-- Support-desk evidence (issue 16): the device id a ticket was filed with (the web client's
-- long-lived cookie, or an app's install id), and the lookups the scoring makes by value: who
-- else logged in from a network or with a device, and which accounts have (had) a nickname.

ALTER TABLE support_tickets ADD COLUMN device_id TEXT;

CREATE INDEX known_networks_network ON known_networks(network);
CREATE INDEX devices_device ON devices(device_id);
CREATE INDEX accounts_nickname ON accounts(nickname);
CREATE INDEX nickname_history_nickname ON nickname_history(nickname);
CREATE INDEX binding_changes_old_value ON binding_changes(old_value);
CREATE INDEX binding_changes_new_value ON binding_changes(new_value);
