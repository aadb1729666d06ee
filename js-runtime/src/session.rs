//! One game session: an isolate running one game, driven the way the original server drives it.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use serde_json::{json, Value};
use squish::{Alias, SquishVersion};

use crate::engine::{CallFailure, Console, Engine, ModuleKind};
use crate::error::{EndReason, RuntimeError};
use crate::frames::{FrameSink, PlayerFrame};
use crate::profile::{all_profiles, rules, runs_on_platform_session};
use crate::sources::{read_game, BUILTIN_FILES};

/// The longest stretch of game time one host call advances (see [`GameSession::advance_to`]).
pub const ADVANCE_SLICE_MS: f64 = 50.0;

/// What one isolate may use. A game that goes past either is stopped and its session ends with
/// the reason; other sessions are not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsolateLimits {
    /// The isolate's heap cap, in bytes.
    pub heap_limit: usize,
    /// Longest a single handler, timer or tick may run (thread CPU time).
    pub cpu_budget: Duration,
    /// The share of one core (percent) a session may use over any 10 s of its game time.
    pub cpu_share_percent: u32,
}

impl Default for IsolateLimits {
    fn default() -> Self {
        IsolateLimits {
            heap_limit: 64 << 20,
            cpu_budget: Duration::from_millis(250),
            cpu_share_percent: crate::watchdog::WINDOW_SHARE_PERCENT,
        }
    }
}

/// How a session is contained and how its clock and randomness run.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub limits: IsolateLimits,
    /// Seed of Math.random (mulberry32).
    pub seed: u32,
    /// What Date.now() says at virtual time 0.
    pub epoch_ms: f64,
    /// Passed to the game's constructor as `saveData`.
    pub save_data: Option<Value>,
    /// The bezel in percent (x, y) that a live session keeps around the game: game layers are
    /// drawn at scale (100 - b) / 100 and clicks are mapped back through it. (0, 0) for scripted,
    /// game-only runs; the original server uses (9, 9).
    pub bezel: (f64, f64),
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            limits: IsolateLimits::default(),
            seed: 0x5eed,
            epoch_ms: 1_700_000_000_000.0,
            save_data: None,
            bezel: (0.0, 0.0),
        }
    }
}

/// Outcome of a click: which node was hit and whether it had a handler.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClickHit {
    pub node_id: f64,
    pub has_handler: bool,
    pub found: bool,
}

/// A session lives on the thread that created it (an isolate is not `Send`). Give each session its
/// own thread: on the QuickJS backend one thread can create only about 270 isolates over its
/// lifetime, while threads themselves have no such limit.
pub struct GameSession {
    engine: Engine,
    sink: Rc<RefCell<FrameSink>>,
    metadata: Value,
    version: SquishVersion,
    /// Runs under the 2026 platform's session (squish 1.4.x): see `js/platform.js`.
    platform: bool,
    now: f64,
}

impl GameSession {
    /// Loads the game in `dir` (its `index.js` and everything it requires) into a fresh isolate,
    /// constructs it and squishes once, as the original server does before anyone joins.
    pub fn load(dir: &Path, config: &SessionConfig) -> Result<GameSession, RuntimeError> {
        let files = read_game(dir)?;
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("game")
            .to_string();
        let boot = json!({ "seed": config.seed, "epochMs": config.epoch_ms }).to_string();
        // The sink learns the game's version once metadata() has been read.
        let placeholder: SquishVersion = "135".parse().expect("alias");
        let sink = Rc::new(RefCell::new(FrameSink::new(
            placeholder,
            rules(placeholder.package()),
        )));
        let mut engine = Engine::new(
            boot,
            sink.clone(),
            config.limits.heap_limit,
            config.limits.cpu_budget,
            config.limits.cpu_share_percent,
        )
        .map_err(RuntimeError::EngineStart)?;

        let load_err = |file: &str, f: CallFailure| match f {
            CallFailure::Threw(message) => RuntimeError::Load {
                file: file.to_string(),
                message,
            },
            CallFailure::Ended(r) => RuntimeError::Ended(r),
        };
        // The whole load is one host call under one CPU budget.
        engine.begin_host_call();
        let loaded = Self::load_into(&mut engine, &sink, &files, &name, config);
        let ended = engine.end_host_call("load");
        let (metadata, version, platform) = match (loaded, ended) {
            (_, Err(f)) => return Err(load_err("load", f)),
            (Err(e), Ok(())) => return Err(e),
            (Ok(v), Ok(())) => v,
        };
        let mut session = GameSession {
            engine,
            sink,
            metadata,
            version,
            platform,
            now: 0.0,
        };
        // What the constructor left for the end of its turn of the loop.
        session.host_call("load", |s| s.check_phase())?;
        Ok(session)
    }

    /// Our runtime files, the seal, then the game's files (compiled only once nothing of ours is
    /// reachable any more), its metadata and its constructor.
    fn load_into(
        engine: &mut Engine,
        sink: &Rc<RefCell<FrameSink>>,
        files: &[crate::sources::GameFile],
        name: &str,
        config: &SessionConfig,
    ) -> Result<(Value, SquishVersion, bool), RuntimeError> {
        let load_err = |file: &str, f: CallFailure| match f {
            CallFailure::Threw(message) => RuntimeError::Load {
                file: file.to_string(),
                message,
            },
            CallFailure::Ended(r) => RuntimeError::Ended(r),
        };
        for (path, source) in BUILTIN_FILES {
            let kind = if path.starts_with("/common/") {
                ModuleKind::Game
            } else {
                ModuleKind::Runtime
            };
            engine
                .define_module(path, source, kind)
                .map_err(|e| load_err(path, e))?;
        }
        engine
            .call("defineProfiles", &[Value::Object(all_profiles())])
            .map_err(|e| load_err("profiles", e))?;
        engine
            .call("seal", &[])
            .map_err(|e| load_err("driver", e))?;
        for f in files {
            let path = format!("/games/{name}/{}", f.relative);
            engine
                .define_module(&path, &f.text, ModuleKind::Game)
                .map_err(|e| load_err(&path, e))?;
        }

        let entry = format!("/games/{name}/index.js");
        let meta = engine
            .call("drive", &[json!("load"), json!(entry)])
            .map_err(|e| load_err("index.js", e))?;
        let metadata: Value = serde_json::from_str(meta.as_str().unwrap_or("{}"))
            .map_err(|e| RuntimeError::Metadata(e.to_string()))?;
        let declared = match &metadata["squishVersion"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(RuntimeError::Metadata(format!(
                    "squishVersion is {other}, expected a version string such as \"135\""
                )))
            }
        };
        let alias = Alias::lookup(&declared).ok_or_else(|| {
            RuntimeError::Metadata(format!(
                "squishVersion {declared:?} is not a version we know"
            ))
        })?;
        if alias.server.family().is_none() {
            return Err(RuntimeError::Metadata(format!(
                "squishVersion {declared:?} is reserved and not supported yet"
            )));
        }
        let platform = runs_on_platform_session(alias.server);
        let version = SquishVersion::from(alias.server);
        {
            let mut s = sink.borrow_mut();
            s.version = version;
            s.rules = rules(alias.server);
        }
        let bezel = json!({"x": config.bezel.0, "y": config.bezel.1});
        engine
            .call(
                "drive",
                &[
                    json!("start"),
                    config.save_data.clone().unwrap_or(Value::Null),
                    bezel,
                    json!(if platform { "platform" } else { "game-only" }),
                ],
            )
            .map_err(|e| load_err("constructor", e))?;
        Ok((metadata, version, platform))
    }

    pub fn metadata(&self) -> &Value {
        &self.metadata
    }

    pub fn version(&self) -> SquishVersion {
        self.version
    }

    /// Whether the game runs under the 2026 platform's session rules (squish 1.4.x).
    pub fn on_platform_session(&self) -> bool {
        self.platform
    }

    /// Virtual milliseconds since the session started.
    pub fn now(&self) -> f64 {
        self.now
    }

    pub fn console(&self) -> Rc<RefCell<Console>> {
        self.engine.console.clone()
    }

    /// Runs every timer (ticks included) due up to `t`, in order, then sets the clock to `t`.
    ///
    /// Each slice of at most `ADVANCE_SLICE_MS` (50 ms) of game time is one host call under one CPU
    /// budget, so a long jump of a scripted run gets a budget per slice while a live session
    /// (which advances a frame at a time) gets one per step.
    pub fn advance_to(&mut self, t: f64) -> Result<(), RuntimeError> {
        loop {
            let slice_end = if t - self.now > ADVANCE_SLICE_MS {
                self.now + ADVANCE_SLICE_MS
            } else {
                t
            };
            self.host_call("advance_to", |s| s.advance_inner(slice_end))?;
            if slice_end >= t {
                return Ok(());
            }
        }
    }

    fn advance_inner(&mut self, t: f64) -> Result<(), RuntimeError> {
        loop {
            let due = self.call("nextTimerDue", &[])?.as_f64().unwrap_or(-1.0);
            if due < 0.0 || due > t {
                break;
            }
            self.set_now(due);
            if !self.platform {
                self.call("runNextTimer", &[json!(t)])?;
                continue;
            }
            // One turn of the loop: every timer due by now, then what they left for its end.
            while self.call("runNextTimer", &[json!(due)])?.as_bool() == Some(true) {}
            self.check_phase()?;
        }
        self.set_now(t);
        self.call("setNow", &[json!(t)])?;
        match self.engine.run_engine_tasks() {
            Ok(()) => Ok(()),
            Err(CallFailure::Ended(r)) => Err(RuntimeError::Ended(r)),
            // A FinalizationRegistry callback that threw: the game's own error, reported as such.
            Err(CallFailure::Threw(m)) => {
                self.engine
                    .console
                    .borrow_mut()
                    .exception(json!({"where": "engine task", "message": m}));
                Ok(())
            }
        }
    }

    /// A player joins: it is connected first (so it receives the frames its own join causes),
    /// then the game hears of it, then it gets one fresh frame of its own.
    pub fn join(&mut self, player: u8, name: &str, client_info: Value) -> Result<(), RuntimeError> {
        self.sink.borrow_mut().connected.insert(player);
        self.drive("join", &[json!(player), json!(name), client_info])
            .map(|_| ())
    }

    /// A spectator joins: it receives frames (a fresh one now) but the game does not hear of it
    /// and its input is not passed on. It leaves with [`GameSession::leave_spectator`].
    pub fn spectate(&mut self, player: u8) -> Result<(), RuntimeError> {
        {
            let mut sink = self.sink.borrow_mut();
            sink.connected.insert(player);
            sink.spectators.insert(player);
        }
        self.drive("spectate", &[json!(player)]).map(|_| ())
    }

    pub fn leave_spectator(&mut self, player: u8) {
        {
            let mut sink = self.sink.borrow_mut();
            sink.connected.remove(&player);
            sink.spectators.remove(&player);
        }
        // The driver forgets it too; nothing of the game runs, so there is nothing to report.
        let _ = self.drive("unspectate", &[json!(player)]);
    }

    pub fn is_spectator(&self, player: u8) -> bool {
        self.sink.borrow().spectators.contains(&player)
    }

    /// A player leaves: it gets nothing more; the game hears of it.
    pub fn leave(&mut self, player: u8) -> Result<(), RuntimeError> {
        self.sink.borrow_mut().connected.remove(&player);
        self.drive("leave", &[json!(player)]).map(|_| ())
    }

    pub fn is_connected(&self, player: u8) -> bool {
        self.sink.borrow().connected.contains(&player)
    }

    pub fn click(&mut self, player: u8, x: f64, y: f64) -> Result<Option<ClickHit>, RuntimeError> {
        let v = self.drive("click", &[json!(player), json!(x), json!(y)])?;
        Ok(serde_json::from_value(v).ok())
    }

    pub fn key(&mut self, player: u8, key: &str, down: bool) -> Result<(), RuntimeError> {
        self.drive("key", &[json!(player), json!(key), json!(down)])
            .map(|_| ())
    }

    /// A gamepad message (`{type: 'input', gamepad: true, input: {buttons, sticks}}`), passed whole.
    pub fn gamepad(&mut self, player: u8, message: Value) -> Result<(), RuntimeError> {
        self.drive("gamepad", &[json!(player), message]).map(|_| ())
    }

    /// New player info or settings (`{info, settings}`), as Homenames would report them.
    pub fn player_update(&mut self, player: u8, update: Value) -> Result<(), RuntimeError> {
        self.drive("playerUpdate", &[json!(player), update])
            .map(|_| ())
    }

    /// Asks the game whether one more player may join.
    pub fn can_add_player(&mut self) -> Result<bool, RuntimeError> {
        Ok(self.drive("canAddPlayer", &[])?.as_bool().unwrap_or(true))
    }

    pub fn mouse_up(&mut self, player: u8, x: f64, y: f64) -> Result<(), RuntimeError> {
        self.drive("mouseUp", &[json!(player), json!(x), json!(y)])
            .map(|_| ())
    }

    /// Text or file input for the node `node_id`; returns whether such an input node exists.
    pub fn input(&mut self, player: u8, node_id: f64, input: Value) -> Result<bool, RuntimeError> {
        Ok(!self
            .drive("input", &[json!(player), json!(node_id), input])?
            .is_null())
    }

    pub fn hover(&mut self, player: u8, node_id: f64, on: bool) -> Result<(), RuntimeError> {
        self.drive("hover", &[json!(player), json!(node_id), json!(on)])
            .map(|_| ())
    }

    /// Squishes and broadcasts the current scene `n` times, as `n` state changes would.
    pub fn resquish(&mut self, n: u32) -> Result<(), RuntimeError> {
        self.drive("resquish", &[json!(n)]).map(|_| ())
    }

    /// Frames produced since the last call, in emission order.
    pub fn take_frames(&mut self) -> Vec<PlayerFrame> {
        let mut sink = self.sink.borrow_mut();
        sink.outbox_bytes = 0;
        std::mem::take(&mut sink.outbox)
    }

    /// Stops the game's timers (Game.close) .
    pub fn close(&mut self) -> Result<(), RuntimeError> {
        self.drive("close", &[]).map(|_| ())
    }

    /// The end of a turn of the loop on the platform session: every queued `setImmediate`, in
    /// order, each followed by its microtasks, until none is left (the Squisher's flush and the
    /// session's broadcast among them).
    fn check_phase(&mut self) -> Result<(), RuntimeError> {
        if self.platform {
            while self.call("runImmediate", &[])?.as_bool() == Some(true) {}
        }
        Ok(())
    }

    /// `f` as one host call under one CPU budget.
    fn host_call<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Self) -> Result<T, RuntimeError>,
    ) -> Result<T, RuntimeError> {
        self.engine.begin_host_call();
        let result = f(self);
        let ended = self.engine.end_host_call(what);
        match (result, ended) {
            (_, Err(CallFailure::Ended(r))) => Err(RuntimeError::Ended(r)),
            (Err(e), _) => Err(e),
            (Ok(_), Err(CallFailure::Threw(message))) => Err(RuntimeError::Driver {
                during: what.to_string(),
                message,
            }),
            (Ok(v), Ok(())) => Ok(v),
        }
    }

    fn set_now(&mut self, t: f64) {
        if t > self.now {
            self.now = t;
        }
        self.engine.set_game_time(self.now);
        self.sink.borrow_mut().now = self.now;
    }

    /// One input or event: the driver's handler, then (on the platform session) the check phase
    /// of its turn of the loop.
    fn drive(&mut self, method: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(json!(method));
        all.extend_from_slice(args);
        if !self.platform {
            return self.call("drive", &all);
        }
        // One budget for the handler and the whole check phase: a chain of immediates that
        // re-queue themselves is a loop like any other.
        self.host_call(method, |s| {
            let value = s.call("drive", &all)?;
            s.check_phase()?;
            Ok(value)
        })
    }

    fn call(&mut self, method: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let result = self.engine.call(method, args);
        if self.sink.borrow().overflowed {
            let reason = EndReason::OutputFlood {
                limit_mib: crate::frames::OUTBOX_MAX_BYTES >> 20,
            };
            self.engine.end_with(reason.clone());
            return Err(RuntimeError::Ended(reason));
        }
        match result {
            Ok(v) => Ok(v),
            Err(CallFailure::Ended(r)) => Err(RuntimeError::Ended(r)),
            // Handlers catch game exceptions themselves; what reaches here is ours.
            Err(CallFailure::Threw(message)) => Err(RuntimeError::Driver {
                during: method.to_string(),
                message,
            }),
        }
    }
}
