-- Conversations made before enterprise policy (migration 0015) have no owning enterprise, so no
-- enterprise's policy reached them. Each gets the one enterprise all its members belong to now —
-- the rule a new conversation follows; one whose members share none, or several, stays an
-- external chat (the count is not 1: NULL). Conversations made since 0015 were decided when
-- they were made: left alone.
UPDATE conversations SET org_id = (
    SELECT CASE WHEN COUNT(*) = 1 THEN MIN(om.org_id) END FROM org_members om
    WHERE om.left_at IS NULL
      AND om.account_id = (SELECT MIN(account_id) FROM conversation_members
                           WHERE conversation_id = conversations.id)
      AND NOT EXISTS (
          SELECT 1 FROM conversation_members cm
          WHERE cm.conversation_id = conversations.id
            AND NOT EXISTS (
                SELECT 1 FROM org_members o2
                WHERE o2.org_id = om.org_id AND o2.account_id = cm.account_id
                  AND o2.left_at IS NULL))
)
WHERE org_id IS NULL
-- [sqlite]   AND created_at < COALESCE((SELECT CAST(strftime('%s', installed_on) AS INTEGER) * 1000 FROM _sqlx_migrations WHERE version = 15), 0);
-- [postgres]   AND created_at < COALESCE((SELECT CAST(EXTRACT(EPOCH FROM installed_on) * 1000 AS BIGINT) FROM _sqlx_migrations WHERE version = 15), 0);
