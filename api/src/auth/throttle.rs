//! Wrong passwords slow down the one who types them, not the account's owner: failures are
//! counted per (login, client address); after a few free ones each further failure doubles the
//! wait (from 1 s up to 15 min) before that address may try that login again, and a success
//! clears the count. Nobody can lock an account out for everyone by guessing at it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

/// Failures that cost nothing (typos).
pub const FREE_FAILURES: u32 = 5;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Most (login, address) pairs remembered; past it the stalest is forgotten.
const MAX_ENTRIES: usize = 100_000;

type Key = (String, Option<IpAddr>);

struct Failures {
    count: u32,
    blocked_until: Instant,
    last: Instant,
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, Failures>>,
}

/// The wait after the `count`-th failure.
pub fn wait_after(count: u32) -> Duration {
    if count <= FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_FAILURES - 1).min(20);
    Duration::from_secs(1u64 << doublings).min(MAX_WAIT)
}

impl LoginThrottle {
    /// Refuses (429 with the wait) while this address must wait before trying this login.
    pub fn check(&self, login: &str, addr: Option<IpAddr>) -> Result<(), ApiError> {
        let map = self.failures.lock().expect("throttle lock");
        if let Some(f) = map.get(&(login.to_string(), addr)) {
            let now = Instant::now();
            if now < f.blocked_until {
                let wait = (f.blocked_until - now).as_secs() + 1;
                return Err(ApiError::rate_limited(
                    format!("too many wrong passwords from here; try again in {wait} s"),
                    wait,
                ));
            }
        }
        Ok(())
    }

    pub fn failed(&self, login: &str, addr: Option<IpAddr>) {
        let mut map = self.failures.lock().expect("throttle lock");
        let now = Instant::now();
        if map.len() >= MAX_ENTRIES {
            if let Some(stalest) = map
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(k, _)| k.clone())
            {
                map.remove(&stalest);
            }
        }
        let f = map.entry((login.to_string(), addr)).or_insert(Failures {
            count: 0,
            blocked_until: now,
            last: now,
        });
        f.count = f.count.saturating_add(1);
        f.last = now;
        f.blocked_until = now + wait_after(f.count);
    }

    pub fn succeeded(&self, login: &str, addr: Option<IpAddr>) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(&(login.to_string(), addr));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_failures_and_stops_growing() {
        assert_eq!(wait_after(FREE_FAILURES), Duration::ZERO);
        assert_eq!(wait_after(FREE_FAILURES + 1), Duration::from_secs(1));
        assert_eq!(wait_after(FREE_FAILURES + 2), Duration::from_secs(2));
        assert_eq!(wait_after(1000), MAX_WAIT);
    }

    #[test]
    fn another_address_is_not_held_up() {
        let t = LoginThrottle::default();
        let (a, b) = (
            Some("10.0.0.1".parse().unwrap()),
            Some("10.0.0.2".parse().unwrap()),
        );
        for _ in 0..FREE_FAILURES + 1 {
            t.failed("ann", a);
        }
        assert!(t.check("ann", a).is_err());
        assert!(t.check("ann", b).is_ok());
        t.succeeded("ann", a);
        assert!(t.check("ann", a).is_ok());
    }
}
