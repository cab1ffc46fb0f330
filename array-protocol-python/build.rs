//! The configuration of the interpreter PyO3 builds for, as `cfg`s (`Py_GIL_DISABLED` for a
//! free-threaded CPython).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(Py_GIL_DISABLED)");
    pyo3_build_config::use_pyo3_cfgs();
}
