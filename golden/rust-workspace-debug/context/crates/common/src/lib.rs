fn main() rust-workspace-debug/context/crates/common/src/lib.rs
