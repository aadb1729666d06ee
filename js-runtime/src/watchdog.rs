//! One process-wide watchdog thread that terminates isolates whose current call into JavaScript
//! has used more CPU time than its budget. A session arms it before each call and disarms it after.
//!
//! The budget is the CPU time of the session's own thread, so a session is not punished for
//! waiting on a busy machine; a wall-clock ceiling (40 × the budget, at least 10 s) backs it up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use deno_core::v8::IsolateHandle;

/// The CPU clock of the calling thread, readable from any thread.
fn current_thread_cpu_clock() -> Option<libc::clockid_t> {
    let mut id: libc::clockid_t = 0;
    // SAFETY: pthread_self() is always valid for the calling thread; `id` is a valid out pointer.
    let rc = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) };
    (rc == 0).then_some(id)
}

fn cpu_time(clock: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out pointer; an invalid clock only makes the call fail.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

struct Armed {
    clock: Option<libc::clockid_t>,
    cpu_deadline: Duration,
    wall_deadline: Instant,
    handle: IsolateHandle,
    fired: Arc<AtomicBool>,
}

impl Armed {
    fn expired(&self, now: Instant) -> bool {
        if now >= self.wall_deadline {
            return true;
        }
        match self.clock.and_then(cpu_time) {
            Some(used) => used >= self.cpu_deadline,
            None => false,
        }
    }
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
                let mut armed = watchdog().armed.lock().unwrap();
                armed.retain(|_, a| {
                    if a.expired(now) {
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

    /// Runs `f` with the budget armed; returns whether the watchdog had to terminate it.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> (T, bool) {
        self.fired.store(false, Ordering::SeqCst);
        let clock = current_thread_cpu_clock();
        let used = clock.and_then(cpu_time).unwrap_or_default();
        let ceiling = (self.budget * 40).max(Duration::from_secs(10));
        watchdog().armed.lock().unwrap().insert(
            self.id,
            Armed {
                clock,
                cpu_deadline: used + self.budget,
                wall_deadline: Instant::now() + ceiling,
                handle: self.handle.clone(),
                fired: self.fired.clone(),
            },
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
