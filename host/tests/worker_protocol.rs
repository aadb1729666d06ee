//! The host ↔ worker protocol (`containment::worker_protocol`): every message the host can send comes
//! back the same from its line, whatever the strings hold, and the session options cross whole
//! (before, they were command-line flags and a non-square bezel became square in a container).

use std::time::Duration;

use containment::worker_protocol::{wire, RecordReader, SessionSettings, ToWorker};
use host::server::session::SessionOptions;
use js_runtime::IsolateLimits;
use proptest::prelude::*;

fn settings() -> impl Strategy<Value = SessionSettings> {
    (
        0u8..=50,
        0u8..=50,
        1u64..3_600_000,
        1usize..(1 << 34),
        1u64..100_000,
        1u32..=100,
    )
        .prop_map(|(x, y, idle, heap, cpu, share)| SessionSettings {
            bezel: (x as f64, y as f64),
            idle_timeout_ms: idle,
            heap_limit_bytes: heap,
            cpu_budget_ms: cpu,
            cpu_share_percent: share,
        })
}

fn message() -> impl Strategy<Value = ToWorker> {
    let text = ".{0,40}";
    prop_oneof![
        (text, settings()).prop_map(|(game, settings)| ToWorker::Load { game, settings }),
        (any::<u8>(), text, text).prop_map(|(player, name, info)| ToWorker::Join {
            player,
            name,
            client_info: serde_json::json!({"clientInfo": {"note": info}}),
        }),
        any::<u8>().prop_map(|player| ToWorker::Leave { player }),
        any::<u8>().prop_map(|player| ToWorker::Spectate { player }),
        any::<u8>().prop_map(|player| ToWorker::Reconnect { player }),
        (any::<u8>(), text).prop_map(|(player, message)| ToWorker::Input { player, message }),
        text.prop_map(|reason| ToWorker::End { reason }),
    ]
}

proptest! {
    #[test]
    fn every_message_round_trips_through_its_line(m in message()) {
        let line = m.line();
        prop_assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "one line: {line:?}");
        prop_assert_eq!(ToWorker::parse(line.trim_end()).unwrap(), m);
    }

    #[test]
    fn records_round_trip_in_any_split(player in any::<u8>(), payload in proptest::collection::vec(any::<u8>(), 0..2000), cut in 0usize..2006) {
        let stream = wire::record(wire::FRAME, player, &payload);
        let cut = cut.min(stream.len());
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        reader.feed(&stream[..cut], &mut out).unwrap();
        reader.feed(&stream[cut..], &mut out).unwrap();
        prop_assert_eq!(out, vec![(wire::FRAME, player, payload)]);
    }
}

#[test]
fn every_session_option_crosses_whole() {
    let options = SessionOptions {
        bezel: (4.0, 12.0),
        idle_timeout: Duration::from_millis(90_500),
        limits: IsolateLimits {
            heap_limit: 96 << 20,
            cpu_budget: Duration::from_millis(400),
            cpu_share_percent: 80,
        },
    };
    let load = ToWorker::Load {
        game: "/games/0/x".into(),
        settings: SessionSettings::from(&options),
    };
    let ToWorker::Load { settings, .. } = ToWorker::parse(load.line().trim_end()).unwrap() else {
        panic!("not a load")
    };
    let back = SessionOptions::from(&settings);
    assert_eq!(
        (back.bezel, back.idle_timeout, back.limits),
        (options.bezel, options.idle_timeout, options.limits)
    );
}

#[test]
fn unknown_or_malformed_lines_are_refused() {
    for line in [
        r#"{"op":"load","game":"x"}"#,
        r#"{"op":"join","player":300,"name":"p","clientInfo":{}}"#,
        r#"{"op":"leave","player":1,"extra":true}"#,
        r#"{"op":"explode"}"#,
        "not json",
    ] {
        assert!(ToWorker::parse(line).is_err(), "{line}");
    }
}
