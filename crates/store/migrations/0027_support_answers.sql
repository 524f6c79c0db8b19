-- Security answers as support-desk evidence (SPEC §5: "usable only as extra evidence"). When a
-- ticket gives answers, each is compared at filing with the security questions of the ticket's
-- first candidates; a candidate row keeps only how many answers were compared with its questions
-- and how many of its questions they answered right. The answers themselves are never stored.
ALTER TABLE support_candidates ADD COLUMN answers_given BIGINT NOT NULL DEFAULT 0;
ALTER TABLE support_candidates ADD COLUMN answers_right BIGINT NOT NULL DEFAULT 0;
