//! `homegames squish …`: the codec for humans and scripts.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use squish::{Alias, Node, Scale, SquishVersion, ALIASES};

#[derive(Args, Debug)]
#[command(
    after_help = "The JSON tree shape is described in docs/squish.md. Examples:\n  \
    homegames squish encode --squish-version 135 tree.json > frame.bin\n  \
    homegames squish decode --squish-version 135 frame.bin\n  \
    homegames squish versions"
)]
pub struct SquishArgs {
    #[command(subcommand)]
    command: SquishCommand,
}

#[derive(Subcommand, Debug)]
enum SquishCommand {
    /// Encode a JSON node tree (or a list of trees) to frame bytes on stdout.
    Encode {
        #[command(flatten)]
        version: VersionArg,
        /// JSON file holding one node (with optional children) or a list of nodes; `-` for stdin.
        tree: PathBuf,
        /// Scale every node as the session server does: `X,Y` (e.g. `0.91,0.91`). Default: none.
        #[arg(long, value_parser = parse_scale, conflicts_with = "bezel")]
        scale: Option<Scale>,
        /// Scale for a game layer with this bezel in percent (9 is what sessions use).
        #[arg(long)]
        bezel: Option<f64>,
        /// Print lowercase hex instead of raw bytes.
        #[arg(long)]
        hex: bool,
    },
    /// Decode frame bytes (one state message: frames back to back) to JSON on stdout.
    Decode {
        #[command(flatten)]
        version: VersionArg,
        /// File with the bytes; `-` for stdin.
        input: PathBuf,
        /// The input is hex text rather than raw bytes.
        #[arg(long)]
        hex: bool,
    },
    /// List every alias, the package the server and the old browser client load for it, and its family.
    Versions,
}

#[derive(Args, Debug)]
struct VersionArg {
    /// An alias a game pins (`135`, `1006`, `0762`, `squish-135`) or an npm version (`1.3.5`).
    #[arg(long = "squish-version", short = 'v', value_name = "VERSION")]
    squish_version: String,
    /// Resolve the alias as the old browser client (homegames-web 1.4.2) does instead of the server.
    #[arg(long)]
    client: bool,
}

impl VersionArg {
    fn resolve(&self) -> Result<SquishVersion> {
        if self.client {
            let bare = self.squish_version.trim().trim_start_matches("squish-");
            let alias = Alias::lookup(bare).with_context(|| {
                format!("--client needs an alias from `homegames squish versions`, not {bare:?}")
            })?;
            return Ok(alias.client_or_initial().into());
        }
        Ok(self.squish_version.parse()?)
    }
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    let (x, y) = s.split_once(',').ok_or("expected X,Y such as 0.91,0.91")?;
    let num = |v: &str| v.trim().parse::<f64>().map_err(|e| format!("{v:?}: {e}"));
    Ok(Scale {
        x: num(x)?,
        y: num(y)?,
    })
}

fn label(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".into()
    } else {
        path.display().to_string()
    }
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading stdin")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// One tree or a list of trees.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Trees {
    Many(Vec<Node>),
    One(Box<Node>),
}

impl SquishArgs {
    pub fn run(self) -> Result<()> {
        match self.command {
            SquishCommand::Encode {
                version,
                tree,
                scale,
                bezel,
                hex,
            } => {
                let v = version.resolve()?;
                let text = read_input(&tree)?;
                let trees = match serde_json::from_slice::<Trees>(&text) {
                    Ok(Trees::Many(t)) => t,
                    Ok(Trees::One(t)) => vec![*t],
                    // Parse again as one node to get serde's located message for the likely shape.
                    Err(_) => vec![serde_json::from_slice::<Node>(&text).with_context(|| {
                        format!("{} is not a node tree (see docs/squish.md)", label(&tree))
                    })?],
                };
                let scale = scale.or(bezel.map(|b| Scale::for_bezel(b, b)));
                let mut out = Vec::new();
                for t in &trees {
                    squish::encode_tree_into(v, t, scale, &mut out)?;
                }
                tracing::debug!(bytes = out.len(), trees = trees.len(), %v, "encoded");
                let mut stdout = std::io::stdout().lock();
                if hex {
                    writeln!(stdout, "{}", to_hex(&out))?;
                } else {
                    stdout.write_all(&out)?;
                }
                Ok(())
            }
            SquishCommand::Decode {
                version,
                input,
                hex,
            } => {
                let v = version.resolve()?;
                let raw = read_input(&input)?;
                let bytes = if hex { from_hex(&raw)? } else { raw };
                let frames = squish::decode_frames(v, &bytes)?;
                for f in &frames {
                    if let Some((offset, tag)) = f.stopped_at_unknown_tag {
                        tracing::warn!(offset, tag, "unknown sub-frame tag; the rest of that frame is ignored, as the original does");
                    }
                }
                let nodes: Vec<&Node> = frames.iter().map(|f| &f.node).collect();
                let mut stdout = std::io::stdout().lock();
                serde_json::to_writer_pretty(&mut stdout, &nodes)?;
                writeln!(stdout)?;
                Ok(())
            }
            SquishCommand::Versions => {
                println!("{:<7} {:<9} {:<26} family", "alias", "server", "old client");
                for a in ALIASES {
                    let client = match a.client {
                        Some(c) => c.to_string(),
                        None => format!("none (keeps {})", a.client_or_initial()),
                    };
                    let family = a
                        .server
                        .family()
                        .map_or("reserved".to_string(), |f| format!("{f:?}"));
                    println!(
                        "{:<7} {:<9} {:<26} {family}",
                        a.name,
                        a.server.to_string(),
                        client
                    );
                }
                Ok(())
            }
        }
    }
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn from_hex(text: &[u8]) -> Result<Vec<u8>> {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if !digits.len().is_multiple_of(2) {
        bail!("hex input has an odd number of digits ({})", digits.len());
    }
    digits
        .chunks(2)
        .enumerate()
        .map(|(i, p)| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .with_context(|| {
                    format!(
                        "hex input: {:?} at digit {} is not a hex byte",
                        String::from_utf8_lossy(p),
                        i * 2
                    )
                })
        })
        .collect()
}
