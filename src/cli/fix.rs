//! `dfslim fix`: rewrite Dockerfiles, show diffs, or check.

use super::{Color, ERROR, Format, OK, PENDING, eprint, fail, print};
use clap::Args;
use dfslim::fix::{self, Mode};
use dfslim::pipeline::{MAX_LEVEL, Selection};
use dfslim::report::{self, FileOutcome, FileReport, Problem, Summary};
use dfslim::{fsio, transforms, walk};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct FixArgs {
    /// Dockerfiles or directories to rewrite; - reads stdin and writes stdout.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Apply every transform up to this level (0 changes nothing but still validates).
    #[arg(long, default_value_t = MAX_LEVEL, value_parser = clap::value_parser!(u8).range(0..=MAX_LEVEL as i64))]
    level: u8,
    /// Run only these transforms (comma-separated ids), in level order.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave these transforms out (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Show the unified diff; write nothing.
    #[arg(long, conflicts_with = "check")]
    dry_run: bool,
    /// Write nothing; list the files that would change; exit 1 if any would.
    #[arg(long)]
    check: bool,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The build context for every file (default: each Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Only take files matching this glob (relative to a directory argument).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching this glob.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Also report unchanged files and steps that did not apply.
    #[arg(short, long)]
    verbose: bool,
}

fn check_ids(ids: &[String]) -> Result<(), String> {
    for id in ids {
        if transforms::by_id(id).is_none() {
            return Err(format!(
                "unknown transform {id:?}; `dfslim transforms` lists them"
            ));
        }
    }
    Ok(())
}

pub fn run(args: FixArgs) -> u8 {
    if let Err(e) = check_ids(&args.only).and_then(|_| check_ids(&args.skip)) {
        return fail(&e);
    }
    let filter = match walk::Filter::new(&args.include, &args.exclude) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Write
    };
    let options = fix::Options {
        selection: Selection {
            level: args.level,
            only: (!args.only.is_empty()).then(|| args.only.clone()),
            skip: args.skip.clone(),
        },
        mode,
        context: args.context.clone(),
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };

    let (stdin, roots): (Vec<_>, Vec<_>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let mut reports: Vec<FileReport> = Vec::new();
    let mut stdin_output = None;
    if !stdin.is_empty() {
        let outcome = match fsio::read_stdin() {
            Ok(text) => fix::fix_text(&text, &options, options.context.as_deref()),
            Err(e) => FileOutcome::Error(Problem::new(e.to_string())),
        };
        if let FileOutcome::Done(run) = &outcome {
            stdin_output = Some(run.output.clone());
        }
        reports.push(FileReport {
            path: "-".to_string(),
            outcome,
        });
    }
    let found = walk::discover(&roots, &filter);
    let mut done: Vec<FileReport> = found
        .par_iter()
        .map(|f| match f {
            Ok(path) => fix::fix_file(path, &path.display().to_string(), &options),
            Err((path, why)) => FileReport {
                path: path.display().to_string(),
                outcome: FileOutcome::Error(Problem::new(why.clone())),
            },
        })
        .collect();
    reports.append(&mut done);

    let summary = Summary::of(&reports);
    match args.format {
        Format::Json => {
            let mut v = report::json::value(&reports);
            if mode == Mode::DryRun {
                for (file, r) in v["files"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                    .zip(&reports)
                {
                    if let Some(run) = r.run() {
                        file["diff"] =
                            report::diff::unified(&r.path, &run.original, &run.output, false)
                                .into();
                    }
                }
            }
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
        }
        Format::Text => {
            let text_mode = match mode {
                Mode::Write => report::text::Mode::Write,
                Mode::DryRun => report::text::Mode::DryRun,
                Mode::Check => report::text::Mode::Check,
            };
            for r in &reports {
                if let (Mode::DryRun, Some(run)) = (mode, r.run()) {
                    print(&report::diff::unified(
                        &r.path,
                        &run.original,
                        &run.output,
                        color,
                    ));
                }
                if mode == Mode::Check && r.status() == "changed" {
                    print(&format!("{}\n", r.path));
                }
                let noteworthy = args.verbose
                    || r.status() != "unchanged"
                    || r.run().is_some_and(|run| {
                        run.steps.iter().any(|s| {
                            !matches!(s.status, dfslim::pipeline::Status::NotApplicable(_))
                        })
                    });
                if noteworthy {
                    eprint(&report::text::file(r, text_mode, args.verbose));
                }
            }
            if reports.len() > 1 || args.verbose {
                eprint(&report::text::summary(&summary));
            }
        }
    }
    // stdin in write mode: the result goes to stdout.
    if let (Some(out), Mode::Write, Format::Text) = (stdin_output, mode, args.format) {
        print(&out);
    }
    if reports.is_empty() {
        eprint("dfslim: no Dockerfiles found\n");
    }
    if summary.errors > 0 {
        ERROR
    } else if mode == Mode::Check && summary.changed > 0 {
        PENDING
    } else {
        OK
    }
}
