//! Release binaries keep line tables of wasmscope's own code so that its
//! backtraces name files and lines; compressed by the linker they take a
//! fraction of the space, and the standard library's backtrace reader
//! decompresses them (zlib) when it needs them.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
}
