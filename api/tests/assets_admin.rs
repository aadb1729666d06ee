//! Assets (kind read from the bytes, limits, public fetch, delete) and the admin routes, including
//! deleting an account with everything it made.

use crate::common;

use common::*;
use mongodb::bson::doc;
use reqwest::StatusCode;
use serde_json::json;

fn wav() -> Vec<u8> {
    let mut b = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    b.extend_from_slice(&[0; 64]);
    b
}

fn woff() -> Vec<u8> {
    let mut b = b"wOFF\x00\x01\x00\x00".to_vec();
    b.extend_from_slice(&[0; 64]);
    b
}

#[tokio::test]
async fn assets_are_typed_by_their_bytes_limited_and_served() {
    let api = start().await;
    let (token, _, user_id) = api.verified_user("artist").await;
    let mut ids = Vec::new();
    for (name, bytes, kind, mime) in [
        ("dot.png", png(), "image", "image/png"),
        ("pop", wav(), "audio", "audio/x-wav"),
        ("font", woff(), "font", "application/font-woff"),
    ] {
        let (status, a) = api.upload(&token, name, bytes.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        assert_eq!(
            (
                a["type"].as_str(),
                a["fileType"].as_str(),
                a["nsfw"].as_bool()
            ),
            (Some(kind), Some(mime), Some(false))
        );
        assert_eq!(a["developerId"], user_id.as_str());
        // Anyone may fetch it, with its content type.
        let resp = api
            .http
            .get(format!(
                "{}/assets/{}",
                api.base,
                a["assetId"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-type"], mime);
        assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);
        ids.push(a["assetId"].as_str().unwrap().to_string());
    }
    // A name or a header does not make a text file an image.
    let (status, err) = api
        .upload(&token, "fake.png", b"just some text pretending".to_vec())
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let (status, err) = api.upload(&token, "empty", Vec::new()).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let mut big = png();
    big.resize(5 * 1024 * 1024 + 10, 0);
    let (status, err) = api.upload(&token, "big", big).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    let (status, _) = api.upload("not-a-token", "x", png()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get("/assets", Some(&token))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Only the author deletes.
    let (other, _, _) = api.verified_user("critic").await;
    let (status, _) = api
        .send("DELETE", &format!("/assets/{}", ids[0]), Some(&other), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .send("DELETE", &format!("/assets/{}", ids[0]), Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = api.get(&format!("/assets/{}", ids[0]), None).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::NOT_FOUND, "not_found")
    );

    // At most 100 per author.
    for i in 0..98 {
        assert_eq!(
            api.upload(&token, &format!("n{i}"), png()).await.0,
            StatusCode::CREATED
        );
    }
    let (status, err) = api.upload(&token, "one-too-many", png()).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(err["error"].as_str().unwrap().contains("100"));
}

#[tokio::test]
async fn admins_list_moderate_and_delete_an_account_with_everything_it_made() {
    let api = start().await;
    let (admin, _, admin_id) = api.verified_user("boss").await;
    let (user, user_refresh, user_id) = api.verified_user("leaver").await;
    let (status, err) = api.get("/admin/stats", Some(&admin)).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "not an admin until the database says so"
    );
    api.make_admin(&admin_id).await;

    // The leaver makes things: a game with two versions and an asset; the admin has a game too.
    let (_, game) = api
        .post("/games", Some(&user), json!({"name": "Leaving"}))
        .await;
    let game_id = game["gameId"].as_str().unwrap().to_string();
    let files = json!({"files": [{"path": "index.js", "content": "// mine alone\n"}, {"path": "LICENSE", "content": api::template::GPL3_LICENSE}]});
    assert_eq!(
        api.post(&format!("/games/{game_id}/versions"), Some(&user), files)
            .await
            .0,
        StatusCode::CREATED
    );
    let (_, asset) = api.upload(&user, "dot", png()).await;
    let asset_id = asset["assetId"].as_str().unwrap().to_string();
    let (_, boss_game) = api
        .post("/games", Some(&admin), json!({"name": "Staying"}))
        .await;

    let (status, stats) = api.get("/admin/stats", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            stats["users"].as_u64(),
            stats["games"].as_u64(),
            stats["versions"].as_u64(),
            stats["assets"].as_u64()
        ),
        (Some(2), Some(2), Some(3), Some(1))
    );
    assert_eq!(
        api.get("/admin/users", Some(&admin))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        api.get("/admin/games?limit=1", Some(&admin))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.get("/admin/assets", Some(&admin)).await.1[0]["assetId"],
        asset_id.as_str()
    );
    assert_eq!(
        api.get("/admin/publish-requests?status=FAILED", Some(&admin))
            .await
            .1,
        json!([])
    );
    let (status, err) = api
        .get("/admin/publish-requests?status=WHATEVER", Some(&admin))
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, err) = api.get("/admin/users?limit=lots", Some(&admin)).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );

    let (status, flagged) = api
        .post(
            &format!("/admin/assets/{asset_id}/nsfw"),
            Some(&admin),
            json!({"nsfw": true}),
        )
        .await;
    assert_eq!(
        (status, flagged["nsfw"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    let (status, deleted) = api
        .send(
            "DELETE",
            &format!("/admin/users/{user_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(
        (
            deleted["users"].as_u64(),
            deleted["games"].as_u64(),
            deleted["versions"].as_u64(),
            deleted["assets"].as_u64()
        ),
        (Some(1), Some(1), Some(2), Some(1))
    );
    assert_eq!(
        deleted["blobs"].as_u64(),
        Some(2),
        "the leaver's two index.js contents; the shared LICENSE stays"
    );
    // Gone everywhere, and their tokens with them.
    assert_eq!(
        api.get("/me", Some(&user)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.post("/auth/refresh", None, json!({"refreshToken": user_refresh}))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.get(&format!("/assets/{asset_id}"), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.store
            .versions()
            .count_documents(doc! {"gameId": &game_id})
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        api.store
            .db
            .collection::<mongodb::bson::Document>("documents")
            .count_documents(doc! {})
            .await
            .unwrap(),
        0
    );
    // The admin's own game still reads its LICENSE (a blob both games shared).
    let hash = boss_game["latestVersion"]["contentHash"].as_str().unwrap();
    let resp = api
        .http
        .get(format!(
            "{}/games/{}/versions/{hash}/files/LICENSE",
            api.base,
            boss_game["gameId"].as_str().unwrap()
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, _) = api
        .send(
            "DELETE",
            &format!("/admin/users/{user_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a second delete finds nothing"
    );
    let (status, _) = api
        .send(
            "DELETE",
            &format!("/admin/users/{admin_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// `homegames-api admin grant NAME` makes an account an admin (no Mongo shell needed), `revoke`
/// undoes it, and an unknown name is an error that says so.
#[tokio::test(flavor = "multi_thread")]
async fn admins_are_made_from_the_command_line() {
    let api = start().await;
    let (token, _, _) = api.verified_user("chief").await;
    let admin = |verb: &str, name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_homegames-api"))
            .args([
                "admin",
                verb,
                name,
                "--mongo-url",
                &api.mongo,
                "--database",
                &api.database,
            ])
            .output()
            .unwrap()
    };
    assert_eq!(
        api.get("/admin/users", Some(&token)).await.0,
        StatusCode::FORBIDDEN
    );
    let out = admin("grant", "Chief");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        api.get("/admin/users", Some(&token)).await.0,
        StatusCode::OK
    );
    let out = admin("revoke", "chief");
    assert!(out.status.success());
    assert_eq!(
        api.get("/admin/users", Some(&token)).await.0,
        StatusCode::FORBIDDEN
    );
    let out = admin("grant", "nobody-here");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account is named"));
}
