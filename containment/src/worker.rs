//! One started worker container (`homegames session-worker`): its stdin takes [`ToWorker`] lines,
//! its stdout carries the worker's records, its stderr only what it logs.

use std::collections::HashMap;

use bollard::container::{AttachContainerResults, LogOutput};
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::containers::SESSION_LABEL;
use crate::{confinement, Containers, ContainmentError, ToWorker};

pub struct Worker {
    id: String,
    io: AttachContainerResults,
    containers: Containers,
}

/// What came from a worker next.
#[derive(Debug)]
pub enum FromWorker {
    /// Bytes of the record stream (`worker_protocol::RecordReader` splits them).
    Records(bytes::Bytes),
    /// A line the worker logged.
    Log(bytes::Bytes),
    /// The container stopped, or its stream broke.
    Stopped,
}

impl Worker {
    /// Creates, attaches and starts a worker container that waits for its game on stdin, with
    /// every game root mounted read-only.
    pub(crate) async fn start(c: &Containers) -> Result<Worker, ContainmentError> {
        let binds = c
            .roots
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{}:/games/{i}:ro", r.display()))
            .collect();
        let config = ContainerCreateBody {
            image: Some(c.image.clone()),
            cmd: Some(vec!["/homegames".to_string(), "session-worker".into()]),
            env: Some(vec!["HOME=/tmp".into()]),
            user: Some(confinement::USER.into()),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            open_stdin: Some(true),
            stdin_once: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(SESSION_LABEL.to_string(), String::new())])),
            host_config: Some(confinement::host_config(&c.limits, binds, true)),
            ..Default::default()
        };
        let created = c
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
        let io = c.docker.attach_container(&created.id, Some(attach)).await?;
        c.docker.start_container(&created.id, None).await?;
        Ok(Worker {
            id: created.id,
            io,
            containers: c.clone(),
        })
    }

    /// The container's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The first 12 characters of the id, as `docker ps` shows it.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }

    /// Writes one message to the worker's stdin.
    pub async fn send(&mut self, message: &ToWorker) -> std::io::Result<()> {
        self.io.input.write_all(message.line().as_bytes()).await?;
        self.io.input.flush().await
    }

    /// What the worker says next (cancel-safe: nothing is lost when another branch of a `select!`
    /// wins).
    pub async fn next(&mut self) -> FromWorker {
        loop {
            return match self.io.output.next().await {
                Some(Ok(LogOutput::StdOut { message })) => FromWorker::Records(message),
                Some(Ok(LogOutput::StdErr { message })) => FromWorker::Log(message),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => FromWorker::Stopped,
            };
        }
    }

    /// Stops and removes the container.
    pub async fn remove(self) {
        let _ = self.containers.remove(&self.id).await;
    }
}
