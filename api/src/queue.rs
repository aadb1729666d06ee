//! The publish queue on RabbitMQ: a durable queue, persistent messages, publisher confirms.
//! The connection is made on first use and made again after it breaks, so the API keeps running
//! (answering 503 for publishes) while RabbitMQ is down, and recovers by itself.

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use tokio::sync::Mutex;

#[derive(Debug, thiserror::Error)]
#[error("the job queue is unavailable: {0}")]
pub struct QueueError(pub String);

impl From<lapin::Error> for QueueError {
    fn from(e: lapin::Error) -> QueueError {
        QueueError(e.to_string())
    }
}

pub struct Queue {
    url: String,
    pub name: String,
    channel: Mutex<Option<(Connection, Channel)>>,
}

/// Opens a channel with confirms on and the queue declared durable.
pub async fn open(url: &str, queue: &str) -> Result<(Connection, Channel), QueueError> {
    let conn = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        Connection::connect(url, ConnectionProperties::default()),
    )
    .await
    .map_err(|_| QueueError("connecting to RabbitMQ timed out".into()))??;
    let channel = conn.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    declare_durable(&channel, queue).await?;
    Ok((conn, channel))
}

/// Declares `queue` durable (a no-op if it exists).
pub async fn declare_durable(channel: &Channel, queue: &str) -> Result<(), lapin::Error> {
    channel
        .queue_declare(
            queue,
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .map(|_| ())
}

/// Publishes one persistent message on a channel with confirms and waits for the broker's.
pub async fn publish_confirmed(
    channel: &Channel,
    queue: &str,
    payload: &[u8],
) -> Result<(), QueueError> {
    let confirm = channel
        .basic_publish(
            "",
            queue,
            BasicPublishOptions::default(),
            payload,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await?
        .await?;
    match confirm {
        Confirmation::Nack(_) => Err(QueueError("the broker refused the message".into())),
        Confirmation::Ack(_) | Confirmation::NotRequested => Ok(()),
    }
}

impl Queue {
    pub fn new(url: impl Into<String>, name: impl Into<String>) -> Queue {
        Queue {
            url: url.into(),
            name: name.into(),
            channel: Mutex::new(None),
        }
    }

    /// Publishes one persistent message and waits for the broker to confirm it is stored.
    pub async fn publish(&self, payload: &[u8]) -> Result<(), QueueError> {
        let mut guard = self.channel.lock().await;
        for attempt in 0..2 {
            if guard
                .as_ref()
                .is_none_or(|(c, ch)| !c.status().connected() || !ch.status().connected())
            {
                *guard = Some(open(&self.url, &self.name).await?);
            }
            let (_, channel) = guard.as_ref().expect("just opened");
            let sent = async {
                let confirm = channel
                    .basic_publish(
                        "",
                        &self.name,
                        BasicPublishOptions::default(),
                        payload,
                        BasicProperties::default().with_delivery_mode(2),
                    )
                    .await?
                    .await?;
                Ok::<_, lapin::Error>(confirm)
            }
            .await;
            match sent {
                Ok(Confirmation::Ack(_)) | Ok(Confirmation::NotRequested) => return Ok(()),
                Ok(Confirmation::Nack(_)) => {
                    return Err(QueueError("the broker refused the message".into()))
                }
                Err(e) if attempt == 0 => {
                    tracing::warn!(error = %e, "queue channel broke; reconnecting");
                    *guard = None;
                }
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}
