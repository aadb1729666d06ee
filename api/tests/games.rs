//! Games and versions against a real MongoDB-compatible server.

use crate::common;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn file(
    api: &TestApi,
    token: &str,
    game: &str,
    hash: &str,
    path: &str,
) -> (StatusCode, Vec<u8>) {
    let resp = api
        .http
        .get(format!(
            "{}/games/{game}/versions/{hash}/files/{path}",
            api.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn create_save_list_read_and_restore_versions() {
    let api = start().await;
    let (token, _, user_id) = api.verified_user("maker").await;
    let (status, game) = api
        .post(
            "/games",
            Some(&token),
            json!({"name": "Dot \"Game\"", "description": "tap things"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{game}");
    let id = game["gameId"].as_str().unwrap().to_string();
    assert_eq!(
        game["developer"], "maker",
        "authors are shown by display name, never by id"
    );
    assert!(!game.to_string().contains(&user_id));
    let v1 = game["latestVersion"].clone();
    assert_eq!(v1["number"], 1);
    let h1 = v1["contentHash"].as_str().unwrap().to_string();

    // The starter: a game that runs as it is (it passes the scan) and the GPLv3.
    let (status, index) = file(&api, &token, &id, &h1, "index.js").await;
    assert_eq!(status, StatusCode::OK);
    let index = String::from_utf8(index).unwrap();
    assert!(index.contains(r#"name: "Dot \"Game\"""#), "{index}");
    assert!(ast_scan::scan_source("index.js", &index).is_empty());
    assert_eq!(ast_scan::squish_version(&index).unwrap(), "142");
    let (_, license) = file(&api, &token, &id, &h1, "LICENSE").await;
    assert!(api::template::is_gpl3(&String::from_utf8(license).unwrap()));

    // A new version: text and binary files, in folders.
    let dot_png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 255];
    let save = json!({"message": "second", "files": [
        {"path": "index.js", "content": "module.exports = class {};\n"},
        {"path": "LICENSE", "content": api::template::GPL3_LICENSE},
        {"path": "assets/dot.png", "base64": base64::engine::general_purpose::STANDARD.encode(dot_png)},
    ]});
    let (status, v2) = api
        .post(&format!("/games/{id}/versions"), Some(&token), save.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!(
        (v2["number"].as_i64(), v2["fileCount"].as_i64()),
        (Some(2), Some(3))
    );
    let h2 = v2["contentHash"].as_str().unwrap().to_string();
    assert_ne!(h1, h2);
    assert_eq!(
        file(&api, &token, &id, &h2, "assets/dot.png").await,
        (StatusCode::OK, dot_png.to_vec())
    );

    // The same files again: nothing new, the same hash.
    let (status, same) = api
        .post(&format!("/games/{id}/versions"), Some(&token), save)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            same["number"].as_i64(),
            same["unchanged"].as_bool(),
            same["contentHash"].as_str()
        ),
        (Some(2), Some(true), Some(h2.as_str()))
    );

    // Restore version 1 as version 3: history is kept.
    let (status, v3) = api
        .post(
            &format!("/games/{id}/versions/{h1}/restore"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v3}");
    assert_eq!(
        (
            v3["number"].as_i64(),
            v3["restoredFrom"].as_i64(),
            v3["contentHash"].as_str()
        ),
        (Some(3), Some(1), Some(h1.as_str()))
    );
    let (status, list) = api
        .get(&format!("/games/{id}/versions"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let numbers: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let (status, detail) = api
        .get(&format!("/games/{id}/versions/{h2}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let paths: Vec<&str> = detail["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["LICENSE", "assets/dot.png", "index.js"]);

    // Description and thumbnail (one of the author's own images).
    let (status, err) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&token),
            Some(json!({"thumbnail": "0123456789abcdef0123456789abcdef"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        "not an asset of theirs"
    );
    let (_, asset) = api.upload(&token, "thumb", png()).await;
    let thumb = asset["assetId"].as_str().unwrap();
    let (status, g) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&token),
            Some(json!({"description": "new words", "thumbnail": thumb})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(
        (g["description"].as_str(), g["thumbnail"].as_str()),
        (Some("new words"), Some(thumb))
    );
    let (_, g) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&token),
            Some(json!({"thumbnail": null})),
        )
        .await;
    assert!(g["thumbnail"].is_null());
    assert_eq!(g["description"], "new words");
    let (status, mine) = api.get("/games", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn others_see_nothing_of_an_unpublished_game_and_change_nothing() {
    let api = start().await;
    let (owner, _, _) = api.verified_user("owner").await;
    let (other, _, _) = api.verified_user("other").await;
    let (_, game) = api
        .post("/games", Some(&owner), json!({"name": "Secret"}))
        .await;
    let id = game["gameId"].as_str().unwrap().to_string();
    let hash = game["latestVersion"]["contentHash"]
        .as_str()
        .unwrap()
        .to_string();

    for token in [Some(other.as_str()), None] {
        let (status, err) = api.get(&format!("/games/{id}"), token).await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::NOT_FOUND, "not_found")
        );
    }
    for (method, path) in [
        ("GET", format!("/games/{id}/versions")),
        ("GET", format!("/games/{id}/versions/{hash}")),
        ("GET", format!("/games/{id}/versions/{hash}/files/index.js")),
        ("POST", format!("/games/{id}/versions/{hash}/restore")),
    ] {
        let (status, err) = api
            .send(
                method,
                &path,
                Some(&other),
                if method == "POST" {
                    Some(json!({}))
                } else {
                    None
                },
            )
            .await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::NOT_FOUND, "not_found"),
            "{method} {path}"
        );
    }
    let (status, _) = api
        .post(
            &format!("/games/{id}/versions"),
            Some(&other),
            json!({"files": [{"path": "index.js", "content": "x"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&other),
            Some(json!({"description": "mine now"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, catalog) = api.get("/catalog", None).await;
    assert_eq!(
        catalog,
        json!([]),
        "unpublished games are not in the catalog"
    );
    let (_, g) = api.get(&format!("/games/{id}"), Some(&owner)).await;
    assert_eq!(
        (
            g["description"].as_str(),
            g["latestVersion"]["number"].as_i64()
        ),
        (Some(""), Some(1)),
        "nothing changed"
    );
}

#[tokio::test]
async fn bad_versions_are_refused_with_the_reason() {
    let api = start().await;
    let (token, _, _) = api.verified_user("careful").await;
    let (_, game) = api
        .post("/games", Some(&token), json!({"name": "Checks"}))
        .await;
    let id = game["gameId"].as_str().unwrap().to_string();
    let path = format!("/games/{id}/versions");
    let cases = [
        (
            json!({"files": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "index.js",
        ),
        (
            json!({"files": [{"path": "main.js", "content": "x"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "index.js",
        ),
        (
            json!({"files": [{"path": "index.js", "content": "x"}, {"path": "../escape.js", "content": "x"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "..",
        ),
        (
            json!({"files": [{"path": "index.js", "content": "x"}, {"path": "/abs.js", "content": "x"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "relative",
        ),
        (
            json!({"files": [{"path": "index.js", "content": "x"}, {"path": "index.js", "content": "y"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "twice",
        ),
        (
            json!({"files": [{"path": "index.js", "base64": "***"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "base64",
        ),
        (
            json!({"files": [{"path": "index.js", "content": "x", "base64": "eA=="}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "exactly one",
        ),
        (
            json!({"files": [{"path": "index.js", "content": "x"}, {"path": "big.bin", "content": "x".repeat(5 * 1024 * 1024 + 1)}]}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "5 MB",
        ),
        (
            json!({"files": "index.js"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "files",
        ),
        // A file that is also a folder cannot be laid out (it once stopped the publish worker).
        (
            json!({"files": [{"path": "index.js", "content": "x"}, {"path": "data", "content": "x"}, {"path": "data/inner.txt", "content": "y"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "data is a file, so data/inner.txt cannot be inside it",
        ),
    ];
    for (body, status, says) in cases {
        let (got, err) = api.post(&path, Some(&token), body).await;
        assert_eq!(got, status, "{err}");
        error_code(&err);
        assert!(
            err["error"].as_str().unwrap().contains(says),
            "{says}: {err}"
        );
    }
    let (status, err) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&token),
            Some(json!({"thumbnail": "not-an-id"})),
        )
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (status, err) = api.post("/games", Some(&token), json!({"name": ""})).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (_, list) = api.get(&path, Some(&token)).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "no bad request wrote a version"
    );
}

/// Names and descriptions take every script and emoji, but no control characters, unassigned
/// code points or bidirectional overrides (a NUL or an ESC sequence in a name was once accepted).
#[tokio::test]
async fn human_readable_fields_refuse_control_characters() {
    let api = start().await;
    let (token, _, _) = api.verified_user("typist").await;
    for name in [
        "Null\u{0}Byte",
        "\u{1b}[31mRed",
        "gpj\u{202E}exe",
        "Tab\there",
        "\u{0378}",
    ] {
        let (status, err) = api
            .post("/games", Some(&token), json!({ "name": name }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {err}");
        assert!(
            err["error"].as_str().unwrap().starts_with("name holds "),
            "{err}"
        );
    }
    let (status, game) = api
        .post(
            "/games",
            Some(&token),
            json!({"name": "🎲 Würfel 漢字 لعبة", "description": "two\nlines"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{game}");
    assert_eq!(game["name"], "🎲 Würfel 漢字 لعبة");
    let id = game["gameId"].as_str().unwrap();
    let (status, err) = api
        .send(
            "PATCH",
            &format!("/games/{id}"),
            Some(&token),
            Some(json!({"description": "bell\u{7}"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, err) = api
        .upload(&token, "pic%1B%5B0m", b"\x89PNG\r\n\x1a\n".to_vec())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
}

/// Six identical saves sent at once make one version (one 201, five 200 naming it), not six.
#[tokio::test(flavor = "multi_thread")]
async fn identical_saves_sent_at_once_make_one_version() {
    let api = start().await;
    let (token, _, _) = api.verified_user("eager").await;
    let (_, game) = api
        .post("/games", Some(&token), json!({"name": "Racy"}))
        .await;
    let id = game["gameId"].as_str().unwrap().to_string();
    let body = json!({"files": [{"path": "index.js", "content": "// the same bytes, six times"}]});
    let saves = (0..6).map(|_| {
        let (api, token, id, body) = (&api, token.clone(), id.clone(), body.clone());
        async move {
            api.post(&format!("/games/{id}/versions"), Some(&token), body)
                .await
        }
    });
    let answers = futures_util::future::join_all(saves).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let same = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!((created, same), (1, 5), "{answers:?}");
    let numbers: std::collections::BTreeSet<i64> = answers
        .iter()
        .map(|(_, v)| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers.len(), 1, "{answers:?}");
    let (_, versions) = api
        .get(&format!("/games/{id}/versions"), Some(&token))
        .await;
    assert_eq!(
        versions.as_array().unwrap().len(),
        2,
        "the starter and one save: {versions}"
    );
}
