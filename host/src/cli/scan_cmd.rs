//! `homegames scan PATH...`: the publishing scan, for authors before they publish.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Exits 1 when anything is found. The rules are listed in docs/authoring.md."
)]
pub struct ScanArgs {
    /// Game folders or .js files; a folder is scanned as a whole.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print the findings as JSON (one array) instead of text.
    #[arg(long)]
    json: bool,
}

impl ScanArgs {
    pub fn run(self) -> Result<ExitCode> {
        let findings = ast_scan::scan_paths(&self.paths)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&findings)?);
        } else {
            for f in &findings {
                println!("{f}\n");
            }
            match findings.len() {
                0 => eprintln!("no findings"),
                n => eprintln!("{n} finding(s)"),
            }
        }
        Ok(if findings.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
