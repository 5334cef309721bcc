//! `dfslim inspect`: what dfslim sees in a Dockerfile.

use super::{ERROR, Format, OK, eprint, fail, print};
use clap::Args;
use dfslim::{fsio, report, syntax};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// A Dockerfile, or - for stdin.
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: InspectArgs) -> u8 {
    let display = args.file.display().to_string();
    let text = if args.file.as_os_str() == "-" {
        fsio::read_stdin()
    } else {
        fsio::read_text(&args.file)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => return fail(&format!("{display}: {e}")),
    };
    match syntax::Document::parse(text) {
        Ok(doc) => {
            match args.format {
                Format::Json => print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report::inspect::value(&doc)).unwrap_or_default()
                )),
                Format::Text => print(&report::inspect::text(&doc)),
            }
            OK
        }
        Err(e) => {
            eprint(&format!(
                "{display}:{}:{}: {}\n",
                e.line, e.column, e.message
            ));
            ERROR
        }
    }
}
