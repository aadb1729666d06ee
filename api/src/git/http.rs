//! Smart HTTP at `/git/<owner>/<game>.git/...` (`<owner>`: the author's display name): Debian's `git http-backend` (a CGI program) run
//! for each request, the request body streamed to it and its answer streamed back; we decide who
//! may do what before it runs.
//!
//! - Credentials: HTTP basic, any user name, a personal access token as the password
//!   (`POST /account/tokens`). `read` tokens clone and fetch, `write` tokens push too. Git sends
//!   them only after a 401 that asks (`WWW-Authenticate: Basic`).
//! - The owner (or an admin) reaches the game's repository. Anyone else, signed in or not, may
//!   clone only a published game whose author made its source public, and then gets the public
//!   copy (the published files as one commit). Only the owner pushes.
//! - An admin can disable a repository: then it answers nobody.
//! - After a push that moved `main`, the pushed commit becomes a version and a publish request
//!   (`push.rs`).

use std::process::Stdio;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, DateTime};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio_util::io::{ReaderStream, StreamReader};

use crate::app::AppState;
use crate::error::ApiError;
use crate::store::{Game, User};
use crate::versions::sha256_hex;

/// What a request asks of the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Read,
    Push,
}

/// Who is asking, from the request's basic credentials.
enum Caller {
    Anonymous,
    Token { user: Box<User>, write: bool },
}

fn challenge(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"homegames git\""),
        )],
        format!("{message}\n"),
    )
        .into_response()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, format!("{message}\n")).into_response()
}

/// `/git/{owner}/{repo}/{*rest}`, every method.
pub async fn serve(
    State(state): State<AppState>,
    Path((owner, repo, rest)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    match handle(&state, &owner, &repo, &rest, request).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn plain_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a display name can be (3-24 letters, digits, `_`, `-`): the URL names the owner by it.
fn plain_name(s: &str) -> bool {
    (3..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

async fn handle(
    state: &AppState,
    owner: &str,
    repo: &str,
    rest: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let Some(game_id) = repo.strip_suffix(".git") else {
        return Ok(refuse(StatusCode::NOT_FOUND, "no such repository"));
    };
    if !plain_name(owner) || !plain_id(game_id) {
        return Ok(refuse(StatusCode::NOT_FOUND, "no such repository"));
    }
    let query = request.uri().query().unwrap_or("").to_string();
    let access = match (request.method(), rest, query.as_str()) {
        (&Method::GET, "info/refs", "service=git-upload-pack") => Access::Read,
        (&Method::POST, "git-upload-pack", _) => Access::Read,
        (&Method::GET, "info/refs", "service=git-receive-pack") => Access::Push,
        (&Method::POST, "git-receive-pack", _) => Access::Push,
        // The dumb protocol (plain files) is not served: smart clients only.
        _ => {
            return Ok(refuse(
                StatusCode::NOT_FOUND,
                "only git's smart HTTP protocol is served here",
            ))
        }
    };
    let caller = match caller(state, request.headers()).await? {
        Some(c) => c,
        None => {
            return Ok(challenge(
                "that token is not valid (made and revoked at /account/tokens)",
            ))
        }
    };
    // The URL names the owner as people know them; the repository is kept by their internal id.
    let owner_id = state
        .store
        .users()
        .find_one(doc! {"displayNameLower": owner.to_lowercase()})
        .await?
        .map(|u| u.user_id)
        .unwrap_or_default();
    let game = state
        .store
        .games()
        .find_one(doc! {"gameId": game_id, "developerId": &owner_id})
        .await?;
    let Some(game) = game else {
        return Ok(match caller {
            Caller::Anonymous => challenge("sign in with an access token to reach this repository"),
            Caller::Token { .. } => refuse(StatusCode::NOT_FOUND, "no such repository"),
        });
    };
    if game.repo_disabled {
        return Ok(refuse(
            StatusCode::FORBIDDEN,
            "this repository has been disabled by an administrator",
        ));
    }
    let owns = matches!(&caller, Caller::Token { user, .. } if user.may_manage(&game.developer_id));
    let dir = match (access, &caller, owns) {
        (Access::Push, Caller::Anonymous, _) => {
            return Ok(challenge("pushing needs an access token with write scope"))
        }
        (Access::Push, Caller::Token { .. }, false) => {
            return Ok(refuse(
                StatusCode::FORBIDDEN,
                "only the game's author may push to its repository",
            ))
        }
        (Access::Push, Caller::Token { write: false, .. }, true) => {
            return Ok(refuse(
                StatusCode::FORBIDDEN,
                "this token may only read; make one with write scope to push",
            ))
        }
        (_, _, true) => state
            .repos
            .create(&game.developer_id, &game.game_id)
            .await
            .map_err(git_error)?,
        (Access::Read, _, false) => match public_copy(state, &game).await? {
            Some(dir) => dir,
            None => {
                return Ok(match caller {
                    Caller::Anonymous => {
                        challenge("sign in with an access token to reach this repository")
                    }
                    Caller::Token { .. } => refuse(StatusCode::NOT_FOUND, "no such repository"),
                })
            }
        },
    };
    let user_id = match &caller {
        Caller::Token { user, .. } => user.user_id.clone(),
        Caller::Anonymous => "anonymous".into(),
    };
    let before = if access == Access::Push && rest == "git-receive-pack" {
        Some(state.repos.head(&dir).await.map_err(git_error)?)
    } else {
        None
    };
    let response = run_backend(&dir, rest, &query, &user_id, request).await?;
    if let (Some(before), Caller::Token { user, .. }) = (before, caller) {
        // After the push is in: the backend's answer is streamed as it comes, and this waits for
        // the process to finish in a task of its own.
        let (state, game, dir) = (state.clone(), game.clone(), dir.clone());
        let (response, done) = response;
        tokio::spawn(async move {
            if done.await.unwrap_or(false) {
                super::push::after_push(&state, &game, &user, &dir, before).await;
            }
        });
        return Ok(response);
    }
    Ok(response.0)
}

fn git_error(e: super::GitError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// The caller named by the basic credentials; `None` when they name no valid token.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Some(Caller::Anonymous));
    };
    let Some(encoded) = value.to_str().ok().and_then(|v| v.strip_prefix("Basic ")) else {
        return Ok(None);
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return Ok(None);
    };
    let decoded = String::from_utf8_lossy(&decoded);
    let token = decoded.split_once(':').map_or(decoded.as_ref(), |(_, p)| p);
    let Some(found) = state
        .store
        .access_tokens()
        .find_one(doc! {"hash": sha256_hex(token.as_bytes())})
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = state
        .store
        .users()
        .find_one(doc! {"userId": &found.user_id})
        .await?
    else {
        return Ok(None);
    };
    let _ = state
        .store
        .access_tokens()
        .update_one(
            doc! {"tokenId": &found.token_id},
            doc! {"$set": {"lastUsed": DateTime::now()}},
        )
        .await;
    Ok(Some(Caller::Token {
        user: Box::new(user),
        write: found.scope == "write",
    }))
}

/// The public copy of a published game whose author made its source public, brought up to the
/// published version; `None` when strangers may not clone it.
async fn public_copy(
    state: &AppState,
    game: &Game,
) -> Result<Option<std::path::PathBuf>, ApiError> {
    if !game.source_public || game.published_version.is_none() {
        return Ok(None);
    }
    let published = state
        .store
        .game_versions()
        .find_one(doc! {"gameId": &game.game_id, "published": true})
        .sort(doc! {"publishedAt": -1})
        .await?;
    let Some(commit) = published.and_then(|p| p.commit) else {
        return Ok(None);
    };
    let _lock = state.repos.lock(&game.game_id).await;
    let dir = state.repos.public_path(&game.developer_id, &game.game_id);
    let marker = dir.join("homegames-published");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(commit.as_str()) {
        let message = format!(
            "{}: the published source\n\nFrom commit {commit}.\n",
            game.name
        );
        super::repo::publish_copy(
            &state.repos,
            &game.developer_id,
            &game.game_id,
            &commit,
            &message,
        )
        .await
        .map_err(git_error)?;
        std::fs::write(&marker, &commit).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(Some(dir))
}

/// The most a push's body may be, gzip and pack framing included (git refuses a pack over
/// `MAX_PUSH_BYTES` itself; this stops a body that never ends).
const MAX_BODY_BYTES: u64 = super::MAX_PUSH_BYTES + (8 << 20);

/// Runs `git http-backend` for one request. Returns the response (streamed) and a receiver that
/// says, once the backend has exited, whether it succeeded.
async fn run_backend(
    dir: &std::path::Path,
    rest: &str,
    query: &str,
    user_id: &str,
    request: Request,
) -> Result<(Response, tokio::sync::oneshot::Receiver<bool>), ApiError> {
    let (parent, name) = (
        dir.parent().expect("a repository has a parent folder"),
        dir.file_name().expect("a repository has a name"),
    );
    let headers = request.headers().clone();
    let header_str = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", parent)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PATH_INFO", format!("/{}/{rest}", name.to_string_lossy()))
        .env("REQUEST_METHOD", request.method().as_str())
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header_str(header::CONTENT_TYPE))
        .env("REMOTE_USER", user_id)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env(
            "HTTP_CONTENT_ENCODING",
            header_str(header::CONTENT_ENCODING),
        )
        .env("GIT_HTTP_MAX_REQUEST_BUFFER", "100M")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(protocol) = headers.get("git-protocol").and_then(|v| v.to_str().ok()) {
        cmd.env("GIT_PROTOCOL", protocol);
        cmd.env("HTTP_GIT_PROTOCOL", protocol);
    }
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
    {
        cmd.env("CONTENT_LENGTH", len);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| ApiError::Internal(format!("git http-backend could not run: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    // The body goes in as it arrives, up to a cap; then stdin closes (the backend reads to EOF).
    let body = request
        .into_body()
        .into_data_stream()
        .map_err(std::io::Error::other);
    tokio::spawn(async move {
        let mut reader = StreamReader::new(body).take(MAX_BODY_BYTES);
        let _ = tokio::io::copy(&mut reader, &mut stdin).await;
        let _ = stdin.shutdown().await;
    });
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut log = Vec::new();
        let _ = (&mut stderr).take(64 << 10).read_to_end(&mut log).await;
        let ok = child.wait().await.is_ok_and(|s| s.success());
        if !log.is_empty() {
            tracing::debug!(stderr = %String::from_utf8_lossy(&log).trim(), "git http-backend");
        }
        let _ = done_tx.send(ok);
    });
    // CGI: header lines, a blank line, then the body.
    let mut out = BufReader::new(stdout);
    let mut builder = Response::builder().status(StatusCode::OK);
    loop {
        let mut line = String::new();
        let n = out
            .read_line(&mut line)
            .await
            .map_err(|e| ApiError::Internal(format!("git http-backend: {e}")))?;
        let line = line.trim_end();
        if n == 0 || line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("Status") {
            let code = value.split_whitespace().next().and_then(|c| c.parse().ok());
            builder = builder.status(
                code.and_then(|c| StatusCode::from_u16(c).ok())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
        } else if let (Ok(n), Ok(v)) = (
            header::HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value),
        ) {
            builder = builder.header(n, v);
        }
    }
    let response = builder
        .body(Body::from_stream(ReaderStream::new(out)))
        .map_err(|e| ApiError::Internal(format!("git http-backend's answer: {e}")))?;
    Ok((response, done_rx))
}

/// The address to clone a game from, as the client that asked reached this API.
pub fn clone_url(headers: &HeaderMap, owner: &str, game: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8090");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}/git/{owner}/{game}.git")
}
