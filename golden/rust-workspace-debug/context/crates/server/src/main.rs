fn main() rust-workspace-debug/context/crates/server/src/main.rs
