//! What a new game starts with lives in `game-files` (`homegames new` writes the same files).

pub use game_files::template::{is_gpl3, starter_files, GPL3_LICENSE, STARTER_SQUISH_VERSION};
