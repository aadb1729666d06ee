//! The OpenAPI document (generated from the handlers' annotations) and a small page that lists
//! the routes from it, served without any script from elsewhere.

use axum::response::Html;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    accounts, admin, ai_edits, assets, games, preview, publish, removal, sessions, tokens,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Homegames API", description = "Accounts, games and versions, and the catalog. Errors are JSON {error, code}."),
    paths(
        accounts::signup, accounts::login, accounts::refresh, accounts::verify, accounts::resend_verification,
        accounts::forgot, accounts::reset, accounts::me,
        games::create_game, games::my_games, games::get_game, games::update_game, games::save_version,
        games::list_versions, games::get_version, games::get_file, games::restore_version, games::catalog, games::scan_files, preview::start, preview::exceptions, ai_edits::available, ai_edits::request, ai_edits::get,
        publish::request_publish, publish::get_request, publish::list_requests,
        assets::upload, assets::mine, assets::fetch, assets::delete, sessions::create,
        admin::users, admin::games, admin::assets, admin::publish_requests, admin::stats, admin::flag_asset, admin::delete_user, admin::belongings,
        removal::delete_game, removal::unpublish, admin::dead_letters, admin::replay_dead_letters,
        admin::set_repository, tokens::create, tokens::list, tokens::revoke,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Sign up, verify, sign in, reset a password"),
         (name = "games", description = "Games, versions and the catalog"),
         (name = "publishing", description = "Publish requests and their outcome"),
         (name = "assets", description = "Images, sounds and fonts for games"),
         (name = "sessions", description = "Play a published game"),
         (name = "admin", description = "For accounts with isAdmin")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        document_common_errors(openapi);
    }
}

/// The errors any route can answer with, written into every operation so the document is true:
/// a bad request (400), the database or queue away (503); with a body, a body too large (413),
/// not JSON (415) or of the wrong shape (422); with a token, a missing or bad one (401) or an
/// account not allowed (403); with an id in the path, an unknown id (404).
fn document_common_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let has_params = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let mut codes = vec![
                ("400", "malformed request"),
                ("503", "a service the API needs is unavailable; try again"),
            ];
            if op.request_body.is_some() {
                codes.extend([
                    ("413", "the body is too large"),
                    ("415", "the body is not of the documented type"),
                    ("422", "the body does not fit the schema"),
                ]);
            }
            if op.security.is_some() {
                codes.extend([
                    (
                        "401",
                        "sign in first (Authorization: Bearer <access token>)",
                    ),
                    ("403", "this account may not do that"),
                ]);
            }
            if has_params {
                codes.push(("404", "not found"));
            }
            for (code, description) in codes {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| error(description).into());
            }
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Homegames API</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.op{border:1px solid #ddd;border-radius:.4rem;margin:.5rem 0;padding:.5rem .8rem}
.m{display:inline-block;width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#1e6fbf}.post{color:#1d8a3b}.patch{color:#b26a00}.delete{color:#b3261e}
code{font-size:.95rem}.s{color:#555;margin:.2rem 0 0 4.5rem}
</style></head><body>
<h1>Homegames API</h1>
<p>The machine-readable document is <a href="/openapi.json">/openapi.json</a>. Errors are JSON
<code>{"error": "...", "code": "..."}</code>. Routes marked 🔒 need <code>Authorization: Bearer &lt;access token&gt;</code>.</p>
<div id="ops">Loading…</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const out = document.getElementById('ops'); out.textContent = '';
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const d = document.createElement('div'); d.className = 'op';
    const m = document.createElement('span'); m.className = 'm ' + method; m.textContent = method;
    const c = document.createElement('code'); c.textContent = path + (op.security ? ' 🔒' : '');
    const s = document.createElement('div'); s.className = 's'; s.textContent = (op.summary || '') + ' ' + (op.description || '');
    d.append(m, c, s); out.append(d);
  }
});
</script></body></html>"#;
