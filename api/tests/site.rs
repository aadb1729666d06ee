//! The web site in real Chromium (Debian's chromium, driven by playwright-core from
//! `web/tests/walk.js`): an author signs up, verifies, makes, edits, checks, saves, restores and
//! publishes a game through the Studio, and resets a password; a visitor on a phone finds it in
//! the catalog by keyboard and plays it with a friend on a real `homegames serve`; every page is
//! screenshotted and must show a picture with no console error and no failed request; an admin
//! deletes the author from the console and the game leaves the catalog and the game server.
//! Needs Node.js, npm and chromium (scripts/build-deps), the services (scripts/services), Docker
//! (the publish worker's test run is contained) and the editor library (scripts/web-deps).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

fn chromium() -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: install it with `apt-get install chromium` (or set CHROMIUM)"
    );
    chromium
}

/// playwright-core for the walk, installed at test time (never committed).
fn install_playwright() {
    let dir = web_dir().join("tests");
    if dir.join("node_modules/playwright-core").is_dir() {
        return;
    }
    let ok = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--ignore-scripts",
            "--loglevel=error",
        ])
        .current_dir(&dir)
        .status()
        .expect("npm (install Node.js and npm: scripts/build-deps)")
        .success();
    assert!(ok, "npm install failed in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_author_makes_and_publishes_a_game_in_the_studio_and_visitors_play_it_from_the_catalog()
{
    let chromium = chromium();
    assert!(
        web_dir()
            .join("node_modules/codemirror/lib/codemirror.js")
            .is_file(),
        "the Studio's editor library is missing: run scripts/web-deps"
    );
    install_playwright();
    let published = tempfile::tempdir().unwrap();
    const HOST_TOKEN: &str = "site-walk-host-token";
    let server = GameServer::start(published.path(), &["--admin-token", HOST_TOKEN]);
    let (host_url, published_dir) = (server.url.clone(), published.path().to_path_buf());
    // The model: its first answer uses eval (the scan refuses it), its second is a good change.
    let starter = String::from_utf8(
        game_files::template::starter_files("Lantern Walk")
            .into_iter()
            .find(|(p, _)| p == "index.js")
            .unwrap()
            .1,
    )
    .unwrap();
    assert!(starter.contains("Colors.COLORS.CORAL"));
    let llm = ScriptedLlm::start(vec![
        format!("Sure:\n```js\n{starter}\nconst speed = eval('2');\n```"),
        format!(
            "Fixed, without eval:\n```js\n{}```\nThe square is blue now.",
            starter.replace("Colors.COLORS.CORAL", "Colors.COLORS.BLUE")
        ),
    ])
    .await;
    let llm_queue = format!("llm_test_{}", api::store::new_id());
    let api = start_configured(&mongo_url(), true, |c| {
        c.llm_available = true;
        c.llm_queue = llm_queue.clone();
        c.host_url = Some(host_url.clone());
        c.published_dir = published_dir;
        c.host_admin_token = Some(HOST_TOKEN.into());
    })
    .await;
    let (_, _, admin_id) = api.verified_user("warden").await;
    api.make_admin(&admin_id).await;
    let worker = crate::publish::contained_worker(&api).await;
    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { worker.consume(&amqp, &queue).await });
    let llm_worker = api::llm::LlmWorker {
        store: api.store.clone(),
        validator: crate::publish::contained_worker(&api).await.validator,
        http: reqwest::Client::new(),
        url: llm.url.clone(),
        model: "scripted".into(),
        api_key: None,
        max_attempts: 3,
        work_dir: std::env::temp_dir().join(format!("hg-llm-{}", api::store::new_id())),
        seconds: 1.0,
    };
    let (amqp, queue) = (amqp_url(), llm_queue.clone());
    let answering = tokio::spawn(async move { llm_worker.consume(&amqp, &queue).await });

    let shots = tempfile::tempdir().unwrap();
    let walk = tokio::process::Command::new("node")
        .arg(web_dir().join("tests/walk.js"))
        .arg(&api.base)
        .arg(&server.url)
        .arg(shots.path())
        .arg(&api.mail_log)
        .env("CHROMIUM", &chromium)
        .env("WALK_ADMIN", "warden:correct horse")
        .output()
        .await
        .expect("node runs (install Node.js: scripts/build-deps)");
    consumer.abort();
    answering.abort();
    let stdout = String::from_utf8_lossy(&walk.stdout);
    let stderr = String::from_utf8_lossy(&walk.stderr);
    if !walk.status.success() {
        // Keep what the pages looked like for whoever reads the failure.
        let kept = std::env::temp_dir().join(format!("homegames-site-{}", std::process::id()));
        let _ = Command::new("cp")
            .arg("-r")
            .arg(shots.path())
            .arg(&kept)
            .status();
        panic!(
            "the walk failed (screenshots in {}):\n{stdout}\n{stderr}",
            kept.display()
        );
    }
    // HG_SITE_SHOTS=DIR keeps the screenshots (to look at them).
    if let Ok(keep) = std::env::var("HG_SITE_SHOTS") {
        let _ = Command::new("cp")
            .arg("-rT")
            .arg(shots.path())
            .arg(keep)
            .status();
    }
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("the walk's report");
    let names: Vec<&str> = report["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for page in [
        "studio-sign-in",
        "studio-unverified",
        "studio-editor",
        "studio-finding",
        "studio-exception",
        "studio-versions",
        "studio-settings",
        "studio-ai-edit",
        "studio-published",
        "studio-reset",
        "catalog-phone",
        "game-page",
        "table-first-player",
        "table-second-player",
        "console-stats",
        "console-requests",
        "console-games",
        "console-confirm-delete",
    ] {
        assert!(names.contains(&page), "no screenshot of {page}: {names:?}");
        assert!(shots.path().join(format!("{page}.png")).is_file());
    }
    // The model was asked twice: the game and the guide, then the scan's reason for refusing.
    let asked = llm.requests.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "{asked:?}");
    let system = asked[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains(api::llm::AUTHORING_GUIDE.lines().next().unwrap()));
    assert!(asked[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("make the square blue"));
    let retry = asked[1]["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap();
    assert!(
        retry.contains("[eval]") && retry.contains("index.js:"),
        "{retry}"
    );

    // The author and everything they made are gone.
    let (_, catalog) = api.get("/catalog", None).await;
    assert_eq!(catalog, serde_json::json!([]));
    assert_eq!(
        std::fs::read_dir(published.path()).unwrap().count(),
        0,
        "the published folder is gone"
    );
}
