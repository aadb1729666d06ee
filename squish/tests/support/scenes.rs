//! A seeded generator of scenes for the compatibility tests: every node kind and property, edge
//! numbers (negative, above 255, fractions, huge, NaN, infinities), empty, long, emoji and non-Latin
//! strings, deep and wide trees, many playerIds, and the nodes the real encoders throw on.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use squish::{
    AssetInfo, AssetRef, Coords, Effects, Input, JsNum, Node, NodeKind, Scale, Shadow, TextInfo,
    Vec2,
};

pub struct Scene {
    pub scale: Option<Scale>,
    pub tree: Node,
}

pub fn scenes(seed: u64, count: usize) -> Vec<Scene> {
    // Crop insets come from a stream of their own, so adding them left every other value of every
    // scene as it was (the older packages ignore crop and see the very same scenes as before).
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        crop_rng: ChaCha8Rng::seed_from_u64(seed ^ 0xC409_C409),
    };
    (0..count).map(|i| g.scene(i)).collect()
}

struct Gen {
    rng: ChaCha8Rng,
    crop_rng: ChaCha8Rng,
}

const EDGE_NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.5,
    -2.5,
    4.5,
    10.999,
    14.055,
    99.99,
    100.0,
    254.999,
    255.0,
    256.0,
    272.72,
    294.75,
    -5.25,
    -0.2775,
    1000.123,
    65535.5,
    1e9,
    123456789.0,
    1e15 + 0.5,
    1e21,
    -1e-7,
    1e-7,
    0.49999999999999994,
    f64::MAX,
    f64::MIN_POSITIVE,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

const WORDS: &[&str] = &[
    "",
    "a",
    "Hello",
    "Score: 10",
    "  spaced  ",
    "é€😀",
    "日本語のテキスト",
    "مرحبا",
    "Привет",
    "👨‍👩‍👧‍👦",
    "e\u{301}",
    "\u{F4240}\u{10FFFF}",
    "tab\tnew\nline",
    "\"quoted\" \\ back",
    "NaN",
    "0",
    "🎲🎲🎲",
];

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn number(&mut self) -> f64 {
        match self.rng.gen_range(0..10) {
            0..=1 => *EDGE_NUMBERS.choose(&mut self.rng).unwrap(),
            2..=4 => self.rng.gen_range(0..=100) as f64,
            5..=7 => {
                let digits = self.rng.gen_range(0..=4);
                let v: f64 = self.rng.gen_range(-20.0..120.0);
                let p = 10f64.powi(digits);
                (v * p).round() / p
            }
            8 => self.rng.gen_range(-400.0..400.0),
            _ => self.rng.gen_range(-1e6..1e6f64).round(),
        }
    }

    fn plane_number(&mut self) -> f64 {
        if self.chance(0.8) {
            let v: f64 = self.rng.gen_range(0.0..100.0);
            (v * 100.0).round() / 100.0
        } else {
            self.number()
        }
    }

    fn color(&mut self) -> Vec<JsNum> {
        let len = if self.chance(0.9) {
            4
        } else {
            self.rng.gen_range(0..=6)
        };
        (0..len)
            .map(|_| {
                JsNum(if self.chance(0.85) {
                    self.rng.gen_range(0..=255) as f64
                } else {
                    self.number()
                })
            })
            .collect()
    }

    fn string(&mut self) -> String {
        match self.rng.gen_range(0..8) {
            0..=3 => WORDS.choose(&mut self.rng).unwrap().to_string(),
            4 => {
                let n = self.rng.gen_range(0..=220);
                (0..n).map(|_| self.rng.gen_range(' '..='~')).collect()
            }
            5 => {
                let n = self.rng.gen_range(0..=40);
                (0..n).map(|_| self.any_char()).collect()
            }
            _ => {
                let n = self.rng.gen_range(1..=12);
                (0..n).map(|_| self.rng.gen_range('a'..='z')).collect()
            }
        }
    }

    fn any_char(&mut self) -> char {
        loop {
            let cp = match self.rng.gen_range(0..4) {
                0 => self.rng.gen_range(0..0x80),
                1 => self.rng.gen_range(0x80..0x800),
                2 => self.rng.gen_range(0x800..0x10000),
                _ => self.rng.gen_range(0x10000..=0x10FFFF),
            };
            if let Some(c) = char::from_u32(cp) {
                return c;
            }
        }
    }

    fn id(&mut self) -> f64 {
        match self.rng.gen_range(0..10) {
            0 => *EDGE_NUMBERS.choose(&mut self.rng).unwrap(),
            1 => self.rng.gen_range(-99.0..99.0f64).round(),
            2 => (self.rng.gen_range(0.0..1000.0f64) * 100.0).round() / 100.0,
            _ => {
                let digits = self.rng.gen_range(1..=16);
                let lo = if digits == 1 {
                    0u64
                } else {
                    10u64.pow(digits - 1)
                };
                self.rng.gen_range(lo..10u64.pow(digits)) as f64
            }
        }
    }

    fn vec2(&mut self) -> Vec2 {
        Vec2 {
            x: JsNum(if self.chance(0.97) {
                self.plane_number()
            } else {
                f64::NAN
            }),
            y: JsNum(if self.chance(0.97) {
                self.plane_number()
            } else {
                f64::NAN
            }),
        }
    }

    fn text(&mut self) -> TextInfo {
        let maybe = |g: &mut Gen, p: f64| if g.chance(p) { Some(g.string()) } else { None };
        TextInfo {
            text: self.string(),
            x: JsNum(if self.chance(0.95) {
                self.plane_number()
            } else {
                f64::NAN
            }),
            y: JsNum(if self.chance(0.95) {
                self.plane_number()
            } else {
                f64::NAN
            }),
            size: JsNum(if self.chance(0.8) {
                (self.rng.gen_range(0.5..8.0f64) * 4.0).round() / 4.0
            } else if self.chance(0.5) {
                self.number()
            } else {
                f64::NAN
            }),
            color: if self.chance(0.96) {
                Some(self.color())
            } else {
                None
            },
            align: if self.chance(0.7) {
                Some(
                    ["left", "center", "right", ""]
                        .choose(&mut self.rng)
                        .unwrap()
                        .to_string(),
                )
            } else {
                maybe(self, 0.3)
            },
            font: if self.chance(0.5) {
                Some(
                    ["default", "monospace", "heavy-amateur", ""]
                        .choose(&mut self.rng)
                        .unwrap()
                        .to_string(),
                )
            } else {
                maybe(self, 0.3)
            },
        }
    }

    fn asset(&mut self) -> AssetRef {
        let key = match self.rng.gen_range(0..6) {
            0 => self.string(),
            1 => self.rng.gen_range(0..500).to_string(),
            _ => ["logo", "frame", "song", "sheet", "img"]
                .choose(&mut self.rng)
                .unwrap()
                .to_string(),
        };
        let start = if self.chance(0.5) {
            f64::NAN
        } else {
            self.number()
        };
        AssetRef {
            key,
            info: AssetInfo {
                pos: if self.chance(0.97) {
                    Some(self.vec2())
                } else {
                    None
                },
                size: if self.chance(0.97) {
                    Some(self.vec2())
                } else {
                    None
                },
                start_time: JsNum(start),
                crop_left: self.crop(),
                crop_top: self.crop(),
                crop_right: self.crop(),
                crop_bottom: self.crop(),
            },
        }
    }

    /// A crop inset: absent, a percentage with up to three decimals, or an edge number (negative,
    /// above 255, 10.999, NaN, infinities).
    fn crop(&mut self) -> Option<JsNum> {
        let r = &mut self.crop_rng;
        Some(JsNum(match r.gen_range(0..10) {
            0..=3 => return None,
            4..=6 => (r.gen_range(0.0..100.0f64) * 1000.0).round() / 1000.0,
            7 => r.gen_range(0..=100) as f64,
            8 => r.gen_range(-400.0..400.0),
            _ => *EDGE_NUMBERS.choose(r).unwrap(),
        }))
    }

    fn coords(&mut self, sub_type: f64) -> Coords {
        if sub_type == 4.0 && self.chance(0.85) {
            let mut values: Vec<JsNum> = (0..3).map(|_| JsNum(self.plane_number())).collect();
            if self.chance(0.2) {
                values.truncate(self.rng.gen_range(0..=4));
                while values.len() < 5 && self.chance(0.5) {
                    values.push(JsNum(self.number()));
                }
            }
            return Coords {
                values,
                paired: false,
            };
        }
        let points = if self.chance(0.9) {
            self.rng.gen_range(0..=8)
        } else {
            self.rng.gen_range(9..=140)
        };
        let paired = self.chance(0.85);
        let mut values: Vec<JsNum> = (0..points * 2)
            .map(|_| JsNum(self.plane_number()))
            .collect();
        if self.chance(0.05) {
            values.pop();
        }
        Coords { values, paired }
    }

    fn node(&mut self, depth: usize, budget: &mut usize) -> Node {
        *budget = budget.saturating_sub(1);
        let kind = match self.rng.gen_range(0..20) {
            0..=10 => NodeKind::Shape,
            11..=14 => NodeKind::Text,
            15..=17 => NodeKind::Asset,
            _ => NodeKind::Plain,
        };
        let game_node = kind != NodeKind::Plain && self.chance(0.8);
        let sub_type = match kind {
            NodeKind::Asset => 1.0,
            NodeKind::Text => 2.0,
            _ => *[3.0, 3.0, 3.0, 4.0, 5.0].choose(&mut self.rng).unwrap(),
        };
        let mut n = Node {
            kind,
            ..Node::default()
        };
        let p = if game_node { 1.0 } else { 0.6 };
        if self.chance(p) {
            n.id = Some(JsNum(self.id()));
        }
        if self.chance(if game_node { 1.0 } else { 0.4 }) {
            let count = match self.rng.gen_range(0..10) {
                0..=5 => 0,
                6..=8 => self.rng.gen_range(1..=4),
                _ => self.rng.gen_range(5..=300),
            };
            n.player_ids = Some(
                (0..count)
                    .map(|_| {
                        JsNum(if self.chance(0.9) {
                            self.rng.gen_range(1..=255) as f64
                        } else {
                            self.number()
                        })
                    })
                    .collect(),
            );
        }
        if self.chance(if game_node { 1.0 } else { 0.5 }) {
            n.sub_type = Some(JsNum(if self.chance(0.97) {
                sub_type
            } else {
                self.number()
            }));
        }
        if self.chance(0.4) {
            n.color = Some(self.color());
        }
        if self.chance(if kind == NodeKind::Shape { 0.7 } else { 0.2 }) {
            n.fill = Some(self.color());
        }
        if !game_node && self.chance(0.5) {
            n.pos = Some(self.vec2());
        }
        if !game_node && self.chance(0.5) {
            n.size = Some(self.vec2());
        }
        if kind == NodeKind::Text || self.chance(0.05) {
            n.text = Some(self.text());
        }
        if kind == NodeKind::Asset || self.chance(0.05) {
            n.asset = Some(self.asset());
        }
        if self.chance(0.15) {
            n.effects = Some(Effects {
                shadow: if self.chance(0.97) {
                    Some(Shadow {
                        color: if self.chance(0.97) {
                            Some(self.color())
                        } else {
                            None
                        },
                        blur: if self.chance(0.7) {
                            Some(JsNum(if self.chance(0.6) {
                                self.rng.gen_range(0..=60) as f64
                            } else {
                                self.number()
                            }))
                        } else {
                            None
                        },
                    })
                } else {
                    None
                },
            });
        }
        if self.chance(0.3) {
            n.handle_click = Some(self.chance(0.8));
        }
        if self.chance(0.2) {
            n.border = Some(JsNum(if self.chance(0.7) {
                self.rng.gen_range(0..=10) as f64
            } else {
                self.number()
            }));
        }
        if self.chance(0.1) {
            let kind = if self.chance(0.8) {
                ["text", "file"].choose(&mut self.rng).unwrap().to_string()
            } else {
                self.string()
            };
            n.input = Some(Input { kind });
        }
        if kind == NodeKind::Shape || self.chance(0.1) {
            n.coordinates2d = Some(self.coords(n.sub_type.map_or(3.0, |s| s.0)));
        }
        if depth < 7 && *budget > 0 {
            let width = match self.rng.gen_range(0..10) {
                0..=4 => 0,
                5..=8 => self.rng.gen_range(1..=4),
                _ => self.rng.gen_range(5..=30),
            };
            for _ in 0..width {
                if *budget == 0 {
                    break;
                }
                n.children.push(self.node(depth + 1, budget));
            }
        }
        n
    }

    fn scene(&mut self, index: usize) -> Scene {
        let scale = match self.rng.gen_range(0..6) {
            0 => None,
            1 => Some(Scale::UNIT),
            2 | 3 => Some(Scale::for_bezel(9.0, 9.0)),
            4 => Some(Scale {
                x: self.rng.gen_range(0.5..1.2),
                y: self.rng.gen_range(0.5..1.2),
            }),
            _ => {
                let s = self.rng.gen_range(0.3..1.0f64);
                Some(Scale { x: s, y: s })
            }
        };
        // Every 50th scene is a big one (wide and deep), the rest are small to medium.
        let mut budget = if index.is_multiple_of(50) {
            400
        } else {
            self.rng.gen_range(1..=40)
        };
        Scene {
            scale,
            tree: self.node(0, &mut budget),
        }
    }
}
