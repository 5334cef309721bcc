//! `dfslim verify`: build the original and the rewrite with a Docker engine,
//! compare them, and (with --smoke) run both. The work is in
//! `dfslim::verify`; this parses arguments and renders.

use super::{Format, OK, PENDING, eprint, fail, print};
use clap::Args;
use dfslim::pipeline::MAX_LEVEL;
use dfslim::verify::{self, render};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The Dockerfile to verify (it is not changed; the rewrite goes to a temporary file).
    pub dockerfile: PathBuf,
    /// Rewrite with every transform up to this level.
    #[arg(long, default_value_t = MAX_LEVEL, value_parser = clap::value_parser!(u8).range(0..=MAX_LEVEL as i64))]
    pub level: u8,
    /// The build context of both builds (default: the Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The minimal runtime of level 4 (default: scratch).
    #[arg(long, value_enum)]
    pub runtime: Option<super::fix::RuntimeArg>,
    /// Run both images: each must stay up (or exit 0) and its exposed TCP ports must answer.
    #[arg(long)]
    pub smoke: bool,
    /// Keep both images (their tags are printed); containers are always removed.
    #[arg(long)]
    pub keep_images: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Exit: 0 both build (and pass the smoke test), 1 a smoke test failed,
/// 2 an error (no docker, no engine, a build that fails).
pub fn run(args: VerifyArgs) -> u8 {
    let options = verify::Options {
        level: args.level,
        runtime: args.runtime.map(Into::into).unwrap_or_default(),
        context: args.context,
        smoke: args.smoke,
        keep_images: args.keep_images,
        ..verify::Options::default()
    };
    let report = match verify::verify(&args.dockerfile, &options, &mut |msg| {
        eprint(&format!("dfslim: {msg}\n"))
    }) {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    match args.format {
        Format::Json => print(&render::json(&report)),
        Format::Text => print(&render::text(&report)),
    }
    if let Some(e) = &report.error {
        fail(e)
    } else if report.smoke_failed() {
        eprint("dfslim: a smoke test failed (see above)\n");
        PENDING
    } else {
        OK
    }
}
