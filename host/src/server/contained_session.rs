//! A session whose game runs in a container of its own (`containment`): the players' commands
//! become the worker's stdin lines, the worker's records become the players' frames. If Docker
//! cannot be reached, sessions do not start: we never fall back to running them uncontained.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use containment::worker_protocol::wire;
use containment::{Containers, ContainmentError, FromWorker, RecordReader, ToWorker};
use tokio::sync::mpsc::UnboundedSender;
use tracing::Instrument;

use super::catalog::GameEntry;
use super::session::{Command, Outgoing, SessionEnd};

/// Runs one session in a container until it ends; returns why it ended. `assigned` receives the
/// id of the container the session runs in.
pub async fn run(
    containers: &Containers,
    game: &GameEntry,
    mut commands: tokio::sync::mpsc::UnboundedReceiver<Command>,
    assigned: Arc<Mutex<Option<String>>>,
    thrown: &super::exceptions::Exceptions,
) -> SessionEnd {
    let mut worker = match containers.assign(&game.dir).await {
        Ok(w) => w,
        Err(e) => return SessionEnd::Container(e),
    };
    *assigned.lock().unwrap() = Some(worker.id().to_string());
    let mut players: HashMap<u8, UnboundedSender<Outgoing>> = HashMap::new();
    let mut wire_in = RecordReader::default();
    // Every line about this session's container names it (inside the session's own span).
    let span = tracing::info_span!("container", id = %worker.short_id());
    let reason = async { loop {
        tokio::select! {
            command = commands.recv() => {
                let message = match command {
                    Some(Command::Join { player, name, client_info, frames }) => {
                        players.insert(player, frames);
                        ToWorker::Join { player, name, client_info }
                    }
                    Some(Command::Leave { player }) => {
                        players.remove(&player);
                        ToWorker::Leave { player }
                    }
                    Some(Command::Spectate { player, frames }) => {
                        players.insert(player, frames);
                        ToWorker::Spectate { player }
                    }
                    Some(Command::Reconnect { player, frames }) => {
                        players.insert(player, frames);
                        ToWorker::Reconnect { player }
                    }
                    Some(Command::Input { player, message }) => ToWorker::Input { player, message: message.to_json().to_string() },
                    Some(Command::End { reason }) => break SessionEnd::ByServer(reason),
                    None => break SessionEnd::ServerShutDown,
                };
                if worker.send(&message).await.is_err() {
                    break SessionEnd::Container(ContainmentError::Stopped);
                }
            }
            out = worker.next() => match out {
                FromWorker::Records(bytes) => {
                    let mut records = Vec::new();
                    let mut ended = wire_in.feed(&bytes, &mut records).err().map(SessionEnd::Wire);
                    for (kind, player, payload) in records {
                        match (kind, players.get(&player)) {
                            (wire::FRAME, Some(tx)) => { let _ = tx.send(Outgoing::Frame(payload)); }
                            (wire::CLOSE, _) if player == 0 => { ended.get_or_insert_with(|| SessionEnd::Worker(String::from_utf8_lossy(&payload).to_string())); }
                            (wire::CLOSE, Some(tx)) => { let _ = tx.send(Outgoing::Close(String::from_utf8_lossy(&payload).to_string())); }
                            _ => {}
                        }
                    }
                    if let Some(r) = ended { break r; }
                }
                FromWorker::Log(line) => {
                    let text = String::from_utf8_lossy(&line);
                    // The worker's stderr may carry several lines in one chunk.
                    for line in text.lines() {
                        match line.strip_prefix(super::exceptions::WORKER_LINE_PREFIX).and_then(|j| serde_json::from_str(j).ok()) {
                            Some(e) => super::exceptions::keep(thrown, e),
                            None => tracing::debug!(target: "game_worker", "{}", line.trim_end()),
                        }
                    }
                }
                FromWorker::Stopped => break SessionEnd::Container(ContainmentError::Stopped),
            },
        }
    } }
    .instrument(span)
    .await;
    let text = reason.to_string();
    for tx in players.values() {
        let _ = tx.send(Outgoing::Close(text.clone()));
    }
    worker.remove().await;
    reason
}
