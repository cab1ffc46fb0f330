//! Misuse of the derives is a compile error that names the problem and the fix. The `.stderr`
//! files are blessed on the stable toolchain (`TRYBUILD=overwrite`); other toolchains word the
//! trait-solver parts differently, so the test runs on stable only.

#[rustversion::attr(not(stable), ignore)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    // A `pass` case makes trybuild build the cases instead of only checking them, so errors
    // raised when generic code is monomorphised (a padded instantiation) are seen too.
    t.pass("tests/ui-pass/*.rs");
    t.compile_fail("tests/ui/*.rs");
}

/// Every `.stderr` belongs to a test case.
#[test]
fn no_orphaned_stderr() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            assert!(
                path.with_extension("rs").exists(),
                "{} has no test case",
                path.display()
            );
        }
    }
}
