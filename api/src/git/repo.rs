//! One repository, through git's own commands (Debian's `git`): create it, read its branch, commit
//! a set of files on it (a compare-and-swap on the branch, so a concurrent push is never lost),
//! and read a commit's files back.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use super::{Repos, DEFAULT_BRANCH, DEFAULT_REF, MAX_PUSH_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git could not be run ({0}); the API needs git installed (apt-get install git)")]
    Spawn(#[source] std::io::Error),
    #[error("git {command} failed: {stderr}")]
    Failed { command: String, stderr: String },
    #[error("{0}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    /// The branch moved since it was read (a push or another save won): nothing was changed.
    #[error("the game's source changed meanwhile (a push or another save); reload and try again")]
    Moved,
    #[error("the commit {0} is not in this game's repository")]
    NoSuchCommit(String),
    #[error("{0}")]
    Refused(String),
}

/// Who a commit is by (author and committer alike).
#[derive(Clone, Debug)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Author {
    /// An account as git names it: its display name, and an address that is not the account's
    /// (a clone must not publish the author's email).
    pub fn of_user(display_name: &str, user_id: &str) -> Author {
        Author {
            name: display_name.to_string(),
            email: format!("{user_id}@users.homegames.invalid"),
        }
    }
}

/// Runs `git ARGS` in `git_dir` with `stdin` fed in; its stdout, or why it failed.
pub async fn git(
    git_dir: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: Option<&[u8]>,
) -> Result<Vec<u8>, GitError> {
    let mut cmd = tokio::process::Command::new("git");
    cmd.arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        // Nothing of the machine's or the user's git configuration applies to our repositories.
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(GitError::Spawn)?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped");
        let input = input.to_vec();
        // Written while stdout is read: a large input must not wait on a full output pipe.
        tokio::spawn(async move {
            let _ = pipe.write_all(&input).await;
        });
    }
    let out = child.wait_with_output().await.map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: args.first().copied().unwrap_or("").to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

impl Repos {
    /// Creates the game's bare repository with our rules, if it is not there. Idempotent: the
    /// configuration of an existing one is written again (a newer API may add rules).
    pub async fn create(&self, owner: &str, game: &str) -> Result<PathBuf, GitError> {
        let dir = self.path(owner, game);
        init_bare(&dir, &self.hooks_dir()).await?;
        Ok(dir)
    }

    /// The commit the default branch names, if any.
    pub async fn head(&self, dir: &Path) -> Result<Option<String>, GitError> {
        match git(
            dir,
            &["rev-parse", "--verify", "-q", DEFAULT_REF],
            &[],
            None,
        )
        .await
        {
            Ok(out) => Ok(Some(text(out))),
            Err(GitError::Failed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Commits `files` (the whole tree) on the default branch as `author`, on top of `parent`
    /// (what the branch named when the caller read it; `None`: the branch must not exist yet).
    /// If the branch moved meanwhile nothing changes and the answer is [`GitError::Moved`].
    /// Returns the new commit.
    pub async fn commit(
        &self,
        dir: &Path,
        files: &[(String, Vec<u8>)],
        parent: Option<&str>,
        message: &str,
        author: &Author,
    ) -> Result<String, GitError> {
        let tree = write_tree(dir, files).await?;
        let commit = commit_tree(dir, &tree, parent, message, author).await?;
        let old = parent.unwrap_or("0000000000000000000000000000000000000000");
        match git(
            dir,
            &[
                "update-ref",
                "-m",
                "homegames save",
                DEFAULT_REF,
                &commit,
                old,
            ],
            &[],
            None,
        )
        .await
        {
            Ok(_) => Ok(commit),
            Err(GitError::Failed { .. }) => Err(GitError::Moved),
            Err(e) => Err(e),
        }
    }

    /// The files of `commit`, read whole, with the checks a push gets (regular files only, the
    /// publishing limits): what a version is made of.
    pub async fn files(
        &self,
        dir: &Path,
        commit: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, GitError> {
        let entries = tree_entries(dir, commit).await?;
        super::hook::check_tree(&entries).map_err(GitError::Refused)?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let bytes = git(dir, &["cat-file", "blob", &e.object], &[], None).await?;
            out.push((e.path, bytes));
        }
        Ok(out)
    }

    /// Whether `commit` names a commit of the repository.
    pub async fn has_commit(&self, dir: &Path, commit: &str) -> bool {
        let spec = format!("{commit}^{{commit}}");
        git(dir, &["cat-file", "-e", &spec], &[], None)
            .await
            .is_ok()
    }
}

/// Which set of rules `init_bare` writes; a repository configured with an older set gets the
/// current one (once: writing git's config takes its lock, which a push may be holding).
const RULES: &str = "1";

/// `git init --bare` and our rules: fast-forward only, no deletions, every object checked, a cap
/// on one push, our hooks, and no one's configuration but ours.
pub async fn init_bare(dir: &Path, hooks: &Path) -> Result<(), GitError> {
    if dir.join("HEAD").is_file() {
        let current = git(dir, &["config", "--get", "homegames.rules"], &[], None)
            .await
            .map(text)
            .unwrap_or_default();
        if current == RULES {
            return Ok(());
        }
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| GitError::Io(dir.to_path_buf(), e))?;
    if !dir.join("HEAD").is_file() {
        git(
            dir,
            &["init", "--bare", "-q", "-b", DEFAULT_BRANCH],
            &[],
            None,
        )
        .await?;
    }
    let max_push = MAX_PUSH_BYTES.to_string();
    let hooks = hooks.display().to_string();
    for (key, value) in [
        ("receive.denyNonFastForwards", "true"),
        ("receive.denyDeletes", "true"),
        ("receive.denyDeleteCurrent", "true"),
        ("receive.fsckObjects", "true"),
        ("transfer.fsckObjects", "true"),
        ("receive.maxInputSize", max_push.as_str()),
        ("receive.advertisePushOptions", "false"),
        ("core.hooksPath", hooks.as_str()),
        ("core.symlinks", "false"),
        ("http.receivepack", "true"),
        ("http.uploadpack", "true"),
        ("uploadpack.allowAnySHA1InWant", "false"),
        ("gc.auto", "0"),
        // Last: a repository is ready once this is written.
        ("homegames.rules", RULES),
    ] {
        git(dir, &["config", key, value], &[], None).await?;
    }
    Ok(())
}

/// One entry of a tree, as `git ls-tree -r -l` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub mode: String,
    pub kind: String,
    pub object: String,
    /// None for what is not a blob (a submodule's commit).
    pub size: Option<u64>,
    pub path: String,
}

/// Every entry of `commit`'s tree, recursively.
pub async fn tree_entries(dir: &Path, commit: &str) -> Result<Vec<TreeEntry>, GitError> {
    let out = git(
        dir,
        &["ls-tree", "-r", "-l", "-z", "--full-tree", commit],
        &[],
        None,
    )
    .await
    .map_err(|e| match e {
        GitError::Failed { .. } => GitError::NoSuchCommit(commit.to_string()),
        other => other,
    })?;
    Ok(parse_ls_tree(&out))
}

/// Parses `ls-tree -r -l -z` output: `<mode> SP <type> SP <object> SP+ <size> TAB <path> NUL`.
pub fn parse_ls_tree(out: &[u8]) -> Vec<TreeEntry> {
    out.split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .filter_map(|record| {
            let record = String::from_utf8_lossy(record);
            let (meta, path) = record.split_once('\t')?;
            let mut parts = meta.split_whitespace();
            Some(TreeEntry {
                mode: parts.next()?.to_string(),
                kind: parts.next()?.to_string(),
                object: parts.next()?.to_string(),
                size: parts.next().and_then(|s| s.parse().ok()),
                path: path.to_string(),
            })
        })
        .collect()
}

/// Writes `files` as blobs and a tree (through a private index); returns the tree.
async fn write_tree(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<String, GitError> {
    let mut index_info = String::new();
    for (path, bytes) in files {
        let blob = text(git(dir, &["hash-object", "-w", "--stdin"], &[], Some(bytes)).await?);
        index_info.push_str(&format!("100644 {blob}\t{path}\n"));
    }
    let index = tempfile::NamedTempFile::new().map_err(|e| GitError::Io(dir.to_path_buf(), e))?;
    let index_path = index.path().display().to_string();
    // An empty file is not an index; git makes one where none is.
    let _ = std::fs::remove_file(index.path());
    let env = [("GIT_INDEX_FILE", index_path.as_str())];
    git(
        dir,
        &["update-index", "--add", "--index-info"],
        &env,
        Some(index_info.as_bytes()),
    )
    .await?;
    Ok(text(git(dir, &["write-tree"], &env, None).await?))
}

async fn commit_tree(
    dir: &Path,
    tree: &str,
    parent: Option<&str>,
    message: &str,
    author: &Author,
) -> Result<String, GitError> {
    let mut args = vec!["commit-tree", tree];
    if let Some(p) = parent {
        args.extend(["-p", p]);
    }
    let env = [
        ("GIT_AUTHOR_NAME", author.name.as_str()),
        ("GIT_AUTHOR_EMAIL", author.email.as_str()),
        ("GIT_COMMITTER_NAME", author.name.as_str()),
        ("GIT_COMMITTER_EMAIL", author.email.as_str()),
    ];
    Ok(text(git(dir, &args, &env, Some(message.as_bytes())).await?))
}

/// Makes the public copy hold exactly one parentless commit with `commit`'s tree (the published
/// files, none of their history). Idempotent.
pub async fn publish_copy(
    repos: &Repos,
    owner: &str,
    game: &str,
    commit: &str,
    message: &str,
) -> Result<(), GitError> {
    let private = repos.path(owner, game);
    let public = repos.public_path(owner, game);
    init_bare(&public, &repos.hooks_dir()).await?;
    let tree = text(
        git(
            &private,
            &["rev-parse", &format!("{commit}^{{tree}}")],
            &[],
            None,
        )
        .await?,
    );
    let author = Author {
        name: "Homegames".into(),
        email: "publish@homegames.invalid".into(),
    };
    // The same tree and message give the same commit only with a fixed date.
    let env = [
        ("GIT_AUTHOR_NAME", author.name.as_str()),
        ("GIT_AUTHOR_EMAIL", author.email.as_str()),
        ("GIT_COMMITTER_NAME", author.name.as_str()),
        ("GIT_COMMITTER_EMAIL", author.email.as_str()),
        ("GIT_AUTHOR_DATE", "1700000000 +0000"),
        ("GIT_COMMITTER_DATE", "1700000000 +0000"),
    ];
    let orphan = text(
        git(
            &private,
            &["commit-tree", &tree],
            &env,
            Some(message.as_bytes()),
        )
        .await?,
    );
    // Only the objects of that one commit travel: a fresh pack built from it alone.
    let pack = git(
        &private,
        &["pack-objects", "--stdout", "--revs"],
        &[],
        Some(format!("{orphan}\n").as_bytes()),
    )
    .await?;
    git(
        &public,
        &["index-pack", "--stdin", "--fix-thin"],
        &[],
        Some(&pack),
    )
    .await?;
    git(&public, &["update-ref", DEFAULT_REF, &orphan], &[], None).await?;
    // The orphan commit was written into the private repository too: it is unreachable there and
    // never advertised (gc is off; it costs one commit object).
    Ok(())
}
