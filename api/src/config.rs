//! What the API needs to run, filled from flags or environment by the binary (and by tests).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// A standard MongoDB connection string (a real mongod, a replica set, or SecantusDB).
    pub mongo_url: String,
    pub database: String,
    /// The HMAC secret that signs access and refresh tokens.
    pub jwt_secret: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// The development mail sender appends every message here (one JSON object per line), besides
    /// logging it. None: log only.
    pub mail_log: Option<PathBuf>,
    /// RabbitMQ, for the publish queue.
    pub amqp_url: String,
    /// The durable queue publish jobs go through.
    pub publish_queue: String,
    /// The game server (`homegames serve`) that runs sessions of published games, e.g.
    /// `http://127.0.0.1:8080`. None: POST /sessions answers 503.
    pub host_url: Option<String>,
    /// A folder that server serves as a game root (`--games`): published versions are written
    /// here, one folder each, for it to run.
    pub published_dir: PathBuf,
    /// Largest JSON body for most routes.
    pub max_body_bytes: usize,
    /// Largest body for saving a version (a game's files, base64 included).
    pub max_version_body_bytes: usize,
}

impl ApiConfig {
    pub fn new(
        mongo_url: impl Into<String>,
        database: impl Into<String>,
        jwt_secret: impl Into<String>,
    ) -> ApiConfig {
        ApiConfig {
            mongo_url: mongo_url.into(),
            database: database.into(),
            jwt_secret: jwt_secret.into(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            mail_log: None,
            amqp_url: "amqp://guest:guest@127.0.0.1:5672/%2f".into(),
            publish_queue: "publish_requests".into(),
            host_url: None,
            published_dir: PathBuf::from("published"),
            max_body_bytes: 64 * 1024,
            max_version_body_bytes: 28 * 1024 * 1024,
        }
    }
}
