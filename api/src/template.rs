//! What a new game starts with lives in the host (`homegames new` writes the same files).

pub use host::template::{is_gpl3, starter_files, GPL3_LICENSE, STARTER_SQUISH_VERSION};
