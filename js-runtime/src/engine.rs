//! The isolate: a `deno_core::JsRuntime` with our three ops, the sandbox bootstrap, a heap cap,
//! the CPU watchdog and bounded console output. Everything engine-specific stays behind
//! deno_core's API so the same code builds on QuickJS and on V8.
//!
//! Game code never sees the ops: the bootstrap takes them into its closure and removes every
//! global that is not on its allowlist, and the runtime's handle (`hg`) lives only here, in Rust.
//! Modules are compiled by the engine as function bodies (`ScriptCompiler::CompileFunction`),
//! never pasted into text of ours.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use deno_core::{op2, v8, JsRuntime, OpState, RuntimeOptions};

use crate::error::{EndReason, EngineError};
use crate::frames::{FrameSink, StateOutcome};
use crate::squisher::SceneLayer;
use crate::watchdog::{Guard, Overrun};

/// What the console keeps of one session's output; the rest is counted and dropped.
pub const CONSOLE_MAX_LINES: usize = 10_000;
pub const CONSOLE_MAX_BYTES: usize = 1 << 20;
pub const CONSOLE_MAX_LINE_BYTES: usize = 4 << 10;
pub const EXCEPTIONS_MAX: usize = 1_000;
pub const EXCEPTIONS_MAX_BYTES: usize = 1 << 20;
pub const EXCEPTION_MAX_BYTES: usize = 8 << 10;

/// Log lines and game exceptions, as the game produced them, bounded in count and bytes.
#[derive(Debug, Default)]
pub struct Console {
    pub lines: Vec<(String, String)>,
    pub exceptions: Vec<serde_json::Value>,
    /// Lines and exceptions that came after the caps were reached.
    pub dropped_lines: u64,
    pub dropped_exceptions: u64,
    line_bytes: usize,
    exception_bytes: usize,
}

/// `text` cut to at most `max` bytes at a character boundary, marked when cut.
fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} bytes cut]", &text[..end], text.len() - end)
}

impl Console {
    pub fn log(&mut self, level: &str, message: &str) {
        if self.lines.len() >= CONSOLE_MAX_LINES || self.line_bytes >= CONSOLE_MAX_BYTES {
            self.dropped_lines += 1;
            return;
        }
        let message = clip(message, CONSOLE_MAX_LINE_BYTES);
        self.line_bytes += message.len();
        tracing::debug!(level, message, "game console");
        self.lines.push((clip(level, 16), message));
    }

    pub fn exception(&mut self, report: serde_json::Value) {
        if self.exceptions.len() >= EXCEPTIONS_MAX || self.exception_bytes >= EXCEPTIONS_MAX_BYTES {
            self.dropped_exceptions += 1;
            return;
        }
        let mut report = report;
        if let Some(fields) = report.as_object_mut() {
            for v in fields.values_mut() {
                if let Some(s) = v.as_str() {
                    *v = serde_json::Value::String(clip(s, EXCEPTION_MAX_BYTES));
                }
            }
        }
        let text = report.to_string();
        tracing::debug!(exception = %text, "game exception");
        self.exception_bytes += text.len();
        self.exceptions.push(report);
    }
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
        let v =
            serde_json::from_str(message).unwrap_or(serde_json::Value::String(message.to_string()));
        console.exception(v);
    } else {
        console.log(level, message);
    }
}

/// Called by the game's squisher at every state change with the layers as plain data (JSON text);
/// encodes and routes the frames in Rust. Returns JSON `{draws}` (random draws the original would
/// have made) or `{error}` (what the original encoder would have thrown).
#[op2]
#[string]
fn op_hg_state(
    state: &mut OpState,
    #[string] layers: &str,
    #[string] cause: &str,
    target: i32,
) -> String {
    let outcome = match serde_json::from_str::<Vec<SceneLayer>>(layers) {
        Ok(layers) => {
            let sink = state.borrow::<Rc<RefCell<FrameSink>>>().clone();
            let mut sink = sink.borrow_mut();
            sink.on_state(&layers, cause, target)
        }
        Err(e) => StateOutcome {
            draws: 0,
            error: Some(format!("the scene cannot be encoded: {e}")),
        },
    };
    serde_json::to_string(&outcome).expect("outcome")
}

deno_core::extension!(
    homegames_runtime,
    ops = [op_hg_config, op_hg_log, op_hg_state]
);

/// Why a call into JavaScript did not return a value.
#[derive(Debug)]
pub enum CallFailure {
    /// The function threw; the session goes on.
    Threw(String),
    /// The isolate was stopped for good.
    Ended(EndReason),
}

/// How a module is registered with the loader.
pub enum ModuleKind {
    /// Our own runtime files: reachable only from the runtime, never from a game's `require`.
    Runtime,
    /// The game's files and the shared helpers games import: reachable from a game's `require`.
    Game,
}

pub struct Engine {
    runtime: JsRuntime,
    hg: v8::Global<v8::Object>,
    guard: Guard,
    heap_limit: usize,
    heap_hit: Rc<Cell<bool>>,
    buffers: std::sync::Arc<crate::array_buffers::BufferBudget>,
    ended: Option<EndReason>,
    pub console: Rc<RefCell<Console>>,
}

const BOOTSTRAP: &str = include_str!("../js/bootstrap.js");

/// The isolate made current on this thread for as long as this lives.
///
/// V8 keeps a per-thread stack of entered isolates and checks every scope against its top, so a
/// thread that holds several sessions (tests, `play` of several games) must enter the one it uses.
/// Every engine leaves its isolate exited between calls.
struct Entered(*mut v8::Isolate);

impl Entered {
    fn new(runtime: &mut JsRuntime) -> Entered {
        let isolate: &mut v8::Isolate = runtime.v8_isolate();
        // SAFETY: the isolate is alive (owned by `runtime`) and used only on this thread; the
        // matching exit runs in Drop, before `runtime` can be dropped.
        unsafe { isolate.enter() };
        Entered(isolate)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        // SAFETY: entered in `new` on this thread and not exited since (entries nest).
        unsafe { (*self.0).exit() };
    }
}

impl Engine {
    pub fn new(
        boot_config: String,
        sink: Rc<RefCell<FrameSink>>,
        heap_limit: usize,
        cpu_budget: Duration,
        cpu_share_percent: u32,
    ) -> Result<Engine, EngineError> {
        // ArrayBuffer storage (outside the heap) gets a cap of its own, the size of the heap cap.
        let (allocator, buffers) = crate::array_buffers::capped_allocator(heap_limit);
        // The isolate is entered on creation and stays entered until the end of this function.
        let mut runtime = crate::reactor::within(|| {
            JsRuntime::try_new(RuntimeOptions {
                extensions: vec![homegames_runtime::init()],
                create_params: Some(
                    v8::CreateParams::default()
                        .heap_limits(0, heap_limit)
                        .array_buffer_allocator(allocator.make_shared()),
                ),
                ..Default::default()
            })
        })
        .map_err(EngineError::Isolate)?;
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
        let guard = Guard::new(handle, cpu_budget, cpu_share_percent);
        let (value, fired) =
            guard.run(|| runtime.execute_script("[homegames bootstrap]", BOOTSTRAP));
        if fired.is_some() {
            return Err(EngineError::BootstrapCpu);
        }
        let value = value.map_err(EngineError::Bootstrap)?;
        let hg = {
            deno_core::scope!(scope, &mut runtime);
            let local = v8::Local::new(scope, value);
            let obj: v8::Local<v8::Object> = local.try_into().map_err(|_| EngineError::NoHandle)?;
            v8::Global::new(scope, obj)
        };
        // SAFETY: entered by its creation above, on this thread; from now on every use enters it.
        unsafe { runtime.v8_isolate().exit() };
        Ok(Engine {
            runtime,
            hg,
            guard,
            heap_limit,
            heap_hit,
            buffers,
            ended: None,
            console,
        })
    }

    /// Compiles one module as a function body and registers it at `path`. A file that does not
    /// compile is registered as one that throws its SyntaxError when required, as in Node.
    pub fn define_module(
        &mut self,
        path: &str,
        source: &str,
        kind: ModuleKind,
    ) -> Result<(), CallFailure> {
        if let Some(r) = &self.ended {
            return Err(CallFailure::Ended(r.clone()));
        }
        let _entered = Entered::new(&mut self.runtime);
        let runtime = &mut self.runtime;
        let hg = &self.hg;
        let internal = matches!(kind, ModuleKind::Runtime);
        let (result, fired) = self.guard.run(|| {
            deno_core::scope!(scope, runtime);
            let this = v8::Local::new(scope, hg);
            let path_v = v8::String::new(scope, path).ok_or_else(|| "path too long".to_string())?;
            let internal_v = v8::Boolean::new(scope, internal);
            let (method, payload): (&str, v8::Local<v8::Value>) = if path.ends_with(".json") {
                (
                    "defineJson",
                    v8::String::new(scope, source)
                        .ok_or_else(|| "file too large".to_string())?
                        .into(),
                )
            } else {
                // A `#!` line is a comment, as Node reads it.
                let text = match source.strip_prefix("#!") {
                    Some(rest) => std::borrow::Cow::Owned(format!("//{rest}")),
                    None => std::borrow::Cow::Borrowed(source),
                };
                let code =
                    v8::String::new(scope, &text).ok_or_else(|| "file too large".to_string())?;
                let origin = v8::ScriptOrigin::new(
                    scope,
                    path_v.into(),
                    0,
                    0,
                    false,
                    0,
                    None,
                    false,
                    false,
                    false,
                    None,
                );
                let mut src = v8::script_compiler::Source::new(code, Some(&origin));
                let params: Vec<v8::Local<v8::String>> =
                    ["exports", "require", "module", "__filename", "__dirname"]
                        .iter()
                        .map(|p| v8::String::new(scope, p).expect("parameter name"))
                        .collect();
                v8::tc_scope!(let tc, scope);
                let compiled = v8::script_compiler::compile_function(
                    tc,
                    &mut src,
                    &params,
                    &[],
                    v8::script_compiler::CompileOptions::NoCompileOptions,
                    v8::script_compiler::NoCacheReason::NoReason,
                );
                match compiled {
                    Some(f) => ("define", f.into()),
                    None => {
                        let message = tc
                            .exception()
                            .map(|e| e.to_rust_string_lossy(tc))
                            .unwrap_or_else(|| "does not compile".into());
                        if tc.has_terminated() {
                            return Err("terminated".to_string());
                        }
                        (
                            "defineBroken",
                            v8::String::new(tc, &format!("{path}: {message}"))
                                .expect("message")
                                .into(),
                        )
                    }
                }
            };
            let key = v8::String::new(scope, method).expect("method name");
            let f = this
                .get(scope, key.into())
                .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok())
                .ok_or_else(|| "no loader".to_string())?;
            v8::tc_scope!(let tc, scope);
            match f.call(
                tc,
                this.into(),
                &[path_v.into(), payload, internal_v.into()],
            ) {
                Some(_) => Ok(()),
                None => Err(tc
                    .exception()
                    .map(|e| e.to_rust_string_lossy(tc))
                    .unwrap_or_else(|| "terminated".to_string())),
            }
        });
        drop(_entered);
        self.after_call(fired, path)?;
        result.map_err(CallFailure::Threw)
    }

    /// Calls `hg[method](...args)` and returns its result as JSON.
    pub fn call(
        &mut self,
        method: &str,
        args: &[serde_json::Value],
    ) -> Result<serde_json::Value, CallFailure> {
        if let Some(r) = &self.ended {
            return Err(CallFailure::Ended(r.clone()));
        }
        let entered = Entered::new(&mut self.runtime);
        let runtime = &mut self.runtime;
        let hg = &self.hg;
        let (result, fired) = self.guard.run(|| {
            deno_core::scope!(scope, runtime);
            let this = v8::Local::new(scope, hg);
            let key = v8::String::new(scope, method).expect("method name");
            let f = this
                .get(scope, key.into())
                .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok());
            let Some(f) = f else {
                return Err(format!("runtime handle has no method {method}"));
            };
            let mut argv = Vec::with_capacity(args.len());
            for a in args {
                argv.push(deno_core::serde_v8::to_v8(scope, a).map_err(|e| e.to_string())?);
            }
            v8::tc_scope!(let tc, scope);
            let out = match f.call(tc, this.into(), &argv) {
                Some(v) => deno_core::serde_v8::from_v8::<serde_json::Value>(tc, v)
                    .map_err(|e| e.to_string()),
                None => Err(tc
                    .exception()
                    .map(|e| e.to_rust_string_lossy(tc))
                    .unwrap_or_else(|| "terminated".to_string())),
            };
            tc.perform_microtask_checkpoint();
            out
        });
        drop(entered);
        self.after_call(fired, method)?;
        result.map_err(CallFailure::Threw)
    }

    /// Runs the tasks the engine queued for this isolate's thread (V8's GC and compile tasks)
    /// under the CPU guard. Nothing else is pending: games have no async ops.
    pub fn run_engine_tasks(&mut self) -> Result<(), CallFailure> {
        if let Some(r) = &self.ended {
            return Err(CallFailure::Ended(r.clone()));
        }
        let entered = Entered::new(&mut self.runtime);
        let runtime = &mut self.runtime;
        let (result, fired) = self.guard.run(|| {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            runtime.poll_event_loop(&mut cx, deno_core::PollEventLoopOptions::default())
        });
        drop(entered);
        self.after_call(fired, "engine tasks")?;
        match result {
            std::task::Poll::Ready(Err(e)) => Err(CallFailure::Threw(e.to_string())),
            _ => Ok(()),
        }
    }

    /// Starts one host call (a load, a join, an `advance_to`): the CPU budget covers all the
    /// calls into JavaScript until [`Engine::end_host_call`], not each one alone.
    pub fn begin_host_call(&mut self) {
        self.guard.begin();
    }

    /// Ends a host call; a session over its CPU share of the sliding window ends here.
    pub fn end_host_call(&mut self, during: &str) -> Result<(), CallFailure> {
        let over = self.guard.end();
        self.after_call(over, during)
    }

    /// Ends the session for a reason found outside the engine (the frame sink's caps).
    pub fn end_with(&mut self, reason: EndReason) {
        self.runtime.v8_isolate().cancel_terminate_execution();
        tracing::warn!(%reason, "game session stopped");
        self.ended = Some(reason);
    }

    /// The session's game time (ms), which the CPU-share window is measured in.
    pub fn set_game_time(&mut self, ms: f64) {
        self.guard.set_game_time(ms);
    }

    /// Turns a watchdog or heap stop into the end of the session.
    fn after_call(&mut self, fired: Option<Overrun>, during: &str) -> Result<(), CallFailure> {
        if self.ended.is_some() {
            return Err(CallFailure::Ended(self.ended.clone().expect("ended")));
        }
        let reason = if self.heap_hit.get() || self.buffers.refused() {
            Some(EndReason::HeapExhausted {
                limit_mib: self.heap_limit >> 20,
                during: during.to_string(),
            })
        } else {
            match fired {
                Some(Overrun::Budget) => Some(EndReason::CpuBudget {
                    budget_ms: self.guard.budget().as_millis() as u64,
                    during: during.to_string(),
                }),
                Some(Overrun::WallClock) => Some(EndReason::WallClock {
                    ceiling_ms: self.guard.ceiling().as_millis() as u64,
                    during: during.to_string(),
                }),
                Some(Overrun::Window { used_ms, window_ms }) => {
                    Some(EndReason::CpuShare { used_ms, window_ms })
                }
                None => None,
            }
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

impl Drop for Engine {
    fn drop(&mut self) {
        // V8 requires an isolate to be the entered one when it is disposed; the runtime's own drop
        // disposes it and exits this entry.
        // SAFETY: the isolate is alive and belongs to this thread.
        unsafe { self.runtime.v8_isolate().enter() };
    }
}
