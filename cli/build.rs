//! Release binaries keep line tables of wasmscope's own code so that its
//! backtraces name files and lines; compressed by the linker they take a
//! fraction of the space, and the standard library's backtrace reader
//! decompresses them (zlib; it cannot read zstd) when it needs them.
//! Relative relocations are packed (DT_RELR: 1.2 MB of `.rela.dyn` down to a
//! few KB, the executable still position-independent); a linker that does not
//! know the option warns and ignores it.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
