//! One-shot runs of `homegames validate` in a fresh container of their own, the game folder
//! mounted read-only at /game: the publish pipeline's test run ([`Containers::validate`]) and the
//! describe run a container-mode host lists a game by ([`Containers::metadata`]).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions};
use futures_util::StreamExt;

use crate::containers::VALIDATE_LABEL;
use crate::{confinement, Containers, ContainmentError, Description, Report};

/// How long a describe run may take (load, `metadata()`, constructor) before the game counts as
/// one that does not load.
pub const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(15);

/// What the host keeps of a test run's stdout (its one-line JSON report) and of its stderr
/// (quoted when no report came); the rest is dropped as it arrives.
pub const MAX_REPORT_BYTES: usize = 8 << 20;
pub const MAX_QUOTED_STDERR: usize = 64 << 10;

/// What one run left.
pub(crate) enum Once {
    /// The last line of its stdout: its report.
    Line(String),
    TimedOut,
    /// It stopped without a report; the start of its stderr.
    NoReport(String),
}

/// Why a game has no metadata.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DescribeError {
    /// The game itself: it failed to load, timed out or wrote no report. Remembered for the
    /// folder's content.
    #[error("{0}")]
    Game(String),
    /// The run could not be made (the engine, not the game): not remembered, the next request
    /// tries again.
    #[error("no describe run: {0}")]
    NoRun(String),
}

impl Containers {
    /// The publish pipeline's test run of the game in `game_dir` (`homegames validate`). A run
    /// that takes longer than `timeout` is killed and reported as failed.
    pub async fn validate(
        &self,
        game_dir: &Path,
        seconds: f64,
        timeout: Duration,
    ) -> Result<Report, ContainmentError> {
        let args = ["--seconds".to_string(), seconds.to_string()];
        Ok(report(
            self.run_once(game_dir, &args, timeout).await?,
            timeout,
        ))
    }

    /// The metadata of the game in `game_dir`, read by a describe run (`homegames validate
    /// --describe`): no code of the game runs in this process. Outcomes are remembered by the
    /// folder's content hash ([`crate::DescribeCache`]), failures of the game too, so a game that
    /// does not load is loaded once, not on every request; a changed folder is described afresh.
    pub async fn metadata(&self, game_dir: &Path) -> Result<serde_json::Value, DescribeError> {
        let (me, dir) = (self.clone(), game_dir.to_path_buf());
        // A task of its own: the run finishes, is remembered and its container removed even when
        // the request that asked goes away meanwhile.
        tokio::spawn(async move { me.describe(&dir).await })
            .await
            .map_err(|e| DescribeError::NoRun(e.to_string()))?
    }

    async fn describe(&self, game_dir: &Path) -> Result<serde_json::Value, DescribeError> {
        let described = &self.described;
        // Hashing reads the folder: off the async threads.
        let (cache, dir) = (self.described.clone(), game_dir.to_path_buf());
        let hash = tokio::task::spawn_blocking(move || cache.hash(&dir))
            .await
            .map_err(|e| DescribeError::NoRun(e.to_string()))?
            .map_err(DescribeError::NoRun)?;
        if let Some(known) = described.get(hash) {
            return known.map_err(DescribeError::Game);
        }
        let gate = described.gate(hash);
        let _running = gate.lock().await;
        if let Some(known) = described.get(hash) {
            return known.map_err(DescribeError::Game);
        }
        let _slot = described.slot().await;
        let outcome = match self
            .run_once(game_dir, &["--describe".into()], DESCRIBE_TIMEOUT)
            .await
        {
            Err(e) => Err(DescribeError::NoRun(e.to_string())),
            Ok(Once::Line(line)) => match serde_json::from_str::<Description>(&line) {
                Ok(Description {
                    ok: true,
                    metadata: Some(meta),
                    ..
                }) => Ok(meta),
                Ok(d) => Err(DescribeError::Game(
                    d.error.unwrap_or_else(|| "the game did not load".into()),
                )),
                Err(e) => Err(DescribeError::Game(format!(
                    "the describe run wrote no readable report: {e}"
                ))),
            },
            Ok(Once::TimedOut) => Err(DescribeError::Game(format!(
                "the game did not load within {} s",
                DESCRIBE_TIMEOUT.as_secs()
            ))),
            Ok(Once::NoReport(stderr)) => Err(DescribeError::Game(format!(
                "the game's describe run stopped without a report: {stderr}"
            ))),
        };
        match &outcome {
            Ok(meta) => described.put(hash, Ok(meta.clone())),
            Err(DescribeError::Game(why)) => described.put(hash, Err(why.clone())),
            Err(DescribeError::NoRun(_)) => {}
        }
        described.ungate(hash);
        outcome
    }

    /// Runs `homegames validate /game ARGS` once in a fresh container with `game_dir` mounted
    /// read-only at /game; the last line of its stdout (the report), or what went wrong.
    pub(crate) async fn run_once(
        &self,
        game_dir: &Path,
        args: &[String],
        timeout: Duration,
    ) -> Result<Once, ContainmentError> {
        let dir =
            std::fs::canonicalize(game_dir).map_err(|source| ContainmentError::GameFolder {
                path: game_dir.to_path_buf(),
                source,
            })?;
        let cmd = ["/homegames", "validate", "/game"]
            .into_iter()
            .map(String::from)
            .chain(args.iter().cloned())
            .collect();
        let binds = vec![format!("{}:/game:ro", dir.display())];
        let config = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(cmd),
            env: Some(vec!["HOME=/tmp".into()]),
            user: Some(confinement::USER.into()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(VALIDATE_LABEL.to_string(), String::new())])),
            host_config: Some(confinement::host_config(&self.limits, binds, false)),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, config)
            .await?;
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
                .await?;
            self.docker.start_container(&created.id, None).await?;
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let read = async {
                while let Some(chunk) = io.output.next().await {
                    match chunk {
                        // Both kept up to a cap: the report is one line on stdout (which game
                        // output cannot reach: see `take_stdout_for_wire`); stderr is only quoted.
                        Ok(LogOutput::StdOut { message }) => {
                            keep_up_to(&mut stdout, &message, MAX_REPORT_BYTES)
                        }
                        Ok(LogOutput::StdErr { message }) => {
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
            Ok(last_line(&stdout, &stderr))
        }
        .await;
        let _ = self.remove(&created.id).await;
        outcome
    }
}

/// The report of a test run that left `once` (`timeout` was its limit).
pub(crate) fn report(once: Once, timeout: Duration) -> Report {
    match once {
        Once::Line(line) => serde_json::from_str(&line).unwrap_or_else(|e| {
            Report::failed(format!("the test run wrote no readable report: {e}"))
        }),
        Once::TimedOut => Report::failed(format!(
            "the test run did not finish within {} s",
            timeout.as_secs()
        )),
        Once::NoReport(stderr) => {
            Report::failed(format!("the test run stopped without a report: {stderr}"))
        }
    }
}

/// What a run left: the last line of its stdout, or (none: the process died, out of memory
/// or killed, before writing one) the start of its stderr.
pub(crate) fn last_line(stdout: &[u8], stderr: &[u8]) -> Once {
    let text = String::from_utf8_lossy(stdout);
    match text.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => Once::Line(line.to_string()),
        None => Once::NoReport(
            String::from_utf8_lossy(stderr)
                .trim()
                .chars()
                .take(300)
                .collect(),
        ),
    }
}

pub(crate) fn keep_up_to(buf: &mut Vec<u8>, bytes: &[u8], cap: usize) {
    let room = cap.saturating_sub(buf.len());
    buf.extend_from_slice(&bytes[..room.min(bytes.len())]);
}
