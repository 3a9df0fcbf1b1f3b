//! CPU work off the async runtime: rendering PDFs and workbooks, reading uploaded workbooks,
//! writing archives, hashing passwords. A handler that did such work inline would hold one of
//! the runtime's few worker threads for milliseconds at a time, and on a two-core server a
//! burst of certificate downloads would stall every other page.
//!
//! [`run`] is the one way there: it waits (asynchronously) for one of as many places as the
//! machine has cores, then runs the work on tokio's blocking pool. The renderers take an
//! [`OffRuntime`] — which only [`run`] (and [`here`], for programs with no runtime) can make —
//! so code that forgets cannot compile.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

/// Proof that the code holding it runs off the async runtime's worker threads.
pub struct OffRuntime {
    _made_here: (),
}

/// One place per core: work beyond that waits its turn without holding a thread.
static PLACES: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(places()));

/// How many pieces of CPU work run at once: the cores this process may use.
pub fn places() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(2)
}

/// Run `work` on the blocking pool once a place is free, and hand back what it returned. A
/// panic in the work is an error here, not a crash of the server.
pub async fn run<T, F>(work: F) -> anyhow::Result<T>
where
    F: FnOnce(&OffRuntime) -> T + Send + 'static,
    T: Send + 'static,
{
    let _place = PLACES.acquire().await?;
    let done = tokio::task::spawn_blocking(move || work(&OffRuntime { _made_here: () })).await;
    done.map_err(|e| anyhow::anyhow!("CPU work failed: {e}"))
}

/// Run `work` right here, for programs and threads with no async runtime (command-line tools,
/// benchmarks, tests). Panics when called from within a runtime: use [`run`] there.
pub fn here<T>(work: impl FnOnce(&OffRuntime) -> T) -> T {
    assert!(tokio::runtime::Handle::try_current().is_err(), "cpu::here on the async runtime: use cpu::run");
    work(&OffRuntime { _made_here: () })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_runtime_goes_on_while_the_work_runs() {
        // One runtime thread: the work can only hear from it if it runs elsewhere.
        let (tell, hear) = std::sync::mpsc::channel::<()>();
        let work = tokio::spawn(run(move |_| hear.recv_timeout(Duration::from_secs(5)).is_ok()));
        tokio::task::yield_now().await;
        tell.send(()).unwrap();
        assert!(work.await.unwrap().unwrap(), "the work ran on the runtime's thread");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_one_piece_of_work_per_core_runs_at_once() {
        let busy = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..places() * 4)
            .map(|_| {
                let (busy, most) = (busy.clone(), most.clone());
                tokio::spawn(run(move |_| {
                    most.fetch_max(busy.fetch_add(1, SeqCst) + 1, SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    busy.fetch_sub(1, SeqCst);
                }))
            })
            .collect();
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        let most = most.load(SeqCst);
        assert!((1..=places()).contains(&most), "{most} at once on {} cores", places());
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_an_error() {
        let failed = run(|_| -> u8 { panic!("a broken font") }).await;
        assert!(failed.is_err());
        assert_eq!(run(|_| 7).await.unwrap(), 7, "the place is free again");
    }
}
