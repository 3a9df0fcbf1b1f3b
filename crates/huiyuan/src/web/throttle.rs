//! A per-address rate limit kept in memory (per process): fixed one-minute windows. Used
//! where a database-backed limit would cost a write per request (public verification).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Throttle {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Throttle {
    /// Count a request from `key`; false when it is over `per_minute` in the current window.
    pub fn allow(&self, key: &str, per_minute: u32) -> bool {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else { return true };
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= per_minute
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_is_per_address() {
        let t = super::Throttle::default();
        assert!((0..3).all(|_| t.allow("10.0.0.1", 3)));
        assert!(!t.allow("10.0.0.1", 3));
        assert!(t.allow("10.0.0.2", 3));
    }
}
