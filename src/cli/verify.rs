//! `dfslim verify`: build the original and the rewrite with a Docker engine.

use super::fail;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The Dockerfile to verify.
    pub dockerfile: PathBuf,
}

pub fn run(_args: VerifyArgs) -> u8 {
    fail("verify is not implemented yet")
}
