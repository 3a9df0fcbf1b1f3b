//! The org tree's names and paths, kept in memory for the pages that print a member's city
//! on every row (the registry list, exports, census and import pages): the tree has a few
//! dozen rows and changes a few times a year, while the list is read thousands of times a
//! minute. A change through this server forgets the kept copy at once; a change made by
//! another server process on the same database shows here within [`FRESH_FOR`].

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::storage::{Conn, OrgId};

/// How long a kept copy is used before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// One org as the labels need it.
#[derive(Debug, Clone)]
pub struct OrgName {
    pub id: OrgId,
    pub short_name: String,
    pub level: String,
    pub path: String,
}

#[derive(Default)]
pub struct OrgNames {
    kept: RwLock<Kept>,
}

#[derive(Default)]
struct Kept {
    /// Moves on every change: a read that began before a change does not keep its answer.
    generation: u64,
    names: Option<(Instant, Arc<[OrgName]>)>,
}

impl OrgNames {
    /// Every org, in the settings' order (sort order, then code).
    pub async fn all(&self, conn: &mut Conn) -> Result<Arc<[OrgName]>, sqlx::Error> {
        let generation = {
            let kept = self.kept.read().unwrap_or_else(|e| e.into_inner());
            if let Some((at, names)) = &kept.names
                && at.elapsed() < FRESH_FOR
            {
                return Ok(names.clone());
            }
            kept.generation
        };
        let rows: Vec<(OrgId, String, String, String)> =
            sqlx::query_as("SELECT id, short_name, level, path FROM org ORDER BY sort_order, code")
                .fetch_all(&mut *conn)
                .await?;
        let names: Arc<[OrgName]> =
            rows.into_iter().map(|(id, short_name, level, path)| OrgName { id, short_name, level, path }).collect();
        let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
        if kept.generation == generation {
            kept.names = Some((Instant::now(), names.clone()));
        }
        Ok(names)
    }

    /// Forget the kept copy (after a change to the tree is committed).
    pub fn forget(&self) {
        let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
        kept.generation += 1;
        kept.names = None;
    }
}
