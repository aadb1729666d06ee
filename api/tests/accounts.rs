//! Accounts against a real MongoDB-compatible server: signup, verification by mailed code, login,
//! refresh, password reset, and what bad requests get.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn signup_verify_login_and_refresh() {
    let api = start().await;
    let (status, s) = api.post("/auth/signup", None, json!({"displayName": "Ada_1", "email": "Ada@Example.com", "password": "correct horse"})).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["verified"], false);
    assert_eq!(
        s["userId"].as_str().unwrap().len(),
        32,
        "a random internal id"
    );
    let token = s["accessToken"].as_str().unwrap().to_string();
    let refresh = s["refreshToken"].as_str().unwrap().to_string();

    let (status, me) = api.get("/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (me["displayName"].as_str(), me["verified"].as_bool()),
        (Some("Ada_1"), Some(false))
    );

    // Unverified accounts may browse but not create.
    let (status, body) = api
        .post("/games", Some(&token), json!({"name": "Nope"}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );

    let code = api.mailed_code("Ada@Example.com");
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = api
        .post("/auth/verify", Some(&token), json!({"code": wrong}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, _) = api
        .post("/auth/verify", Some(&token), json!({"code": code}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api.get("/me", Some(&token)).await.1["verified"], true);
    // The code is stored only as a hash, and is gone once used.
    let stored = api
        .store
        .users()
        .find_one(mongodb::bson::doc! {"displayNameLower": "ada_1"})
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.verification_code_hash.is_none() && stored.password_hash.starts_with("$argon2id$")
    );

    for login in ["ada_1", "ADA@example.COM"] {
        let (status, s) = api
            .post(
                "/auth/login",
                None,
                json!({"login": login, "password": "correct horse"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login as {login}: {s}");
        assert_eq!(s["verified"], true);
    }
    let (status, body) = api
        .post(
            "/auth/login",
            None,
            json!({"login": "ada_1", "password": "wrong horse"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, body) = api
        .post(
            "/auth/login",
            None,
            json!({"login": "nobody", "password": "wrong horse"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    let (status, s) = api
        .post("/auth/refresh", None, json!({"refreshToken": refresh}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        api.get("/me", Some(s["accessToken"].as_str().unwrap()))
            .await
            .0,
        StatusCode::OK
    );
    // Tokens are not interchangeable.
    let (status, _) = api
        .post("/auth/refresh", None, json!({"refreshToken": token}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get("/me", Some(&refresh)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn display_names_and_emails_are_unique_case_insensitively() {
    let api = start().await;
    let (status, _) = api
        .post(
            "/auth/signup",
            None,
            json!({"displayName": "Grace", "email": "grace@example.com", "password": "password1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = api
        .post(
            "/auth/signup",
            None,
            json!({"displayName": "GRACE", "email": "other@example.com", "password": "password1"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflict")
    );
    assert!(body["error"].as_str().unwrap().contains("display name"));
    let (status, body) = api
        .post(
            "/auth/signup",
            None,
            json!({"displayName": "Hopper", "email": "Grace@EXAMPLE.com", "password": "password1"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflict")
    );
    assert!(body["error"].as_str().unwrap().contains("email"));
    assert_eq!(
        api.store
            .users()
            .count_documents(mongodb::bson::doc! {})
            .await
            .unwrap(),
        1,
        "nothing else was written"
    );
}

#[tokio::test]
async fn password_reset_by_mailed_code_revokes_old_tokens() {
    let api = start().await;
    let (_, refresh, _) = api.verified_user("linus").await;
    // The same answer whether or not the account exists.
    let (s1, known) = api
        .post("/auth/forgot", None, json!({"email": "LINUS@example.com"}))
        .await;
    let (s2, unknown) = api
        .post("/auth/forgot", None, json!({"email": "nobody@example.com"}))
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(known, unknown);
    let code = api.mailed_code("linus@example.com");
    assert_eq!(code.len(), 8);

    let (status, body) = api.post("/auth/reset", None, json!({"email": "linus@example.com", "code": "WRONGCDE", "newPassword": "a new password"})).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, body) = api.post("/auth/reset", None, json!({"email": "linus@example.com", "code": code.to_lowercase(), "newPassword": "a new password"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Used once only.
    let (status, _) = api
        .post(
            "/auth/reset",
            None,
            json!({"email": "linus@example.com", "code": code, "newPassword": "another one!"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    assert_eq!(
        api.post(
            "/auth/login",
            None,
            json!({"login": "linus", "password": "correct horse"})
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.post(
            "/auth/login",
            None,
            json!({"login": "linus", "password": "a new password"})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = api
        .post("/auth/refresh", None, json!({"refreshToken": refresh}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    // Rate-limited per address: 3 an hour (one was used above).
    for _ in 0..2 {
        assert_eq!(
            api.post("/auth/forgot", None, json!({"email": "linus@example.com"}))
                .await
                .0,
            StatusCode::OK
        );
    }
    let (status, body) = api
        .post("/auth/forgot", None, json!({"email": "linus@example.com"}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors_and_change_nothing() {
    let api = start().await;
    let url = format!("{}/auth/signup", api.base);
    let raw = |body: &'static str, ctype: Option<&'static str>| {
        let mut r = api.http.post(&url).body(body);
        if let Some(c) = ctype {
            r = r.header("content-type", c);
        }
        r.send()
    };
    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (raw("{not json", Some("application/json")).await.unwrap(), StatusCode::BAD_REQUEST, "bad_request"),
        (raw(r#"{"displayName": 5, "email": "a@b.co", "password": "12345678"}"#, Some("application/json")).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        (raw(r#"{"displayName": "abc", "email": "a@b.co", "password": "12345678", "isAdmin": true}"#, Some("application/json")).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        (raw(r#"{"displayName": "abc", "email": "a@b.co", "password": "12345678"}"#, None).await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    ];
    for (resp, status, code) in cases {
        assert_eq!(resp.status(), status);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(error_code(&body), code);
    }
    let huge = format!(
        r#"{{"displayName": "abc", "email": "a@b.co", "password": "{}"}}"#,
        "x".repeat(200_000)
    );
    let resp = api
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&resp.json().await.unwrap()), "payload_too_large");

    for (body, what) in [
        (
            json!({"displayName": "x", "email": "a@b.co", "password": "12345678"}),
            "displayName",
        ),
        (
            json!({"displayName": "has space", "email": "a@b.co", "password": "12345678"}),
            "displayName",
        ),
        (
            json!({"displayName": "abc", "email": "not-an-email", "password": "12345678"}),
            "email",
        ),
        (
            json!({"displayName": "abc", "email": "a@b.co", "password": "short"}),
            "password",
        ),
    ] {
        let (status, err) = api.post("/auth/signup", None, body).await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
        );
        assert!(err["error"].as_str().unwrap().contains(what), "{err}");
    }
    for token in ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x"] {
        let (status, err) = api.get("/me", Some(token)).await;
        assert_eq!(
            (status, error_code(&err)),
            (StatusCode::UNAUTHORIZED, "unauthorized")
        );
    }
    let (status, err) = api.get("/me", None).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, err) = api.get("/no/such/route", None).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, err) = api.send("DELETE", "/auth/signup", None, None).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    assert_eq!(
        api.store
            .users()
            .count_documents(mongodb::bson::doc! {})
            .await
            .unwrap(),
        0,
        "no request wrote anything"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_a_503_not_a_500() {
    // Nothing listens on port 1: every database call fails fast.
    let api = start_with(
        "mongodb://127.0.0.1:1/?directConnection=true&serverSelectionTimeoutMS=300",
        false,
    )
    .await;
    let (status, err) = api
        .post(
            "/auth/signup",
            None,
            json!({"displayName": "abc", "email": "a@b.co", "password": "12345678"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    );
    let (status, err) = api.get("/catalog", None).await;
    assert_eq!(
        (status, error_code(&err)),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let api = start().await;
    let (status, doc) = api.get("/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/auth/signup",
        "/auth/login",
        "/auth/refresh",
        "/auth/verify",
        "/auth/forgot",
        "/auth/reset",
        "/me",
        "/games",
        "/games/{game_id}/versions",
        "/catalog",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let (status, page) = api.get("/docs", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("/openapi.json"));
}

/// Wrong passwords slow down whoever types them, from where they type them: a guesser at
/// 127.0.0.2 gets 429 with `Retry-After`, while the owner at 127.0.0.3 signs in (before, ten
/// wrong passwords locked the right one out for everyone).
#[tokio::test]
async fn a_guesser_cannot_lock_the_owner_out() {
    let api = start().await;
    api.verified_user("owner").await;
    let from = |ip: &str| {
        reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap()
    };
    let login = |client: reqwest::Client, password: &'static str| {
        let url = format!("{}/auth/login", api.base);
        async move {
            let r = client
                .post(url)
                .json(&json!({"login": "owner", "password": password}))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            (r.status(), retry)
        }
    };
    let guesser = from("127.0.0.2");
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login(guesser.clone(), "guess").await);
    }
    assert!(
        statuses[..5]
            .iter()
            .all(|(s, _)| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let (status, retry) = *statuses.last().unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert!(retry.is_some_and(|s| s >= 1), "Retry-After: {retry:?}");
    // Even the right password waits, from the guesser's address …
    assert_eq!(
        login(guesser.clone(), "correct horse").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // … but not from the owner's.
    assert_eq!(
        login(from("127.0.0.3"), "correct horse").await.0,
        StatusCode::OK
    );
}

/// Every error is our JSON, also a path segment that is not UTF-8; an internal error tells the
/// client only a request id (which every answer carries in `x-request-id`).
#[tokio::test]
async fn errors_are_json_and_say_nothing_of_the_inside() {
    let api = start().await;
    let resp = api
        .http
        .get(format!("{}/assets/%FF", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("x-request-id").is_some());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body), "bad_request", "{body}");

    let internal =
        api::error::ApiError::Internal("database error: secret driver detail at /srv/x".into());
    let response = axum::response::IntoResponse::into_response(internal);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(!text.contains("secret") && !text.contains("/srv"), "{text}");
    assert!(text.contains("something went wrong on our side"), "{text}");
}

/// Refresh tokens rotate: each works once and gives the next; a used one that comes back (a
/// stolen copy) signs out its whole family, the thief's fresh token included, while a sign-in
/// elsewhere (another family) goes on working.
#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let api = start().await;
    let (_, first, _) = api.verified_user("rotor").await;
    let (_, other) = {
        let (status, s) = api
            .post(
                "/auth/login",
                None,
                json!({"login": "rotor", "password": "correct horse"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{s}");
        ((), s["refreshToken"].as_str().unwrap().to_string())
    };
    let refresh = |token: String| {
        let api = &api;
        async move {
            api.post("/auth/refresh", None, json!({ "refreshToken": token }))
                .await
        }
    };
    let (status, s) = refresh(first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let second = s["refreshToken"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    // The first one again: reuse. It fails, and so does the token it was exchanged for.
    let (status, err) = refresh(first).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    assert!(
        err["error"].as_str().unwrap().contains("already used"),
        "{err}"
    );
    let (status, _) = refresh(second).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The other sign-in is another family.
    let (status, s) = refresh(other).await;
    assert_eq!(status, StatusCode::OK, "{s}");
}
