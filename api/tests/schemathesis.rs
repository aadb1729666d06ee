//! Schemathesis (PyPI) against our OpenAPI document: it generates requests from the document —
//! valid ones, and malformed JSON, wrong types, missing fields, bad tokens — and checks every
//! answer: never a 5xx, every status and body as documented, bad data refused, protected routes
//! refusing requests without a token.
//!
//! `positive_data_acceptance` is left out: some rules cannot be written in the schema (a version
//! must contain index.js; a file gives exactly one of `content` or `base64`; a reset code must be
//! the mailed one), so schema-valid requests are rightly refused with 4xx. `SCHEMATHESIS_SECONDS`
//! sets the time budget (default 60), `SCHEMATHESIS_SEED` the seed (default 20261129).

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_failures() {
    let st = python_command(
        "st",
        "python3 -m pip install schemathesis (scripts/services installs it)",
    );
    // AI edit on (its requests go to a queue of this test's own, which nothing consumes), so
    // its route is fuzzed past the "AI edit is off" answer.
    let api = start_configured(&mongo_url(), true, |c| {
        c.llm_available = true;
        c.llm_queue = format!("llm_fuzz_{}", api::store::new_id());
    })
    .await;
    // Signed in as a verified author (not an admin), with a game, so protected routes are reached.
    let (token, _, _) = api.verified_user("fuzzer").await;
    let (_, _game) = api
        .post("/games", Some(&token), json!({"name": "Target"}))
        .await;
    let seconds = std::env::var("SCHEMATHESIS_SECONDS").unwrap_or_else(|_| "60".into());
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261129".into());
    let (base, token) = (api.base.clone(), token.clone());
    // Run from an empty folder: schemathesis and Hypothesis keep example and crash caches in the
    // working directory, which would make one run depend on the runs before it.
    let scratch = tempfile::tempdir().unwrap();
    let cwd = scratch.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .current_dir(cwd)
            .args([
                "run",
                &format!("{base}/openapi.json"),
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance",
            ])
            .args([
                "--max-time",
                &seconds,
                // One worker: with two, Hypothesis describes strategies from two threads at once,
                // and CPython 3.11's AST constructor is not thread-safe (gh-106905): the run
                // stopped on "AST constructor recursion depth mismatch", a tool error, not ours.
                "--workers",
                "1",
                "--seed",
                &seed,
                "--no-color",
            ])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: String = text
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect::<Vec<_>>()
        .join("\n");
    println!("schemathesis summary:\n{summary}");
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
