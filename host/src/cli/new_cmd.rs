//! `homegames new NAME`: a game folder to start from, on today's squish version.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Writes NAME/index.js (a small working game on squish-142, the version the \
    platform runs today), NAME/LICENSE (the GPLv3 every published game carries) and NAME/script.json. \
    Try it at once with `homegames play NAME --script NAME/script.json`, or `homegames serve --games .`. \
    How games are written: docs/authoring.md."
)]
pub struct NewArgs {
    /// The game's name; also the folder created (in --dir).
    name: String,
    /// Where to create the folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

impl NewArgs {
    pub fn run(self) -> Result<()> {
        let folder_name = folder_name(&self.name)?;
        let folder = self.dir.join(folder_name);
        if folder.exists() {
            bail!(
                "{} already exists; nothing was written (pick another name or remove it)",
                folder.display()
            );
        }
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        for (path, bytes) in game_files::template::starter_folder(&self.name) {
            let file = folder.join(&path);
            std::fs::write(&file, bytes)
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
        println!(
            "created {dir}/ (squish-{version}): index.js, LICENSE, script.json\n\
             try it:  homegames play {dir} --script {dir}/script.json\n\
             how games are written: docs/authoring.md",
            dir = folder.display(),
            version = game_files::template::STARTER_SQUISH_VERSION,
        );
        Ok(())
    }
}

/// The folder for a game name: one plain path component.
fn folder_name(name: &str) -> Result<&str> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if !plain {
        bail!("{name:?} cannot be a folder name: use letters, digits, '-', '_', '.' or spaces");
    }
    Ok(name)
}
