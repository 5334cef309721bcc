//! Command-line definitions and dispatch. The CLI parses arguments, calls
//! the library and renders; it decides nothing a library function could.

mod config;
mod fix;
mod inspect;
mod out;
mod verify;

use clap::{Parser, Subcommand, ValueEnum};
use dfslim::catalog;
use std::io::Write;
use std::process::ExitCode;

/// Rewrites Dockerfiles so the images they build get small, and shows the change as a diff.
#[derive(Parser, Debug)]
#[command(name = "dfslim", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Rewrite Dockerfiles (files, directories, or - for stdin).
    Fix(fix::FixArgs),
    /// Show what dfslim sees in a Dockerfile.
    Inspect(inspect::InspectArgs),
    /// Build originals and rewrites on Docker engines (one file or a tree); compare, run both.
    Verify(verify::VerifyArgs),
    /// List the transforms by ecosystem: id, level, title.
    Transforms,
    /// Explain one transform in full.
    Explain {
        /// A transform id, e.g. strip-flags.
        id: String,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
    /// Show the configuration in force (dfslim.toml) and what it gives each Dockerfile.
    Config(config::ConfigArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
}

/// Exit codes: done, changes pending (`--check`), error.
pub(crate) const OK: u8 = 0;
pub(crate) const PENDING: u8 = 1;
pub(crate) const ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Fix(args) => fix::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Transforms => {
            print(&transforms_by_ecosystem());
            OK
        }
        Command::Explain { id } => match catalog::entry(&id) {
            Some(e) => {
                print(&explain(e));
                OK
            }
            None => fail(&format!(
                "unknown transform {id:?}; `dfslim transforms` lists them"
            )),
        },
        Command::Config(args) => config::run(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "dfslim", &mut std::io::stdout());
            OK
        }
    };
    ExitCode::from(code)
}

pub(crate) fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

pub(crate) fn eprint(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

pub(crate) fn fail(msg: &str) -> u8 {
    eprint(&format!("dfslim: {msg}\n"));
    ERROR
}

/// `dfslim transforms`: the catalog grouped by ecosystem, in level order.
fn transforms_by_ecosystem() -> String {
    let mut out = String::new();
    for eco in dfslim::ecosystem::Ecosystem::ALL {
        let entries: Vec<&catalog::Entry> = catalog::entries()
            .iter()
            .filter(|e| e.ecosystem == eco)
            .collect();
        if entries.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{} ({})\n", eco.title(), eco.name()));
        for e in entries {
            let level = if e.opt_in {
                "opt-in".to_string()
            } else {
                e.level.to_string()
            };
            out.push_str(&format!("  {:<18} {level:<6} {}\n", e.id, e.title));
        }
    }
    out
}

fn explain(e: &catalog::Entry) -> String {
    let level = if e.opt_in {
        "opt-in: --only or dfslim.toml".to_string()
    } else {
        format!("level {}", e.level)
    };
    let mut s = format!(
        "{} ({}, {level}): {}\n\n",
        e.id,
        e.ecosystem.title(),
        e.title
    );
    s.push_str(&format!("What it changes\n{}\n", indent(&e.changes)));
    s.push_str(&format!("Why\n{}\n", indent(&e.why)));
    s.push_str("It refuses when\n");
    for r in &e.refuses {
        s.push_str(&format!("  - {r}\n"));
    }
    if !e.depends_on.is_empty() {
        s.push_str(&format!("\nDepends on: {}\n", e.depends_on.join(", ")));
    }
    if !e.settles.is_empty() {
        s.push_str(&format!("\nSettles hadolint {}\n", e.settles.join(", ")));
    }
    s.push_str(&format!(
        "\nBefore\n{}\nAfter\n{}",
        indent(&e.example.before),
        indent(&e.example.after)
    ));
    s
}

fn indent(text: &str) -> String {
    text.trim_matches('\n')
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}
