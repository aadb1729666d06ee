//! A game folder written from a class body, loaded into a session, and what its console kept.
#![allow(dead_code)]

use std::path::Path;

use js_runtime::{GameSession, RuntimeError, SessionConfig};

/// Writes a game folder: `files` are (relative path, contents); `body` goes into the class.
pub fn game(dir: &Path, body: &str, files: &[(&str, &str)]) {
    game_on(dir, "1006", body, files)
}

/// [`game`] on another squish alias.
pub fn game_on(dir: &Path, alias: &str, body: &str, files: &[(&str, &str)]) {
    let index = format!(
        "const {{ Game, GameNode, Colors, Shapes, ShapeUtils }} = require('squish-{alias}');\n\
         class T extends Game {{\n\
           static metadata() {{ return {{ squishVersion: '{alias}', name: 'T' }}; }}\n\
           constructor() {{ super(); this.root = new GameNode.Shape({{ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: Colors.COLORS.RED, onClick: (p) => this.clicked && this.clicked(p) }}); this.setup && this.setup(); }}\n\
           getLayers() {{ return [{{ root: this.root }}]; }}\n\
           {body}\n\
         }}\n\
         module.exports = T;\n"
    );
    std::fs::write(dir.join("index.js"), index).unwrap();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

pub fn load(body: &str, files: &[(&str, &str)]) -> Result<GameSession, RuntimeError> {
    load_on("1006", body, files)
}

/// [`load`] on another squish alias.
pub fn load_on(
    alias: &str,
    body: &str,
    files: &[(&str, &str)],
) -> Result<GameSession, RuntimeError> {
    let dir = tempfile::tempdir().unwrap();
    game_on(dir.path(), alias, body, files);
    GameSession::load(dir.path(), &SessionConfig::default())
}

pub fn exceptions(s: &GameSession) -> Vec<String> {
    s.console()
        .borrow()
        .exceptions
        .iter()
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn logs(s: &GameSession) -> Vec<String> {
    s.console()
        .borrow()
        .lines
        .iter()
        .map(|(_, m)| m.clone())
        .collect()
}

/// Loads with the given config instead of the default one.
pub fn load_with(
    body: &str,
    files: &[(&str, &str)],
    config: &SessionConfig,
) -> Result<GameSession, RuntimeError> {
    let dir = tempfile::tempdir().unwrap();
    game(dir.path(), body, files);
    GameSession::load(dir.path(), config)
}
