//! The publish pipeline end to end against the real services: MongoDB-compatible storage,
//! RabbitMQ, and Docker for the test run of each game.

use crate::common;

use std::time::Duration;

use api::worker::{Outcome, Validator, Worker};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(crate) async fn contained_worker(api: &TestApi) -> Worker {
    let containers = containment::Containers::for_validation(&homegames_bin(), Default::default(), None)
        .await
        .unwrap_or_else(|e| panic!("{e}\nThe publish tests need a running Docker engine: apt-get install docker.io, then start dockerd (.ci/run does both)."));
    let work_dir = std::env::temp_dir().join(format!("hg-publish-{}", api::store::new_id()));
    Worker {
        store: api.store.clone(),
        validator: Validator::Contained(Box::new(containers)),
        work_dir,
        seconds: 5.0,
        pause_after_claim: Duration::ZERO,
    }
}

/// A worker whose test runs are plain child processes (for tests that are not about containers).
pub(crate) fn inline_worker(api: &TestApi, seconds: f64) -> Worker {
    Worker {
        store: api.store.clone(),
        validator: Validator::Uncontained {
            homegames_bin: homegames_bin(),
        },
        work_dir: std::env::temp_dir().join(format!("hg-publish-{}", api::store::new_id())),
        seconds,
        pause_after_claim: Duration::ZERO,
    }
}

/// Polls a publish request until it is finished.
pub(crate) async fn outcome(api: &TestApi, token: &str, request_id: &str) -> Value {
    for _ in 0..600 {
        let (status, r) = api
            .get(&format!("/publish-requests/{request_id}"), Some(token))
            .await;
        assert_eq!(status, StatusCode::OK, "{r}");
        if r["status"] == "PUBLISHED" || r["status"] == "FAILED" {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("publish request {request_id} did not finish in 2 minutes");
}

async fn game_with(api: &TestApi, name: &str, index_js: Option<&str>) -> (String, String) {
    let (token, _, _) = api.verified_user(name).await;
    let (status, game) = api
        .post(
            "/games",
            Some(&token),
            json!({"name": format!("{name}'s game")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = game["gameId"].as_str().unwrap().to_string();
    if let Some(src) = index_js {
        let files = json!({"files": [{"path": "index.js", "content": src}, {"path": "LICENSE", "content": api::template::GPL3_LICENSE}]});
        let (status, v) = api
            .post(&format!("/games/{id}/versions"), Some(&token), files)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    (token, id)
}

const THROWS_AT_CONSTRUCTION: &str = r#"const { Game } = require('squish-135');
class Broken extends Game {
    static metadata() { return { squishVersion: '135', name: 'Broken' }; }
    constructor() { super(); throw new Error('the board is missing'); }
    getLayers() { return []; }
}
module.exports = Broken;
"#;

const IMPORTS_FS: &str = r#"const { Game } = require('squish-135');
const fs = require('fs');
class Sneaky extends Game {
    static metadata() { return { squishVersion: '135', name: 'Sneaky' }; }
    getLayers() { return []; }
}
module.exports = Sneaky;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn publish_validate_in_a_container_and_list_in_the_catalog() {
    // A game server of our own that serves the folder published versions are written to.
    let published = tempfile::tempdir().unwrap();
    let server = GameServer::start(published.path(), &[]);
    let host_url = server.url.clone();
    let published_dir = published.path().to_path_buf();
    let api = start_configured(&mongo_url(), true, |c| {
        c.host_url = Some(host_url.clone());
        c.published_dir = published_dir;
    })
    .await;
    let worker = contained_worker(&api).await;
    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { worker.consume(&amqp, &queue).await });

    // A good game: the starter template, published as it is.
    let (good, good_id) = game_with(&api, "good", None).await;
    let (status, req) = api
        .send(
            "POST",
            &format!("/games/{good_id}/publish"),
            Some(&good),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{req}");
    assert_eq!(req["status"], "PENDING");
    let done = outcome(&api, &good, req["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "PUBLISHED", "{done}");
    let version_id = done["versionId"].as_str().unwrap();
    let (_, catalog) = api.get("/catalog", None).await;
    let listed = catalog.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{catalog}");
    assert_eq!(
        (
            listed[0]["gameId"].as_str(),
            listed[0]["publishedVersion"].as_str()
        ),
        (Some(good_id.as_str()), done["contentHash"].as_str())
    );
    assert_eq!(
        api.get(&format!("/games/{good_id}"), None).await.0,
        StatusCode::OK,
        "published games are public"
    );
    let record = api
        .store
        .game_versions()
        .find_one(mongodb::bson::doc! {"versionId": version_id})
        .await
        .unwrap()
        .unwrap();
    assert!(record.published && record.squish_version == "142" && !record.nsfw);

    // A player starts a session of it (no account needed) and gets frames over the WebSocket.
    let (status, session) = api
        .post("/sessions", None, json!({"gameId": good_id}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert_eq!(session["versionId"], version_id);
    let served = std::fs::read_to_string(
        published
            .path()
            .join(format!("{good_id}-{version_id}/index.js")),
    )
    .unwrap();
    assert!(
        served.contains("good's game"),
        "the host runs exactly the published files"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(session["websocketUrl"].as_str().unwrap())
        .await
        .unwrap();
    use futures_util::{SinkExt, StreamExt};
    ws.send(tokio_tungstenite::tungstenite::Message::Text(
        r#"{"type":"ready","id":null,"clientInfo":{}}"#.into(),
    ))
    .await
    .unwrap();
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        let m = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Binary(b) = m {
            kinds.push(b[0]);
        }
    }
    assert_eq!(kinds, [2, 3], "init, then a state frame");
    let (status, err) = api
        .post("/sessions", None, json!({"gameId": "no-such-game"}))
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::NOT_FOUND, "not_found")
    );

    // One request per 10 minutes per author.
    let (status, err) = api
        .send(
            "POST",
            &format!("/games/{good_id}/publish"),
            Some(&good),
            None,
        )
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );

    // A game the scan refuses: FAILED with the located finding.
    let (sneaky, sneaky_id) = game_with(&api, "sneaky", Some(IMPORTS_FS)).await;
    let (_, req) = api
        .post(
            &format!("/games/{sneaky_id}/publish"),
            Some(&sneaky),
            json!({}),
        )
        .await;
    let done = outcome(&api, &sneaky, req["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FAILED");
    assert!(
        done["error"].as_str().unwrap().contains("security scan"),
        "{done}"
    );
    assert!(
        done["findings"][0]
            .as_str()
            .unwrap()
            .starts_with("index.js:2:12: [banned-module]"),
        "{done}"
    );

    // A game that throws while it is built: FAILED with its own message.
    let (broken, broken_id) = game_with(&api, "broken", Some(THROWS_AT_CONSTRUCTION)).await;
    let (_, req) = api
        .post(
            &format!("/games/{broken_id}/publish"),
            Some(&broken),
            json!({}),
        )
        .await;
    let done = outcome(&api, &broken, req["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FAILED");
    let error = done["error"].as_str().unwrap();
    assert!(
        error.contains("could not start") && error.contains("the board is missing"),
        "{error}"
    );

    let (_, catalog) = api.get("/catalog", None).await;
    assert_eq!(
        catalog.as_array().unwrap().len(),
        1,
        "failed games stay out of the catalog"
    );
    consumer.abort();
}

/// At-least-once delivery, exactly-once outcome: the same job done again (a redelivery), or
/// redone after a worker died between publishing and recording it, publishes once.
#[tokio::test(flavor = "multi_thread")]
async fn a_redelivered_job_never_publishes_twice() {
    let api = start().await;
    let worker = inline_worker(&api, 2.0);
    let (token, id) = game_with(&api, "twice", None).await;
    let (status, req) = api
        .send("POST", &format!("/games/{id}/publish"), Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let rid = req["requestId"].as_str().unwrap();

    let Outcome::Published(first) = worker.process(rid).await.unwrap() else {
        panic!("not published")
    };
    assert_eq!(worker.process(rid).await.unwrap(), Outcome::AlreadyDone);
    // As if the worker had died after publishing but before marking the request done.
    api.store
        .publish_requests()
        .update_one(
            mongodb::bson::doc! {"requestId": rid},
            mongodb::bson::doc! {"$set": {"status": "PROCESSING"}},
        )
        .await
        .unwrap();
    assert_eq!(
        worker.process(rid).await.unwrap(),
        Outcome::Published(first.clone()),
        "the same published record"
    );
    assert_eq!(
        api.store
            .game_versions()
            .count_documents(mongodb::bson::doc! {"gameId": &id})
            .await
            .unwrap(),
        1
    );
    let r = api
        .store
        .publish_requests()
        .find_one(mongodb::bson::doc! {"requestId": rid})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (r.attempts, r.version_id.as_deref()),
        (2, Some(first.as_str()))
    );
    assert_eq!(
        worker.process("no-such-request").await.unwrap(),
        Outcome::Unknown
    );
}

/// A game that declares an asset an admin flagged as not safe for work is published as nsfw.
#[tokio::test(flavor = "multi_thread")]
async fn a_game_using_a_flagged_asset_is_published_as_nsfw() {
    let api = start().await;
    let worker = inline_worker(&api, 1.0);
    let (admin, _, admin_id) = api.verified_user("moderator").await;
    api.make_admin(&admin_id).await;
    let (token, _, _) = api.verified_user("edgy").await;
    let (_, asset) = api.upload(&token, "pic", png()).await;
    let asset_id = asset["assetId"].as_str().unwrap();
    assert_eq!(
        api.post(
            &format!("/admin/assets/{asset_id}/nsfw"),
            Some(&admin),
            json!({"nsfw": true})
        )
        .await
        .0,
        StatusCode::OK
    );
    let index = format!(
        "const {{ Game, Asset }} = require('squish-135');\n\
         class Pic extends Game {{\n\
             static metadata() {{ return {{ squishVersion: '135', name: 'Pic', assets: {{ pic: new Asset({{ id: '{asset_id}', type: 'image' }}) }} }}; }}\n\
             getLayers() {{ return []; }}\n\
         }}\n\
         module.exports = Pic;\n"
    );
    let (_, game) = api
        .post("/games", Some(&token), json!({"name": "Pic"}))
        .await;
    let id = game["gameId"].as_str().unwrap().to_string();
    let files = json!({"files": [{"path": "index.js", "content": index}, {"path": "LICENSE", "content": api::template::GPL3_LICENSE}]});
    assert_eq!(
        api.post(&format!("/games/{id}/versions"), Some(&token), files)
            .await
            .0,
        StatusCode::CREATED
    );
    let (_, req) = api
        .send("POST", &format!("/games/{id}/publish"), Some(&token), None)
        .await;
    let outcome = worker
        .process(req["requestId"].as_str().unwrap())
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Published(_)), "{outcome:?}");
    let record = api
        .store
        .game_versions()
        .find_one(mongodb::bson::doc! {"gameId": &id})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.nsfw, record.asset_ids.clone()),
        (true, vec![asset_id.to_string()])
    );
    assert_eq!(api.get(&format!("/games/{id}"), None).await.1["nsfw"], true);
}

/// One author's job that can never succeed must not stop publishing for everyone: a version whose
/// files cannot be laid out (a file `data` and a file `data/inner.txt`, saved before save refused
/// such sets) is FAILED with the reason, and the good job queued behind it is published. Before,
/// the worker requeued the poison job at the head of the queue every 2 s, forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_poison_job_never_holds_up_the_ones_behind_it() {
    let api = start().await;
    let worker = inline_worker(&api, 1.0);

    // The poison: a saved version, then its stored file list rewritten into a clash.
    let (bad, bad_id) = game_with(&api, "poisoner", None).await;
    let paths = mongodb::bson::doc! {"gameId": &bad_id};
    let mut version = api
        .store
        .versions()
        .find_one(paths.clone())
        .await
        .unwrap()
        .unwrap();
    let mut clash = version.files[0].clone();
    clash.path = "data".into();
    let mut inner = version.files[0].clone();
    inner.path = "data/inner.txt".into();
    version.files.extend([clash, inner]);
    api.store
        .versions()
        .replace_one(paths, &version)
        .await
        .unwrap();
    let (status, poison) = api
        .send(
            "POST",
            &format!("/games/{bad_id}/publish"),
            Some(&bad),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{poison}");

    // Good jobs behind it.
    let mut good = Vec::new();
    for name in ["patient", "punctual"] {
        let (token, id) = game_with(&api, name, None).await;
        let (status, req) = api
            .send("POST", &format!("/games/{id}/publish"), Some(&token), None)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{req}");
        good.push((token, req["requestId"].as_str().unwrap().to_string()));
    }

    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { worker.consume(&amqp, &queue).await });
    let done = outcome(&api, &bad, poison["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    // The worker checks the files again as a save would, and names the clash.
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .contains("data is a file, so data/inner.txt cannot be inside it"),
        "{done}"
    );
    for (token, rid) in &good {
        let done = outcome(&api, token, rid).await;
        assert_eq!(done["status"], "PUBLISHED", "{done}");
    }
    consumer.abort();
}

/// A job whose failure is transient is retried after a growing pause, a bounded number of times.
#[test]
fn transient_failures_back_off_and_give_up() {
    use api::worker::{backoff, MAX_ATTEMPTS};
    let waits: Vec<Duration> = (1..MAX_ATTEMPTS).map(backoff).collect();
    assert_eq!(waits[0], Duration::from_millis(500));
    assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*waits.last().unwrap(), Duration::from_secs(30));
    let total: Duration = waits.iter().sum();
    assert!(
        total > Duration::from_secs(60),
        "a database restart must not exhaust the tries: {total:?}"
    );
    assert_eq!(api::worker::dead_letter_queue("publish"), "publish.dead");
}

/// What the worker gave up on waits in the dead-letter queue for an admin: listed (a look takes
/// nothing), replayed once the trouble is mended, and then published like any job.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sees_and_replays_the_dead_letter_queue() {
    use lapin::options::{BasicAckOptions, BasicGetOptions};
    let api = start().await;
    let (admin, _, admin_id) = api.verified_user("operator").await;
    api.make_admin(&admin_id).await;
    let (token, id) = game_with(&api, "unlucky", None).await;
    let (status, req) = api
        .send("POST", &format!("/games/{id}/publish"), Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{req}");
    let rid = req["requestId"].as_str().unwrap().to_string();

    // As the worker leaves a job it gave up on: its message moved to `<queue>.dead`, the request
    // FAILED with the reason.
    let (_conn, channel) = api::queue::open(&amqp_url(), &api.queue).await.unwrap();
    let message = channel
        .basic_get(&api.queue, BasicGetOptions { no_ack: false })
        .await
        .unwrap()
        .expect("the queued job");
    let dead = api::worker::dead_letter_queue(&api.queue);
    channel
        .queue_declare(
            &dead,
            lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    let job = json!({"requestId": rid, "attempt": api::worker::MAX_ATTEMPTS}).to_string();
    channel
        .basic_publish(
            "",
            &dead,
            Default::default(),
            job.as_bytes(),
            Default::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    channel
        .basic_ack(message.delivery.delivery_tag, BasicAckOptions::default())
        .await
        .unwrap();
    api.store
        .publish_requests()
        .update_one(
            mongodb::bson::doc! {"requestId": &rid},
            mongodb::bson::doc! {"$set": {"status": "FAILED", "error": "gave up after 10 attempts: the database is unavailable"}},
        )
        .await
        .unwrap();

    assert_eq!(
        api.get("/admin/dead-letters", Some(&token)).await.0,
        StatusCode::FORBIDDEN
    );
    for _ in 0..2 {
        let (status, list) = api.get("/admin/dead-letters", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let list = list.as_array().unwrap().clone();
        assert_eq!(
            list.len(),
            1,
            "a look leaves the letter where it is: {list:?}"
        );
        assert_eq!(
            (list[0]["requestId"].as_str(), list[0]["attempt"].as_u64()),
            (Some(rid.as_str()), Some(api::worker::MAX_ATTEMPTS))
        );
        assert_eq!(list[0]["request"]["status"], "FAILED");
    }

    let (status, replay) = api
        .send("POST", "/admin/dead-letters/replay", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay, json!({"replayed": [rid], "dropped": 0}));
    assert_eq!(
        api.get("/admin/dead-letters", Some(&admin)).await.1,
        json!([])
    );
    assert_eq!(
        api.get(&format!("/publish-requests/{rid}"), Some(&token))
            .await
            .1["status"],
        "PENDING"
    );

    let worker = inline_worker(&api, 1.0);
    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { worker.consume(&amqp, &queue).await });
    let done = outcome(&api, &token, &rid).await;
    assert_eq!(done["status"], "PUBLISHED", "{done}");
    consumer.abort();
}
