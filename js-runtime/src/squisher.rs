//! The Squisher, in Rust: walks a game's layers, encodes every node once with `squish`, and
//! decides which players' frames each node lands in. Rules per squishjs version:
//! - 0.7.x: a node goes to the union of its own and its ancestors' players;
//! - 1.0.0 and later: a node with its own non-empty `playerIds` goes to exactly those players;
//! - 1.0.10 and later: audio under a player filter is never sent (the original checks an
//!   upper-case `SOUND.ENABLED` setting nothing sets);
//! - 1.0.0 … 1.0.4: a debug self-check unsquishes every frame in the player map after each node
//!   (post-order), and each unsquish draws one `Math.random()` for a throw-away node id: we count
//!   those draws so the game's random stream stays in step;
//! - 1.4.3: a player's frame is seeded with the shared nodes before its first named node, and
//!   audio is withheld only from players who turned sound off (the 2026 session never says so).

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
    /// Nodes (pre-order index) whose `playerIds` hold strings: which entries are strings. The
    /// original's filter is a JS `Set`, where `1` and `'1'` are two members.
    #[serde(default, rename = "stringIds")]
    pub string_ids: Vec<(usize, Vec<bool>)>,
}

/// A member of the original's player filter: the id's number, and whether it was a string.
type FilterId = (f64, bool);

/// How a version's Squisher assigns nodes to players.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// 0.7.x: visibility is the union down the tree.
    pub union_visibility: bool,
    /// ≥ 1.0.10: audio under a player filter is dropped.
    pub drop_filtered_audio: bool,
    /// 1.0.0 … 1.0.5 debug self-check: one random draw per player-map entry after every node.
    pub debug_unsquish_draws: bool,
    /// ≥ 1.4.3: a player's frame, created at the first node that names it, starts with every
    /// shared node squished before that node.
    pub seed_frames: bool,
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
    /// Every node no player filter applied to, in traversal order: what a player the squish did
    /// not name sees.
    pub shared: Vec<u8>,
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
    let mut shared = Vec::new();
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
            &layer.string_ids,
            &mut index,
            &[],
            &mut map,
            &mut counts,
            &mut draws,
            &mut frame,
            &mut shared,
        )?;
    }
    Ok(Squished {
        players: map,
        shared,
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
    string_ids: &[(usize, Vec<bool>)],
    index: &mut usize,
    parent_filter: &[FilterId],
    map: &mut PlayerMap,
    counts: &mut Vec<usize>,
    draws: &mut u64,
    frame: &mut Vec<u8>,
    shared: &mut Vec<u8>,
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
    // In pre-order, like `index`.
    let strings = string_ids
        .binary_search_by_key(index, |(i, _)| *i)
        .map_or(&[][..], |at| string_ids[at].1.as_slice());
    *index += 1;
    frame.clear();
    squish::encode_frame_into(version, node, Some(scale), frame).map_err(|e| e.to_string())?;
    let own: Vec<FilterId> = node
        .player_ids
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, p)| (p.0, strings.get(i).copied().unwrap_or(false)))
        .collect();
    // Set semantics: same number and same type is the same member.
    let same =
        |a: &FilterId, b: &FilterId| a.1 == b.1 && (a.0 == b.0 || (a.0.is_nan() && b.0.is_nan()));
    let mut filter: Vec<FilterId> = parent_filter.to_vec();
    for p in &own {
        if !filter.iter().any(|f| same(f, p)) {
            filter.push(*p);
        }
    }
    if !filter.is_empty() {
        let mut removed = Vec::new();
        for &(p, is_string) in &filter {
            let i = map.index_or_insert(p);
            if i == counts.len() {
                counts.push(0);
                if rules.seed_frames {
                    map.entries[i].1.extend_from_slice(shared);
                }
            }
            let visible = rules.union_visibility || own.is_empty() || own.iter().any(|o| o.0 == p);
            if visible {
                check_asset(&rules)?;
                if !(rules.drop_filtered_audio && is_audio) {
                    map.entries[i].1.extend_from_slice(frame);
                    counts[i] += 1;
                }
            } else {
                removed.push((p, is_string));
            }
        }
        filter.retain(|p| !removed.iter().any(|r| same(r, p)));
    } else {
        if !map.entries.is_empty() {
            check_asset(&rules)?;
        }
        for (i, (_, bytes)) in map.entries.iter_mut().enumerate() {
            bytes.extend_from_slice(frame);
            counts[i] += 1;
        }
        shared.extend_from_slice(frame);
    }
    for child in &node.children {
        walk(
            version, rules, child, scale, audio, string_ids, index, &filter, map, counts, draws,
            frame, shared,
        )?;
    }
    if rules.debug_unsquish_draws {
        *draws += counts.iter().sum::<usize>() as u64;
    }
    Ok(())
}
