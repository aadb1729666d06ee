//! Assets: images, sounds and fonts an author uploads for their games. The kind is read from the
//! bytes (magic numbers), never from a name or a header. Bytes live in `documents` as BSON
//! Binary, metadata in `assets`; anyone may fetch an asset by id.

use crate::extract::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::TryStreamExt;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{doc, Binary, DateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{Authed, Verified};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::store::{new_id, Asset, AssetBytes};

pub const MAX_ASSET_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_ASSETS_PER_USER: u64 = 100;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetView {
    pub asset_id: String,
    pub name: String,
    /// image, audio or font.
    #[serde(rename = "type")]
    pub kind: String,
    /// The MIME type read from the bytes.
    pub file_type: String,
    pub size: i64,
    pub nsfw: bool,
    /// The classifier's probability that the image is not safe for work; null until it ran,
    /// and for sounds and fonts.
    pub nsfw_score: Option<f64>,
    /// Who set `nsfw` last: `model` (the classifier), an admin's userId, or null.
    pub nsfw_set_by: Option<String>,
    pub developer_id: String,
    pub created: String,
}

#[derive(Deserialize, ToSchema)]
pub struct UploadParams {
    /// A name for the author's own use (1-100 characters).
    pub name: String,
}

/// What kind of asset these bytes are, by their magic numbers: (kind, MIME type).
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let t = infer::get(bytes)?;
    let kind = match t.mime_type() {
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" => "image",
        "audio/mpeg" | "audio/x-wav" | "audio/ogg" | "audio/x-flac" | "audio/m4a" => "audio",
        "application/font-woff"
        | "application/font-sfnt"
        | "font/woff"
        | "font/woff2"
        | "font/ttf"
        | "font/otf" => "font",
        _ => return None,
    };
    Some((kind, t.mime_type()))
}

pub fn asset_view(a: &Asset) -> AssetView {
    AssetView {
        asset_id: a.asset_id.clone(),
        name: a.name.clone(),
        kind: a.kind.clone(),
        file_type: a.file_type.clone(),
        size: a.size,
        nsfw: a.nsfw,
        nsfw_score: a.nsfw_score,
        nsfw_set_by: a.nsfw_set_by.clone(),
        developer_id: a.developer_id.clone(),
        created: a.created.try_to_rfc3339_string().unwrap_or_default(),
    }
}

/// Uploads an image (PNG, JPEG, GIF, WebP), a sound (MP3, WAV, OGG, FLAC) or a font (TTF, OTF,
/// WOFF, WOFF2) as the raw request body; at most 5 MB, at most 100 per author.
#[utoipa::path(post, path = "/assets", tag = "assets", params(("name" = String, Query)), security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AssetView), (status = 413, body = ErrorBody), (status = 415, description = "not an image, sound or font", body = ErrorBody),
        (status = 422, description = "a name that is empty, too long or not printable text", body = ErrorBody),
        (status = 429, description = "100 assets already", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Verified(user): Verified,
    Query(params): Query<UploadParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<AssetView>), ApiError> {
    let name = params.name.trim().to_string();
    if !(1..=100).contains(&name.chars().count()) {
        return Err(ApiError::invalid("name must be 1-100 characters"));
    }
    crate::text::check_human_text("name", &name, crate::text::Lines::One)?;
    if body.is_empty() {
        return Err(ApiError::invalid(
            "send the file's bytes as the request body",
        ));
    }
    if body.len() > MAX_ASSET_BYTES {
        return Err(ApiError::TooLarge("an asset may be at most 5 MB".into()));
    }
    let (kind, mime) = sniff(&body).ok_or_else(|| {
        ApiError::UnsupportedMediaType("the bytes are not a supported image, sound or font".into())
    })?;
    let owned = state
        .store
        .assets()
        .count_documents(doc! {"developerId": &user.user_id})
        .await?;
    if owned >= MAX_ASSETS_PER_USER {
        // Not a matter of time: one a day is as good a hint as any.
        return Err(ApiError::rate_limited(
            format!("an author may keep at most {MAX_ASSETS_PER_USER} assets; delete some first"),
            24 * 3600,
        ));
    }
    let asset_id = new_id();
    let now = DateTime::now();
    // Bytes first: an asset whose metadata exists always has its bytes.
    state
        .store
        .asset_bytes()
        .insert_one(AssetBytes {
            asset_id: asset_id.clone(),
            developer_id: user.user_id.clone(),
            data: Binary {
                subtype: BinarySubtype::Generic,
                bytes: body.to_vec(),
            },
            file_size: body.len() as i64,
            file_type: mime.to_string(),
        })
        .await?;
    let asset = Asset {
        asset_id,
        developer_id: user.user_id.clone(),
        name,
        kind: kind.to_string(),
        file_type: mime.to_string(),
        size: body.len() as i64,
        nsfw: false,
        nsfw_score: None,
        nsfw_set_by: None,
        created: now,
    };
    state.store.assets().insert_one(&asset).await?;
    if asset.kind == "image" {
        state
            .moderation
            .classify_later(&state.store, &asset.asset_id, body);
    }
    Ok((StatusCode::CREATED, Json(asset_view(&asset))))
}

/// The signed-in author's assets.
#[utoipa::path(get, path = "/assets", tag = "assets", security(("bearer" = [])), responses((status = 200, body = Vec<AssetView>)))]
pub async fn mine(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> Result<Json<Vec<AssetView>>, ApiError> {
    let docs: Vec<Asset> = state
        .store
        .assets()
        .find(doc! {"developerId": &user.user_id})
        .sort(doc! {"created": -1})
        .await?
        .try_collect()
        .await?;
    Ok(Json(docs.iter().map(asset_view).collect()))
}

/// An asset's bytes, with its content type. Open to anyone: games and players fetch these.
#[utoipa::path(get, path = "/assets/{asset_id}", tag = "assets", params(("asset_id" = String, Path)),
    responses((status = 200, description = "the bytes"), (status = 404, body = ErrorBody)))]
pub async fn fetch(
    State(state): State<AppState>,
    Path(asset_id): Path<String>,
) -> Result<Response, ApiError> {
    let d = state
        .store
        .asset_bytes()
        .find_one(doc! {"assetId": &asset_id})
        .await?
        .ok_or_else(|| ApiError::NotFound("no such asset".into()))?;
    let (bytes, mime) = (d.data.bytes, d.file_type);
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Deletes an asset (its author, or an admin).
#[utoipa::path(delete, path = "/assets/{asset_id}", tag = "assets", params(("asset_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(asset_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let assets = state.store.assets();
    let a = assets
        .find_one(doc! {"assetId": &asset_id})
        .await?
        .ok_or_else(|| ApiError::NotFound("no such asset".into()))?;
    if !user.may_manage(&a.developer_id) {
        return Err(ApiError::NotFound("no such asset".into()));
    }
    assets.delete_one(doc! {"assetId": &asset_id}).await?;
    state
        .store
        .asset_bytes()
        .delete_one(doc! {"assetId": &asset_id})
        .await?;
    // Gone from the database first, so the game server cannot fetch it again once told.
    crate::host_link::retire_assets(&state, std::slice::from_ref(&asset_id)).await;
    Ok(StatusCode::NO_CONTENT)
}
