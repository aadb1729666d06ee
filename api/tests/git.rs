//! Game source in git, with the real `git` command line against a running API: an author makes
//! a token, clones their game, edits, commits and pushes, and the pushed commit is published;
//! what must be refused (a stranger's push, a force-push, a link, a 60 MB file, a malformed pack)
//! is refused with a clear message and changes nothing; a push racing a Studio save loses
//! nothing; the published source can be cloned by anyone when its author makes it public;
//! deleting the author removes the repository; versions saved before git become commits.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// `git ARGS` in `dir`, with no configuration of this machine's or its user's.
fn git(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Test Author",
            "-c",
            "user.email=author@example.com",
        ])
        .args(["-c", "init.defaultBranch=main", "-c", "protocol.version=2"])
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .output()
        .expect("the git command line is installed (scripts/build-deps installs it)")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "git failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn refused(out: &Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "git should have failed; it said:\n{stderr}"
    );
    assert!(stderr.contains(why), "expected {why:?} in:\n{stderr}");
}

struct Author {
    token: String,
    user_id: String,
    game_id: String,
    /// The clone URL the API gave.
    clone_url: String,
    /// The author's write token.
    secret: String,
    /// The clone URL with the write token in it.
    url: String,
}

impl Author {
    async fn new(api: &TestApi, name: &str) -> Author {
        let (token, _, user_id) = api.verified_user(name).await;
        let (status, game) = api
            .post(
                "/games",
                Some(&token),
                json!({"name": format!("{name}'s game")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{game}");
        let game_id = game["gameId"].as_str().unwrap().to_string();
        let clone_url = game["cloneUrl"].as_str().unwrap().to_string();
        assert_eq!(
            clone_url,
            format!("{}/git/{name}/{game_id}.git", api.base),
            "the owner is named by display name; the internal id stays inside"
        );
        let secret = access_token(api, &token, "write").await;
        Author {
            url: with_credentials(&clone_url, &secret),
            clone_url,
            secret,
            token,
            user_id,
            game_id,
        }
    }

    fn repo(&self, api: &TestApi) -> PathBuf {
        api.git_root
            .join(&self.user_id)
            .join(format!("{}.git", self.game_id))
    }
}

async fn access_token(api: &TestApi, token: &str, scope: &str) -> String {
    let (status, made) = api
        .post(
            "/account/tokens",
            Some(token),
            json!({"name": "laptop", "scope": scope}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["token"].as_str().unwrap().to_string()
}

fn with_credentials(url: &str, secret: &str) -> String {
    url.replacen("http://", &format!("http://git:{secret}@"), 1)
}

/// The commit the server's `main` names.
fn server_head(repo: &Path) -> String {
    ok(&git(
        repo,
        &["--git-dir", ".", "rev-parse", "refs/heads/main"],
    ))
}

fn clone(url: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    ok(&git(tmp.path(), &["clone", "-q", url, "work"]));
    let work = tmp.path().join("work");
    (tmp, work)
}

fn commit_change(work: &Path, text: &str) -> String {
    let index = work.join("index.js");
    let mut source = std::fs::read_to_string(&index).unwrap();
    source.push_str(&format!("\n// {text}\n"));
    std::fs::write(&index, source).unwrap();
    ok(&git(work, &["commit", "-qam", text]));
    ok(&git(work, &["rev-parse", "HEAD"]))
}

/// The publish request for `commit`, once the API has made it (it does so after the push).
async fn request_for(api: &TestApi, a: &Author, commit: &str) -> Value {
    for _ in 0..200 {
        let (_, list) = api
            .get(
                &format!("/games/{}/publish-requests", a.game_id),
                Some(&a.token),
            )
            .await;
        if let Some(r) = list
            .as_array()
            .and_then(|l| l.iter().find(|r| r["commit"] == commit))
        {
            return r.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no publish request for {commit}");
}

#[tokio::test(flavor = "multi_thread")]
async fn clone_edit_commit_push_and_the_pushed_commit_is_published() {
    let api = start().await;
    let a = Author::new(&api, "gitauthor").await;
    let (_tmp, work) = clone(&a.url);
    assert!(work.join("index.js").is_file() && work.join("LICENSE").is_file());
    let log = ok(&git(&work, &["log", "--format=%an|%s"]));
    assert_eq!(log, "gitauthor|created from the starter template");

    let pushed = commit_change(&work, "a change made in my own editor");
    ok(&git(&work, &["push", "-q", "origin", "main"]));
    assert_eq!(server_head(&a.repo(&api)), pushed);

    let request = request_for(&api, &a, &pushed).await;
    assert_eq!(request["status"], "PENDING");
    let w = crate::publish::inline_worker(&api, 1.0);
    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { w.consume(&amqp, &queue).await });
    let done =
        crate::publish::outcome(&api, &a.token, request["requestId"].as_str().unwrap()).await;
    consumer.abort();
    assert_eq!(done["status"], "PUBLISHED", "{done}");
    let published = api
        .store
        .game_versions()
        .find_one(mongodb::bson::doc! {"gameId": &a.game_id})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        published.commit.as_deref(),
        Some(pushed.as_str()),
        "the published version names the pushed commit"
    );
    // The pushed commit is the game's newest version, and the Studio saves on top of it.
    let (_, versions) = api
        .get(&format!("/games/{}/versions", a.game_id), Some(&a.token))
        .await;
    assert_eq!(versions[0]["commit"], pushed.as_str());
    let (status, saved) = api
        .post(
            &format!("/games/{}/versions", a.game_id),
            Some(&a.token),
            json!({"files": [{"path": "index.js", "content": "// saved in the Studio\n"}, {"path": "LICENSE", "content": game_files::template::GPL3_LICENSE}], "message": "from the Studio", "base": pushed}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    ok(&git(&work, &["pull", "-q", "--ff-only"]));
    assert_eq!(
        ok(&git(&work, &["log", "-1", "--format=%an|%s"])),
        "gitauthor|from the Studio"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("index.js")).unwrap(),
        "// saved in the Studio\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn what_must_be_refused_is_refused_and_changes_nothing() {
    let api = start().await;
    let a = Author::new(&api, "guarded").await;
    let repo = a.repo(&api);
    let (_tmp, work) = clone(&a.url);
    let start_head = server_head(&repo);

    // A stranger, with a write token of their own.
    let (stranger, _, _) = api.verified_user("stranger").await;
    let theirs = access_token(&api, &stranger, "write").await;
    let stranger_url = with_credentials(&a.clone_url, &theirs);
    commit_change(&work, "not theirs to push");
    refused(
        &git(&work, &["push", "-q", &stranger_url, "main"]),
        "only the game's author may push",
    );
    // A read-only token of the author's own.
    let read = access_token(&api, &a.token, "read").await;
    let read_url = with_credentials(&a.clone_url, &read);
    refused(
        &git(&work, &["push", "-q", &read_url, "main"]),
        "may only read",
    );
    // No token at all.
    let out = git(&work, &["push", "-q", &a.clone_url, "main"]);
    assert!(!out.status.success());
    assert_eq!(server_head(&repo), start_head);

    // A force-push that rewrites main: first a real push, then history rewritten over it.
    ok(&git(&work, &["push", "-q", "origin", "main"]));
    let pushed = server_head(&repo);
    ok(&git(
        &work,
        &["commit", "-q", "--amend", "-m", "history rewritten"],
    ));
    refused(
        &git(&work, &["push", "-q", "-f", "origin", "main"]),
        "cannot be rewritten (a force-push)",
    );
    assert_eq!(server_head(&repo), pushed);
    ok(&git(&work, &["reset", "-q", "--hard", "origin/main"]));

    // A symbolic link.
    std::os::unix::fs::symlink("/etc/passwd", work.join("passwords")).unwrap();
    ok(&git(&work, &["add", "passwords"]));
    ok(&git(&work, &["commit", "-qm", "a link"]));
    refused(
        &git(&work, &["push", "-q", "origin", "main"]),
        "passwords is a symbolic link",
    );
    assert_eq!(server_head(&repo), pushed);
    ok(&git(&work, &["reset", "-q", "--hard", "origin/main"]));

    // A file of 60 MB (random, so it does not compress).
    let big: Vec<u8> = (0..60u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(work.join("big.bin"), big).unwrap();
    ok(&git(&work, &["add", "big.bin"]));
    ok(&git(&work, &["commit", "-qm", "a big file"]));
    let out = git(&work, &["push", "-q", "origin", "main"]);
    assert!(!out.status.success(), "a 60 MB push was accepted");
    let said = String::from_utf8_lossy(&out.stderr);
    eprintln!("a 60 MB push: {said}");
    assert!(
        said.contains("pack exceeds maximum allowed size") || said.contains("at most 5 MB"),
        "{said}"
    );
    assert_eq!(server_head(&repo), pushed);
    ok(&git(&work, &["reset", "-q", "--hard", "origin/main"]));

    // A 6 MB file (under the push cap, over a game's file limit): the hook's message.
    let six: Vec<u8> = (0..6u32 << 20)
        .map(|i| (i.wrapping_mul(2246822519) >> 11) as u8)
        .collect();
    std::fs::write(work.join("six.bin"), six).unwrap();
    ok(&git(&work, &["add", "six.bin"]));
    ok(&git(&work, &["commit", "-qm", "a file over the limit"]));
    refused(
        &git(&work, &["push", "-q", "origin", "main"]),
        "a file may be at most 5 MB",
    );
    assert_eq!(server_head(&repo), pushed);

    // A malformed pack, sent as git would send a push.
    let command = format!(
        "{pushed} {} refs/heads/main\0report-status\n",
        "1".repeat(40)
    );
    let mut body = format!("{:04x}{command}", command.len() + 4).into_bytes();
    body.extend_from_slice(b"0000PACK\0\0\0\x02\0\0\0\x05garbage that is not a pack");
    let resp = api
        .http
        .post(format!(
            "{}/git/{}/{}.git/git-receive-pack",
            api.base, a.user_id, a.game_id
        ))
        .basic_auth("git", Some(&a.secret))
        .header("content-type", "application/x-git-receive-pack-request")
        .body(body)
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains("ok refs/heads/main"),
        "a malformed pack was accepted: {text}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server_head(&repo), pushed);
    ok(&git(&repo, &["--git-dir", ".", "fsck", "--no-progress"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_racing_a_studio_save_loses_no_commit() {
    let api = start().await;
    let a = Author::new(&api, "racer").await;
    let repo = a.repo(&api);
    for round in 0..4 {
        let (_tmp, work) = clone(&a.url);
        let pushed = commit_change(&work, &format!("pushed in round {round}"));
        let base = server_head(&repo);
        let push_dir = work.clone();
        let push =
            tokio::task::spawn_blocking(move || git(&push_dir, &["push", "-q", "origin", "main"]));
        let path = format!("/games/{}/versions", a.game_id);
        let save = api.post(
            &path,
            Some(&a.token),
            json!({"files": [{"path": "index.js", "content": format!("// saved in round {round}\n")}, {"path": "LICENSE", "content": game_files::template::GPL3_LICENSE}], "base": base}),
        );
        let (saved, pushed_out) = tokio::join!(save, push);
        let pushed_out = pushed_out.unwrap();
        let (status, body) = saved;
        let head = server_head(&repo);
        let history = ok(&git(&repo, &["--git-dir", ".", "rev-list", &head]));
        let push_ok = pushed_out.status.success();
        let save_ok = status == StatusCode::CREATED;
        // One wins; the other is told to fetch (git) or reload (409), as git does. Never both lost,
        // and whatever won is in main's history.
        assert!(
            push_ok || save_ok,
            "both refused in round {round}: {body} / {}",
            String::from_utf8_lossy(&pushed_out.stderr)
        );
        if push_ok {
            assert!(
                history.contains(&pushed),
                "round {round}: the pushed commit is gone"
            );
        } else {
            assert!(
                String::from_utf8_lossy(&pushed_out.stderr).contains("fetch first")
                    || String::from_utf8_lossy(&pushed_out.stderr).contains("rejected"),
                "{}",
                String::from_utf8_lossy(&pushed_out.stderr)
            );
        }
        if save_ok {
            let commit = body["commit"].as_str().unwrap();
            assert!(
                history.contains(commit),
                "round {round}: the saved commit is gone"
            );
        } else {
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn published_source_is_clonable_by_anyone_only_when_made_public() {
    let api = start().await;
    let a = Author::new(&api, "sharer").await;
    let (_tmp, work) = clone(&a.url);
    let pushed = commit_change(&work, "the version everyone may read");
    ok(&git(&work, &["push", "-q", "origin", "main"]));
    let request = request_for(&api, &a, &pushed).await;
    let w = crate::publish::inline_worker(&api, 1.0);
    let (amqp, queue) = (amqp_url(), api.queue.clone());
    let consumer = tokio::spawn(async move { w.consume(&amqp, &queue).await });
    let done =
        crate::publish::outcome(&api, &a.token, request["requestId"].as_str().unwrap()).await;
    consumer.abort();
    assert_eq!(done["status"], "PUBLISHED", "{done}");

    let public_url = a.clone_url.clone();
    let tmp = tempfile::tempdir().unwrap();
    let out = git(tmp.path(), &["clone", "-q", &public_url, "not-yet"]);
    assert!(
        !out.status.success(),
        "cloned before the author made it public"
    );

    let (status, body) = api
        .send(
            "PATCH",
            &format!("/games/{}", a.game_id),
            Some(&a.token),
            Some(json!({"sourcePublic": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sourcePublic"], true);
    ok(&git(tmp.path(), &["clone", "-q", &public_url, "public"]));
    let public = tmp.path().join("public");
    // One commit: the published files, none of their history.
    assert_eq!(ok(&git(&public, &["rev-list", "--count", "HEAD"])), "1");
    let tree_public = ok(&git(&public, &["rev-parse", "HEAD^{tree}"]));
    let tree_pushed = ok(&git(
        &a.repo(&api),
        &["--git-dir", ".", "rev-parse", &format!("{pushed}^{{tree}}")],
    ));
    assert_eq!(tree_public, tree_pushed);
    // And a stranger still cannot push to it.
    commit_change(&public, "a stranger's change");
    assert!(!git(&public, &["push", "-q", "origin", "HEAD:main"])
        .status
        .success());

    // An admin can disable the repository: then it answers nobody, its author neither.
    let (admin, _, admin_id) = api.verified_user("gitadmin").await;
    api.make_admin(&admin_id).await;
    let (status, body) = api
        .post(
            &format!("/admin/games/{}/repository", a.game_id),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    refused(
        &git(&work, &["fetch", "-q", "origin"]),
        "disabled by an administrator",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_the_author_removes_the_repository_and_tokens_can_be_revoked() {
    let api = start().await;
    let a = Author::new(&api, "leaving").await;
    let (_tmp, _work) = clone(&a.url);
    assert!(a.repo(&api).is_dir());

    // A revoked token opens nothing.
    let (status, tokens) = api.get("/account/tokens", Some(&a.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert!(
        tokens[0].get("token").is_none(),
        "a token is shown only once"
    );
    let id = tokens[0]["tokenId"].as_str().unwrap();
    let (status, _) = api
        .send(
            "DELETE",
            &format!("/account/tokens/{id}"),
            Some(&a.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let tmp = tempfile::tempdir().unwrap();
    assert!(!git(tmp.path(), &["clone", "-q", &a.url, "revoked"])
        .status
        .success());

    let (admin, _, admin_id) = api.verified_user("remover").await;
    api.make_admin(&admin_id).await;
    let (status, body) = api
        .send(
            "DELETE",
            &format!("/admin/users/{}", a.user_id),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["repositories"], 1, "{body}");
    assert!(!a.repo(&api).exists(), "the repository is gone");
    assert!(!api.git_root.join(&a.user_id).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn versions_saved_before_git_become_commits_once() {
    let api = start().await;
    let a = Author::new(&api, "oldtimer").await;
    for n in 1..=2 {
        let (status, body) = api
            .post(
                &format!("/games/{}/versions", a.game_id),
                Some(&a.token),
                json!({"files": [{"path": "index.js", "content": format!("// save {n}\n")}], "message": format!("save {n}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // As the platform was before: no repository, versions without commits.
    std::fs::remove_dir_all(a.repo(&api)).unwrap();
    api.store
        .versions()
        .update_many(
            mongodb::bson::doc! {"gameId": &a.game_id},
            mongodb::bson::doc! {"$unset": {"commit": ""}},
        )
        .await
        .unwrap();
    let mut config = api::ApiConfig::new(&api.mongo, &api.database, TEST_JWT_SECRET);
    config.git_root = api.git_root.clone();
    config.git_hook_binary = env!("CARGO_BIN_EXE_homegames-api").into();
    let state = std::sync::Arc::new(api::app::Inner::new(config, api.store.clone()).unwrap());
    state.repos.install_hooks().unwrap();
    let first = api::git::migrate::migrate_all(&state).await.unwrap();
    assert_eq!(first.commits, 3, "{first:?}");
    let again = api::git::migrate::migrate_all(&state).await.unwrap();
    assert_eq!(again.commits, 0, "a second migration changes nothing");
    let repo = a.repo(&api);
    let log = ok(&git(
        &repo,
        &["--git-dir", ".", "log", "--format=%an|%s", "main"],
    ));
    assert_eq!(
        log.lines().map(|l| l.to_string()).collect::<Vec<_>>(),
        [
            "oldtimer|save 2",
            "oldtimer|save 1",
            "oldtimer|created from the starter template"
        ]
    );
    let (_, versions) = api
        .get(&format!("/games/{}/versions", a.game_id), Some(&a.token))
        .await;
    let head = server_head(&repo);
    assert_eq!(versions[0]["commit"], head.as_str());
    // And the repository works as any other: it clones.
    let (_tmp, work) = clone(&a.url);
    assert_eq!(
        std::fs::read_to_string(work.join("index.js")).unwrap(),
        "// save 2\n"
    );
}
