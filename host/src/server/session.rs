//! A live session: one game isolate on its own thread, driven by the wall clock and by player
//! commands arriving over a channel; each player's frames go back on that player's channel.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use containment::SessionSettings;
use js_runtime::{GameSession, IsolateLimits, RuntimeError, SessionConfig};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::catalog::GameEntry;
use super::protocol::ClientMessage;

pub enum Command {
    Join {
        player: u8,
        name: String,
        client_info: Value,
        frames: UnboundedSender<Outgoing>,
    },
    Leave {
        player: u8,
    },
    /// Watches without playing: frames, but the game does not hear of it.
    Spectate {
        player: u8,
        frames: UnboundedSender<Outgoing>,
    },
    /// A player who dropped comes back within the grace period: same id, same place in the game.
    Reconnect {
        player: u8,
        frames: UnboundedSender<Outgoing>,
    },
    Input {
        player: u8,
        message: ClientMessage,
    },
    /// The server ends the session (its game was removed): every player is closed with `reason`.
    End {
        reason: String,
    },
}

/// Where a session's commands go. An inline session's thread blocks on its channel (with a
/// timeout, for its clock); a contained session's task awaits its own. Each gets the kind it
/// waits on, so no thread is spent handing commands from one kind to the other.
#[derive(Clone)]
pub enum Commands {
    Thread(std::sync::mpsc::Sender<Command>),
    Task(tokio::sync::mpsc::UnboundedSender<Command>),
}

/// The session has ended: nobody takes its commands any more.
#[derive(Debug)]
pub struct SessionGone;

impl Commands {
    pub fn send(&self, command: Command) -> Result<(), SessionGone> {
        match self {
            Commands::Thread(tx) => tx.send(command).map_err(|_| SessionGone),
            Commands::Task(tx) => tx.send(command).map_err(|_| SessionGone),
        }
    }
}

/// What a player's socket sends next.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Vec<u8>),
    /// The session is over; the text says why.
    Close(String),
}

pub struct SessionOptions {
    pub bezel: (f64, f64),
    pub idle_timeout: Duration,
    pub limits: IsolateLimits,
}

impl From<&SessionOptions> for SessionSettings {
    fn from(o: &SessionOptions) -> SessionSettings {
        SessionSettings {
            bezel: o.bezel,
            idle_timeout_ms: o.idle_timeout.as_millis() as u64,
            heap_limit_bytes: o.limits.heap_limit,
            cpu_budget_ms: o.limits.cpu_budget.as_millis() as u64,
            cpu_share_percent: o.limits.cpu_share_percent,
        }
    }
}

impl From<&SessionSettings> for SessionOptions {
    fn from(s: &SessionSettings) -> SessionOptions {
        SessionOptions {
            bezel: s.bezel,
            idle_timeout: Duration::from_millis(s.idle_timeout_ms),
            limits: IsolateLimits {
                heap_limit: s.heap_limit_bytes,
                cpu_budget: Duration::from_millis(s.cpu_budget_ms),
                cpu_share_percent: s.cpu_share_percent,
            },
        }
    }
}

impl Default for SessionOptions {
    /// The original server's bezel (9%), a minute of grace without players, default limits.
    fn default() -> Self {
        SessionOptions {
            bezel: (9.0, 9.0),
            idle_timeout: Duration::from_secs(60),
            limits: IsolateLimits::default(),
        }
    }
}

/// Why a session ended; its text is what the players are told as the socket closes.
#[derive(Debug, thiserror::Error)]
pub enum SessionEnd {
    #[error("the game could not start: {0}")]
    NoStart(#[source] RuntimeError),
    /// The game's isolate stopped (a limit, an exception that ends it).
    #[error("{0}")]
    Game(#[source] RuntimeError),
    #[error("no players")]
    NoPlayers,
    #[error("server shut down")]
    ServerShutDown,
    /// The server ended it ([`Command::End`]), with this reason.
    #[error("{0}")]
    ByServer(String),
    /// A contained session's container could not be had, or stopped.
    #[error("container failed: {0}")]
    Container(#[source] containment::ContainmentError),
    /// A contained session's worker ended it, with this reason.
    #[error("{0}")]
    Worker(String),
    /// A contained session's worker sent what cannot be read.
    #[error("{0}")]
    Wire(#[source] containment::WireError),
}

/// Runs until the game ends or no one has been connected for `idle_timeout`. Returns why it ended.
/// What the game throws is kept in `thrown`, located ([`super::exceptions`]).
pub fn run(
    game: &GameEntry,
    options: &SessionOptions,
    commands: Receiver<Command>,
    thrown: &super::exceptions::Exceptions,
) -> SessionEnd {
    let config = SessionConfig {
        limits: options.limits,
        bezel: options.bezel,
        seed: rand_seed(),
        epoch_ms: now_ms(),
        ..SessionConfig::default()
    };
    let mut session = match GameSession::load(&game.dir, &config) {
        Ok(s) => s,
        Err(e) => return SessionEnd::NoStart(e),
    };
    let start = Instant::now();
    let console = session.console();
    let mut seen = 0;
    let mut players: HashMap<u8, UnboundedSender<Outgoing>> = HashMap::new();
    let mut idle_since = Some(Instant::now());
    loop {
        // Wake for player input, or every 4 ms to run due timers and ticks.
        let command = commands.recv_timeout(Duration::from_millis(4));
        if let Ok(Command::End { reason }) = &command {
            for tx in players.values() {
                let _ = tx.send(Outgoing::Close(reason.clone()));
            }
            let _ = session.close();
            return SessionEnd::ByServer(reason.clone());
        }
        let now = start.elapsed().as_secs_f64() * 1000.0;
        let result = match session.advance_to(now) {
            Err(e) => Err(Stop::Game(e)),
            Ok(()) => match command {
                Ok(Command::Join {
                    player,
                    name,
                    client_info,
                    frames,
                }) => {
                    players.insert(player, frames);
                    session.join(player, &name, client_info).map_err(Stop::Game)
                }
                Ok(Command::Spectate { player, frames }) => {
                    players.insert(player, frames);
                    session.spectate(player).map_err(Stop::Game)
                }
                Ok(Command::Leave { player }) => {
                    players.remove(&player);
                    if session.is_spectator(player) {
                        session.leave_spectator(player);
                        Ok(())
                    } else if session.is_connected(player) {
                        session.leave(player).map_err(Stop::Game)
                    } else {
                        Ok(())
                    }
                }
                Ok(Command::Reconnect { player, frames }) => {
                    players.insert(player, frames);
                    // A fresh frame for the returning player (everyone gets one, as on any change).
                    session.resquish(1).map_err(Stop::Game)
                }
                Ok(Command::Input { player, message }) => {
                    dispatch(&mut session, player, message).map_err(Stop::Game)
                }
                // Handled before the game runs again, above.
                Ok(Command::End { .. }) => Ok(()),
                Err(RecvTimeoutError::Timeout) => Ok(()),
                Err(RecvTimeoutError::Disconnected) => Err(Stop::ServerGone),
            },
        };
        for f in session.take_frames() {
            if let Some(tx) = players.get(&f.player) {
                let _ = tx.send(Outgoing::Frame(f.bytes));
            }
        }
        {
            let console = console.borrow();
            for e in console.exceptions.iter().skip(seen) {
                super::exceptions::keep(thrown, super::exceptions::located(e));
            }
            seen = console.exceptions.len();
        }
        if let Err(stop) = result {
            let end = match stop {
                Stop::Game(e) => SessionEnd::Game(e),
                Stop::ServerGone => SessionEnd::ServerShutDown,
            };
            let reason = end.to_string();
            for tx in players.values() {
                let _ = tx.send(Outgoing::Close(reason.clone()));
            }
            let _ = session.close();
            return end;
        }
        idle_since = match (players.is_empty(), idle_since) {
            (true, None) => Some(Instant::now()),
            (true, Some(t)) if t.elapsed() >= options.idle_timeout => {
                let _ = session.close();
                return SessionEnd::NoPlayers;
            }
            (true, t) => t,
            (false, _) => None,
        };
    }
}

/// What stops the loop: the game, or the server going away.
enum Stop {
    Game(RuntimeError),
    ServerGone,
}

fn dispatch(
    session: &mut GameSession,
    player: u8,
    message: ClientMessage,
) -> Result<(), js_runtime::RuntimeError> {
    // Spectators watch; the game never hears from them.
    if !session.is_connected(player) || session.is_spectator(player) {
        return Ok(());
    }
    match message {
        // The client sends clicks at or past 100 for the area outside the game; they are ignored.
        ClientMessage::Click { x, y } if x < 100.0 && y < 100.0 => {
            session.click(player, x, y).map(|_| ())
        }
        ClientMessage::Click { .. } => Ok(()),
        ClientMessage::MouseUp { x, y } => session.mouse_up(player, x, y),
        ClientMessage::KeyDown(k) => session.key(player, &k, true),
        ClientMessage::KeyUp(k) => session.key(player, &k, false),
        ClientMessage::Input { node_id, input } => {
            session.input(player, node_id, input).map(|_| ())
        }
        ClientMessage::Gamepad(m) => session.gamepad(player, m),
        ClientMessage::Hover { node_id, on } => session.hover(player, node_id, on),
        ClientMessage::Ready { .. } | ClientMessage::ClientInfo(_) => Ok(()),
    }
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

/// A live session's Math.random seed: different every session.
fn rand_seed() -> u32 {
    rand::random()
}
