//! A real API server on a free port, over a fresh database of the MongoDB-compatible server the
//! tests are pointed at (HG_TEST_MONGO_URL; `scripts/services` starts one at the default).

#![allow(dead_code)]

mod game_server;
mod scripted_llm;
#[allow(unused_imports)] // not every test binary that includes `common` starts a game server
pub use game_server::{free_port, homegames_bin, GameServer};
#[allow(unused_imports)]
pub use scripted_llm::ScriptedLlm;

use std::path::PathBuf;
use std::sync::Arc;

use api::app::Inner;
use api::store::Store;
use api::{build_app, ApiConfig};
use reqwest::StatusCode;
use serde_json::Value;

pub const DEFAULT_MONGO: &str = "mongodb://127.0.0.1:27017/?directConnection=true";

/// Where pip puts the commands of the Python packages the tests use (it need not be on PATH).
pub fn python_command(name: &str, install_hint: &str) -> PathBuf {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .expect("python3");
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join(name);
    assert!(
        bin.is_file(),
        "{} is missing: {install_hint}",
        bin.display()
    );
    bin
}

/// Bytes the asset upload takes for a PNG image (the signature and an IHDR chunk header).
pub fn png() -> Vec<u8> {
    let mut b = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    b.extend_from_slice(&[1; 64]);
    b
}

pub fn amqp_url() -> String {
    std::env::var("HG_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string())
}

pub fn mongo_url() -> String {
    std::env::var("HG_TEST_MONGO_URL").unwrap_or_else(|_| DEFAULT_MONGO.to_string())
}

pub struct TestApi {
    pub base: String,
    pub store: Store,
    pub mongo: String,
    pub database: String,
    /// This test's own publish queue (so tests running at once do not take each other's jobs).
    pub queue: String,
    pub mail_log: PathBuf,
    /// Where this api keeps the games' repositories.
    pub git_root: PathBuf,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The token secret of every test api (so a second api over the same database takes its tokens).
pub const TEST_JWT_SECRET: &str = "test-secret-0123456789abcdef";

pub async fn start() -> TestApi {
    start_with(&mongo_url(), true).await
}

pub async fn start_with(url: &str, require_db: bool) -> TestApi {
    start_configured(url, require_db, |_| {}).await
}

/// `require_db`: fail with instructions when the database cannot be reached; `adjust` changes the
/// configuration before the server starts.
pub async fn start_configured(
    url: &str,
    require_db: bool,
    adjust: impl FnOnce(&mut ApiConfig),
) -> TestApi {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("hgtest_{}", api::store::new_id());
    let store = Store::connect(url, &database).await.unwrap();
    if require_db {
        if let Err(e) = store.ensure_indexes().await {
            panic!(
                "MongoDB is not reachable at {url}: {e}\n\
                 Start the local MongoDB-compatible server with `scripts/services` (it installs and starts SecantusDB \
                 on 127.0.0.1:27017), or point HG_TEST_MONGO_URL at a running mongod."
            );
        }
    }
    let mut config = ApiConfig::new(url, &database, TEST_JWT_SECRET);
    config.mail_log = Some(dir.path().join("mail.jsonl"));
    config.amqp_url = amqp_url();
    config.publish_queue = format!("publish_test_{}", api::store::new_id());
    config.git_root = dir.path().join("git");
    // git runs the real binary as the repositories' hook.
    config.git_hook_binary = env!("CARGO_BIN_EXE_homegames-api").into();
    let queue = config.publish_queue.clone();
    adjust(&mut config);
    let git_root = config.git_root.clone();
    let base = serve(config, store.clone()).await;
    TestApi {
        base,
        store,
        queue,
        mongo: url.to_string(),
        database: database.clone(),
        mail_log: dir.path().join("mail.jsonl"),
        git_root,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

/// Serves an api with `config` over `store` on a free port; its base URL.
pub async fn serve(mut config: ApiConfig, store: Store) -> String {
    // With connect info, so a test can be several clients (bound to 127.0.0.2, 127.0.0.3, …).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_url = base.clone();
    let inner = Inner::new(config, store).unwrap();
    inner.repos.install_hooks().unwrap();
    let app = build_app(Arc::new(inner));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    base
}

impl TestApi {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send("POST", path, token, Some(body)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send("GET", path, token, None).await
    }

    /// The code in the newest development mail to `to` ("… code is XXXX. …").
    pub fn mailed_code(&self, to: &str) -> String {
        let log = std::fs::read_to_string(&self.mail_log).unwrap_or_default();
        let mail: Value = log
            .lines()
            .rev()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|m| m["to"] == to)
            .unwrap_or_else(|| panic!("no mail to {to} in {log}"));
        let body = mail["body"].as_str().unwrap();
        body.split("code is ")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_string()
    }

    /// Makes an account an admin, as an operator does: in the database.
    pub async fn make_admin(&self, user_id: &str) {
        self.store
            .users()
            .update_one(
                mongodb::bson::doc! {"userId": user_id},
                mongodb::bson::doc! {"$set": {"isAdmin": true}},
            )
            .await
            .unwrap();
    }

    /// Uploads raw bytes as an asset.
    pub async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}/assets?name={name}", self.base))
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Signs up and verifies; returns (access token, refresh token, userId).
    pub async fn verified_user(&self, name: &str) -> (String, String, String) {
        let email = format!("{name}@example.com");
        let (status, s) = self.post("/auth/signup", None, serde_json::json!({"displayName": name, "email": email, "password": "correct horse"})).await;
        assert_eq!(status, StatusCode::CREATED, "{s}");
        let token = s["accessToken"].as_str().unwrap().to_string();
        let (status, v) = self
            .post(
                "/auth/verify",
                Some(&token),
                serde_json::json!({"code": self.mailed_code(&email)}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        (
            token,
            s["refreshToken"].as_str().unwrap().to_string(),
            s["userId"].as_str().unwrap().to_string(),
        )
    }
}

/// Every error is JSON {error, code}; returns the code.
pub fn error_code(body: &Value) -> &str {
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "not a JSON error: {body}"
    );
    body["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
}
