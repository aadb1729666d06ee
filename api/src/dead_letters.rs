//! The publish queue's dead-letter queue (`<queue>.dead`, where the worker puts a job that kept
//! failing for a transient reason), for admins: look at what is in it without taking it, and
//! replay it (each job back on the publish queue as a first attempt, its request PENDING again).
//!
//! Looking takes each message unacknowledged and gives them all back at the end (a nack with
//! requeue), so a look never loses one. A replayed message is acknowledged only after its new copy
//! is confirmed on the publish queue; a job whose request is gone (deleted with its author) is
//! dropped.

use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions};
use mongodb::bson::doc;

use crate::queue::{declare_durable, open, publish_confirmed, QueueError};
use crate::store::{PublishJob, PublishStatus, Store};
use crate::worker::dead_letter_queue;

/// Most messages one look returns.
pub const MAX_LISTED: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the database is unavailable: {0}")]
    Database(#[from] mongodb::error::Error),
}

impl From<lapin::Error> for DeadLetterError {
    fn from(e: lapin::Error) -> DeadLetterError {
        DeadLetterError::Queue(e.into())
    }
}

async fn channel(
    url: &str,
    queue: &str,
) -> Result<(lapin::Connection, lapin::Channel), DeadLetterError> {
    let (conn, channel) = open(url, queue).await?;
    declare_durable(&channel, &dead_letter_queue(queue)).await?;
    Ok((conn, channel))
}

/// Gives one message back to the dead-letter queue, where it was.
async fn give_back(channel: &lapin::Channel, tag: u64) -> Result<(), DeadLetterError> {
    let requeue = BasicNackOptions {
        multiple: false,
        requeue: true,
    };
    Ok(channel.basic_nack(tag, requeue).await?)
}

/// The jobs in the dead-letter queue of `queue`, oldest first, left where they are.
pub async fn list(url: &str, queue: &str) -> Result<Vec<PublishJob>, DeadLetterError> {
    let (conn, channel) = channel(url, queue).await?;
    let dead = dead_letter_queue(queue);
    let mut jobs = Vec::new();
    let mut last_tag = None;
    while jobs.len() < MAX_LISTED {
        let Some(message) = channel
            .basic_get(&dead, BasicGetOptions { no_ack: false })
            .await?
        else {
            break;
        };
        last_tag = Some(message.delivery.delivery_tag);
        match serde_json::from_slice::<PublishJob>(&message.delivery.data) {
            Ok(job) => jobs.push(job),
            Err(_) => tracing::warn!("a dead letter that is not a publish job"),
        }
    }
    if let Some(tag) = last_tag {
        channel
            .basic_nack(
                tag,
                BasicNackOptions {
                    multiple: true,
                    requeue: true,
                },
            )
            .await?;
    }
    let _ = conn.close(200, "listed").await;
    Ok(jobs)
}

/// What a replay did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Requests queued again, PENDING.
    pub requests: Vec<String>,
    /// Messages dropped: not a job, or their request no longer exists.
    pub dropped: u64,
}

/// Moves every job of the dead-letter queue back onto `queue` as a first attempt.
pub async fn replay(url: &str, queue: &str, store: &Store) -> Result<Replayed, DeadLetterError> {
    let (conn, channel) = channel(url, queue).await?;
    let dead = dead_letter_queue(queue);
    let mut out = Replayed::default();
    while let Some(message) = channel
        .basic_get(&dead, BasicGetOptions { no_ack: false })
        .await?
    {
        let tag = message.delivery.delivery_tag;
        let Ok(job) = serde_json::from_slice::<PublishJob>(&message.delivery.data) else {
            out.dropped += 1;
            channel.basic_ack(tag, BasicAckOptions::default()).await?;
            continue;
        };
        let reset = store
            .publish_requests()
            .update_one(
                doc! {"requestId": &job.request_id},
                doc! {"$set": {"status": PublishStatus::Pending, "attempts": 0}, "$unset": {"error": "", "completedAt": ""}},
            )
            .await;
        match reset {
            Ok(r) if r.matched_count == 0 => {
                out.dropped += 1;
                channel.basic_ack(tag, BasicAckOptions::default()).await?;
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                // Leave it (and the rest) where it was.
                give_back(&channel, tag).await?;
                return Err(e.into());
            }
        }
        let again = serde_json::to_vec(&PublishJob {
            request_id: job.request_id.clone(),
            attempt: 0,
        })
        .expect("json");
        if let Err(e) = publish_confirmed(&channel, queue, &again).await {
            give_back(&channel, tag).await?;
            return Err(e.into());
        }
        channel.basic_ack(tag, BasicAckOptions::default()).await?;
        tracing::info!(request = %job.request_id, "dead-lettered publish job replayed");
        out.requests.push(job.request_id);
    }
    let _ = conn.close(200, "replayed").await;
    Ok(out)
}
