fn main() rust-workspace-debug/context/crates/cli/src/main.rs
