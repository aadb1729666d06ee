//! The game server the api talks to, as a process of its own: the real `homegames serve` binary
//! (the api does not link the host), on a port the system picks.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The `homegames` binary, built next to the test executables (`cargo test --workspace` builds it).
pub fn homegames_bin() -> PathBuf {
    // Tests run from target/<profile>/deps; the host's binary is built next to that folder.
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("homegames");
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p host` (cargo test --workspace does)",
        bin.display()
    );
    bin
}

/// A port nothing listens on now (the system's pick, released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running `homegames serve`; stopped when dropped.
pub struct GameServer {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl GameServer {
    /// Serves the games under `games` on a port the system picks, with the extra `args`
    /// (`--admin-token`, `--asset-url`...).
    pub fn start(games: &Path, args: &[&str]) -> GameServer {
        GameServer::start_on(0, games, args)
    }

    /// As `start`, on `port` (from [`free_port`], for a server whose address must be known first).
    pub fn start_on(port: u16, games: &Path, args: &[&str]) -> GameServer {
        let mut child = Command::new(homegames_bin())
            .args(["serve", "--port", &port.to_string(), "--games"])
            .arg(games)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("homegames serve starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut line = String::new();
        let url = loop {
            line.clear();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("homegames serve stopped before it served");
            }
            if let Some(rest) = line.trim().strip_prefix("homegames: serving the lobby on ") {
                break rest.trim_end_matches('/').to_string();
            }
        };
        // Keep draining its log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stderr.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        GameServer { child, url }
    }
}

impl Drop for GameServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
