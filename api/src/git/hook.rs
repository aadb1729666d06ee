//! The pre-receive hook: git runs it (`homegames-api git-hook pre-receive`) with the pushed objects
//! in quarantine, before any ref moves; a non-zero exit refuses the whole push and git drops the
//! quarantine, so a refused push changes nothing. What it refuses, each with a message the pusher
//! sees as `remote: ...`:
//! - a deletion of the default branch, or a push to it that is not a fast-forward (history
//!   rewrite); git's own `receive.denyNonFastForwards` refuses those too, this says why;
//! - in any new commit: anything but a regular file (links, submodules), a file over the
//!   publishing limit, a tree past the file-count or total limit, a path a game may not have;
//! - a repository grown past [`MAX_REPO_BYTES`].
//!
//! Tags and other branches are allowed (only `main` publishes); their commits get the same checks.

use std::io::BufRead;
use std::path::Path;
use std::process::Command;

use super::repo::{parse_ls_tree, TreeEntry};
use super::{DEFAULT_REF, MAX_REPO_BYTES};

const ZERO: &str = "0000000000000000000000000000000000000000";

/// Runs the hook on this process's stdin (git's `<old> <new> <ref>` lines); the exit code.
pub fn pre_receive() -> i32 {
    let stdin = std::io::stdin();
    let mut updates = Vec::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let [old, new, name] = parts[..] {
            updates.push((old.to_string(), new.to_string(), name.to_string()));
        }
    }
    match check_updates(&updates) {
        Ok(()) => 0,
        Err(why) => {
            eprintln!("homegames: push refused: {why}");
            eprintln!("homegames: nothing was changed.");
            1
        }
    }
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("git could not run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

fn check_updates(updates: &[(String, String, String)]) -> Result<(), String> {
    for (old, new, name) in updates {
        if name == DEFAULT_REF {
            if new == ZERO {
                return Err("the main branch cannot be deleted".into());
            }
            if old != ZERO && git(&["merge-base", "--is-ancestor", old, new]).is_err() {
                return Err(format!(
                    "{name} cannot be rewritten (a force-push): its history is kept; fetch, \
                     merge or rebase onto it, and push again"
                ));
            }
        }
        if new == ZERO {
            continue;
        }
        // Every commit this push brings (reachable from the new tip, not from any ref yet).
        let listed = git(&["rev-list", new, "--not", "--all"])?;
        for commit in String::from_utf8_lossy(&listed).split_whitespace() {
            let entries =
                parse_ls_tree(&git(&["ls-tree", "-r", "-l", "-z", "--full-tree", commit])?);
            check_tree(&entries)
                .map_err(|why| format!("commit {}: {why}", &commit[..12.min(commit.len())]))?;
        }
    }
    let size = repository_bytes();
    if size > MAX_REPO_BYTES {
        return Err(format!(
            "the repository would hold {} MB; a game's repository may hold at most {} MB",
            size >> 20,
            MAX_REPO_BYTES >> 20
        ));
    }
    Ok(())
}

/// The checks every tree of a game gets: regular files only, the publishing limits, paths a game
/// may have.
pub fn check_tree(entries: &[TreeEntry]) -> Result<(), String> {
    let mut total = 0u64;
    let mut files = 0usize;
    for e in entries {
        match e.mode.as_str() {
            // The executable bit means nothing to a game; both are plain files.
            "100644" | "100755" => {}
            "120000" => {
                return Err(format!(
                    "{} is a symbolic link; a game holds regular files only",
                    e.path
                ))
            }
            "160000" => {
                return Err(format!(
                    "{} is a submodule; a game holds regular files only",
                    e.path
                ))
            }
            other => {
                return Err(format!(
                    "{} has file mode {other}; a game holds regular files only",
                    e.path
                ))
            }
        }
        crate::versions::check_path(&e.path).map_err(|err| err.to_string())?;
        let size = e.size.unwrap_or(0);
        if size > game_files::MAX_FILE_BYTES {
            return Err(format!(
                "{} is {} bytes; a file may be at most {} MB",
                e.path,
                size,
                game_files::MAX_FILE_BYTES >> 20
            ));
        }
        total += size;
        files += 1;
    }
    if files > game_files::MAX_FILES {
        return Err(format!(
            "the game has {files} files; at most {} are allowed",
            game_files::MAX_FILES
        ));
    }
    if total > game_files::MAX_TOTAL_BYTES {
        return Err(format!(
            "the files add up to {total} bytes; a game may be at most {} MB",
            game_files::MAX_TOTAL_BYTES >> 20
        ));
    }
    Ok(())
}

/// Bytes under the repository's objects. git runs hooks in the repository, and the quarantined
/// push is a folder inside `objects` (GIT_QUARANTINE_PATH), so it is counted too.
fn repository_bytes() -> u64 {
    dir_bytes(Path::new("objects"))
}

fn dir_bytes(dir: &Path) -> u64 {
    game_files::walk(dir)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| std::fs::symlink_metadata(&e.path).ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
