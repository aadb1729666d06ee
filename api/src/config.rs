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
    /// The game server's admin token (its `--admin-token`): deleting or unpublishing a game, or
    /// deleting an asset, tells the server with it. None: the server is not told (and forgets a
    /// removed game only when it next looks for the folder).
    pub host_admin_token: Option<String>,
    /// The image classifier (`scripts/fetch-model` gets it). None: images are not scored.
    pub nsfw_model: Option<PathBuf>,
    /// Scores at or above this flag an image as not safe for work.
    pub nsfw_threshold: f64,
    /// A folder that server serves as a game root (`--games`): published versions are written
    /// here, one folder each, for it to run.
    pub published_dir: PathBuf,
    /// Where the games' git repositories live (`<owner>/<game>.git`).
    pub git_root: PathBuf,
    /// What git runs as the repositories' pre-receive hook (`<it> git-hook pre-receive`): this
    /// `homegames-api` executable.
    pub git_hook_binary: PathBuf,
    /// The API's address as clients reach it, for the clone URLs it hands out.
    pub public_url: String,
    /// The web site's files (`api/web`: pages, scripts, and the editor library `scripts/web-deps`
    /// installs under `node_modules`).
    pub web_dir: PathBuf,
    /// The queue AI edit requests (`LLM_REQUEST`) go through to `homegames-api llm-worker`.
    pub llm_queue: String,
    /// Whether a model endpoint is configured (`--llm-url`): without one, AI edit says so and
    /// nothing is queued.
    pub llm_available: bool,
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
            host_admin_token: None,
            nsfw_model: None,
            nsfw_threshold: crate::moderation::DEFAULT_THRESHOLD,
            published_dir: PathBuf::from("published"),
            git_root: PathBuf::from("git"),
            git_hook_binary: std::env::current_exe()
                .unwrap_or_else(|_| PathBuf::from("homegames-api")),
            public_url: "http://127.0.0.1:8090".into(),
            llm_queue: "llm_requests".into(),
            llm_available: false,
            web_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/web")),
            max_body_bytes: 64 * 1024,
            max_version_body_bytes: 28 * 1024 * 1024,
        }
    }
}

/// Where the API keeps what must outlive a restart and stay out of a checkout (its token secret,
/// by default the published games): `$HG_API_DATA`, else `$XDG_DATA_HOME/homegames-api`, else
/// `~/.local/share/homegames-api`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("homegames-api");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".local/share/homegames-api")
}

/// The token secret kept in `data_dir/jwt-secret`: read if it is there, else made (32 random
/// bytes, hex) and written readable by this user only, so tokens survive a restart.
pub fn stable_jwt_secret(data_dir: &std::path::Path) -> std::io::Result<String> {
    let file = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&file) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().to_string()),
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} holds too short a secret", file.display()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_dir)?;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)?;
    f.write_all(secret.as_bytes())?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = stable_jwt_secret(&dir.path().join("data")).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(stable_jwt_secret(&dir.path().join("data")).unwrap(), first);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
