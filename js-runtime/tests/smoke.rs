use std::path::Path;

use js_runtime::{GameSession, SessionConfig};

fn games() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../games"))
}

#[test]
fn tap_race_runs() {
    let mut s = GameSession::load(&games().join("tap-race"), &SessionConfig::default()).unwrap();
    assert_eq!(s.metadata()["name"], "Tap Race");
    s.advance_to(100.0).unwrap();
    s.join(1, "ann", serde_json::json!({})).unwrap();
    s.join(2, "bob", serde_json::json!({})).unwrap();
    let frames = s.take_frames();
    eprintln!("{} frames", frames.len());
    for f in &frames {
        let nodes = squish::decode(s.version(), &f.bytes).unwrap();
        eprintln!(
            "p{} t={} {:?} {} nodes",
            f.player,
            f.t,
            f.cause,
            nodes.len()
        );
    }
    let hit = s.click(1, 15.0, 25.0).unwrap();
    eprintln!("{hit:?}");
    let frames = s.take_frames();
    let last = frames.last().unwrap();
    let nodes = squish::decode(s.version(), &last.bytes).unwrap();
    let texts: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.text.as_ref().map(|t| t.text.clone()))
        .collect();
    eprintln!("{texts:?}");
    assert!(texts.iter().any(|t| t == "ann: 1"), "{texts:?}");
    eprintln!("{:?}", s.console().borrow().exceptions);
}
