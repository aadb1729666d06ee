//! The isolate: a `deno_core::JsRuntime` with our three ops, the sandbox bootstrap, a heap cap and
//! the CPU watchdog. Everything engine-specific stays behind deno_core's API so the same code
//! builds on QuickJS and on V8.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use deno_core::{op2, v8, JsRuntime, OpState, RuntimeOptions};

use crate::error::EndReason;
use crate::frames::{FrameSink, StateOutcome};
use crate::squisher::SceneLayer;
use crate::watchdog::Guard;

/// Log lines and game exceptions, as the game produced them.
#[derive(Debug, Default)]
pub struct Console {
    pub lines: Vec<(String, String)>,
    pub exceptions: Vec<serde_json::Value>,
}

/// The JSON configuration the bootstrap reads once.
struct BootConfig(String);

#[op2]
#[string]
fn op_hg_config(state: &mut OpState) -> String {
    state.borrow::<BootConfig>().0.clone()
}

#[op2(fast)]
fn op_hg_log(state: &mut OpState, #[string] level: &str, #[string] message: &str) {
    let console = state.borrow::<Rc<RefCell<Console>>>().clone();
    let mut console = console.borrow_mut();
    if level == "exception" {
        let v = serde_json::from_str(message).unwrap_or(serde_json::Value::String(message.to_string()));
        tracing::debug!(exception = %message, "game exception");
        console.exceptions.push(v);
    } else if console.lines.len() < 10_000 {
        tracing::debug!(level, message, "game console");
        console.lines.push((level.to_string(), message.to_string()));
    }
}

/// Called by the game's squisher at every state change with the layers as plain data (JSON text);
/// encodes and routes the frames in Rust. Returns JSON `{draws}` (random draws the original would
/// have made) or `{error}` (what the original encoder would have thrown).
#[op2]
#[string]
fn op_hg_state(state: &mut OpState, #[string] layers: &str, #[string] cause: &str, target: i32) -> String {
    let outcome = match serde_json::from_str::<Vec<SceneLayer>>(layers) {
        Ok(layers) => {
            let sink = state.borrow::<Rc<RefCell<FrameSink>>>().clone();
            let mut sink = sink.borrow_mut();
            sink.on_state(&layers, cause, target)
        }
        Err(e) => StateOutcome { draws: 0, error: Some(format!("the scene cannot be encoded: {e}")) },
    };
    serde_json::to_string(&outcome).expect("outcome")
}

deno_core::extension!(homegames_runtime, ops = [op_hg_config, op_hg_log, op_hg_state]);

/// Why a call into JavaScript did not return a value.
#[derive(Debug)]
pub enum CallFailure {
    /// The function threw; the session goes on.
    Threw(String),
    /// The isolate was stopped for good.
    Ended(EndReason),
}

pub struct Engine {
    runtime: JsRuntime,
    hg: v8::Global<v8::Object>,
    guard: Guard,
    heap_limit: usize,
    heap_hit: Rc<Cell<bool>>,
    ended: Option<EndReason>,
    pub console: Rc<RefCell<Console>>,
}

const BOOTSTRAP: &str = include_str!("../js/bootstrap.js");

impl Engine {
    pub fn new(boot_config: String, sink: Rc<RefCell<FrameSink>>, heap_limit: usize, cpu_budget: Duration) -> Result<Engine, String> {
        let mut runtime = JsRuntime::try_new(RuntimeOptions {
            extensions: vec![homegames_runtime::init()],
            create_params: Some(v8::CreateParams::default().heap_limits(0, heap_limit)),
            ..Default::default()
        })
        .map_err(|e| format!("cannot create an isolate: {}", e.print_with_cause()))?;
        let console = Rc::new(RefCell::new(Console::default()));
        {
            let state = runtime.op_state();
            let mut state = state.borrow_mut();
            state.put(BootConfig(boot_config));
            state.put(sink);
            state.put(console.clone());
        }
        let heap_hit = Rc::new(Cell::new(false));
        let handle = runtime.v8_isolate().thread_safe_handle();
        {
            let heap_hit = heap_hit.clone();
            let handle = handle.clone();
            runtime.add_near_heap_limit_callback(move |current, initial| {
                // Stop the game and give the engine a fixed margin (half the cap, once) to unwind:
                // further allocations fail instead of the heap growing while termination is pending.
                heap_hit.set(true);
                handle.terminate_execution();
                current.max(initial + initial / 2)
            });
        }
        let guard = Guard::new(handle, cpu_budget);
        let (value, fired) = guard.run(|| runtime.execute_script("[homegames bootstrap]", BOOTSTRAP));
        if fired {
            return Err("the bootstrap exceeded the CPU budget".into());
        }
        let value = value.map_err(|e| format!("bootstrap failed: {e}"))?;
        let hg = {
            deno_core::scope!(scope, &mut runtime);
            let local = v8::Local::new(scope, value);
            let obj: v8::Local<v8::Object> = local.try_into().map_err(|_| "bootstrap returned no handle".to_string())?;
            v8::Global::new(scope, obj)
        };
        Ok(Engine { runtime, hg, guard, heap_limit, heap_hit, ended: None, console })
    }

    #[allow(dead_code)]
    pub fn ended(&self) -> Option<&EndReason> {
        self.ended.as_ref()
    }

    /// Runs a script (a module definition); a thrown error comes back as text.
    pub fn execute(&mut self, name: &str, code: String) -> Result<(), CallFailure> {
        if let Some(r) = &self.ended {
            return Err(CallFailure::Ended(r.clone()));
        }
        let runtime = &mut self.runtime;
        let (result, fired) = self.guard.run(|| runtime.execute_script(name.to_string(), code));
        self.after_call(fired, name)?;
        result.map(|_| ()).map_err(|e| CallFailure::Threw(e.to_string()))
    }

    /// Calls `hg[method](...args)` and returns its result as JSON.
    pub fn call(&mut self, method: &str, args: &[serde_json::Value]) -> Result<serde_json::Value, CallFailure> {
        if let Some(r) = &self.ended {
            return Err(CallFailure::Ended(r.clone()));
        }
        let runtime = &mut self.runtime;
        let hg = &self.hg;
        let (result, fired) = self.guard.run(|| {
            deno_core::scope!(scope, runtime);
            let this = v8::Local::new(scope, hg);
            let key = v8::String::new(scope, method).expect("method name");
            let f = this.get(scope, key.into()).and_then(|f| v8::Local::<v8::Function>::try_from(f).ok());
            let Some(f) = f else {
                return Err(format!("runtime handle has no method {method}"));
            };
            let mut argv = Vec::with_capacity(args.len());
            for a in args {
                argv.push(deno_core::serde_v8::to_v8(scope, a).map_err(|e| e.to_string())?);
            }
            v8::tc_scope!(let tc, scope);
            let out = match f.call(tc, this.into(), &argv) {
                Some(v) => deno_core::serde_v8::from_v8::<serde_json::Value>(tc, v).map_err(|e| e.to_string()),
                None => Err(tc
                    .exception()
                    .map(|e| e.to_rust_string_lossy(tc))
                    .unwrap_or_else(|| "terminated".to_string())),
            };
            tc.perform_microtask_checkpoint();
            out
        });
        self.after_call(fired, method)?;
        result.map_err(CallFailure::Threw)
    }

    /// Turns a watchdog or heap stop into the end of the session.
    fn after_call(&mut self, fired: bool, during: &str) -> Result<(), CallFailure> {
        let reason = if self.heap_hit.get() {
            Some(EndReason::HeapExhausted { limit_mib: self.heap_limit >> 20, during: during.to_string() })
        } else if fired {
            Some(EndReason::CpuBudget { budget_ms: self.guard.budget().as_millis() as u64, during: during.to_string() })
        } else {
            None
        };
        if let Some(reason) = reason {
            self.runtime.v8_isolate().cancel_terminate_execution();
            tracing::warn!(%reason, "game session stopped");
            self.ended = Some(reason.clone());
            return Err(CallFailure::Ended(reason));
        }
        Ok(())
    }
}
