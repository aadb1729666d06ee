//! One process-wide watchdog thread that terminates isolates whose current call into JavaScript
//! runs past its deadline. A session arms it before each call and disarms it after.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use deno_core::v8::IsolateHandle;

struct Armed {
    deadline: Instant,
    handle: IsolateHandle,
    fired: Arc<AtomicBool>,
}

struct Watchdog {
    armed: Mutex<HashMap<u64, Armed>>,
}

fn watchdog() -> &'static Watchdog {
    static W: OnceLock<Watchdog> = OnceLock::new();
    W.get_or_init(|| {
        std::thread::Builder::new()
            .name("js-watchdog".into())
            .spawn(|| loop {
                std::thread::sleep(Duration::from_millis(5));
                let now = Instant::now();
                let w = watchdog();
                let mut armed = w.armed.lock().unwrap();
                armed.retain(|_, a| {
                    if now >= a.deadline {
                        a.fired.store(true, Ordering::SeqCst);
                        a.handle.terminate_execution();
                        false
                    } else {
                        true
                    }
                });
            })
            .expect("spawn watchdog thread");
        Watchdog { armed: Mutex::new(HashMap::new()) }
    })
}

/// A session's link to the watchdog.
pub struct Guard {
    id: u64,
    handle: IsolateHandle,
    budget: Duration,
    fired: Arc<AtomicBool>,
}

impl Guard {
    pub fn new(handle: IsolateHandle, budget: Duration) -> Guard {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Guard { id: NEXT.fetch_add(1, Ordering::Relaxed), handle, budget, fired: Arc::new(AtomicBool::new(false)) }
    }

    /// Runs `f` with the deadline armed; returns whether the watchdog had to terminate it.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> (T, bool) {
        self.fired.store(false, Ordering::SeqCst);
        watchdog().armed.lock().unwrap().insert(
            self.id,
            Armed { deadline: Instant::now() + self.budget, handle: self.handle.clone(), fired: self.fired.clone() },
        );
        let out = f();
        watchdog().armed.lock().unwrap().remove(&self.id);
        (out, self.fired.load(Ordering::SeqCst))
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(mut armed) = watchdog().armed.lock() {
            armed.remove(&self.id);
        }
    }
}
