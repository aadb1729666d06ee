//! One process-wide watchdog thread that terminates isolates whose current call into JavaScript
//! has used more CPU time than its budget. A session arms it before each call and disarms it after.
//!
//! The budget is the CPU time of the session's own thread over one whole host call (a load, a join,
//! an `advance_to` with all the timers it runs), so a session is not punished for waiting on a busy
//! machine; a wall-clock ceiling (40 × the budget, at least 10 s) backs it up, and a sliding window
//! bounds the share of a core a session takes with many short calls.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
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
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out pointer; an invalid clock only makes the call fail.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// What `Guard::fired` holds: nothing yet, or which limit the watchdog enforced.
const NOT_FIRED: u8 = 0;
const FIRED_BUDGET: u8 = 1;
const FIRED_WALL: u8 = 2;

struct Armed {
    clock: Option<libc::clockid_t>,
    cpu_deadline: Duration,
    wall_deadline: Instant,
    handle: IsolateHandle,
    fired: Arc<AtomicU8>,
}

impl Armed {
    fn expired(&self, now: Instant) -> Option<u8> {
        if now >= self.wall_deadline {
            return Some(FIRED_WALL);
        }
        match self.clock.and_then(cpu_time) {
            Some(used) if used >= self.cpu_deadline => Some(FIRED_BUDGET),
            _ => None,
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
                armed.retain(|_, a| match a.expired(now) {
                    Some(why) => {
                        a.fired.store(why, Ordering::SeqCst);
                        a.handle.terminate_execution();
                        false
                    }
                    None => true,
                });
            })
            .expect("spawn watchdog thread");
        Watchdog {
            armed: Mutex::new(HashMap::new()),
        }
    })
}

/// Why a host call was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrun {
    /// The call used more thread CPU time than its budget.
    Budget,
    /// The call ran past the wall-clock ceiling (time spent waiting counts too).
    WallClock,
    /// The session used more than its share of CPU over the sliding window.
    Window { used_ms: u64, window_ms: u64 },
}

/// The sliding window: a session may use at most `WINDOW_SHARE_PERCENT` (by default) of one core's time over
/// any `WINDOW` of its game time, however short each of its calls is. Game time is wall time in a
/// live session; measuring in game time makes scripted runs (validation) obey the same rule.
pub const WINDOW: Duration = Duration::from_secs(10);
pub const WINDOW_SHARE_PERCENT: u32 = 50;

/// A session's link to the watchdog. Host calls nest: the budget is armed by the outermost one
/// and covers everything inside it.
pub struct Guard {
    id: u64,
    handle: IsolateHandle,
    budget: Duration,
    share_percent: u32,
    fired: Arc<AtomicU8>,
    depth: std::cell::Cell<u32>,
    /// CPU time of the current outermost call at its start.
    started: std::cell::Cell<Duration>,
    /// (game time when an outermost call ended, the CPU it used), oldest first, within the window.
    history: std::cell::RefCell<std::collections::VecDeque<(f64, Duration)>>,
    game_time: std::cell::Cell<f64>,
}

impl Guard {
    pub fn new(handle: IsolateHandle, budget: Duration, share_percent: u32) -> Guard {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Guard {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            handle,
            budget,
            share_percent,
            fired: Arc::new(AtomicU8::new(NOT_FIRED)),
            depth: Default::default(),
            started: Default::default(),
            history: Default::default(),
            game_time: Default::default(),
        }
    }

    /// The wall-clock ceiling of one host call: 40 × the budget, at least 10 s.
    pub fn ceiling(&self) -> Duration {
        (self.budget * 40).max(Duration::from_secs(10))
    }

    /// Arms the budget unless a host call is already running.
    pub fn begin(&self) {
        let depth = self.depth.get();
        self.depth.set(depth + 1);
        if depth > 0 {
            return;
        }
        self.fired.store(NOT_FIRED, Ordering::SeqCst);
        let clock = current_thread_cpu_clock();
        let used = clock.and_then(cpu_time).unwrap_or_default();
        self.started.set(used);
        watchdog().armed.lock().unwrap().insert(
            self.id,
            Armed {
                clock,
                cpu_deadline: used + self.budget,
                wall_deadline: Instant::now() + self.ceiling(),
                handle: self.handle.clone(),
                fired: self.fired.clone(),
            },
        );
    }

    /// Disarms at the end of the outermost call; says why the call was stopped, if it was.
    pub fn end(&self) -> Option<Overrun> {
        let depth = self.depth.get().saturating_sub(1);
        self.depth.set(depth);
        if depth > 0 {
            return self.fired();
        }
        watchdog().armed.lock().unwrap().remove(&self.id);
        if let Some(why) = self.fired() {
            return Some(why);
        }
        let used = current_thread_cpu_clock()
            .and_then(cpu_time)
            .unwrap_or_default()
            .saturating_sub(self.started.get());
        let now = self.game_time.get();
        let window_ms = WINDOW.as_secs_f64() * 1000.0;
        let mut history = self.history.borrow_mut();
        history.push_back((now, used));
        while history.front().is_some_and(|(t, _)| now - *t > window_ms) {
            history.pop_front();
        }
        let total: Duration = history.iter().map(|(_, d)| *d).sum();
        if total > WINDOW * self.share_percent / 100 {
            return Some(Overrun::Window {
                used_ms: total.as_millis() as u64,
                window_ms: WINDOW.as_millis() as u64,
            });
        }
        None
    }

    pub fn set_game_time(&self, ms: f64) {
        self.game_time.set(ms);
    }

    /// Whether, and why, the watchdog stopped the call in progress.
    pub fn fired(&self) -> Option<Overrun> {
        match self.fired.load(Ordering::SeqCst) {
            FIRED_BUDGET => Some(Overrun::Budget),
            FIRED_WALL => Some(Overrun::WallClock),
            _ => None,
        }
    }

    /// Runs `f` inside a host call; says whether, and why, the watchdog had to terminate it.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> (T, Option<Overrun>) {
        self.begin();
        let out = f();
        (out, self.end())
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
