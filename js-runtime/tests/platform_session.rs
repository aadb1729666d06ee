//! Games on squish 1.4.x run under the 2026 platform's session rules: state changes coalesce into
//! one flush and one broadcast per turn of the event loop, a joiner gets its own frame, input is
//! validated, and a player no node names sees only the shared nodes (never other players'
//! private ones). Games on 1.3.x keep the older, one-frame-per-change rules.

use crate::common;

use common::{exceptions, load_on};
use js_runtime::{Cause, EndReason, PlayerFrame, RuntimeError};
use serde_json::json;
use squish::SquishVersion;

fn ids(version: SquishVersion, frame: &PlayerFrame) -> Vec<f64> {
    squish::decode(version, &frame.bytes)
        .unwrap()
        .iter()
        .map(|n| n.id.map(|i| i.0).unwrap_or(f64::NAN))
        .collect()
}

fn of(frames: &[PlayerFrame], player: u8) -> Vec<&PlayerFrame> {
    frames.iter().filter(|f| f.player == player).collect()
}

const THREE_CHANGES: &str = "
    setup() { this.root.node.id = 1; }
    handleKeyDown(p, key) {
      for (let i = 0; i < 3; i++) this.root.addChild(new GameNode.Shape({ id: 10 + this.root.node.children.length, shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 1, 1), fill: Colors.COLORS.BLUE }));
    }";

#[test]
fn changes_in_one_turn_make_one_flush_and_one_broadcast() {
    let mut s = load_on("142", THREE_CHANGES, &[]).unwrap();
    assert!(s.on_platform_session());
    s.join(1, "", json!({})).unwrap();
    let joined = s.take_frames();
    // Nothing changed at the join: only the joiner's own frame.
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0].cause, Cause::Join);
    s.key(1, "a", true).unwrap();
    let frames = s.take_frames();
    assert_eq!(frames.len(), 1, "three changes, one broadcast: {frames:?}");
    assert_eq!(ids(s.version(), &frames[0]), vec![1.0, 10.0, 11.0, 12.0]);

    // On 1.3.6 every change is squished and sent at once.
    let mut old = load_on("136", THREE_CHANGES, &[]).unwrap();
    assert!(!old.on_platform_session());
    old.join(1, "p", json!({})).unwrap();
    old.take_frames();
    old.key(1, "a", true).unwrap();
    assert_eq!(old.take_frames().len(), 3);
}

#[test]
fn a_joiner_that_changes_the_scene_gets_its_frame_and_the_broadcast() {
    let body = "
      setup() { this.root.node.id = 1; }
      handleNewPlayer({ playerId, info }) {
        this.names = (this.names || []).concat([info.name || '(none)']);
        this.root.addChild(new GameNode.Shape({ id: 100 + playerId, playerIds: [playerId], shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 1, 1), fill: Colors.COLORS.BLUE }));
      }
      handleKeyDown() { console.log(this.names.join(',')); }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    let frames = s.take_frames();
    let causes: Vec<Cause> = frames.iter().map(|f| f.cause).collect();
    assert_eq!(causes, vec![Cause::Join, Cause::State]);
    assert_eq!(frames[0].bytes, frames[1].bytes);
    assert_eq!(ids(s.version(), &frames[0]), vec![1.0, 101.0]);
    s.join(2, "bea", json!({})).unwrap();
    let frames = s.take_frames();
    // Player 2's join frame, then the broadcast to both, each seeing only its own node.
    assert_eq!(frames.len(), 3, "{frames:?}");
    assert_eq!(ids(s.version(), of(&frames, 1)[0]), vec![1.0, 101.0]);
    assert_eq!(ids(s.version(), of(&frames, 2)[0]), vec![1.0, 102.0]);
    s.key(1, "k", true).unwrap();
    // No name unless one is given, as the platform's session does.
    assert_eq!(common::logs(&s).last().unwrap(), "(none),bea");
}

#[test]
fn a_player_no_node_names_sees_only_the_shared_nodes() {
    let body = "
      setup() {
        this.root.node.id = 1;
        this.root.addChild(new GameNode.Text({ id: 2, textInfo: { text: 'secret word', x: 5, y: 5, size: 1, color: Colors.COLORS.BLACK }, playerIds: [1] }));
        this.root.addChild(new GameNode.Shape({ id: 3, shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 1, 1), fill: Colors.COLORS.BLUE }));
      }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    s.join(2, "", json!({})).unwrap();
    let frames = s.take_frames();
    assert_eq!(ids(s.version(), of(&frames, 1)[0]), vec![1.0, 2.0, 3.0]);
    // The original would send player 2 the whole state, player 1's secret included.
    assert_eq!(ids(s.version(), of(&frames, 2)[0]), vec![1.0, 3.0]);
}

#[test]
fn input_the_platform_refuses_never_reaches_the_game() {
    let body = "
      setup() { this.root.node.id = 1; }
      clicked(p) { console.log('click ' + p); }
      handleKeyDown(p, key) { console.log('key ' + key); }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    assert!(s.click(1, 100.0, 5.0).unwrap().is_none());
    assert!(s.click(1, -1.0, 5.0).unwrap().is_none());
    s.key(1, &"x".repeat(21), true).unwrap();
    let hit = s.click(1, 50.0, 50.0).unwrap().expect("a hit");
    assert!(hit.has_handler);
    s.key(1, "Enter", true).unwrap();
    assert_eq!(common::logs(&s), vec!["click 1", "key Enter"]);
}

#[test]
fn file_input_arrives_as_bytes_from_base64_or_the_old_byte_object() {
    let body = "
      setup() {
        this.root.node.id = 1;
        this.root.addChild(new GameNode.Shape({ id: 2, shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 10, 10), fill: Colors.COLORS.BLUE,
          input: { type: 'file', oninput: (p, bytes, meta) => console.log(bytes.length + ' ' + bytes[0] + ' ' + JSON.stringify(meta)) } }));
      }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    // A PNG's first bytes, as base64 text and as the byte object older clients send.
    assert!(s.input(1, 2.0, json!("iVBORw==")).unwrap());
    assert!(s.input(1, 2.0, json!({"0": 71, "1": 73, "2": 70})).unwrap());
    // Empty input is refused.
    assert!(s.input(1, 2.0, json!("")).unwrap());
    assert_eq!(
        common::logs(&s),
        vec![
            r#"4 137 {"kind":"image","contentType":null,"fileName":null}"#,
            r#"3 71 {"kind":"image","contentType":null,"fileName":null}"#,
        ]
    );
}

#[test]
fn immediates_that_requeue_themselves_are_stopped() {
    let body = "handleKeyDown() { const f = () => setImmediate(f); f(); }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    match s.key(1, "a", true) {
        Err(RuntimeError::Ended(
            EndReason::CpuBudget { .. } | EndReason::CpuShare { .. } | EndReason::WallClock { .. },
        )) => {}
        other => panic!("the session must be stopped: {other:?}"),
    }
}

#[test]
fn a_throwing_flush_is_reported_and_the_session_goes_on() {
    // A text without a color makes the encoder throw (as the original's does), inside the flush.
    let body = "
      setup() { this.root.node.id = 1; }
      handleKeyDown(p, key) {
        if (key === 'bad') this.bad = this.root.addChild(new GameNode.Text({ id: 5, textInfo: { text: 'x', x: 1, y: 1, size: 1 } }));
        else { this.root.removeChild(5); this.root.node.fill = Colors.COLORS.GREEN; this.root.node.onStateChange(); }
      }";
    let mut s = load_on("142", body, &[]).unwrap();
    s.join(1, "", json!({})).unwrap();
    s.take_frames();
    s.key(1, "bad", true).unwrap();
    assert!(s.take_frames().is_empty());
    assert!(!exceptions(&s).is_empty());
    s.key(1, "good", true).unwrap();
    assert_eq!(s.take_frames().len(), 1);
}
