//! Rust: a rust image becomes slim (level 1), the image runs the release
//! binary and is split into a builder and a runtime on the builder's Debian
//! release that gets only the binary (2), static musl waits for level 4
//! where it pays (3), the runtime is scratch for a static binary or
//! distroless cc for a glibc one (4), and the symbol table goes (5).

pub mod cmd;
pub mod crates;
pub mod distroless;
pub mod multi_stage;
pub mod slim_base;
pub mod static_musl;
pub mod strip;
mod tag;
