//! Documents made once and kept: the blank registration forms are the same for everyone until
//! the settings change, so each is rendered on its first request and served from memory after
//! that, with an `ETag` drawn from its bytes (a new settings version makes new bytes and so a
//! new tag; the settings are read once per process).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use sha2::{Digest as _, Sha256};
use tokio::sync::OnceCell;

use super::Document;

/// A kept document and its entity tag.
pub struct Kept {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub disposition: &'static str,
    pub name: String,
    /// `"…"`: the first 128 bits of the bytes' SHA-256, quoted as HTTP wants it.
    pub etag: String,
}

impl Kept {
    fn new(doc: Document) -> Kept {
        let digest = Sha256::digest(&doc.bytes);
        let etag = format!("\"{}\"", digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>());
        Kept {
            bytes: Bytes::from(doc.bytes),
            content_type: doc.content_type,
            disposition: doc.disposition,
            name: doc.name,
            etag,
        }
    }

    /// Does an `If-None-Match` header name this version (or any, `*`)?
    pub fn matches(&self, if_none_match: &str) -> bool {
        if_none_match.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == self.etag)
    }
}

/// The kept documents, by key.
#[derive(Default)]
pub struct Shelf {
    items: Mutex<HashMap<&'static str, Arc<OnceCell<Arc<Kept>>>>>,
}

impl Shelf {
    /// The document kept under `key`, made by `make` if it is not there yet. Concurrent first
    /// requests wait for one rendering; a failed one keeps nothing, so the next request tries
    /// again.
    pub async fn get_or_make<E, F, Fut>(&self, key: &'static str, make: F) -> Result<Arc<Kept>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Document, E>>,
    {
        let cell = {
            let mut items = self.items.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            items.entry(key).or_default().clone()
        };
        cell.get_or_try_init(|| async { make().await.map(|doc| Arc::new(Kept::new(doc))) }).await.cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_document_is_made_once_and_tagged_by_its_bytes() {
        let shelf = Shelf::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || async {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, ()>(Document::pdf(b"%PDF-1.7 form".to_vec(), "入会申请表".into()))
        };
        let first = shelf.get_or_make("form", make).await.unwrap();
        let again = shelf.get_or_make("form", make).await.unwrap();
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(first.etag, again.etag);
        assert!(first.matches(&first.etag) && first.matches(&format!("\"x\", W/{}", first.etag)) && first.matches("*"));
        assert!(!first.matches("\"0123\""));
        let other = shelf.get_or_make("other", || async { Ok::<_, ()>(Document::pdf(b"other".to_vec(), "x".into())) });
        assert_ne!(other.await.unwrap().etag, first.etag);
    }

    #[tokio::test]
    async fn a_failure_keeps_nothing() {
        let shelf = Shelf::default();
        assert!(shelf.get_or_make("form", || async { Err::<Document, _>("no font") }).await.is_err());
        let kept = shelf.get_or_make("form", || async { Ok::<_, ()>(Document::pdf(vec![1], "x".into())) }).await;
        assert_eq!(kept.unwrap().bytes.as_ref(), [1]);
    }
}
