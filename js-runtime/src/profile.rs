//! What differs between squishjs versions beyond the bytes: node behaviour (the JS profile our
//! squishjs implementation is built with) and the Squisher's player rules. Keyed by package, so
//! every alias gets what its server-side package does.

use serde::Serialize;
use squish::{Alias, Package, ALIASES};

use crate::squisher::Rules;

/// The knobs `js/squishjs/nodes.js` and `squisher.js` read.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsProfile {
    /// Inner nodes behind a signalling proxy: every property write is a state change.
    pub proxy: bool,
    /// Random ids are `floor(random() * id_max)`.
    pub id_max: f64,
    /// Nodes carry onHover/offHover.
    pub hover: bool,
    /// Wrapper tree operations signal once themselves; `update()` exists.
    pub notify_on_tree_ops: bool,
    pub update: bool,
    /// The Squisher looks up asset types (audio filtering) and throws on unknown asset keys.
    pub audio_rule: bool,
    /// 1.4.x: state changes are coalesced into one flush per turn of the event loop, and the game
    /// runs under the 2026 platform's session.
    pub coalesce: bool,
    /// 1.4.x: `ViewUtils.getView` keeps the source's ids and crops assets at the view's edges.
    pub view_crop: bool,
}

pub fn js_profile(p: Package) -> JsProfile {
    use Package::*;
    let proxy = p <= V1_0_5;
    JsProfile {
        proxy,
        id_max: if p <= V1_0_7 {
            999_999_999_999.0
        } else {
            999_999_999.0
        },
        hover: p >= V1_0_7,
        notify_on_tree_ops: !proxy,
        update: !proxy,
        // 1.4.3 treats an unknown asset key as not audio, and mutes only on `enabled === false`.
        audio_rule: (V1_0_10..=V1_3_6).contains(&p),
        coalesce: runs_on_platform_session(p),
        view_crop: p >= V1_4_3,
    }
}

pub fn rules(p: Package) -> Rules {
    use Package::*;
    Rules {
        union_visibility: p < V1_0_0,
        drop_filtered_audio: (V1_0_10..=V1_3_6).contains(&p),
        debug_unsquish_draws: (V1_0_0..=V1_0_4).contains(&p),
        seed_frames: p >= V1_4_3,
    }
}

/// Games on squishjs 1.4.x run the way the 2026 platform's session runs them (coalesced flushes,
/// join frames, validated input); older ones the way homegames-core's game-only server did.
pub fn runs_on_platform_session(p: Package) -> bool {
    p >= Package::V1_4_3
}

/// Every alias whose package our codec speaks, with its profile, for `require('squish-NNN')`.
pub fn all_profiles() -> serde_json::Map<String, serde_json::Value> {
    ALIASES
        .iter()
        .filter(|a: &&Alias| a.server.family().is_some())
        .map(|a| {
            (
                a.name.to_string(),
                serde_json::to_value(js_profile(a.server)).expect("profile"),
            )
        })
        .collect()
}
