//! The handle on the Docker engine: the session image, the game folders every container mounts,
//! the session options every worker is loaded with, the warm pool, and the sweeping of leftovers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptions};
use bollard::Docker;

use crate::describe_cache::DescribeCache;
use crate::worker::Worker;
use crate::worker_protocol::SessionSettings;
use crate::{ContainmentError, Limits};

/// The label on every test-run container (`Containers::validate`, `metadata`).
pub const VALIDATE_LABEL: &str = "homegames.validate";
/// The label on every session container.
pub const SESSION_LABEL: &str = "homegames.session";
/// Test-run containers older than this are leftovers of a killed worker.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Clone)]
pub struct Containers {
    pub(crate) docker: Docker,
    pub(crate) image: String,
    pub(crate) limits: Limits,
    /// Game roots (canonical), each mounted read-only at `/games/<index>` in every container.
    pub(crate) roots: Vec<PathBuf>,
    /// Every session option, sent with the game in each worker's first line (`None`: test runs
    /// only, no sessions).
    pub(crate) settings: Option<SessionSettings>,
    pub(crate) warm: Arc<Mutex<Vec<Worker>>>,
    pub(crate) warm_target: usize,
    /// Describe runs' outcomes by game-folder content hash.
    pub(crate) described: Arc<DescribeCache>,
}

impl Containers {
    /// Connects to the local Docker engine and makes sure the session image exists, built from
    /// `worker_binary` (the `homegames` executable, run as `session-worker` or `validate`).
    /// `roots` are the game folders sessions may use; `warm` containers are kept started and
    /// waiting, to be loaded with `settings` (`None` for containers that only make test runs).
    pub async fn connect(
        worker_binary: &Path,
        limits: Limits,
        docker_host: Option<&str>,
        roots: &[PathBuf],
        settings: Option<SessionSettings>,
        warm: usize,
    ) -> Result<Containers, ContainmentError> {
        let docker = match docker_host {
            Some(socket) => Docker::connect_with_unix(socket, 30, bollard::API_DEFAULT_VERSION),
            None => Docker::connect_with_local_defaults(),
        }
        .map_err(ContainmentError::Unreachable)?;
        docker.ping().await.map_err(ContainmentError::Unreachable)?;
        let image = crate::image::ensure_image(&docker, worker_binary).await?;
        let roots = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
            .collect();
        let c = Containers {
            docker,
            image,
            limits,
            roots,
            settings,
            warm: Arc::new(Mutex::new(Vec::new())),
            warm_target: warm,
            described: Arc::default(),
        };
        c.refill();
        Ok(c)
    }

    /// Containers for the publish pipeline's test runs only (`validate`): no game folders to
    /// mount, nothing kept warm. What killed workers left behind goes now, and from time to time
    /// after.
    pub async fn for_validation(
        worker_binary: &Path,
        limits: Limits,
        docker_host: Option<&str>,
    ) -> Result<Containers, ContainmentError> {
        let c = Containers::connect(worker_binary, limits, docker_host, &[], None, 0).await?;
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
            if self.remove(&id).await.is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Removes a container of ours, running or not.
    pub(crate) async fn remove(&self, id: &str) -> Result<(), bollard::errors::Error> {
        let force = Some(RemoveContainerOptions {
            force: true,
            ..Default::default()
        });
        self.docker.remove_container(id, force).await
    }

    /// Starts containers in the background until `warm_target` are waiting.
    pub fn refill(&self) {
        let missing = self
            .warm_target
            .saturating_sub(self.warm.lock().unwrap().len());
        for _ in 0..missing {
            let me = self.clone();
            tokio::spawn(async move {
                match Worker::start(&me).await {
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
    pub(crate) fn container_path(&self, game_dir: &Path) -> Option<String> {
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

    /// A worker running the game in `game_dir`: a warm one if one waits (the pool is refilled),
    /// a fresh one otherwise, already told its game and every session option.
    pub async fn assign(&self, game_dir: &Path) -> Result<Worker, ContainmentError> {
        let settings = self
            .settings
            .clone()
            .ok_or(ContainmentError::TestRunsOnly)?;
        let path = self
            .container_path(game_dir)
            .ok_or_else(|| ContainmentError::OutsideRoots(game_dir.to_path_buf()))?;
        let taken = self.warm.lock().unwrap().pop();
        let warm = taken.is_some();
        let mut worker = match taken {
            Some(w) => w,
            None => Worker::start(self).await?,
        };
        self.refill();
        let load = crate::ToWorker::Load {
            game: path,
            settings,
        };
        if worker.send(&load).await.is_err() {
            worker.remove().await;
            return Err(ContainmentError::Stopped);
        }
        tracing::info!(container = %worker.short_id(), game = %game_dir.display(), warm, "session container assigned");
        Ok(worker)
    }
}
