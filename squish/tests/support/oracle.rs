//! A client for `tests/oracle/oracle.js`, which runs the real squishjs packages in Node.
//! The packages are installed at test time into `tests/oracle/node_modules` (git-ignored).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Once;

use serde_json::{json, Value};

pub fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

/// The package folders of the releases npm does not serve (squishjs 1.3.6 exact, 1.4.3
/// reconstructed): `../shared/oracle` next to the workspace, or `$SQUISH_SHARED_ORACLE`. Read in
/// place at test time, never copied into the repository.
pub fn shared_oracle_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SQUISH_SHARED_ORACLE") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracle")
}

/// Packages the oracle loads from [`shared_oracle_dir`] instead of npm.
pub const SHARED_PACKAGES: &[&str] = &["1.3.6", "1.4.3"];

fn ensure_shared() {
    let dir = shared_oracle_dir();
    for v in SHARED_PACKAGES {
        let p = dir.join(format!("squishjs-{v}/src/squish.js"));
        assert!(
            p.exists(),
            "{} is missing: the squishjs {v} oracle folder lives in ../shared/oracle next to the workspace \
             (or set SQUISH_SHARED_ORACLE to the folder holding squishjs-1.3.6/ and squishjs-1.4.3/)",
            p.display()
        );
    }
}

/// Installs the pinned squishjs versions once (npm, no lock file), or fails saying how to fix it.
pub fn ensure_installed() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = oracle_dir();
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap())
                .unwrap();
        let missing = manifest["dependencies"]
            .as_object()
            .unwrap()
            .keys()
            .any(|name| {
                !dir.join("node_modules")
                    .join(name)
                    .join("package.json")
                    .exists()
            });
        if !missing {
            return;
        }
        eprintln!(
            "installing the squishjs oracle packages into {}",
            dir.display()
        );
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
                "--ignore-scripts",
            ])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("cannot run npm ({e}); install Node.js and npm (apt-get install nodejs npm)")
            });
        assert!(
            status.success(),
            "npm install of the squishjs oracle failed; run it by hand in {}",
            dir.display()
        );
    });
}

pub struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    pub fn start() -> Oracle {
        ensure_installed();
        ensure_shared();
        let mut child = Command::new("node")
            .arg(oracle_dir().join("oracle.js"))
            .env("SQUISH_SHARED_ORACLE", shared_oracle_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start node ({e}); install Node.js (apt-get install nodejs)")
            });
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Oracle {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends every request and reads every answer, in order. A writer thread keeps both pipes
    /// flowing so large batches cannot deadlock.
    pub fn batch(&mut self, requests: Vec<Value>) -> Vec<Value> {
        let n = requests.len();
        let mut stdin = self.stdin.take().expect("oracle stdin");
        let writer = std::thread::spawn(move || {
            for r in requests {
                serde_json::to_writer(&mut stdin, &r).unwrap();
                stdin.write_all(b"\n").unwrap();
            }
            stdin.flush().unwrap();
            stdin
        });
        let mut out = Vec::with_capacity(n);
        let mut line = String::new();
        for _ in 0..n {
            line.clear();
            let read = self.stdout.read_line(&mut line).expect("read from oracle");
            assert!(read > 0, "the oracle exited early");
            out.push(serde_json::from_str(&line).expect("oracle answers JSON"));
        }
        self.stdin = Some(writer.join().unwrap());
        out
    }

    pub fn encode_request(
        package: &str,
        scale: Option<squish::Scale>,
        tree: &squish::Node,
    ) -> Value {
        json!({"op": "encode", "package": package, "scale": scale, "tree": tree})
    }

    pub fn decode_request(package: &str, bytes: &[u8]) -> Value {
        json!({"op": "decode", "package": package, "hex": hex::encode(bytes)})
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// Per-node result of an encode request: bytes, or the exception text.
pub fn frames_of(answer: &Value) -> Vec<Result<Vec<u8>, String>> {
    answer["frames"]
        .as_array()
        .unwrap_or_else(|| panic!("bad oracle answer {answer}"))
        .iter()
        .map(|f| match f.get("hex") {
            Some(h) => Ok(hex::decode(h.as_str().unwrap()).unwrap()),
            None => Err(f["error"].as_str().unwrap_or("?").to_string()),
        })
        .collect()
}

/// Decode answer: the decoded fields, or the exception text.
pub fn decoded_of(answer: &Value) -> Result<Value, String> {
    match answer.get("decoded") {
        Some(d) => Ok(numbers_as_f64(d.clone())),
        None => Err(answer["error"].as_str().unwrap_or("?").to_string()),
    }
}

/// JSON numbers compared as the doubles they are: `42`, `42.0` and JS's `499999999999999900`
/// (which is the double 4.999999999999999e17) must compare equal.
pub fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            serde_json::Number::from_f64(n.as_f64().unwrap()).map_or(Value::Null, Value::Number)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect())
        }
        other => other,
    }
}
