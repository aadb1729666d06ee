//! Game source in git: one bare repository per game, on disk under the API's data folder, which
//! real `git` clients clone from and push to over smart HTTP (`http.rs`, Debian's
//! `git http-backend` driven from axum: no pack protocol of ours). The Studio's saves are commits
//! made through the API (`repo.rs`, git's own plumbing), with the author as committer; a push to
//! the default branch becomes a version and a publish request (`push.rs`); every push is checked
//! before it is accepted by our pre-receive hook (`hook.rs`, run by git as
//! `homegames-api git-hook pre-receive`), so a refused push changes nothing.
//!
//! Layout: `<root>/<owner>/<game>.git` (owner: the author's user id), and for a game whose author
//! made its source public, `<root>/<owner>/<game>.public.git`, holding one parentless commit of
//! the published files and nothing else (hidden refs are not a boundary in git: what strangers
//! may fetch lives in a repository of its own).

pub mod hook;
pub mod http;
pub mod migrate;
pub mod push;
pub mod repo;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use repo::{Author, GitError};

/// The branch pushes publish from and saves commit to.
pub const DEFAULT_BRANCH: &str = "main";
/// The full name of [`DEFAULT_BRANCH`].
pub const DEFAULT_REF: &str = "refs/heads/main";
/// The largest pack one push may send (git refuses a bigger one itself).
pub const MAX_PUSH_BYTES: u64 = 50 << 20;
/// The largest a repository may grow, objects of the push being checked included.
pub const MAX_REPO_BYTES: u64 = 200 << 20;

/// Where the repositories are, and what git runs as their hook.
#[derive(Clone, Debug)]
pub struct Repos {
    root: PathBuf,
    /// The `homegames-api` executable: git runs `<hook_binary> git-hook pre-receive`.
    hook_binary: PathBuf,
    /// One lock per game for the API's own writes (saves, migrations, the public copy), so two
    /// saves of one game are made one after the other; pushes race them through git's own ref
    /// locks (a compare-and-swap on the branch).
    locks: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Repos {
    pub fn new(root: impl Into<PathBuf>, hook_binary: impl Into<PathBuf>) -> Repos {
        Repos {
            root: root.into(),
            hook_binary: hook_binary.into(),
            locks: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The game's repository (which may not exist yet).
    pub fn path(&self, owner: &str, game: &str) -> PathBuf {
        self.root.join(owner).join(format!("{game}.git"))
    }

    /// The public copy of the game's published source.
    pub fn public_path(&self, owner: &str, game: &str) -> PathBuf {
        self.root.join(owner).join(format!("{game}.public.git"))
    }

    /// The folder the hook script lives in (`core.hooksPath` of every repository).
    pub fn hooks_dir(&self) -> PathBuf {
        self.root.join(".hooks")
    }

    /// The lock of the API's writes to one game's repository.
    pub async fn lock(&self, game: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self
            .locks
            .lock()
            .unwrap()
            .entry(game.to_string())
            .or_default()
            .clone();
        lock.lock_owned().await
    }

    /// Writes the hook script every repository runs (idempotent; called at start).
    pub fn install_hooks(&self) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.hooks_dir();
        std::fs::create_dir_all(&dir)?;
        let script = format!(
            "#!/bin/sh\n# Written by homegames-api: every push is checked before it is accepted.\nexec '{}' git-hook pre-receive\n",
            self.hook_binary.display().to_string().replace('\'', "'\\''")
        );
        let file = dir.join("pre-receive");
        std::fs::write(&file, script)?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))?;
        // Said after the push is in, as the original's webhook did.
        let post = dir.join("post-receive");
        std::fs::write(
            &post,
            "#!/bin/sh\necho \"homegames: a push to main is published: see GET /games/<id>/publish-requests\"\n",
        )?;
        std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o755))?;
        Ok(())
    }

    /// Removes every repository of `owner` (their account is deleted).
    pub fn remove_owner(&self, owner: &str) -> std::io::Result<()> {
        remove_dir_if_there(&self.root.join(owner))
    }

    /// Removes a game's repository and its public copy.
    pub fn remove_game(&self, owner: &str, game: &str) -> std::io::Result<()> {
        remove_dir_if_there(&self.path(owner, game))?;
        remove_dir_if_there(&self.public_path(owner, game))
    }
}

fn remove_dir_if_there(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
