//! One player's WebSocket: the original client protocol's handshake (`ready`, then `init`, the
//! asset bundle and the seat), their frames through a bounded queue (a client that does not read
//! is dropped, not buffered), their input to the session, and their seat kept through a short
//! drop.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tracing::Instrument;

use super::catalog::GameEntry;
use super::protocol::{init_message, seat_message, ClientMessage};
use super::session::{Command, Commands, Outgoing};
use super::{AppState, Seats, ServeConfig};

pub(super) async fn websocket(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    let Some((commands, seats, game, queued)) = s.sessions.lock().unwrap().get(&id).map(|h| {
        (
            h.commands.clone(),
            h.seats.clone(),
            h.game.clone(),
            h.queued.clone(),
        )
    }) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    let Some(entry) = s.game(&game) else {
        return (StatusCode::NOT_FOUND, "no such game").into_response();
    };
    let config = s.config.clone();
    let span = tracing::info_span!("session", id = %id, game = %game);
    ws.max_message_size(config.max_message_bytes)
        .on_upgrade(move |socket| {
            connection(socket, commands, seats, queued, entry, config).instrument(span)
        })
}

/// The game's asset bundle as shared bytes: every join sends the same memory, never a copy.
pub(super) fn shared_bundle(bundle: &Option<Arc<Vec<u8>>>) -> Option<Bytes> {
    struct Shared(Arc<Vec<u8>>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    bundle
        .as_ref()
        .map(|b| Bytes::from_owner(Shared(b.clone())))
}

/// A fresh seat secret: 128 bits from a generator the system seeds (`rand`'s), as hex.
pub(super) fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Compares secrets in time independent of where they differ.
pub(super) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Sends a close frame, giving a client that does not read at most a second to take it.
pub(super) async fn close_with(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.chars().take(120).collect::<String>().into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

/// Writes the queued frames to the client until the queue ends, the socket fails, or the
/// connection asks it to close (then the close frame is tried for at most a second, even in the
/// middle of a write that a slow client holds up).
pub(super) async fn write_frames(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut queue: tokio::sync::mpsc::Receiver<Bytes>,
    queued: [Arc<AtomicUsize>; 2],
    mut close: tokio::sync::oneshot::Receiver<CloseFrame>,
) {
    type Sink = futures_util::stream::SplitSink<WebSocket, Message>;
    async fn finish(
        mut sink: Sink,
        frame: Result<CloseFrame, tokio::sync::oneshot::error::RecvError>,
    ) {
        if let Ok(frame) = frame {
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                sink.send(Message::Close(Some(frame))),
            )
            .await;
        }
    }
    loop {
        tokio::select! {
            biased;
            frame = &mut close => return finish(sink, frame).await,
            next = queue.recv() => {
                let Some(bytes) = next else { return };
                let n = bytes.len();
                tokio::select! {
                    biased;
                    frame = &mut close => return finish(sink, frame).await,
                    sent = sink.send(Message::Binary(bytes)) => if sent.is_err() { return },
                }
                for q in &queued {
                    q.fetch_sub(n, Ordering::Relaxed);
                }
            }
        }
    }
}

/// One player's connection: `ready` first (within `ready_timeout`), then init, frames out and
/// input in until either side closes. Malformed or excessive messages are dropped with a logged
/// reason. Frames go through a bounded queue to a writer task: a client that lets
/// `frame_queue` frames or `max_queued_bytes` pile up (or whose frame would take the session's
/// clients past `max_session_queued_bytes`) is disconnected as slow.
pub(super) async fn connection(
    mut socket: WebSocket,
    commands: Commands,
    seats: Arc<Mutex<Seats>>,
    session_queued: Arc<AtomicUsize>,
    game: GameEntry,
    config: ServeConfig,
) {
    let ready = tokio::time::timeout(config.ready_timeout, async {
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(t))) => match ClientMessage::parse(&t) {
                    Ok(ClientMessage::Ready {
                        id,
                        client_info,
                        spectating,
                        secret,
                    }) => return Some((id, client_info, spectating, secret)),
                    Ok(_) => tracing::debug!("message before ready ignored"),
                    Err(e) => tracing::debug!(error = %e, "bad message before ready"),
                },
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    })
    .await;
    let (wanted, client_info, spectating, secret) = match ready {
        Ok(Some(ready)) => ready,
        Ok(None) => return,
        Err(_) => {
            tracing::debug!("no ready in time: connection closed");
            close_with(
                &mut socket,
                1008,
                &format!("no ready within {} ms", config.ready_timeout.as_millis()),
            )
            .await;
            return;
        }
    };
    // A seat goes back only to its holder: coming back within the grace period takes the id and
    // place only with the seat's secret. A bare or wrong `ready.id` is a new seat.
    let seat = {
        let mut seats = seats.lock().unwrap();
        let returning = match (wanted, secret.as_deref()) {
            (Some(id), Some(given))
                if !given.is_empty()
                    && seats.away.contains_key(&id)
                    && seats
                        .secrets
                        .get(&id)
                        .is_some_and(|s| same_secret(s, given)) =>
            {
                seats.away.remove(&id);
                Some(id)
            }
            _ => None,
        };
        if returning.is_none() && spectating && seats.spectators.len() >= config.max_spectators {
            Err(format!(
                "the session has its limit of {} spectators",
                config.max_spectators
            ))
        } else {
            let taken = &seats.taken;
            match returning
                .or_else(|| wanted.filter(|i| !taken.contains(i)))
                .or_else(|| (1..=255u8).find(|i| !taken.contains(i)))
            {
                None => Err("the session is full".to_string()),
                Some(id) => {
                    seats.taken.insert(id);
                    if returning.is_none() {
                        seats.secrets.insert(id, new_secret());
                        if spectating {
                            seats.spectators.insert(id);
                        }
                    }
                    Ok((id, returning.is_some(), seats.secrets[&id].clone()))
                }
            }
        }
    };
    let (player, returning, seat_secret) = match seat {
        Ok(seat) => seat,
        Err(why) => {
            close_with(&mut socket, 1013, &why).await;
            return;
        }
    };
    let init = init_message(player, game.aspect, config.bezel, &game.squish_version);
    let (frames_tx, mut frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let name = format!("player{player}");
    let command = if returning {
        Command::Reconnect {
            player,
            frames: frames_tx,
        }
    } else if spectating {
        Command::Spectate {
            player,
            frames: frames_tx,
        }
    } else {
        Command::Join {
            player,
            name,
            client_info: client_info
                .get("clientInfo")
                .cloned()
                .unwrap_or(client_info),
            frames: frames_tx,
        }
    };
    let mut joined = socket.send(Message::Binary(init.into())).await.is_ok();
    if let Some(bundle) = shared_bundle(&game.bundle) {
        joined = joined && socket.send(Message::Binary(bundle)).await.is_ok();
    }
    // Only a client that knows of secrets (its `ready` had the field) is told its seat's.
    if secret.is_some() {
        joined = joined
            && socket
                .send(Message::Text(seat_message(player, &seat_secret).into()))
                .await
                .is_ok();
    }
    let joined = joined && commands.send(command).is_ok();
    let (sink, mut stream) = socket.split();
    let (queue_tx, queue_rx) = tokio::sync::mpsc::channel::<Bytes>(config.frame_queue.max(1));
    let queued = Arc::new(AtomicUsize::new(0));
    let (close_tx, close_rx) = tokio::sync::oneshot::channel();
    let writer = tokio::spawn(write_frames(
        sink,
        queue_rx,
        [queued.clone(), session_queued.clone()],
        close_rx,
    ));
    let limiter = governor::RateLimiter::direct(governor::Quota::per_second(
        std::num::NonZeroU32::new(config.max_messages_per_second.max(1)).expect("at least 1"),
    ));
    let mut oversized = 0u64;
    let mut close: Option<CloseFrame> = None;
    // Serve the player until either side goes away (nothing to serve if the join failed).
    if joined {
        loop {
            tokio::select! {
                out = frames_rx.recv() => match out {
                    Some(Outgoing::Frame(bytes)) => {
                        let n = bytes.len();
                        if n > config.max_frame_bytes {
                            oversized += 1;
                            if oversized == 1 {
                                tracing::warn!(player, bytes = n, cap = config.max_frame_bytes, "frame larger than the cap: dropped (later ones are counted)");
                            } else {
                                tracing::debug!(player, bytes = n, oversized, "frame larger than the cap: dropped");
                            }
                            continue;
                        }
                        // Counted before it is queued, uncounted by the writer once written (or
                        // below, when it is never queued).
                        let mine = queued.fetch_add(n, Ordering::Relaxed) + n;
                        let all = session_queued.fetch_add(n, Ordering::Relaxed) + n;
                        let refused = if mine > config.max_queued_bytes {
                            Some(slow_client(player, "bytes", config.max_queued_bytes))
                        } else if all > config.max_session_queued_bytes {
                            Some(slow_client(player, "bytes for the whole session", config.max_session_queued_bytes))
                        } else {
                            match queue_tx.try_send(Bytes::from(bytes)) {
                                Ok(()) => continue,
                                Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => Some(slow_client(player, "frames", config.frame_queue)),
                                Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => None,
                            }
                        };
                        queued.fetch_sub(n, Ordering::Relaxed);
                        session_queued.fetch_sub(n, Ordering::Relaxed);
                        close = refused;
                        break;
                    }
                    Some(Outgoing::Close(reason)) => {
                        close = Some(CloseFrame { code: 1011, reason: reason.chars().take(120).collect::<String>().into() });
                        break;
                    }
                    None => break,
                },
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if limiter.check().is_err() {
                            tracing::debug!(player, "message rate limit: dropped");
                            continue;
                        }
                        match ClientMessage::parse(&t) {
                            Ok(message) => { let _ = commands.send(Command::Input { player, message }); }
                            Err(e) => tracing::debug!(player, error = %e, "client message ignored"),
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    // The writer stops now: with a close frame to try for a second, or at once.
    match close {
        Some(frame) => {
            let _ = close_tx.send(frame);
        }
        None => drop(close_tx),
    }
    drop(queue_tx);
    let _ = writer.await;
    // What this client still had queued is no longer held: give it back to the session's count.
    session_queued.fetch_sub(queued.swap(0, Ordering::Relaxed), Ordering::Relaxed);
    // The socket closes now (both halves gone), not after the grace period.
    drop(stream);
    drop(frames_rx);
    if config.reconnect_grace.is_zero() {
        // Leave is queued before the id is free, so a new join of the same id comes after it.
        let mut seats = seats.lock().unwrap();
        let _ = commands.send(Command::Leave { player });
        seats.release(player);
        return;
    }
    // Keep the place for the grace period; leave for real only if no reconnect came.
    static DROPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let drop_no = DROPS.fetch_add(1, Ordering::Relaxed);
    seats.lock().unwrap().away.insert(player, drop_no);
    tokio::time::sleep(config.reconnect_grace).await;
    let mut seats = seats.lock().unwrap();
    if seats.away.get(&player) == Some(&drop_no) {
        seats.away.remove(&player);
        let _ = commands.send(Command::Leave { player });
        seats.release(player);
    }
}

/// The close frame for a client that does not keep up (1008: it may come back with its secret).
pub(super) fn slow_client(player: u8, what: &str, cap: usize) -> CloseFrame {
    tracing::warn!(
        player,
        what,
        cap,
        "slow client: its frame queue is full; disconnected"
    );
    CloseFrame {
        code: 1008,
        reason: format!("slow client: more than {cap} {what} waiting").into(),
    }
}

/// A session id's worth of randomness (ids are checked against the running ones when made).
#[cfg(test)]
mod tests {
    use super::*;

    /// Every join sends the bundle built at discovery, not a copy of it (a 100 MB asset copied per
    /// join was 3.3 GB after 30 joins).
    #[test]
    fn joins_share_the_bundle_bytes() {
        let built = Some(Arc::new(vec![1u8; 1 << 20]));
        let (a, b) = (
            shared_bundle(&built).unwrap(),
            shared_bundle(&built).unwrap(),
        );
        let at = built.as_ref().unwrap().as_ptr();
        assert_eq!((a.as_ptr(), b.as_ptr()), (at, at));
        assert_eq!(a.len(), 1 << 20);
        assert!(shared_bundle(&None).is_none());
    }

    #[test]
    fn secrets_are_fresh_and_compared_whole() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b) && !same_secret(&a, &a[..31]) && !same_secret(&a, ""));
    }
}
