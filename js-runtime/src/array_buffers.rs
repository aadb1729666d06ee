//! ArrayBuffer storage with a cap.
//!
//! The bytes behind an ArrayBuffer or typed array live outside the JavaScript heap, so the heap
//! cap does not bound them (on V8 a game held gigabytes of them). Each isolate gets its own
//! allocator that refuses an allocation past its cap (the game sees V8's RangeError "Array buffer
//! allocation failed") and remembers that it did, so the engine ends the session as it does at the
//! heap cap.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use deno_core::v8;

/// What one isolate's ArrayBuffers hold, against its cap.
pub struct BufferBudget {
    used: AtomicUsize,
    cap: usize,
    refused: AtomicBool,
}

impl BufferBudget {
    /// Whether an allocation was refused since the isolate started.
    pub fn refused(&self) -> bool {
        self.refused.load(Ordering::SeqCst)
    }

    fn reserve(&self, len: usize) -> bool {
        let mut used = self.used.load(Ordering::SeqCst);
        loop {
            let Some(next) = used.checked_add(len).filter(|n| *n <= self.cap) else {
                self.refused.store(true, Ordering::SeqCst);
                return false;
            };
            match self
                .used
                .compare_exchange(used, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => used = now,
            }
        }
    }
}

unsafe extern "C" fn allocate(budget: &BufferBudget, len: usize) -> *mut c_void {
    if !budget.reserve(len) {
        return std::ptr::null_mut();
    }
    // SAFETY: calloc with any size is sound; a null answer is passed on as V8 expects.
    let p = unsafe { libc::calloc(len.max(1), 1) };
    if p.is_null() {
        budget.used.fetch_sub(len, Ordering::SeqCst);
    }
    p
}

unsafe extern "C" fn allocate_uninitialized(budget: &BufferBudget, len: usize) -> *mut c_void {
    if !budget.reserve(len) {
        return std::ptr::null_mut();
    }
    // SAFETY: as above.
    let p = unsafe { libc::malloc(len.max(1)) };
    if p.is_null() {
        budget.used.fetch_sub(len, Ordering::SeqCst);
    }
    p
}

unsafe extern "C" fn free(budget: &BufferBudget, data: *mut c_void, len: usize) {
    budget.used.fetch_sub(
        len.min(budget.used.load(Ordering::SeqCst)),
        Ordering::SeqCst,
    );
    // SAFETY: `data` came from calloc/malloc above (or is null).
    unsafe { libc::free(data) };
}

unsafe extern "C" fn drop_budget(budget: *const BufferBudget) {
    // SAFETY: the pointer is the one `Arc::into_raw` gave `capped_allocator`; V8 drops it once.
    drop(unsafe { Arc::from_raw(budget) });
}

static VTABLE: v8::RustAllocatorVtable<BufferBudget> = v8::RustAllocatorVtable {
    allocate,
    allocate_uninitialized,
    free,
    drop: drop_budget,
};

/// An allocator for one isolate whose buffers may hold at most `cap` bytes in all.
pub fn capped_allocator(cap: usize) -> (v8::UniqueRef<v8::Allocator>, Arc<BufferBudget>) {
    let budget = Arc::new(BufferBudget {
        used: AtomicUsize::new(0),
        cap,
        refused: AtomicBool::new(false),
    });
    // SAFETY: the handle stays valid until V8 calls `drop_budget`, which releases this reference.
    let allocator = unsafe { v8::new_rust_allocator(Arc::into_raw(budget.clone()), &VTABLE) };
    (allocator, budget)
}
