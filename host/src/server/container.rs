//! Sessions in containers: each session's isolate runs in its own Docker container (through
//! bollard), started from an image we build ourselves from a root filesystem holding only our
//! binary and the libraries it links (no registry). The container has no network, a read-only root,
//! a small tmpfs, no capabilities, no new privileges, and memory, CPU and PID limits; the game
//! folder is mounted read-only. The host talks to it over the container's stdin/stdout
//! (`worker_protocol`). If Docker cannot be reached, sessions do not start: we never fall back to
//! running them uncontained.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, CreateImageOptions,
    ListContainersOptionsBuilder, RemoveContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;

use super::catalog::GameEntry;
use super::session::{Command, Outgoing, SessionOptions};
pub use super::worker_protocol::MAX_RECORD_BYTES;
use super::worker_protocol::{wire, RecordReader, SessionSettings, ToWorker};

#[derive(Debug, thiserror::Error)]
pub enum ContainmentError {
    #[error("Docker is not reachable ({0}); sessions need containers and will not start without them (use --isolation inline for development)")]
    Unreachable(String),
    #[error("cannot build the session image: {0}")]
    Image(String),
    #[error("the contained run failed: {0}")]
    Run(String),
}

/// Resource limits of one session's container.
#[derive(Debug, Clone)]
pub struct Limits {
    pub memory_bytes: i64,
    pub cpus: f64,
    pub pids: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            cpus: 1.0,
            pids: 64,
        }
    }
}

/// How long a describe run may take (load, `metadata()`, constructor) before the game counts as
/// one that does not load.
pub const DESCRIBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// How `Containers::metadata` words a failure of the engine rather than of the game.
const NOT_THE_GAME: &str = "no describe run: ";

/// What one `homegames validate` run in a container left.
enum Once {
    /// The last line of its stdout: its report.
    Line(String),
    TimedOut,
    /// It stopped without a report; the start of its stderr.
    NoReport(String),
}

/// A started worker container waiting for its game.
struct Started {
    id: String,
    io: bollard::container::AttachContainerResults,
}

/// The label on every test-run container (`Containers::validate`, `metadata`).
pub const VALIDATE_LABEL: &str = "homegames.validate";
/// Test-run containers older than this are leftovers of a killed worker.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Clone)]
pub struct Containers {
    docker: Docker,
    image: String,
    limits: Limits,
    /// Game roots (canonical), each mounted read-only at `/games/<index>` in every container.
    roots: Vec<PathBuf>,
    /// Every session option, sent with the game in each worker's first line.
    settings: SessionSettings,
    warm: Arc<Mutex<Vec<Started>>>,
    warm_target: usize,
    /// Describe runs' outcomes by game-folder content hash.
    described: Arc<super::catalog::DescribeCache>,
}

impl Containers {
    /// Connects to the local Docker engine and makes sure the session image exists, built from
    /// `worker_binary` (the `homegames` executable run as `session-worker`).
    /// `roots` are the game folders sessions may use; `warm` containers are kept started and waiting.
    pub async fn connect(
        worker_binary: &Path,
        limits: Limits,
        docker_host: Option<&str>,
        roots: &[PathBuf],
        options: &SessionOptions,
        warm: usize,
    ) -> Result<Containers, ContainmentError> {
        let docker = match docker_host {
            Some(socket) => Docker::connect_with_unix(socket, 30, bollard::API_DEFAULT_VERSION),
            None => Docker::connect_with_local_defaults(),
        }
        .map_err(|e| ContainmentError::Unreachable(e.to_string()))?;
        docker
            .ping()
            .await
            .map_err(|e| ContainmentError::Unreachable(e.to_string()))?;
        let rootfs =
            rootfs_tar(worker_binary).map_err(|e| ContainmentError::Image(e.to_string()))?;
        // The tag names the binary's content, so a rebuilt binary gets a fresh image.
        let tag = {
            use sha2::Digest;
            hex::encode(&sha2::Sha256::digest(&rootfs)[..8])
        };
        let image = format!("homegames-session:{tag}");
        if docker.inspect_image(&image).await.is_err() {
            let options = CreateImageOptions {
                from_src: Some("-".into()),
                repo: Some("homegames-session".into()),
                tag: Some(tag),
                ..Default::default()
            };
            let mut progress =
                docker.create_image(Some(options), Some(bollard::body_full(rootfs.into())), None);
            while let Some(step) = progress.next().await {
                step.map_err(|e| ContainmentError::Image(e.to_string()))?;
            }
            tracing::info!(%image, "session image built");
        }
        let roots = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
            .collect();
        let c = Containers {
            docker,
            image,
            limits,
            roots,
            settings: SessionSettings::from(options),
            warm: Arc::new(Mutex::new(Vec::new())),
            warm_target: warm,
            described: Arc::default(),
        };
        c.refill();
        Ok(c)
    }

    /// Containers for the publish pipeline's test runs only (`validate`): no game folders to
    /// mount, nothing kept warm.
    pub async fn for_validation(
        worker_binary: &Path,
        limits: Limits,
        docker_host: Option<&str>,
    ) -> Result<Containers, ContainmentError> {
        let c = Containers::connect(
            worker_binary,
            limits,
            docker_host,
            &[],
            &SessionOptions::default(),
            0,
        )
        .await?;
        // What killed workers left behind goes now, and from time to time after.
        let sweeper = c.clone();
        tokio::spawn(async move {
            loop {
                let removed = sweeper.remove_leftovers(LEFTOVER_AGE).await;
                if removed > 0 {
                    tracing::info!(removed, "removed test-run containers left behind");
                }
                tokio::time::sleep(LEFTOVER_AGE).await;
            }
        });
        Ok(c)
    }

    /// The image every container of ours runs.
    pub fn image(&self) -> &str {
        &self.image
    }

    /// Removes the test-run containers (label `homegames.validate`) created more than `older_than`
    /// ago, running or not: a worker killed during a run never removes its container, and no run
    /// lasts that long (the worker kills one at its timeout). Returns how many went.
    pub async fn remove_leftovers(&self, older_than: std::time::Duration) -> usize {
        let filters = HashMap::from([("label".to_string(), vec![VALIDATE_LABEL.to_string()])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let Ok(found) = self.docker.list_containers(Some(options)).await else {
            return 0;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs() as i64;
        let mut removed = 0;
        for c in found {
            let (Some(id), Some(created)) = (c.id, c.created) else {
                continue;
            };
            if now - created < older_than.as_secs() as i64 {
                continue;
            }
            let force = Some(RemoveContainerOptions {
                force: true,
                ..Default::default()
            });
            if self.docker.remove_container(&id, force).await.is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Starts containers in the background until `warm_target` are waiting.
    pub fn refill(&self) {
        let missing = self
            .warm_target
            .saturating_sub(self.warm.lock().unwrap().len());
        for _ in 0..missing {
            let me = self.clone();
            tokio::spawn(async move {
                match me.start_worker().await {
                    Ok(started) => me.warm.lock().unwrap().push(started),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not start a warm session container")
                    }
                }
            });
        }
    }

    /// Number of started containers waiting for a game.
    pub fn warm_ready(&self) -> usize {
        self.warm.lock().unwrap().len()
    }

    /// Where `game_dir` appears inside a container.
    fn container_path(&self, game_dir: &Path) -> Option<String> {
        let dir = std::fs::canonicalize(game_dir).ok()?;
        self.roots.iter().enumerate().find_map(|(i, root)| {
            let rel = dir.strip_prefix(root).ok()?;
            Some(
                Path::new(&format!("/games/{i}"))
                    .join(rel)
                    .display()
                    .to_string(),
            )
        })
    }

    /// Runs one session in a fresh container until it ends; returns why it ended.
    /// `assigned` receives the id of the container the session runs in.
    pub async fn run_session(
        &self,
        game: &GameEntry,
        options: &SessionOptions,
        commands: std::sync::mpsc::Receiver<Command>,
        assigned: Arc<Mutex<Option<String>>>,
    ) -> String {
        match self.run(game, options, commands, assigned).await {
            Ok(reason) => reason,
            Err(e) => format!("container failed: {e}"),
        }
    }

    /// The confinement every container of ours gets: no network, read-only root, a small tmpfs,
    /// no capabilities, no new privileges, memory, CPU and PID limits.
    fn host_config(&self, binds: Vec<String>, auto_remove: bool) -> HostConfig {
        HostConfig {
            binds: Some(binds),
            readonly_rootfs: Some(true),
            tmpfs: Some(HashMap::from([(
                "/tmp".to_string(),
                "rw,noexec,nosuid,size=16m".to_string(),
            )])),
            network_mode: Some("none".into()),
            cap_drop: Some(vec!["ALL".into()]),
            security_opt: Some(vec!["no-new-privileges".into()]),
            memory: Some(self.limits.memory_bytes),
            memory_swap: Some(self.limits.memory_bytes),
            nano_cpus: Some((self.limits.cpus * 1e9) as i64),
            pids_limit: Some(self.limits.pids),
            auto_remove: Some(auto_remove),
            ..Default::default()
        }
    }

    /// The publish pipeline's test run of the game in `game_dir` (`homegames validate`), in a
    /// fresh container of its own with the folder mounted read-only at /game. A run that takes
    /// longer than `timeout` is killed and reported as failed.
    pub async fn validate(
        &self,
        game_dir: &Path,
        seconds: f64,
        timeout: std::time::Duration,
    ) -> Result<crate::validate::Report, ContainmentError> {
        let failed = |error: String| crate::validate::Report {
            error: Some(error),
            ..Default::default()
        };
        Ok(
            match self
                .run_once(
                    game_dir,
                    &["--seconds".into(), seconds.to_string()],
                    timeout,
                )
                .await?
            {
                Once::Line(line) => serde_json::from_str(&line).unwrap_or_else(|e| {
                    failed(format!("the test run wrote no readable report: {e}"))
                }),
                Once::TimedOut => failed(format!(
                    "the test run did not finish within {} s",
                    timeout.as_secs()
                )),
                Once::NoReport(stderr) => {
                    failed(format!("the test run stopped without a report: {stderr}"))
                }
            },
        )
    }

    /// The metadata of the game in `game_dir`, read by a describe run (`homegames validate
    /// --describe`) in a fresh container: no code of the game runs in this process. Outcomes are
    /// remembered by the folder's content hash (`catalog::DescribeCache`), failures too, so a game
    /// that does not load is loaded once, not on every request; a changed folder is described
    /// afresh. `Err` says why the game has no metadata (it failed, or the run could not be made:
    /// that is not remembered).
    pub async fn metadata(&self, game_dir: &Path) -> Result<serde_json::Value, String> {
        let (me, dir) = (self.clone(), game_dir.to_path_buf());
        // A task of its own: the run finishes, is remembered and its container removed even when
        // the request that asked goes away meanwhile.
        tokio::spawn(async move { me.describe(&dir).await })
            .await
            .map_err(|e| format!("{NOT_THE_GAME}{e}"))?
    }

    async fn describe(&self, game_dir: &Path) -> Result<serde_json::Value, String> {
        let described = &self.described;
        // Hashing reads the folder: off the async threads.
        let (cache, dir) = (self.described.clone(), game_dir.to_path_buf());
        let hash = tokio::task::spawn_blocking(move || cache.hash(&dir))
            .await
            .map_err(|e| format!("{NOT_THE_GAME}{e}"))??;
        if let Some(known) = described.get(hash) {
            return known;
        }
        let gate = described.gate(hash);
        let _running = gate.lock().await;
        if let Some(known) = described.get(hash) {
            return known;
        }
        let _slot = described.slot().await;
        let outcome = match self
            .run_once(game_dir, &["--describe".into()], DESCRIBE_TIMEOUT)
            .await
        {
            Err(e) => Err(format!("{NOT_THE_GAME}{e}")),
            Ok(Once::Line(line)) => {
                match serde_json::from_str::<crate::validate::Description>(&line) {
                    Ok(d) => match (d.ok, d.metadata) {
                        (true, Some(meta)) => Ok(meta),
                        (_, _) => Err(d.error.unwrap_or_else(|| "the game did not load".into())),
                    },
                    Err(e) => Err(format!("the describe run wrote no readable report: {e}")),
                }
            }
            Ok(Once::TimedOut) => Err(format!(
                "the game did not load within {} s",
                DESCRIBE_TIMEOUT.as_secs()
            )),
            Ok(Once::NoReport(stderr)) => Err(format!(
                "the game's describe run stopped without a report: {stderr}"
            )),
        };
        // Infrastructure failures (the engine, not the game) are not remembered: the next request tries again.
        if !matches!(&outcome, Err(e) if e.starts_with(NOT_THE_GAME)) {
            described.put(hash, outcome.clone());
        }
        described.ungate(hash);
        outcome
    }

    /// Runs `homegames validate /game ARGS` once in a fresh container with `game_dir` mounted
    /// read-only at /game; the last line of its stdout (the report), or what went wrong.
    async fn run_once(
        &self,
        game_dir: &Path,
        args: &[String],
        timeout: std::time::Duration,
    ) -> Result<Once, ContainmentError> {
        let dir = std::fs::canonicalize(game_dir)
            .map_err(|e| ContainmentError::Run(format!("{}: {e}", game_dir.display())))?;
        let cmd = ["/homegames", "validate", "/game"]
            .into_iter()
            .map(String::from)
            .chain(args.iter().cloned())
            .collect();
        let config = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(cmd),
            env: Some(vec!["HOME=/tmp".into()]),
            user: Some("65534:65534".into()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(VALIDATE_LABEL.to_string(), String::new())])),
            host_config: Some(self.host_config(vec![format!("{}:/game:ro", dir.display())], false)),
            ..Default::default()
        };
        let run = |e: bollard::errors::Error| ContainmentError::Run(e.to_string());
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, config)
            .await
            .map_err(run)?;
        let attach = AttachContainerOptions {
            stdout: true,
            stderr: true,
            stream: true,
            logs: true,
            ..Default::default()
        };
        let outcome = async {
            let mut io = self
                .docker
                .attach_container(&created.id, Some(attach))
                .await
                .map_err(run)?;
            self.docker
                .start_container(&created.id, None)
                .await
                .map_err(run)?;
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let read = async {
                while let Some(chunk) = io.output.next().await {
                    match chunk {
                        // Both kept up to a cap: the report is one line on stdout (which game
                        // output cannot reach: see `take_stdout_for_wire`); stderr is only quoted.
                        Ok(bollard::container::LogOutput::StdOut { message }) => {
                            keep_up_to(&mut stdout, &message, MAX_REPORT_BYTES)
                        }
                        Ok(bollard::container::LogOutput::StdErr { message }) => {
                            keep_up_to(&mut stderr, &message, MAX_QUOTED_STDERR)
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            };
            if tokio::time::timeout(timeout, read).await.is_err() {
                return Ok(Once::TimedOut);
            }
            let text = String::from_utf8_lossy(&stdout);
            Ok(match text.lines().rev().find(|l| !l.trim().is_empty()) {
                Some(line) => Once::Line(line.to_string()),
                // No report: the process died (out of memory, killed) before writing one.
                None => Once::NoReport(
                    String::from_utf8_lossy(&stderr)
                        .trim()
                        .chars()
                        .take(300)
                        .collect(),
                ),
            })
        }
        .await;
        let _ = self
            .docker
            .remove_container(
                &created.id,
                Some(RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                }),
            )
            .await;
        outcome
    }

    /// Creates, attaches and starts a worker container that waits for its game on stdin.
    async fn start_worker(&self) -> Result<Started, bollard::errors::Error> {
        let binds = self
            .roots
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{}:/games/{i}:ro", r.display()))
            .collect();
        let host = self.host_config(binds, true);
        let config = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(vec!["/homegames".to_string(), "session-worker".into()]),
            env: Some(vec!["HOME=/tmp".into()]),
            user: Some("65534:65534".into()),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            open_stdin: Some(true),
            stdin_once: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(
                "homegames.session".to_string(),
                String::new(),
            )])),
            host_config: Some(host),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, config)
            .await?;
        let attach = AttachContainerOptions {
            stdin: true,
            stdout: true,
            stderr: true,
            stream: true,
            ..Default::default()
        };
        let io = self
            .docker
            .attach_container(&created.id, Some(attach))
            .await?;
        self.docker.start_container(&created.id, None).await?;
        Ok(Started { id: created.id, io })
    }

    async fn run(
        &self,
        game: &GameEntry,
        _options: &SessionOptions,
        commands: std::sync::mpsc::Receiver<Command>,
        assigned: Arc<Mutex<Option<String>>>,
    ) -> Result<String, bollard::errors::Error> {
        let Some(path) = self.container_path(&game.dir) else {
            return Ok(format!(
                "{} is outside the served game folders",
                game.dir.display()
            ));
        };
        let taken = self.warm.lock().unwrap().pop();
        let warm = taken.is_some();
        let Started { id, mut io } = match taken {
            Some(s) => s,
            None => self.start_worker().await?,
        };
        self.refill();
        *assigned.lock().unwrap() = Some(id.clone());
        let load = ToWorker::Load {
            game: path,
            settings: self.settings.clone(),
        };
        if io.input.write_all(load.line().as_bytes()).await.is_err() {
            return Ok("the session container stopped".into());
        }
        let _ = io.input.flush().await;
        tracing::info!(container = %&id[..12], game = %game.slug, warm, "session container assigned");

        // Player commands arrive on a blocking channel; a thread hands them to this task.
        let (cmd_tx, mut cmd_rx) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while let Ok(c) = commands.recv() {
                if cmd_tx.send(c).is_err() {
                    break;
                }
            }
        });
        let mut players: HashMap<u8, UnboundedSender<Outgoing>> = HashMap::new();
        let mut wire_in = RecordReader::default();
        let reason = loop {
            tokio::select! {
                command = cmd_rx.recv() => {
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
                        Some(Command::End { reason }) => break reason,
                        None => break "server shut down".to_string(),
                    };
                    if io.input.write_all(message.line().as_bytes()).await.is_err() {
                        break "the session container stopped".to_string();
                    }
                    let _ = io.input.flush().await;
                }
                out = io.output.next() => match out {
                    Some(Ok(bollard::container::LogOutput::StdOut { message })) => {
                        let mut records = Vec::new();
                        let mut ended = wire_in.feed(&message, &mut records).err();
                        for (kind, player, payload) in records {
                            match (kind, players.get(&player)) {
                                (wire::FRAME, Some(tx)) => { let _ = tx.send(Outgoing::Frame(payload)); }
                                (wire::CLOSE, _) if player == 0 => { ended.get_or_insert_with(|| String::from_utf8_lossy(&payload).to_string()); }
                                (wire::CLOSE, Some(tx)) => { let _ = tx.send(Outgoing::Close(String::from_utf8_lossy(&payload).to_string())); }
                                _ => {}
                            }
                        }
                        if let Some(r) = ended { break r; }
                    }
                    Some(Ok(bollard::container::LogOutput::StdErr { message })) => {
                        tracing::debug!(container = %&id[..12], "{}", String::from_utf8_lossy(&message).trim_end());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break "the session container stopped".to_string(),
                },
            }
        };
        for tx in players.values() {
            let _ = tx.send(Outgoing::Close(reason.clone()));
        }
        let _ = self
            .docker
            .remove_container(
                &id,
                Some(RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                }),
            )
            .await;
        Ok(reason)
    }
}

/// What the host keeps of a contained test run's stdout (its one-line JSON report) and of its
/// stderr (quoted when no report came); the rest is dropped as it arrives.
pub const MAX_REPORT_BYTES: usize = 8 << 20;
pub const MAX_QUOTED_STDERR: usize = 64 << 10;

fn keep_up_to(buf: &mut Vec<u8>, bytes: &[u8], cap: usize) {
    let room = cap.saturating_sub(buf.len());
    buf.extend_from_slice(&bytes[..room.min(bytes.len())]);
}

/// For the worker, before any isolate exists: moves the wire off fd 1. The stream that is fd 1
/// now (the container's stdout, which the host reads as the wire) is duplicated to a private,
/// close-on-exec descriptor that is returned, and fd 1 is pointed at fd 2 (stderr). From then on
/// everything else that writes to stdout (the engine's print, a stray `println!`) lands on stderr,
/// which the host only logs: no game output can forge a record.
pub fn take_stdout_for_wire() -> std::io::Result<std::fs::File> {
    use std::io::Write;
    use std::os::fd::AsFd;
    std::io::stdout().flush()?;
    let wire = std::io::stdout().as_fd().try_clone_to_owned()?;
    unsafe extern "C" {
        fn dup2(old: i32, new: i32) -> i32;
    }
    // SAFETY: dup2 only replaces descriptor 1 with a copy of descriptor 2, both open for the
    // process's whole life; no Rust object owns descriptor 1 (Stdout writes to it by number).
    if unsafe { dup2(2, 1) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(std::fs::File::from(wire))
}

/// A root filesystem with our binary at /homegames, the shared libraries it needs at their own
/// paths (from `ldd`), and empty /game and /tmp mount points.
fn rootfs_tar(binary: &Path) -> std::io::Result<Vec<u8>> {
    let mut files: Vec<(PathBuf, PathBuf)> =
        vec![(binary.to_path_buf(), PathBuf::from("homegames"))];
    let ldd = std::process::Command::new("ldd").arg(binary).output()?;
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        let path = line
            .split("=>")
            .nth(1)
            .unwrap_or(line)
            .split_whitespace()
            .next()
            .unwrap_or("");
        if path.starts_with('/') && Path::new(path).exists() {
            let real = std::fs::canonicalize(path)?;
            files.push((real, PathBuf::from(path.trim_start_matches('/'))));
        }
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    tar.sparse(false);
    for dir in ["game", "tmp"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        tar.append_data(&mut h, dir, std::io::empty())?;
    }
    for (src, dst) in files {
        tar.append_path_with_name(&src, &dst)?;
    }
    tar.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Records = Vec<(u8, u8, Vec<u8>)>;

    fn records(reader: &mut RecordReader, bytes: &[u8]) -> (Records, Result<(), String>) {
        let mut out = Vec::new();
        let r = reader.feed(bytes, &mut out);
        (out, r)
    }

    #[test]
    fn records_split_anywhere_come_out_whole() {
        let mut stream = wire::record(wire::FRAME, 1, b"first frame");
        stream.extend(wire::record(wire::FRAME, 2, b""));
        stream.extend(wire::record(wire::CLOSE, 0, b"bye"));
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        for b in &stream {
            reader.feed(std::slice::from_ref(b), &mut out).unwrap();
        }
        assert_eq!(
            out,
            vec![
                (wire::FRAME, 1, b"first frame".to_vec()),
                (wire::FRAME, 2, vec![]),
                (wire::CLOSE, 0, b"bye".to_vec())
            ]
        );
        assert_eq!(reader.held(), 0);
    }

    #[test]
    fn a_record_over_the_cap_ends_the_session_before_it_is_kept() {
        // A header declaring 4 GiB - 1, then payload bytes: refused at the header, nothing kept.
        let mut reader = RecordReader::default();
        let mut bytes = vec![wire::FRAME, 1];
        bytes.extend(u32::MAX.to_le_bytes());
        bytes.extend(vec![0u8; 1 << 16]);
        let (out, r) = records(&mut reader, &bytes);
        assert!(out.is_empty());
        let why = r.unwrap_err();
        assert!(
            why.contains("4294967295 bytes") && why.contains("8388608"),
            "{why}"
        );
        assert!(reader.held() <= 6, "held {} bytes", reader.held());

        // One byte over the cap is refused; exactly the cap is accepted.
        let mut over = vec![wire::FRAME, 1];
        over.extend(((MAX_RECORD_BYTES + 1) as u32).to_le_bytes());
        assert!(records(&mut RecordReader::default(), &over).1.is_err());
        let at_cap = wire::record(wire::FRAME, 1, &vec![7u8; MAX_RECORD_BYTES]);
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        // Fed in the chunk size Docker uses: the reader never holds more than one record.
        for chunk in at_cap.chunks(32 << 10) {
            reader.feed(chunk, &mut out).unwrap();
            assert!(reader.held() <= 6 + MAX_RECORD_BYTES);
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].2.len(), MAX_RECORD_BYTES);
    }

    #[test]
    fn an_unknown_kind_ends_the_session_and_keeps_what_came_before() {
        let mut stream = wire::record(wire::FRAME, 1, b"ok");
        // Text on the wire (what game output on stdout used to be) is not a record.
        stream.extend_from_slice(b"hello from the game\n");
        let (out, r) = records(&mut RecordReader::default(), &stream);
        assert_eq!(out, vec![(wire::FRAME, 1, b"ok".to_vec())]);
        assert!(r.unwrap_err().contains("unknown kind"));
    }
}
