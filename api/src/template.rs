//! What a new game starts with: a small working game and the GPLv3 license every published game
//! carries (the publish worker checks the LICENSE against this text).

/// The GNU General Public License, version 3, verbatim.
pub const GPL3_LICENSE: &str = include_str!("../assets/LICENSE-GPL-3.0.txt");

/// The starter `index.js`: a square that changes colour when anyone taps it. `{name}` is replaced
/// by the game's name (as a JavaScript string literal).
const STARTER_INDEX: &str = r#"// A new Homegames game. Edit it, save a version, and publish when it is ready.
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');

class NewGame extends Game {
    static metadata() {
        return {
            squishVersion: '135',
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

/// The files of a new game named `name`.
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

/// Whether `text` is the GPLv3, ignoring differences in whitespace.
pub fn is_gpl3(text: &str) -> bool {
    let normalize = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    normalize(text) == normalize(GPL3_LICENSE)
}
