//! Faults, against the real services: a worker killed in the middle of a job, RabbitMQ restarted,
//! and the database server stopped and started again while the API runs. The API answers 503 while
//! a service is away, recovers by itself, and no accepted request is lost or done twice.
//! These tests restart shared services, so they run one after another in one test.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use mongodb::bson::doc;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn api_bin() -> &'static str {
    env!("CARGO_BIN_EXE_homegames-api")
}

/// A worker in its own process, so it can be killed for real.
fn spawn_worker(api: &TestApi, pause_ms: u64) -> Child {
    Command::new(api_bin())
        .args([
            "worker",
            "--inline-validation",
            "--seconds",
            "1",
            "--mongo-url",
            &api.mongo,
            "--database",
            &api.database,
        ])
        .args([
            "--amqp-url",
            &amqp_url(),
            "--publish-queue",
            &api.queue,
            "--pause-after-claim-ms",
            &pause_ms.to_string(),
        ])
        .args([
            "--work-dir",
            std::env::temp_dir().join("hg-faults").to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the worker")
}

async fn status_of(api: &TestApi, request_id: &str) -> String {
    let r = api
        .store
        .publish_requests()
        .find_one(doc! {"requestId": request_id})
        .await
        .unwrap()
        .unwrap();
    serde_json::to_value(r.status)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

async fn wait_for_status(api: &TestApi, request_id: &str, want: &str, within: Duration) {
    let start = Instant::now();
    loop {
        let now = status_of(api, request_id).await;
        if now == want {
            return;
        }
        assert!(
            start.elapsed() < within,
            "request {request_id} is {now}, not {want}, after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn publish(api: &TestApi, name: &str) -> (String, String, Value) {
    let (token, _, _) = api.verified_user(name).await;
    let (_, game) = api
        .post("/games", Some(&token), json!({"name": name}))
        .await;
    let id = game["gameId"].as_str().unwrap().to_string();
    let (status, req) = api
        .send("POST", &format!("/games/{id}/publish"), Some(&token), None)
        .await;
    (token, id, json!({"status": status.as_u16(), "body": req}))
}

fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl (apt-get install rabbitmq-server; scripts/services starts it)");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_secantus(port: u16, dir: &std::path::Path) -> Child {
    let child = Command::new(python_command(
        "secantusd-py",
        "scripts/services installs SecantusDB",
    ))
    .args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--storage-path",
        dir.to_str().unwrap(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "SecantusDB did not start on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_lose_nothing_and_do_nothing_twice() {
    worker_killed_mid_job().await;
    rabbitmq_restarted().await;
    database_restarted().await;
}

async fn worker_killed_mid_job() {
    let api = start().await;
    // A worker that will be in the middle of the job (claimed, not finished) for 60 s.
    let mut first = spawn_worker(&api, 60_000);
    let (_, _, req) = publish(&api, "victim").await;
    assert_eq!(req["status"], 202, "{req}");
    let rid = req["body"]["requestId"].as_str().unwrap().to_string();
    wait_for_status(&api, &rid, "PROCESSING", Duration::from_secs(30)).await;
    first.kill().unwrap(); // SIGKILL: no goodbye, no ack
    first.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        status_of(&api, &rid).await,
        "PROCESSING",
        "nobody finished it"
    );

    // The next worker gets the unacknowledged job from RabbitMQ and finishes it, once.
    let mut second = spawn_worker(&api, 0);
    wait_for_status(&api, &rid, "PUBLISHED", Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let r = api
        .store
        .publish_requests()
        .find_one(doc! {"requestId": &rid})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        r.attempts, 2,
        "taken by the killed worker, then by the next"
    );
    assert_eq!(
        api.store
            .game_versions()
            .count_documents(doc! {"requestId": &rid})
            .await
            .unwrap(),
        1,
        "published exactly once"
    );
}

async fn rabbitmq_restarted() {
    let api = start().await;
    // Accepted while RabbitMQ is up, but no worker is running yet.
    let (_, _, before) = publish(&api, "early").await;
    assert_eq!(before["status"], 202);
    let early = before["body"]["requestId"].as_str().unwrap().to_string();

    rabbitmqctl(&["stop_app"]);
    let (token, game, during) = publish(&api, "during").await;
    let restored = scopeguard(|| rabbitmqctl(&["start_app"]));
    assert_eq!(during["status"], 503, "{during}");
    assert_eq!(during["body"]["code"], "unavailable");
    assert_eq!(
        api.store
            .publish_requests()
            .count_documents(doc! {"gameId": &game})
            .await
            .unwrap(),
        0,
        "a refused request leaves nothing behind"
    );
    // The rest of the API does not need RabbitMQ.
    assert_eq!(api.get("/catalog", None).await.0, StatusCode::OK);
    drop(restored);
    rabbitmqctl(&["await_startup"]);

    // The same request again now succeeds (no rate limit: the refused one was not kept) …
    let (status, again) = api
        .send(
            "POST",
            &format!("/games/{game}/publish"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    let later = again["requestId"].as_str().unwrap().to_string();
    // … and the job queued before the restart survived it (durable queue, persistent message).
    let mut worker = spawn_worker(&api, 0);
    wait_for_status(&api, &early, "PUBLISHED", Duration::from_secs(60)).await;
    wait_for_status(&api, &later, "PUBLISHED", Duration::from_secs(60)).await;
    worker.kill().unwrap();
    worker.wait().unwrap();
}

async fn database_restarted() {
    // A database server of this test's own, to stop and start.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let mut db = start_secantus(port, data.path());
    let url = format!("mongodb://127.0.0.1:{port}/?directConnection=true");
    let api = start_configured(&url, true, |_| {}).await;
    let (token, _, _) = api.verified_user("persistent").await;
    let (status, game) = api
        .post("/games", Some(&token), json!({"name": "Kept"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    db.kill().unwrap();
    db.wait().unwrap();
    for (method, path) in [
        ("GET", "/catalog".to_string()),
        ("GET", "/me".to_string()),
        (
            "GET",
            format!("/games/{}", game["gameId"].as_str().unwrap()),
        ),
    ] {
        let (status, err) = api.send(method, &path, Some(&token), None).await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            "{method} {path} while the database is down"
        );
    }
    let (status, _) = api.post("/auth/signup", None, json!({"displayName": "latecomer", "email": "late@example.com", "password": "password1"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    let mut db = start_secantus(port, data.path());
    // The API reconnects by itself; what was written before the crash is still there.
    let start = Instant::now();
    loop {
        let (status, g) = api
            .get(
                &format!("/games/{}", game["gameId"].as_str().unwrap()),
                Some(&token),
            )
            .await;
        if status == StatusCode::OK {
            assert_eq!(g["name"], "Kept");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the API did not recover: {status} {g}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = api.post("/auth/signup", None, json!({"displayName": "latecomer", "email": "late@example.com", "password": "password1"})).await;
    assert_eq!(status, StatusCode::CREATED);
    db.kill().unwrap();
    db.wait().unwrap();
}

/// Runs `f` when dropped (so a failed assertion still restarts RabbitMQ for the tests after it).
fn scopeguard<F: FnMut()>(f: F) -> impl Drop {
    struct Guard<F: FnMut()>(F);
    impl<F: FnMut()> Drop for Guard<F> {
        fn drop(&mut self) {
            (self.0)()
        }
    }
    Guard(f)
}
