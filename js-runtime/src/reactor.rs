//! The timer reactor V8 needs.
//!
//! V8 posts delayed tasks of its own (GC memory reducers, compilation jobs); deno_core schedules
//! them on the tokio runtime that was current when the isolate was created, and aborts the whole
//! process if there was none. Session threads are plain threads, so every isolate is created
//! inside this one small process-wide runtime. It only sleeps and then queues the task for the
//! isolate's own thread, which runs it in [`crate::engine::Engine`] under the CPU guard: a task can
//! run JavaScript (FinalizationRegistry callbacks), so it never runs here.

use std::sync::OnceLock;

fn reactor() -> &'static tokio::runtime::Runtime {
    static R: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    R.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("js-reactor")
            .enable_time()
            .build()
            .expect("start the engine's timer reactor")
    })
}

/// Runs `f` (which creates an isolate) inside the reactor's context.
pub fn within<T>(f: impl FnOnce() -> T) -> T {
    let _entered = reactor().enter();
    f()
}
