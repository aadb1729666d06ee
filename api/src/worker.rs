//! The publish worker: takes publish requests off the queue and validates each version — index.js,
//! the GPLv3 LICENSE, size limits, the security scan of every `.js`, the declared squishVersion,
//! and a test run of the game in a container with no network — then publishes it or records why
//! not.
//!
//! Delivery is at least once; the outcome is idempotent. A request is claimed in the database
//! before work starts, the published record is keyed by the request (a unique index), and the
//! message is acknowledged only after the outcome is written: a worker killed mid-job leaves the
//! message unacknowledged, RabbitMQ hands it to the next worker, which redoes the job, and a
//! redelivered message of a finished request is acknowledged without doing anything.
//!
//! One bad job never holds up another. A job that cannot succeed (its files cannot be laid out, a
//! blob is gone) is FAILED with the reason at once. Only an unavailable database is worth a retry:
//! the job goes to the back of the queue after a backoff (doubling from 0.5 s up to 30 s), at most
//! [`MAX_ATTEMPTS`] times, and then to the dead-letter queue `<queue>.dead`, where it stays for an
//! operator to inspect (and to move back) while the request is marked FAILED when the database
//! answers again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use containment::{Containers, Report};
use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use mongodb::bson::{doc, DateTime};
use mongodb::options::ReturnDocument;

use crate::error::{is_duplicate_key, ApiError};
use crate::store::{
    new_id, GameVersion, PublishJob, PublishRequest, PublishStatus, Store, Version,
};
use crate::template::is_gpl3;
use crate::versions::{describe, read_files, write_files};

/// Where the test run happens: never in this process (no game code runs in the api). Production
/// uses containers; `Uncontained` (the `homegames` binary as a plain child process) exists for
/// development on a machine without Docker and must be asked for by name.
pub enum Validator {
    // Boxed: the container client (with its describe cache) is far larger than a path.
    Contained(Box<Containers>),
    Uncontained { homegames_bin: PathBuf },
}

/// The longest a test run may take, start to report.
pub const TEST_RUN_TIMEOUT: Duration = Duration::from_secs(90);

impl Validator {
    pub async fn run(&self, dir: &Path, seconds: f64) -> Report {
        let report = match self {
            Validator::Contained(c) => c.validate(dir, seconds, TEST_RUN_TIMEOUT).await,
            Validator::Uncontained { homegames_bin } => {
                containment::uncontained::validate(homegames_bin, dir, seconds, TEST_RUN_TIMEOUT)
                    .await
            }
        };
        report.unwrap_or_else(|e| Report::failed(e.to_string()))
    }
}

/// Tries of a job whose failure is transient before it goes to the dead-letter queue.
pub const MAX_ATTEMPTS: u64 = 10;

/// The dead-letter queue of a publish queue.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dead")
}

/// The wait before try `attempt` (1-based) of a job that failed for a transient reason.
pub fn backoff(attempt: u64) -> Duration {
    Duration::from_millis(500u64 << attempt.clamp(1, 7).saturating_sub(1))
        .min(Duration::from_secs(30))
}

pub struct Worker {
    pub store: Store,
    pub validator: Validator,
    /// Scratch space for the files of the version being validated (one folder per request).
    pub work_dir: PathBuf,
    /// Seconds of game time the test run lasts.
    pub seconds: f64,
    /// A pause between claiming a job and doing it: zero, except in fault tests that need a
    /// worker to be reliably in the middle of a job when they kill it.
    pub pause_after_claim: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    #[error("the queue connection broke: {0}")]
    Lapin(#[from] lapin::Error),
}

/// How one job ended, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Published(String),
    Failed(String),
    /// The request was already finished (a redelivery): nothing was done.
    AlreadyDone,
    /// No such request (deleted with its author, say).
    Unknown,
}

impl Worker {
    /// Consumes the queue until the connection breaks (the caller decides whether to reconnect).
    pub async fn consume(&self, amqp_url: &str, queue: &str) -> Result<(), WorkerError> {
        let (_conn, channel) = crate::queue::open(amqp_url, queue).await?;
        let dead = dead_letter_queue(queue);
        crate::queue::declare_durable(&channel, &dead).await?;
        channel.basic_qos(1, BasicQosOptions::default()).await?;
        let mut deliveries = channel
            .basic_consume(
                queue,
                &format!("worker-{}", new_id()),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        tracing::info!(queue, "publish worker waiting for jobs");
        while let Some(delivery) = deliveries.next().await {
            let delivery = delivery?;
            let Ok(job) = serde_json::from_slice::<PublishJob>(&delivery.data) else {
                tracing::warn!("a message that is not a publish job: dropped");
                delivery.ack(BasicAckOptions::default()).await?;
                continue;
            };
            let request_id = job.request_id;
            let attempt = job.attempt + 1;
            let span = tracing::info_span!("publish_job", request = %request_id, attempt);
            let _entered = span.enter();
            let transient = match self.process(&request_id).await {
                Ok(outcome) => {
                    tracing::info!(?outcome, "publish job done");
                    None
                }
                Err(e @ ApiError::Unavailable(_)) => Some(e),
                // Nothing a retry would change: the job fails with the reason, now.
                Err(e) => {
                    tracing::warn!(error = %e, "publish job cannot succeed; failed");
                    self.fail_permanently(&request_id, &e.to_string())
                        .await
                        .err()
                }
            };
            let Some(error) = transient else {
                delivery.ack(BasicAckOptions::default()).await?;
                continue;
            };
            let next = serde_json::to_vec(&PublishJob {
                request_id: request_id.clone(),
                attempt,
            })
            .expect("json");
            if attempt >= MAX_ATTEMPTS {
                tracing::error!(error = %error, "publish job gave up after {MAX_ATTEMPTS} attempts; sent to {dead}");
                republish(&channel, &dead, &next).await?;
                let _ = self
                    .fail_permanently(
                        &request_id,
                        &format!("gave up after {MAX_ATTEMPTS} attempts: {error}"),
                    )
                    .await;
            } else {
                // To the back of the queue after a pause: the jobs behind it go first.
                tracing::warn!(error = %error, "publish job interrupted; retried later");
                tokio::time::sleep(backoff(attempt)).await;
                republish(&channel, queue, &next).await?;
            }
            // Acknowledged only once its next copy is stored: a crash in between redoes the job,
            // which is idempotent.
            delivery.ack(BasicAckOptions::default()).await?;
        }
        Ok(())
    }

    /// Does one job. `Err` only for trouble with the database (the job should be retried); a game
    /// that fails validation is an `Ok(Outcome::Failed)`.
    pub async fn process(&self, request_id: &str) -> Result<Outcome, ApiError> {
        let claimed = self
            .store
            .publish_requests()
            .find_one_and_update(
                doc! {"requestId": request_id, "status": {"$in": [PublishStatus::Pending, PublishStatus::Processing]}},
                doc! {"$set": {"status": PublishStatus::Processing, "startedAt": DateTime::now()}, "$inc": {"attempts": 1}},
            )
            .return_document(ReturnDocument::After)
            .await?;
        let Some(request) = claimed else {
            let exists = self
                .store
                .publish_requests()
                .find_one(doc! {"requestId": request_id})
                .await?
                .is_some();
            return Ok(if exists {
                Outcome::AlreadyDone
            } else {
                Outcome::Unknown
            });
        };
        if !self.pause_after_claim.is_zero() {
            tokio::time::sleep(self.pause_after_claim).await;
        }
        match self.validate(&request).await? {
            Ok(report) => self.publish(&request, report).await,
            Err((error, findings)) => {
                self.fail(request_id, &error, findings).await?;
                Ok(Outcome::Failed(error))
            }
        }
    }

    /// Marks a claimed request FAILED with `error` (a job that no retry would make succeed).
    pub async fn fail_permanently(&self, request_id: &str, error: &str) -> Result<(), ApiError> {
        self.fail(request_id, error, Vec::new()).await
    }

    async fn fail(
        &self,
        request_id: &str,
        error: &str,
        findings: Vec<String>,
    ) -> Result<(), ApiError> {
        self.finish(
            request_id,
            doc! {"status": PublishStatus::Failed, "error": error, "findings": findings, "completedAt": DateTime::now()},
        )
        .await
    }

    async fn finish(&self, request_id: &str, set: mongodb::bson::Document) -> Result<(), ApiError> {
        self.store
            .publish_requests()
            .update_one(
                doc! {"requestId": request_id, "status": PublishStatus::Processing},
                doc! {"$set": set},
            )
            .await?;
        Ok(())
    }

    /// Every check, in order; the first that fails is the answer (with the scan's findings).
    async fn validate(
        &self,
        request: &PublishRequest,
    ) -> Result<Result<Report, (String, Vec<String>)>, ApiError> {
        let fail = |msg: String| Ok(Err((msg, Vec::new())));
        let version: Option<Version> = self
            .store
            .versions()
            .find_one(doc! {"gameId": &request.game_id, "contentHash": &request.content_hash})
            .await?;
        let Some(version) = version else {
            return fail("the version no longer exists".into());
        };
        let files = read_files(&self.store, &version.files).await?;
        // The same limits a save enforces (5 MB a file, 20 MB in all, plain paths), checked again
        // on what is about to be published.
        if let Err(e) = describe(&files) {
            return fail(e.to_string());
        }
        let Some(index) = files
            .iter()
            .find(|(p, _)| p == "index.js")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        else {
            return fail("the game has no index.js at its top level".into());
        };
        match files.iter().find(|(p, _)| p == "LICENSE") {
            None => return fail("the game has no LICENSE file; published games carry the GPLv3 (the starter template has it)".into()),
            Some((_, text)) if !is_gpl3(&String::from_utf8_lossy(text)) => {
                return fail("LICENSE is not the GNU GPL version 3 text; published games carry the GPLv3 unchanged".into())
            }
            Some(_) => {}
        }
        let sources: Vec<(String, String)> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".js"))
            .map(|(p, b)| (p.clone(), String::from_utf8_lossy(b).into_owned()))
            .collect();
        let findings = tokio::task::spawn_blocking(move || ast_scan::scan_sources(&sources))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !findings.is_empty() {
            let listed: Vec<String> = findings
                .iter()
                .map(|f| {
                    format!(
                        "{}:{}:{}: [{}] {}",
                        f.file,
                        f.line,
                        f.column,
                        f.rule.id(),
                        f.message
                    )
                })
                .collect();
            return Ok(Err((
                format!(
                    "the security scan found {} problem(s); the first: {}",
                    listed.len(),
                    listed[0]
                ),
                listed,
            )));
        }
        let declared = match ast_scan::squish_version(&index) {
            Ok(v) => v,
            Err(e) => return fail(format!("index.js: {e}")),
        };
        // The test run, on a copy of the files in a folder of its own.
        let dir = self.work_dir.join(&request.request_id);
        let _ = tokio::fs::remove_dir_all(&dir).await;
        if let Err(e) = write_files(&dir, &files).await {
            let _ = tokio::fs::remove_dir_all(&dir).await;
            return fail(format!(
                "the game's files cannot be laid out for the test run: {e}"
            ));
        }
        let report = self.validator.run(&dir, self.seconds).await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        if !report.ok {
            return fail(report.error.unwrap_or_else(|| "the test run failed".into()));
        }
        if report.squish_version.as_deref() != Some(declared.as_str()) {
            return fail(format!("metadata().squishVersion is {:?} when the game runs, but {declared:?} in the source", report.squish_version));
        }
        Ok(Ok(report))
    }

    async fn publish(&self, request: &PublishRequest, report: Report) -> Result<Outcome, ApiError> {
        // A game is nsfw if any asset it declares is flagged (flags are set on uploaded assets).
        let nsfw = !report.asset_ids.is_empty()
            && self
                .store
                .assets()
                .count_documents(doc! {"assetId": {"$in": &report.asset_ids}, "nsfw": true})
                .await?
                > 0;
        let record = GameVersion {
            version_id: new_id(),
            game_id: request.game_id.clone(),
            content_hash: request.content_hash.clone(),
            version_number: request.version_number,
            request_id: request.request_id.clone(),
            published: true,
            published_at: DateTime::now(),
            published_by: request.user_id.clone(),
            squish_version: report.squish_version.clone().unwrap_or_default(),
            asset_ids: report.asset_ids.clone(),
            nsfw,
            commit: request.commit.clone(),
        };
        let version_id = match self.store.game_versions().insert_one(&record).await {
            Ok(_) => record.version_id.clone(),
            // Published by an earlier attempt that died before it could say so: reuse that record.
            Err(e) if is_duplicate_key(&e) => self
                .store
                .game_versions()
                .find_one(doc! {"requestId": &request.request_id})
                .await?
                .map(|v| v.version_id)
                .ok_or_else(|| ApiError::Internal("published record vanished".into()))?,
            Err(e) => return Err(e.into()),
        };
        self.store
            .games()
            .update_one(
                doc! {"gameId": &request.game_id},
                doc! {"$set": {"publishedVersion": &request.content_hash, "nsfw": nsfw}},
            )
            .await?;
        self.finish(
            &request.request_id,
            doc! {"status": PublishStatus::Published, "versionId": &version_id, "completedAt": DateTime::now()},
        )
        .await?;
        Ok(Outcome::Published(version_id))
    }
}

/// Publishes one persistent job message and waits for the broker to store it.
async fn republish(
    channel: &lapin::Channel,
    queue: &str,
    payload: &[u8],
) -> Result<(), WorkerError> {
    Ok(crate::queue::publish_confirmed(channel, queue, payload).await?)
}

/// Requests not yet finished, for a worker starting up to report (RabbitMQ redelivers their
/// messages by itself).
pub async fn unfinished(store: &Store) -> Result<u64, ApiError> {
    Ok(store
        .publish_requests()
        .count_documents(
            doc! {"status": {"$in": [PublishStatus::Pending, PublishStatus::Processing]}},
        )
        .await?)
}
