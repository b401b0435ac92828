//! Test-only fault injection, compiled in only with the `test-hooks` cargo feature (never
//! a production flag): a test asks a worker to panic at its next checkpoint, to prove the
//! supervisor restarts it, or holds a worker at its checkpoint, to put a request in the
//! state where it waits for that worker. Without the feature, [`checkpoint`] is empty.

#[cfg(feature = "test-hooks")]
static PANIC_NEXT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
#[cfg(feature = "test-hooks")]
static HELD: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Makes the worker `name` panic at its next checkpoint (`test-hooks` feature only).
#[cfg(feature = "test-hooks")]
pub fn panic_worker(name: &str) {
    if let Ok(mut names) = PANIC_NEXT.lock() {
        names.push(name.to_owned());
    }
}

/// Holds the worker `name` at its next checkpoint until [`release_worker`]
/// (`test-hooks` feature only).
#[cfg(feature = "test-hooks")]
pub fn hold_worker(name: &str) {
    if let Ok(mut names) = HELD.lock() {
        names.push(name.to_owned());
    }
}

/// Lets a held worker go on (`test-hooks` feature only).
#[cfg(feature = "test-hooks")]
pub fn release_worker(name: &str) {
    if let Ok(mut names) = HELD.lock() {
        names.retain(|n| n != name);
    }
}

/// Called by worker `name` once per loop; panics or waits if a test asked it to.
#[cfg(feature = "test-hooks")]
#[allow(clippy::panic, reason = "the whole point of the hook")]
pub async fn checkpoint(name: &str) {
    let hit = PANIC_NEXT
        .lock()
        .map(|mut names| {
            let before = names.len();
            names.retain(|n| n != name);
            names.len() != before
        })
        .unwrap_or(false);
    if hit {
        panic!("test hook: worker {name} asked to panic");
    }
    while HELD
        .lock()
        .map(|h| h.iter().any(|n| n == name))
        .unwrap_or(false)
    {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Called by worker `name` once per loop; does nothing without the `test-hooks` feature.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub async fn checkpoint(_name: &str) {}
