//! Development only: the test run as a child process of ours (`homegames validate`), on a machine
//! without Docker. The game's code runs in that process, never in the caller's, but unconfined:
//! never for games written by others.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::test_runs::{keep_up_to, last_line, report, Once, MAX_QUOTED_STDERR, MAX_REPORT_BYTES};
use crate::{ContainmentError, Report};

/// Runs `homegames_bin validate GAME_DIR --seconds SECONDS` and reads its report. A run that
/// takes longer than `timeout` is killed and reported as failed.
pub async fn validate(
    homegames_bin: &Path,
    game_dir: &Path,
    seconds: f64,
    timeout: Duration,
) -> Result<Report, ContainmentError> {
    let mut child = tokio::process::Command::new(homegames_bin)
        .arg("validate")
        .arg(game_dir)
        .args(["--seconds", &seconds.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(ContainmentError::Process)?;
    let (mut out, mut err) = (
        child.stdout.take().expect("piped"),
        child.stderr.take().expect("piped"),
    );
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let read = async {
        let (mut a, mut b) = ([0u8; 8192], [0u8; 8192]);
        let (mut out_open, mut err_open) = (true, true);
        while out_open || err_open {
            tokio::select! {
                n = out.read(&mut a), if out_open => match n {
                    Ok(0) | Err(_) => out_open = false,
                    Ok(n) => keep_up_to(&mut stdout, &a[..n], MAX_REPORT_BYTES),
                },
                n = err.read(&mut b), if err_open => match n {
                    Ok(0) | Err(_) => err_open = false,
                    Ok(n) => keep_up_to(&mut stderr, &b[..n], MAX_QUOTED_STDERR),
                },
            }
        }
    };
    if tokio::time::timeout(timeout, read).await.is_err() {
        let _ = child.kill().await;
        return Ok(report(Once::TimedOut, timeout));
    }
    let _ = child.wait().await;
    Ok(report(last_line(&stdout, &stderr), timeout))
}
