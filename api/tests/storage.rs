//! Typed storage (finding 7 of the hostile week): every collection is opened in one place,
//! `store.rs`, with its document type, and has the indexes its lookups need. Before, `assets` and
//! `documents` were raw documents opened by name in 14 places with no index at all (the public
//! asset route scanned a collection).

use crate::common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn every_lookup_by_id_has_its_index() {
    let api = start().await;
    for (collection, index) in [
        ("users", "userId_1"),
        ("games", "gameId_1"),
        ("versions", "gameId_1_contentHash_1"),
        ("publishRequests", "requestId_1"),
        ("gameVersions", "versionId_1"),
        ("refreshTokens", "jti_1"),
        ("assets", "assetId_1"),
        ("assets", "developerId_1_created_-1"),
        ("documents", "assetId_1"),
    ] {
        let names = api
            .store
            .db
            .collection::<mongodb::bson::Document>(collection)
            .list_index_names()
            .await
            .unwrap();
        assert!(
            names.iter().any(|n| n == index),
            "{collection} has no {index}: {names:?}"
        );
    }
}

/// No route, worker or admin command opens a collection by name: only `store.rs` does.
#[test]
fn collections_are_opened_only_in_the_store() {
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut offenders = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("store.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(".collection(") || text.contains(".collection::<") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "collections opened outside store.rs: {offenders:?}"
    );
}
