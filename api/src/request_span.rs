//! One span per request: every request gets an id (answered in `x-request-id`), and everything
//! logged while it is handled carries that id, its method and its matched route. An internal
//! error tells the client only that id; the detail goes to the log under it.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The middleware: names the request, wraps its handling in a span, answers the id.
pub async fn request_span(request: Request, next: Next) -> Response {
    let id = crate::store::new_id()[..16].to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(no route)".into());
    let span = tracing::info_span!("request", id = %id, method = %request.method(), route = %route);
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    span.in_scope(|| {
        tracing::debug!(status = response.status().as_u16(), "answered");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}
