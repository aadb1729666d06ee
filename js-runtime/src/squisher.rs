//! The Squisher, in Rust: walks a game's layers, encodes every node once with `squish`, and
//! decides which players' frames each node lands in. Rules per squishjs version:
//! - 0.7.x: a node goes to the union of its own and its ancestors' players;
//! - 1.0.0 and later: a node with its own non-empty `playerIds` goes to exactly those players;
//! - 1.0.10 and later: audio under a player filter is never sent (the original checks an
//!   upper-case `SOUND.ENABLED` setting nothing sets);
//! - 1.0.0 … 1.0.4: a debug self-check unsquishes every frame in the player map after each node
//!   (post-order), and each unsquish draws one `Math.random()` for a throw-away node id: we count
//!   those draws so the game's random stream stays in step.

use serde::Deserialize;
use squish::{Node, Scale, SquishVersion};

/// One layer as the game's `getLayers()` gives it, flattened to plain data by the bootstrap.
#[derive(Debug, Deserialize)]
pub struct SceneLayer {
    pub root: Node,
    #[serde(default)]
    pub scale: Option<Scale>,
    /// Per node in pre-order: 0 no asset or not audio, 1 audio, 2 asset key not registered.
    #[serde(default)]
    pub audio: Vec<u8>,
}

/// How a version's Squisher assigns nodes to players.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// 0.7.x: visibility is the union down the tree.
    pub union_visibility: bool,
    /// ≥ 1.0.10: audio under a player filter is dropped.
    pub drop_filtered_audio: bool,
    /// 1.0.0 … 1.0.5 debug self-check: one random draw per player-map entry after every node.
    pub debug_unsquish_draws: bool,
}

/// Player frames of one squish, keyed by the value found in `playerIds` (JS object keys).
#[derive(Debug, Default)]
pub struct PlayerMap {
    entries: Vec<(f64, Vec<u8>)>,
}

impl PlayerMap {
    fn index_or_insert(&mut self, p: f64) -> usize {
        match self.entries.iter().position(|(k, _)| *k == p) {
            Some(i) => i,
            None => {
                self.entries.push((p, Vec::new()));
                self.entries.len() - 1
            }
        }
    }

    /// The bytes of player `p`'s frame, if the squish gave that player an entry.
    pub fn frame(&self, p: u8) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(k, _)| *k == p as f64)
            .map(|(_, v)| v.as_slice())
    }
}

pub struct Squished {
    pub players: PlayerMap,
    pub random_draws: u64,
}

/// Squishes `layers`. `registered` players get an empty entry at the start of every layer (what the
/// server's own bottom layer does for every connected player).
pub fn squish_layers(
    version: SquishVersion,
    rules: Rules,
    layers: &[SceneLayer],
    registered: &[u8],
) -> Result<Squished, String> {
    let mut map = PlayerMap::default();
    // Frames per map entry, to count the 1.0.4 debug draws.
    let mut counts: Vec<usize> = Vec::new();
    let mut draws = 0u64;
    let mut frame = Vec::with_capacity(256);
    for layer in layers {
        for &p in registered {
            let i = map.index_or_insert(p as f64);
            if i == counts.len() {
                counts.push(0);
            }
        }
        let scale = layer.scale.unwrap_or(Scale::UNIT);
        let mut index = 0usize;
        walk(
            version,
            rules,
            &layer.root,
            scale,
            &layer.audio,
            &mut index,
            &[],
            &mut map,
            &mut counts,
            &mut draws,
            &mut frame,
        )?;
    }
    Ok(Squished {
        players: map,
        random_draws: draws,
    })
}

#[allow(clippy::too_many_arguments)]
fn walk(
    version: SquishVersion,
    rules: Rules,
    node: &Node,
    scale: Scale,
    audio: &[u8],
    index: &mut usize,
    parent_filter: &[f64],
    map: &mut PlayerMap,
    counts: &mut Vec<usize>,
    draws: &mut u64,
    frame: &mut Vec<u8>,
) -> Result<(), String> {
    let asset_class = audio.get(*index).copied().unwrap_or(0);
    let is_audio = asset_class == 1;
    // ≥ 1.0.10 looks the asset's type up before appending, and throws on an unknown key.
    let check_asset = |rules: &Rules| -> Result<(), String> {
        if rules.drop_filtered_audio && asset_class == 2 {
            return Err("Cannot read properties of undefined (reading 'type'): asset key is not among the game's assets".into());
        }
        Ok(())
    };
    *index += 1;
    frame.clear();
    squish::encode_frame_into(version, node, Some(scale), frame).map_err(|e| e.to_string())?;
    let own: Vec<f64> = node
        .player_ids
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|p| p.0)
        .collect();
    let mut filter: Vec<f64> = parent_filter.to_vec();
    for p in &own {
        if !filter.contains(p) {
            filter.push(*p);
        }
    }
    if !filter.is_empty() {
        let mut removed = Vec::new();
        for &p in &filter {
            let i = map.index_or_insert(p);
            if i == counts.len() {
                counts.push(0);
            }
            let visible = rules.union_visibility || own.is_empty() || own.contains(&p);
            if visible {
                check_asset(&rules)?;
                if !(rules.drop_filtered_audio && is_audio) {
                    map.entries[i].1.extend_from_slice(frame);
                    counts[i] += 1;
                }
            } else {
                removed.push(p);
            }
        }
        filter.retain(|p| !removed.contains(p));
    } else {
        if !map.entries.is_empty() {
            check_asset(&rules)?;
        }
        for (i, (_, bytes)) in map.entries.iter_mut().enumerate() {
            bytes.extend_from_slice(frame);
            counts[i] += 1;
        }
    }
    for child in &node.children {
        walk(
            version, rules, child, scale, audio, index, &filter, map, counts, draws, frame,
        )?;
    }
    if rules.debug_unsquish_draws {
        *draws += counts.iter().sum::<usize>() as u64;
    }
    Ok(())
}
