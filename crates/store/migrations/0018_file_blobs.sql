-- The sweep of orphaned blobs asks, for each stored blob, whether a file row still holds it (as
-- its bytes or its thumbnail): one index lookup each.
CREATE INDEX files_blob ON files(blob);
CREATE INDEX files_thumb_blob ON files(thumb_blob);
