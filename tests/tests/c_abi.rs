//! The C ABI with a real C compiler: gcc builds `tests/c/dlpack_roundtrip.c` against a small C
//! library over `array_protocol::dlpack` and runs it.

use std::path::PathBuf;
use std::process::Command;

use array_protocol_tests::workspace_root;

#[test]
fn c_program_exchanges_arrays_through_dlpack() {
    let root = workspace_root();
    // A separate target directory: the outer cargo may still hold the main one.
    let target = root.join("target/capi");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "array-protocol-capi"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the C library failed");
    let lib_dir: PathBuf = target.join("debug");
    let exe = target.join("dlpack_roundtrip");
    let gcc = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(root.join("tests/c/dlpack_roundtrip.c"))
        .arg("-I")
        .arg(root.join("array-protocol/include"))
        .arg("-L")
        .arg(&lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-larray_protocol_capi", "-lm"])
        .output()
        .expect("gcc runs");
    assert!(
        gcc.status.success(),
        "gcc failed:\n{}",
        String::from_utf8_lossy(&gcc.stderr)
    );
    // The library just built, not one of the same name that cargo's own library path (set for
    // test binaries, ahead of the program's rpath) may hold from another build.
    let run = Command::new(&exe)
        .env("LD_LIBRARY_PATH", &lib_dir)
        .output()
        .expect("the C program runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "C checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.trim_end().ends_with("passed, 0 failed"), "{stdout}");
    // The refusals said why.
    assert!(
        stderr.contains("the array lives on device CUDA"),
        "{stderr}"
    );
    assert!(stderr.contains("negative length -3"), "{stderr}");
    assert!(
        stderr.contains("invalid DLPack device CUDA (type 2):-1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("found a vector type with 2 lanes"),
        "{stderr}"
    );
}
