//! Property test: wherever the format is lossless, `decode(encode(tree))` gives back every node
//! of the tree (flattened, children dropped). See docs/squish.md for what is lossy and why.

use proptest::collection::vec;
use proptest::prelude::*;
use squish::{
    AssetInfo, AssetRef, Coords, Effects, Family, Input, JsNum, Node, NodeKind, Package, Shadow,
    SquishVersion, TextInfo, Vec2,
};

/// A number the two-byte encoding carries exactly: I + F/100 with F < 100.
fn n2() -> impl Strategy<Value = JsNum> {
    (0u8..=255, 0u8..=99).prop_map(|(i, f)| JsNum(i as f64 + f as f64 / 100.0))
}

fn byte() -> impl Strategy<Value = JsNum> {
    (0u8..=255).prop_map(|b| JsNum(b as f64))
}

fn rgba() -> impl Strategy<Value = Vec<JsNum>> {
    vec(byte(), 4)
}

fn vec2() -> impl Strategy<Value = Vec2> {
    (n2(), n2()).prop_map(|(x, y)| Vec2 { x, y })
}

/// Text without surrogates or code points of seven digits.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9 é€日本😀🎲]{{0,{max}}}")).unwrap()
}

fn latin1(max: usize) -> impl Strategy<Value = String> {
    vec(0u8..=255, 0..=max).prop_map(|b| b.into_iter().map(|c| c as char).collect())
}

/// Ids that survive the family's id encoding: any integer up to 15 digits in C; in A and B only
/// ids of 1, 2 or an even number of digits (an odd count ≥ 3 gains a zero).
fn id(family: Family) -> BoxedStrategy<JsNum> {
    if family.decimal_digit_ids() {
        (0u64..=999_999_999_999_999)
            .prop_map(|v| JsNum(v as f64))
            .boxed()
    } else {
        prop_oneof![
            (0u64..100).prop_map(|v| JsNum(v as f64)),
            (1u32..=7).prop_flat_map(|pairs| {
                let digits = 2 * pairs;
                (10u64.pow(digits - 1)..10u64.pow(digits)).prop_map(|v| JsNum(v as f64))
            }),
        ]
        .boxed()
    }
}

fn node(family: Family) -> impl Strategy<Value = Node> {
    let kind = prop_oneof![
        Just(NodeKind::Shape),
        Just(NodeKind::Text),
        Just(NodeKind::Asset),
        Just(NodeKind::Plain)
    ];
    let text_info = (
        text(40),
        vec2(),
        n2().prop_filter("size 0 means 1", |s| s.0 != 0.0),
        rgba(),
        text(6),
        text(6),
    )
        .prop_map(move |(t, p, size, color, align, font)| TextInfo {
            text: t,
            x: p.x,
            y: p.y,
            size,
            color: Some(color),
            align: Some(if align.is_empty() {
                "left".into()
            } else {
                align
            }),
            font: family.has_font().then(|| {
                if font.is_empty() {
                    "default".into()
                } else {
                    font
                }
            }),
        });
    // Family D always sends (and so decodes) the four crop insets; the others never do.
    let crop = move |c: JsNum| family.asset_crop().then_some(c);
    let asset = (latin1(12), vec2(), vec2(), n2(), (n2(), n2(), n2(), n2())).prop_map(
        move |(key, pos, size, start, (l, t, r, b))| AssetRef {
            key,
            info: AssetInfo {
                pos: Some(pos),
                size: Some(size),
                start_time: start,
                crop_left: crop(l),
                crop_top: crop(t),
                crop_right: crop(r),
                crop_bottom: crop(b),
            },
        },
    );
    let effects = (rgba(), proptest::option::of(1u32..=2559)).prop_map(|(color, blur)| Effects {
        shadow: Some(Shadow {
            color: Some(color),
            blur: blur.map(|b| JsNum(b as f64)),
        }),
    });
    (
        (
            kind,
            proptest::option::of(id(family)),
            proptest::option::of(rgba()),
            proptest::option::of(vec(byte(), 0..40)),
        ),
        (
            proptest::option::of(vec2()),
            proptest::option::of(rgba()),
            proptest::option::of((0u8..=255, 0u8..=255)),
        ),
        (
            proptest::option::of(text_info),
            proptest::option::of(asset),
            proptest::option::of(effects),
        ),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(byte()),
            proptest::option::of(0u8..=7),
            proptest::option::of(latin1(6)),
        ),
        (vec((n2(), n2()), 0..12), 0u8..=49, any::<bool>()),
    )
        .prop_map(
            move |(
                (kind, id, color, player_ids),
                (pos, fill, size),
                (text, asset, effects),
                (handle_click, border, sub_type, input),
                (points, radius_f, with_coords),
            )| {
                let sub_type_f = sub_type.map(|s| s as f64);
                // Family D clamps coordinates to 0…255: above 255 is lossy by design there.
                let points: Vec<(JsNum, JsNum)> = if family.clamps_coordinates() {
                    points
                        .into_iter()
                        .map(|(x, y)| (JsNum(x.0.min(255.0)), JsNum(y.0.min(255.0))))
                        .collect()
                } else {
                    points
                };
                let coordinates2d = with_coords.then(|| match sub_type_f {
                    // Unscaled circles round the radius' integer byte: keep its hundredths below 50.
                    Some(4.0) => Coords {
                        values: vec![
                            points.first().map_or(JsNum(1.0), |p| p.0),
                            JsNum(2.5),
                            JsNum(7.0 + radius_f as f64 / 100.0),
                        ],
                        paired: false,
                    },
                    Some(3.0) | Some(5.0) => Coords {
                        values: points.iter().flat_map(|p| [p.0, p.1]).collect(),
                        paired: true,
                    },
                    _ => Coords {
                        values: points.iter().flat_map(|p| [p.0, p.1]).collect(),
                        paired: false,
                    },
                });
                Node {
                    kind,
                    id,
                    color,
                    player_ids,
                    pos,
                    fill,
                    size: size.map(|(x, y)| Vec2 {
                        x: JsNum(x as f64),
                        y: JsNum(y as f64),
                    }),
                    text,
                    asset,
                    effects,
                    handle_click,
                    border,
                    sub_type: sub_type_f.map(JsNum),
                    input: input.map(|kind| Input { kind }),
                    coordinates2d,
                    children: vec![],
                }
            },
        )
}

fn tree(family: Family) -> impl Strategy<Value = Node> {
    node(family).prop_recursive(3, 24, 4, move |inner| {
        (node(family), vec(inner, 0..4)).prop_map(|(mut n, children)| {
            n.children = children;
            n
        })
    })
}

fn flatten(tree: &Node) -> Vec<Node> {
    let mut v = vec![];
    tree.walk(&mut |n| {
        let mut n = n.clone();
        n.children.clear();
        v.push(n);
    });
    v
}

fn check(package: Package, t: &Node) -> Result<(), TestCaseError> {
    let v = SquishVersion::from(package);
    let bytes = squish::encode(v, t).unwrap();
    // Frames above 765 bytes or sub-frames above 510 are clamped and lossy by design.
    let frames = squish::decode_frames(v, &bytes);
    prop_assume!(frames
        .as_ref()
        .is_ok_and(|f| f.iter().all(|f| f.stopped_at_unknown_tag.is_none())));
    let decoded: Vec<Node> = frames.unwrap().into_iter().map(|f| f.node).collect();
    // The spans tile the message, one per node, each a frame on its own.
    let spans = squish::frame_spans(&bytes).unwrap();
    prop_assert_eq!(spans.len(), decoded.len());
    prop_assert_eq!(spans.first().map(|s| s.start), Some(0));
    prop_assert_eq!(spans.last().map(|s| s.end), Some(bytes.len()));
    prop_assert!(spans.windows(2).all(|w| w[0].end == w[1].start));
    for (span, node) in spans.iter().zip(&decoded) {
        prop_assert_eq!(
            &squish::decode_frame(v, &bytes[span.clone()]).unwrap().node,
            node
        );
    }
    prop_assert_eq!(decoded, flatten(t));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn family_a_round_trips(t in tree(Family::A)) { check(Package::V0_7_62, &t)?; }

    #[test]
    fn family_b_round_trips(t in tree(Family::B)) { check(Package::V1_0_8, &t)?; }

    #[test]
    fn family_c_round_trips(t in tree(Family::C)) { check(Package::V1_3_5, &t)?; }

    #[test]
    fn family_d_round_trips(t in tree(Family::D)) { check(Package::V1_4_3, &t)?; }
}
