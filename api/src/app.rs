//! The application: shared state and the router (routes, body limits, JSON fallbacks, OpenAPI).

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::auth::tokens::Tokens;
use crate::config::ApiConfig;
use crate::error::ApiError;
use crate::mail::{LogMailer, Mailer};
use crate::queue::Queue;
use crate::routes::{
    accounts, admin, ai_edits, assets, games, preview, publish, removal, sessions, tokens,
};
use crate::store::Store;

/// Per-key limits on the routes that guess at secrets or send mail.
pub struct Limits {
    /// Forgot-password mails per address: 3 an hour.
    pub forgot: DefaultKeyedRateLimiter<String>,
    /// Reset attempts per address: 10 an hour.
    pub reset: DefaultKeyedRateLimiter<String>,
    /// Verification attempts (and resends) per account: 10 an hour.
    pub verify: DefaultKeyedRateLimiter<String>,
    /// Wrong passwords, per (login, client address), with a growing wait.
    pub login: crate::auth::throttle::LoginThrottle,
}

impl Limits {
    fn new() -> Limits {
        let n = |v: u32| NonZeroU32::new(v).expect("non-zero");
        Limits {
            forgot: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(3))),
            reset: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(10))),
            verify: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(10))),
            login: Default::default(),
        }
    }

    pub fn check(
        limiter: &DefaultKeyedRateLimiter<String>,
        key: &str,
        what: &str,
    ) -> Result<(), ApiError> {
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            ApiError::rate_limited(
                format!("too many {what}; try again in {} s", wait.as_secs() + 1),
                wait.as_secs() + 1,
            )
        })
    }
}

pub struct Inner {
    pub config: ApiConfig,
    pub store: Store,
    pub tokens: Tokens,
    pub mailer: Box<dyn Mailer>,
    pub limits: Limits,
    pub queue: Queue,
    /// The queue AI edit requests go through.
    pub llm_queue: Queue,
    /// For asking the game server for sessions: made once, it keeps its connections.
    pub host_client: reqwest::Client,
    /// The image classifier uploads go through.
    pub moderation: Arc<crate::moderation::Moderation>,
    /// The games' git repositories.
    pub repos: crate::git::Repos,
}

pub type AppState = Arc<Inner>;

impl Inner {
    pub fn new(config: ApiConfig, store: Store) -> Result<Inner, ApiError> {
        let tokens = Tokens::new(&config.jwt_secret, config.access_ttl, config.refresh_ttl)?;
        let mailer = Box::new(LogMailer::new(config.mail_log.clone()));
        let queue = Queue::new(config.amqp_url.clone(), config.publish_queue.clone());
        let llm_queue = Queue::new(config.amqp_url.clone(), config.llm_queue.clone());
        // The host answers /new/<game> with a redirect to the session, which is what we read.
        let host_client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| ApiError::Internal(format!("HTTP client: {e}")))?;
        Ok(Inner {
            store,
            tokens,
            mailer,
            limits: Limits::new(),
            queue,
            llm_queue,
            host_client,
            moderation: Arc::new(crate::moderation::Moderation::new(
                config.nsfw_model.clone(),
                config.nsfw_threshold,
            )),
            repos: crate::git::Repos::new(config.git_root.clone(), config.git_hook_binary.clone()),
            config,
        })
    }
}

/// The whole API as one router.
pub fn build_app(state: AppState) -> Router {
    let version_limit = DefaultBodyLimit::max(state.config.max_version_body_bytes);
    Router::new()
        .route("/auth/signup", post(accounts::signup))
        .route("/auth/login", post(accounts::login))
        .route("/auth/refresh", post(accounts::refresh))
        .route("/auth/verify", post(accounts::verify))
        .route(
            "/auth/resend-verification",
            post(accounts::resend_verification),
        )
        .route("/auth/forgot", post(accounts::forgot))
        .route("/auth/reset", post(accounts::reset))
        .route("/me", get(accounts::me))
        .route("/account/tokens", post(tokens::create).get(tokens::list))
        .route("/account/tokens/{token_id}", delete(tokens::revoke))
        .route(
            "/admin/games/{game_id}/repository",
            post(admin::set_repository),
        )
        // git's smart HTTP (clone, fetch, push); answers are git's, not JSON.
        .route(
            "/git/{owner}/{repo}/{*rest}",
            axum::routing::any(crate::git::http::serve),
        )
        .route("/catalog", get(games::catalog))
        .route("/ai-edits/available", get(ai_edits::available))
        .route("/ai-edits/{edit_id}", get(ai_edits::get))
        .route(
            "/games/{game_id}/ai-edits",
            post(ai_edits::request).layer(DefaultBodyLimit::max(ai_edits::MAX_BODY_BYTES)),
        )
        .route(
            "/games/{game_id}/preview/{session_id}/exceptions",
            get(preview::exceptions),
        )
        .route(
            "/games/{game_id}/preview",
            post(preview::start).layer(DefaultBodyLimit::max(state.config.max_version_body_bytes)),
        )
        .route(
            "/games/{game_id}/scan",
            post(games::scan_files)
                .layer(DefaultBodyLimit::max(state.config.max_version_body_bytes)),
        )
        .route("/games", post(games::create_game).get(games::my_games))
        .route(
            "/games/{game_id}",
            get(games::get_game)
                .patch(games::update_game)
                .delete(removal::delete_game),
        )
        .route(
            "/games/{game_id}/versions",
            post(games::save_version)
                .layer(version_limit)
                .get(games::list_versions),
        )
        .route("/games/{game_id}/versions/{hash}", get(games::get_version))
        .route(
            "/games/{game_id}/versions/{hash}/files/{*path}",
            get(games::get_file),
        )
        .route(
            "/games/{game_id}/versions/{hash}/restore",
            post(games::restore_version),
        )
        .route("/games/{game_id}/publish", post(publish::request_publish))
        .route("/games/{game_id}/unpublish", post(removal::unpublish))
        .route(
            "/games/{game_id}/publish-requests",
            get(publish::list_requests),
        )
        .route("/publish-requests/{request_id}", get(publish::get_request))
        .route(
            "/assets",
            post(assets::upload)
                .layer(DefaultBodyLimit::max(assets::MAX_ASSET_BYTES + 1024))
                .get(assets::mine),
        )
        .route(
            "/assets/{asset_id}",
            get(assets::fetch).delete(assets::delete),
        )
        .route("/sessions", post(sessions::create))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/{user_id}", delete(admin::delete_user))
        .route("/admin/users/{user_id}/belongings", get(admin::belongings))
        .route("/admin/games", get(admin::games))
        .route("/admin/assets", get(admin::assets))
        .route("/admin/assets/{asset_id}/nsfw", post(admin::flag_asset))
        .route("/admin/publish-requests", get(admin::publish_requests))
        .route("/admin/stats", get(admin::stats))
        .route("/admin/dead-letters", get(admin::dead_letters))
        .route(
            "/admin/dead-letters/replay",
            post(admin::replay_dead_letters),
        )
        .route("/openapi.json", get(crate::openapi::document))
        .route("/docs", get(crate::openapi::docs_page))
        .route("/health", get(|| async { "ok" }))
        .merge(crate::site::pages(
            &state.config.web_dir,
            state.config.host_url.as_deref(),
        ))
        .fallback(|| async {
            ApiError::NotFound("no such route; the routes are listed at /docs".into())
        })
        .method_not_allowed_fallback(|| async {
            ApiError::MethodNotAllowed("this route does not take that method".into())
        })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .route_layer(axum::middleware::from_fn(crate::request_span::request_span))
        .with_state(state)
}
