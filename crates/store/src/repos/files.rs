use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Attachment, FileRecord, FileRepo, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

const FILE_COLUMNS: &str = "f.id, f.message_id, f.conversation_id, f.uploader_id, f.name, \
     f.size, f.content_type, f.sha256, f.blob, f.thumb_blob, f.width, f.height, f.status, \
     f.created_at, m.recalled_at";

fn record(row: &Row) -> StoreResult<FileRecord> {
    let recalled_at: Option<Millis> = col(row, "recalled_at")?;
    Ok(FileRecord {
        attachment: Attachment {
            id: col(row, "id")?,
            name: col(row, "name")?,
            size: col(row, "size")?,
            content_type: col(row, "content_type")?,
            sha256: col(row, "sha256")?,
            blob: col(row, "blob")?,
            thumb_blob: col(row, "thumb_blob")?,
            width: col(row, "width")?,
            height: col(row, "height")?,
            status: col(row, "status")?,
        },
        message_id: col(row, "message_id")?,
        conversation_id: col(row, "conversation_id")?,
        uploader_id: col(row, "uploader_id")?,
        created_at: col(row, "created_at")?,
        recalled: recalled_at.is_some(),
    })
}

#[async_trait]
impl FileRepo for SqlTx {
    async fn insert_files(&mut self, files: &[FileRecord]) -> StoreResult<()> {
        for f in files {
            let a = &f.attachment;
            query(
                "INSERT INTO files (id, message_id, conversation_id, uploader_id, name, size, \
                 content_type, sha256, blob, thumb_blob, width, height, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(a.id.clone())
            .bind(f.message_id.clone())
            .bind(f.conversation_id.clone())
            .bind(f.uploader_id.clone())
            .bind(a.name.clone())
            .bind(a.size)
            .bind(a.content_type.clone())
            .bind(a.sha256.clone())
            .bind(a.blob.clone())
            .bind(a.thumb_blob.clone())
            .bind(a.width)
            .bind(a.height)
            .bind(a.status.clone())
            .bind(f.created_at)
            .execute(&mut self.conn)
            .await?;
        }
        Ok(())
    }

    async fn file(&mut self, id: &str) -> StoreResult<Option<FileRecord>> {
        let row = query(format!(
            "SELECT {FILE_COLUMNS} FROM files f JOIN messages m ON m.id = f.message_id \
             WHERE f.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(record).transpose()
    }

    async fn files_with_status(
        &mut self,
        status: &str,
        limit: u32,
    ) -> StoreResult<Vec<FileRecord>> {
        let rows = query(format!(
            "SELECT {FILE_COLUMNS} FROM files f JOIN messages m ON m.id = f.message_id \
             WHERE f.status = $1 ORDER BY f.created_at, f.id LIMIT $2"
        ))
        .bind(status)
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(record).collect()
    }

    async fn file_bytes_since(&mut self, uploader_id: &str, since: Millis) -> StoreResult<i64> {
        let row = query(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM files \
             WHERE uploader_id = $1 AND created_at >= $2",
        )
        .bind(uploader_id)
        .bind(since)
        .fetch_one(&mut self.conn)
        .await?;
        col(&row, "n")
    }

    async fn set_file_status(&mut self, id: &str, from: &str, to: &str) -> StoreResult<bool> {
        let n = query("UPDATE files SET status = $3 WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(from)
            .bind(to)
            .execute(&mut self.conn)
            .await?;
        Ok(n > 0)
    }

    async fn blob_in_use(&mut self, key: &str) -> StoreResult<bool> {
        let row = query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM files WHERE blob = $1 OR thumb_blob = $1",
        )
        .bind(key)
        .fetch_one(&mut self.conn)
        .await?;
        Ok(col::<i64>(&row, "n")? > 0)
    }
}
