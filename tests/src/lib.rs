//! Helpers for the cross-crate tests in `tests/tests/`: finding a Python with numpy and asking it
//! questions through the scripts in `tests/python/`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python interpreter to test against: `$ARRAY_PROTOCOL_PYTHON`, else the workspace's
/// `.venv` made by `scripts/test-all.sh`. `None` when neither exists and
/// `$ARRAY_PROTOCOL_REQUIRE_PYTHON` is unset; with it set (as the test script does), a missing
/// interpreter fails the test instead of skipping it.
pub fn python() -> Option<PathBuf> {
    let candidate = match std::env::var_os("ARRAY_PROTOCOL_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join(".venv/bin/python"),
    };
    if candidate.exists() {
        return Some(candidate);
    }
    if std::env::var_os("ARRAY_PROTOCOL_REQUIRE_PYTHON").is_some() {
        panic!(
            "no Python at {} (set ARRAY_PROTOCOL_PYTHON or run scripts/test-all.sh)",
            candidate.display()
        );
    }
    eprintln!("skipped: no Python with numpy; run scripts/test-all.sh to test against numpy");
    None
}

/// Runs `tests/python/<script>` with `args`, returning its standard output.
pub fn run(python: &std::path::Path, script: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let path = workspace_root().join("tests/python").join(script);
    let out = Command::new(python)
        .arg(&path)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `tests/python/<script>` with `request` as JSON on stdin and returns its JSON reply.
pub fn ask(
    python: &std::path::Path,
    script: &str,
    request: &serde_json::Value,
) -> serde_json::Value {
    let path = workspace_root().join("tests/python").join(script);
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(request.to_string().as_bytes())
        .expect("write request");
    drop(stdin);
    let out = child.wait_with_output().expect("python runs");
    assert!(out.status.success(), "{script} failed: {:?}", out.status);
    serde_json::from_slice(&out.stdout).expect("the oracle replies with JSON")
}
