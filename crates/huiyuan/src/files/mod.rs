//! Uploaded files: metadata in `stored_file`, bytes behind the small [`FileStorage`]
//! interface — a directory under the data dir today (a shared volume when several processes
//! run), an object store later without touching callers.
//!
//! Uploads are checked by *content*, not by name: the bytes must be one of the accepted kinds
//! and agree with the file's extension, and must not exceed `uploads.max_bytes`.

mod sniff;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use sqlx::FromRow;

use crate::storage::{Conn, FileId, UserId, now_ms};

pub use sniff::{ACCEPTED, Kind, check_upload};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where file bytes live.
pub trait FileStorage: Send + Sync {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, std::io::Result<()>>;
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<Vec<u8>>>;
}

/// Files in a directory, sharded by the key's first characters.
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    pub fn new(root: PathBuf) -> LocalDir {
        LocalDir { root }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let ok = key.len() > 4 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad storage key"));
        }
        Ok(self.root.join(&key[..2]).join(key))
    }
}

impl FileStorage for LocalDir {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, std::io::Result<()>> {
        Box::pin(async move {
            let path = self.path(key)?;
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            // Write to a temporary name and rename, so a reader never sees half a file.
            let tmp = path.with_extension("partial");
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<Vec<u8>>> {
        Box::pin(async move { tokio::fs::read(self.path(key)?).await })
    }
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StoredFile {
    pub id: FileId,
    #[serde(skip)]
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl StoredFile {
    /// 1.2 MB, 34 KB…
    pub fn size_label(&self) -> String {
        human_size(self.size_bytes)
    }
}

pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b >= 1_048_576 => format!("{:.1} MB", b as f64 / 1_048_576.0),
        b if b >= 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{b} B"),
    }
}

/// Store the bytes, then record the file on `conn` (inside the caller's transaction). The
/// bytes are written first: a rolled-back transaction leaves an unreferenced file, never a
/// row without bytes.
pub async fn save(
    conn: &mut Conn,
    storage: &dyn FileStorage,
    original_name: &str,
    kind: Kind,
    bytes: &[u8],
    uploaded_by: Option<UserId>,
) -> anyhow::Result<StoredFile> {
    let key = crate::auth::secrets::random_token();
    storage.put(&key, bytes).await?;
    let sha = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let now = now_ms();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO stored_file (storage_key, original_name, content_type, size_bytes, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&key)
    .bind(original_name)
    .bind(kind.mime())
    .bind(size)
    .bind(&sha)
    .bind(uploaded_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(StoredFile {
        id: FileId(id),
        storage_key: key,
        original_name: original_name.to_string(),
        content_type: kind.mime().to_string(),
        size_bytes: size,
        sha256: sha,
        created_at: now,
    })
}

/// A file name safe to show and to send back: no path, no control characters, ≤ 120 chars.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().count() > 120 {
        let ext = cleaned.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let stem: String = cleaned.chars().take(110).collect();
        format!("{stem}.{ext}")
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_paths_and_sizes_read_well() {
        assert_eq!(clean_name("C:\\Users\\a\\登记表.pdf"), "登记表.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(human_size(1536), "2 KB");
        assert_eq!(human_size(3 * 1_048_576), "3.0 MB");
    }

    #[test]
    fn storage_keys_cannot_escape_the_directory() {
        let dir = LocalDir::new(PathBuf::from("/tmp/x"));
        assert!(dir.path("../../etc").is_err());
        assert!(dir.path("abcdef").is_ok());
    }
}
