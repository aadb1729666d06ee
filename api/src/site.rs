//! The web site people open, served by this process so one process self-hosts the platform: the
//! catalog (`/`), a game's page (`/game/<id>`), the Studio (`/studio`) and the admin console
//! (`/console`). They are static files (`/static/...`) from `web/` (`ApiConfig::web_dir`); their scripts call
//! this same API from the browser with the account's token, so the site has no server-side logic
//! and no powers of its own. The code editor is a library `scripts/web-deps` installs from npm's
//! registry at build time (served at `/vendor/codemirror/...`) (pinned by `web/package-lock.json`), never committed; without it the
//! Studio says how to install it.
//!
//! Every page is sent with a content security policy: scripts only from this origin, no inline
//! script, no framing by other sites, so an author's text shown on a page cannot run.

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;

/// What a page may load: its own scripts and styles (CodeMirror sets element styles, hence
/// inline styles), images and recordings it made itself (`blob:`, `data:`), and in a frame only
/// the game server's pages (the Studio's preview). No one may frame the site.
fn csp(game_server: Option<&str>) -> String {
    let frames = game_server
        .and_then(|u| reqwest::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_else(|| "'none'".into());
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
         frame-src {frames}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The pages and their files, under `web_dir`; `game_server` is the host whose sessions the
/// Studio frames as its preview.
pub fn pages(web_dir: &Path, game_server: Option<&str>) -> Router<AppState> {
    let policy = HeaderValue::from_str(&csp(game_server)).expect("a policy is header text");
    let page = |name: &str| ServeFile::new(web_dir.join("pages").join(name));
    Router::new()
        .route_service("/", page("index.html"))
        .route_service("/game/{game_id}", page("game.html"))
        .route_service("/studio", page("studio.html"))
        .route_service("/console", page("console.html"))
        .nest_service(
            "/vendor/codemirror",
            ServeDir::new(web_dir.join("node_modules/codemirror")),
        )
        .nest_service("/static", ServeDir::new(web_dir.join("static")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // A new deployment's pages and scripts are seen at once (they are small).
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
