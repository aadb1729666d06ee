//! What a new game starts with: a small working game on today's squish version, the GPLv3
//! license every published game carries (the publish worker checks the LICENSE against this
//! text), and a script for `homegames play --script`. Used by `homegames new` and by the api
//! when an author creates a game.

/// The GNU General Public License, version 3, verbatim.
pub const GPL3_LICENSE: &str = include_str!("../assets/LICENSE-GPL-3.0.txt");

/// The starter `index.js`: a square that changes colour when anyone taps it. `{name}` is replaced
/// by the game's name (as a JavaScript string literal).
const STARTER_INDEX: &str = r#"// A new Homegames game. Edit it, save a version, and publish when it is ready.
// How games are written: docs/authoring.md (and the squishjs authoring guide it points to).
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-142');

class NewGame extends Game {
    static metadata() {
        return {
            squishVersion: '142',
            name: {name},
            author: 'me',
            aspectRatio: { x: 16, y: 9 },
            tickRate: 10,
        };
    }

    constructor() {
        super();
        this.base = new GameNode.Shape({
            shapeType: Shapes.POLYGON,
            coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100),
            fill: Colors.COLORS.ALMOST_WHITE,
        });
        this.square = new GameNode.Shape({
            shapeType: Shapes.POLYGON,
            coordinates2d: ShapeUtils.rectangle(40, 35, 20, 30),
            fill: Colors.COLORS.CORAL,
            onClick: () => this.recolour(),
        });
        this.base.addChild(this.square);
    }

    recolour() {
        this.square.node.fill = Colors.randomColor(['WHITE', 'ALMOST_WHITE']);
        this.base.node.onStateChange();
    }

    getLayers() {
        return [{ root: this.base }];
    }
}

module.exports = NewGame;
"#;

/// The squish alias new games start on: the one the platform runs today.
pub const STARTER_SQUISH_VERSION: &str = "142";

/// A script for `homegames play --script`: two players join, tap the square, one leaves.
const STARTER_SCRIPT: &str = r#"{
  "seed": 1,
  "epochMs": 1700000000000,
  "endMs": 3000,
  "events": [
    { "t": 100, "type": "join", "player": 1 },
    { "t": 200, "type": "join", "player": 2 },
    { "t": 500, "type": "click", "player": 1, "x": 50, "y": 50 },
    { "t": 900, "type": "click", "player": 2, "x": 50, "y": 50 },
    { "t": 2000, "type": "leave", "player": 2 }
  ]
}
"#;

/// The files of a new game named `name` (what the api stores for a new game).
pub fn starter_files(name: &str) -> Vec<(String, Vec<u8>)> {
    let literal = serde_json::to_string(name).expect("a string serializes");
    vec![
        (
            "index.js".to_string(),
            STARTER_INDEX.replace("{name}", &literal).into_bytes(),
        ),
        ("LICENSE".to_string(), GPL3_LICENSE.as_bytes().to_vec()),
    ]
}

/// [`starter_files`] plus the play script, for a game folder on disk (`homegames new`).
pub fn starter_folder(name: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = starter_files(name);
    files.push((
        "script.json".to_string(),
        STARTER_SCRIPT.as_bytes().to_vec(),
    ));
    files
}

/// Whether `text` is the GPLv3, ignoring differences in whitespace.
pub fn is_gpl3(text: &str) -> bool {
    let normalize = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    normalize(text) == normalize(GPL3_LICENSE)
}
