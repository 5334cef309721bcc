//! `dfslim fix`: rewrite Dockerfiles, show diffs, or check.

use super::out::Out;
use super::{Color, ERROR, OK, PENDING, eprint, fail, print};
use clap::{Args, ValueEnum};
use dfslim::config::{self, Config, Flags};
use dfslim::ecosystem::Ecosystem;
use dfslim::fix::{self, Mode, Plan};
use dfslim::pipeline::{MAX_LEVEL, Runtime};
use dfslim::report::{self, FileOutcome, FileReport, Problem, Summary};
use dfslim::{compose, fsio, transforms, walk};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// A walk this long gets a progress bar (on a terminal).
const PROGRESS_FROM: usize = 200;

/// `fix` reports in one more format than the other commands.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(Args, Debug)]
pub struct FixArgs {
    /// Dockerfiles or directories to rewrite; - reads stdin and writes stdout.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Apply every transform up to this level (0 changes nothing but still
    /// validates) [default: dfslim.toml's `level`, else 5].
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=MAX_LEVEL as i64))]
    level: Option<u8>,
    /// Run only these transforms (comma-separated ids or ecosystems: go,
    /// node, python, rust, java, any), in level order.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave these transforms out (comma-separated ids or ecosystems).
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Let a rewrite replace a digest-pinned image (`image:tag@sha256:...`)
    /// with an unpinned one when the new digest cannot be resolved
    /// [dfslim.toml: allow_unpinned = true].
    #[arg(long)]
    allow_unpinned: bool,
    /// The minimal runtime of level 4 [dfslim.toml: runtime; default: scratch].
    #[arg(long, value_enum)]
    runtime: Option<RuntimeArg>,
    /// Show the unified diff; write nothing.
    #[arg(long, conflicts_with = "check")]
    dry_run: bool,
    /// Write nothing; list the files that would change; exit 1 if any would.
    #[arg(long)]
    check: bool,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The build context for every file (default: from dfslim.toml's
    /// [[context]], a compose file's build.context, else the Dockerfile's directory).
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
    /// The configuration file [default: dfslim.toml here or in the nearest
    /// parent, up to the repository root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also report unchanged files and steps that did not apply.
    #[arg(short, long)]
    verbose: bool,
}

/// `--runtime`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum RuntimeArg {
    Scratch,
    Distroless,
}

impl From<RuntimeArg> for Runtime {
    fn from(r: RuntimeArg) -> Runtime {
        match r {
            RuntimeArg::Scratch => Runtime::Scratch,
            RuntimeArg::Distroless => Runtime::Distroless,
        }
    }
}

pub(crate) fn check_ids(ids: &[String]) -> Result<(), String> {
    for id in ids {
        if transforms::by_id(id).is_none() && Ecosystem::parse(id).is_none() {
            return Err(format!(
                "unknown transform or ecosystem {id:?}; `dfslim transforms` lists them"
            ));
        }
    }
    Ok(())
}

/// The configuration in force, or the message to fail with.
pub(crate) fn load_config(explicit: Option<&Path>, cwd: &Path) -> Result<Config, String> {
    config::load_for(explicit, cwd).map_err(|e| e.to_string())
}

fn progress(len: usize) -> ProgressBar {
    if len < PROGRESS_FROM || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} Dockerfiles {elapsed}") {
        bar.set_style(style);
    }
    bar
}

pub fn run(args: FixArgs) -> u8 {
    if let Err(e) = check_ids(&args.only).and_then(|_| check_ids(&args.skip)) {
        return fail(&e);
    }
    fix::warm_up();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = match load_config(args.config.as_deref(), &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let filter = match walk::Filter::new(&args.include, &args.exclude)
        .and_then(|f| f.exclude_under(&config.dir, &config.exclude))
    {
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
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let flags = Flags {
        level: args.level,
        only: args.only.clone(),
        skip: args.skip.clone(),
        allow_unpinned: args.allow_unpinned,
        runtime: args.runtime.map(Runtime::from),
    };

    let (stdin, roots): (Vec<_>, Vec<_>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let mut reports: Vec<FileReport> = Vec::new();
    let mut stdin_output = None;
    if !stdin.is_empty() {
        let selection = config.resolve(&cwd.join("-"), &flags).selection;
        let options = fix::Options {
            selection,
            mode,
            context: args.context.clone(),
        };
        let outcome = match fsio::read_stdin() {
            Ok(text) => {
                let outcome = fix::fix_text(&text, &options, options.context.as_deref());
                // As a filter, hand back the text unchanged when it cannot be
                // rewritten, so `dfslim fix - < a > b` never loses it.
                stdin_output = Some(match &outcome {
                    FileOutcome::Done(run) => run.output.clone(),
                    _ => text,
                });
                outcome
            }
            Err(e) => FileOutcome::Error(fix::file_problem(&e)),
        };
        reports.push(FileReport::new("-", outcome));
    }

    let found = walk::discover(&roots, &filter);
    let (compose, notes) = compose::map_all(&found.composes, &cwd);
    let plan = Plan {
        config,
        flags,
        context: args.context.clone(),
        compose,
        cwd: cwd.clone(),
    };
    let mut jobs = Vec::new();
    for f in &found.files {
        match f {
            Ok(path) => jobs.push(plan.job(path)),
            Err((path, why)) => reports.push(FileReport::new(
                walk::display(path),
                FileOutcome::Error(Problem::new(why.clone())),
            )),
        }
    }
    let bar = progress(jobs.len());
    // Diffs and SARIF need the texts; a check or a rewrite only the steps.
    // Only JSON and --verbose list the steps that had nothing to do.
    let keep = fix::Keep {
        texts: mode == Mode::DryRun || args.format == Format::Sarif,
        not_applicable: args.verbose || args.format != Format::Text,
    };
    // Stable output: standard input first, then by path.
    reports.sort_by(|a, b| order(&a.path).cmp(&order(&b.path)));
    jobs.sort_by(|a, b| order(&a.display).cmp(&order(&b.display)));
    if args.format == Format::Text {
        let text = Text {
            mode,
            color,
            verbose: args.verbose,
            // One file: the full story; a batch: a line per file that
            // changed or had something refused (--verbose: the full story).
            detailed: args.verbose || reports.len() + jobs.len() == 1,
        };
        let mut out = Out::new();
        for (path, msg) in &notes {
            out.eprint(&format!("{path}: {msg}\n"));
        }
        // Rendered as each chunk of jobs finishes, then let go: a batch
        // of any size holds a few hundred reports, not all of them.
        let mut summary = Summary::default();
        let mut unchecked = 0;
        let mut early = reports.into_iter().peekable();
        let mut show = |r: FileReport, out: &mut Out| {
            summary.add(&r);
            unchecked += usize::from(report::text::unchecked(&r));
            text.file(&r, out);
        };
        fix::run_each(&jobs, mode, keep, &|| bar.inc(1), &mut |r| {
            while let Some(e) = early.next_if(|e| order(&e.path) <= order(&r.path)) {
                show(e, &mut out);
            }
            show(r, &mut out);
            // Under the progress bar, each file's lines as they come.
            if !bar.is_hidden() {
                bar.suspend(|| out.flush());
            }
        });
        early.for_each(|e| show(e, &mut out));
        bar.finish_and_clear();
        summary.warnings += notes.len();
        if summary.files > 1 || args.verbose {
            out.eprint(&report::text::summary(&summary));
        }
        if let Some(hint) = report::text::hint_for(unchecked) {
            out.eprint(&hint);
        }
        // stdin in write mode: the result goes to stdout.
        if let (Some(text), Mode::Write) = (stdin_output, mode) {
            out.print(&text);
        }
        drop(out);
        return finish(&summary, mode);
    }
    let mut done = fix::run_all(&jobs, mode, keep, &|| bar.inc(1));
    bar.finish_and_clear();
    reports.append(&mut done);
    reports.sort_by(|a, b| order(&a.path).cmp(&order(&b.path)));

    let mut summary = Summary::of(&reports);
    summary.warnings += notes.len();
    let v = match args.format {
        Format::Sarif => {
            let notes: Vec<(String, Problem)> = notes
                .iter()
                .map(|(path, msg)| (path.clone(), Problem::new(msg.clone())))
                .collect();
            report::sarif::log(&reports, &notes, &cwd)
        }
        _ => {
            let mut v = report::json::value(&reports);
            v["summary"] = serde_json::to_value(&summary).unwrap_or_default();
            v["warnings"] = notes
                .iter()
                .map(|(path, msg)| format!("{path}: {msg}"))
                .collect();
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
            v
        }
    };
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    ));
    finish(&summary, mode)
}

/// Where a report stands in the output: standard input first, then by path.
fn order(path: &str) -> (bool, &str) {
    (path != "-", path)
}

/// How a text report renders each file.
struct Text {
    mode: Mode,
    color: bool,
    verbose: bool,
    detailed: bool,
}

impl Text {
    fn file(&self, r: &FileReport, out: &mut Out) {
        let text_mode = match self.mode {
            Mode::Write => report::text::Mode::Write,
            Mode::DryRun => report::text::Mode::DryRun,
            Mode::Check => report::text::Mode::Check,
        };
        if let (Mode::DryRun, Some(run)) = (self.mode, r.run()) {
            out.print(&report::diff::unified(
                &r.path,
                &run.original,
                &run.output,
                self.color,
            ));
        }
        if self.mode == Mode::Check && r.status() == "changed" {
            out.print(&r.path);
            out.print("\n");
        }
        if self.detailed && (self.verbose || report::text::noteworthy(r)) {
            out.eprint(&report::text::file(r, text_mode, self.verbose));
        } else if report::text::noteworthy(r) {
            out.eprint(&report::text::line(r, text_mode));
        }
    }
}

/// The exit code, and the word when nothing was found.
fn finish(summary: &Summary, mode: Mode) -> u8 {
    if summary.files == 0 {
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
