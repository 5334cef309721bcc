//! `dfslim verify`: build the original and the rewrite with a Docker engine,
//! compare them, and (with --smoke) run both; for one Dockerfile or a whole
//! tree, over one or several engines. The work is in `dfslim::verify`; this
//! finds the files (as `fix` does), parses arguments and renders.

use super::fix::{RuntimeArg, check_ids, load_config};
use super::{ERROR, OK, PENDING, eprint, fail, print};
use clap::{Args, ValueEnum};
use dfslim::config::Flags;
use dfslim::fix::{self, Mode, Plan};
use dfslim::pipeline::{MAX_LEVEL, Runtime};
use dfslim::report::FileOutcome;
use dfslim::verify::batch::{self, Engine, Event, Outcome, Work};
use dfslim::verify::docker::{Docker, Endpoint, ProbeError};
use dfslim::verify::{self, Prepared, Report, render};
use dfslim::{compose, fsio, walk};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

/// `verify` reports in one more format than the other commands.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    /// A table for a pull request: sorted by saving, failures on top.
    Markdown,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Dockerfiles or directories, walked as `fix` walks them. Every Dockerfile the
    /// rewrite changes is verified; a single file is verified even when it does not change.
    /// (No file is changed: rewrites go to temporary files.)
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Also verify the Dockerfiles dfslim leaves unchanged (each built once).
    #[arg(long)]
    pub all: bool,
    /// Rewrite with every transform up to this level [default: dfslim.toml's `level`, else 5].
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=MAX_LEVEL as i64))]
    pub level: Option<u8>,
    /// Run only these transforms (comma-separated ids or ecosystems).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Leave these transforms out (comma-separated ids or ecosystems).
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Let a rewrite replace a digest-pinned image with an unpinned one.
    #[arg(long)]
    pub allow_unpinned: bool,
    /// The minimal runtime of level 4.
    #[arg(long, value_enum)]
    pub runtime: Option<RuntimeArg>,
    /// The build context of every file (default: as `fix` finds it: dfslim.toml's
    /// [[context]], compose and bake files, else the Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Run both images: each must stay up (or exit 0) and its exposed TCP ports must answer.
    #[arg(long)]
    pub smoke: bool,
    /// Keep the images (their tags are in the report); containers are always removed.
    #[arg(long)]
    pub keep_images: bool,
    /// Build with the engines' layer cache: faster; a step the rewrite takes
    /// from the original's build counts what it cost there, so build times still compare.
    #[arg(long)]
    pub cache: bool,
    /// How many Dockerfiles to verify at once [default: the engines' CPUs, summed].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// The engines to build on: docker context names or DOCKER_HOST values
    /// (unix://, tcp://, ssh://), repeatable or comma-separated [default: the client's own].
    #[arg(long, value_name = "ENGINE", value_delimiter = ',')]
    pub engine: Vec<String>,
    /// Build with this buildx builder (e.g. a kubernetes or remote driver), loading
    /// the images into the engine (--load) so they can be measured and run.
    #[arg(long, value_name = "NAME")]
    pub builder: Option<String>,
    /// Write a `docker buildx bake` file (JSON; - for stdout) with an original and a
    /// rewritten target per Dockerfile, and build nothing.
    #[arg(long, value_name = "FILE")]
    pub emit_bake: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only take files matching this glob (relative to a directory argument).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The configuration file [default: dfslim.toml here or in the nearest parent].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Exit: 0 every file builds (and passes the smoke test), 1 a smoke test
/// failed, 2 an error (no docker, no engine, a build that fails).
pub fn run(args: VerifyArgs) -> u8 {
    if let Err(e) = check_ids(&args.only).and_then(|_| check_ids(&args.skip)) {
        return fail(&e);
    }
    // One file named: the detailed report of that file, changed or not.
    let single = args.paths.len() == 1 && !args.paths[0].is_dir() && args.emit_bake.is_none();
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
    let flags = Flags {
        level: args.level,
        only: args.only.clone(),
        skip: args.skip.clone(),
        allow_unpinned: args.allow_unpinned,
        runtime: args.runtime.map(Runtime::from),
    };
    let found = walk::discover(&args.paths, &filter);
    let (compose, notes) = compose::map_all(&found.composes, &cwd);
    for (path, msg) in &notes {
        eprint(&format!("{path}: {msg}\n"));
    }
    let plan = Plan {
        config,
        flags,
        context: args.context.clone(),
        compose,
        cwd: cwd.clone(),
    };
    let work = prepare(&found.files, &plan, args.all || single);
    if work.is_empty() {
        eprint(
            "dfslim: no Dockerfile to verify (dfslim changes none; --all verifies them anyway)\n",
        );
        return OK;
    }

    if let Some(out) = &args.emit_bake {
        return emit_bake(out, &work, args.cache, &cwd);
    }
    if single && let Work::Failed(r) = &work[0] {
        return fail(r.error.as_deref().unwrap_or("cannot verify"));
    }

    let options = verify::Options {
        level: plan.flags.level.unwrap_or(MAX_LEVEL),
        runtime: plan.flags.runtime.unwrap_or_default(),
        context: args.context.clone(),
        smoke: args.smoke,
        keep_images: args.keep_images,
        cache: args.cache,
        ..verify::Options::default()
    };
    let (engines, unreachable) = match probe(&args, single) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let jobs = args
        .jobs
        .map_or_else(|| batch::default_jobs(&engines), usize::from);

    if single && engines.len() == 1 {
        let Work::Ready(p) = &work[0] else {
            return ERROR;
        };
        return single_file(p, &engines[0].docker, &options, args.format);
    }

    let outcome = run_batch(work, &engines, unreachable, jobs, &options);
    if single && outcome.reports[0].builder.is_none() {
        // Never reached an engine: only the error to tell.
        return fail(
            outcome.reports[0]
                .error
                .as_deref()
                .unwrap_or("cannot verify"),
        );
    }
    match (args.format, single) {
        (Format::Json, true) => print(&render::json(&outcome.reports[0])),
        (Format::Text, true) => print(&render::text(&outcome.reports[0])),
        (Format::Json, false) => print(&render::batch_json(&outcome)),
        (Format::Text, false) => print(&render::batch_text(&outcome)),
        (Format::Markdown, _) => print(&render::batch_markdown(&outcome)),
    }
    finish(&outcome)
}

/// Every file found, made ready: rewritten (as `fix --dry-run` would) with
/// its context and settings; unchanged ones only when `all`.
fn prepare(found: &[walk::Found], plan: &Plan, all: bool) -> Vec<Work> {
    let mut jobs = Vec::new();
    let mut work = Vec::new();
    for f in found {
        match f {
            Ok(path) => jobs.push(plan.job(path)),
            Err((path, why)) => work.push((
                walk::display(path),
                Work::Failed(Box::new(Report::unreadable(
                    &walk::display(path),
                    0,
                    why.clone(),
                ))),
            )),
        }
    }
    // Both texts are built: keep them.
    let reports = fix::run_all(&jobs, Mode::DryRun, fix::Keep::ALL, &|| ());
    for (job, report) in jobs.iter().zip(reports) {
        let level = job.selection.level;
        let context = job
            .context
            .clone()
            .unwrap_or_else(|| fix::dir_of(&job.path));
        let failed =
            |why: String| Work::Failed(Box::new(Report::unreadable(&job.display, level, why)));
        let ready = |text: String, run| {
            if !context.is_dir() {
                return failed(format!(
                    "the build context {} is not a directory",
                    context.display()
                ));
            }
            let mut p = Prepared::new(&job.path, &job.display, &context, level, text, run);
            p.target = job.targets.ship.clone();
            Work::Ready(p)
        };
        let item = match &report.outcome {
            FileOutcome::Error(problem) => Some(failed(problem.render(&job.display))),
            FileOutcome::Done(run) if run.changed() || all => {
                Some(ready(run.original.clone(), Some(run)))
            }
            FileOutcome::Done(_) => None,
            FileOutcome::Ignored if all => Some(match fsio::read_text(&job.path) {
                Ok(text) => ready(text, None),
                Err(e) => failed(e.to_string()),
            }),
            FileOutcome::Ignored => None,
        };
        if let Some(w) = item {
            work.push((job.display.clone(), w));
        }
    }
    work.sort_by(|a, b| a.0.cmp(&b.0));
    work.into_iter().map(|(_, w)| w).collect()
}

fn emit_bake(out: &std::path::Path, work: &[Work], cache: bool, cwd: &std::path::Path) -> u8 {
    let ready: Vec<Prepared> = work
        .iter()
        .filter_map(|w| match w {
            Work::Ready(p) => Some(p.clone()),
            Work::Failed(_) => None,
        })
        .collect();
    let text = serde_json::to_string_pretty(&verify::bake::file(&ready, cache, cwd))
        .unwrap_or_default()
        + "\n";
    if out.as_os_str() == "-" {
        print(&text);
    } else if let Err(e) = std::fs::write(out, &text) {
        return fail(&format!("cannot write {}: {e}", out.display()));
    } else {
        eprint(&format!(
            "dfslim: wrote {}: {} Dockerfiles, an original and a rewritten target each; \
             build them with `docker buildx bake -f {} --load` from this directory\n",
            out.display(),
            ready.len(),
            out.display()
        ));
    }
    let mut code = OK;
    for w in work {
        if let Work::Failed(r) = w {
            eprint(&format!(
                "dfslim: {}: {}\n",
                r.dockerfile,
                r.error.as_deref().unwrap_or("")
            ));
            code = ERROR;
        }
    }
    code
}

/// The engines that answer, and the reports of those that do not. Exits
/// (with the error) when none answers.
type Probed = (Vec<Engine>, Vec<batch::EngineReport>);

fn probe(args: &VerifyArgs, single: bool) -> Result<Probed, u8> {
    let endpoints: Vec<Endpoint> = if args.engine.is_empty() {
        vec![Endpoint::Default]
    } else {
        args.engine.iter().map(|e| Endpoint::parse(e)).collect()
    };
    let found: Vec<(Endpoint, Result<Docker, ProbeError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = endpoints
            .iter()
            .map(|ep| s.spawn(|| Docker::probe_at(ep, args.builder.as_deref())))
            .collect();
        endpoints
            .iter()
            .cloned()
            .zip(handles.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(ProbeError::NoEngine("the probe panicked".into())))
            }))
            .collect()
    });
    let mut engines = Vec::new();
    let mut down = Vec::new();
    let mut errors = Vec::new();
    for (ep, r) in found {
        match r {
            Ok(d) if single && args.jobs.is_none() => engines.push(Engine {
                docker: d,
                slots: 1,
            }),
            Ok(d) => engines.push(Engine::new(d)),
            Err(e @ ProbeError::NoCli(_)) => return Err(fail(&e.to_string())),
            Err(ProbeError::NoEngine(m)) => {
                errors.push(m.clone());
                down.push(batch::EngineReport {
                    name: ep.name().to_string(),
                    engine: String::new(),
                    slots: 0,
                    jobs: 0,
                    failed: Some(m),
                    may_remain: Vec::new(),
                });
            }
        }
    }
    if engines.is_empty() {
        return Err(fail(&errors.join("\n")));
    }
    for e in &down {
        eprint(&format!(
            "dfslim: engine {} is not used: {}\n",
            e.name,
            e.failed.as_deref().unwrap_or("")
        ));
    }
    Ok((engines, down))
}

/// One file on one engine: as `dfslim verify FILE` has always done it,
/// saying what it is doing on stderr.
fn single_file(p: &Prepared, docker: &Docker, options: &verify::Options, format: Format) -> u8 {
    let report = match verify::run(p, docker, options, &mut |msg| {
        eprint(&format!("dfslim: {msg}\n"))
    }) {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    match format {
        Format::Json => print(&render::json(&report)),
        Format::Text => print(&render::text(&report)),
        Format::Markdown => {
            let outcome = Outcome {
                totals: batch::Totals {
                    files: 1,
                    changed: usize::from(report.changed),
                    built: usize::from(report.saving_bytes.is_some()),
                    smoke_failed: usize::from(report.smoke_failed()),
                    errors: usize::from(report.error.is_some()),
                    original_bytes: report.original.size_bytes.unwrap_or(0),
                    rewritten_bytes: report.rewritten.size_bytes.unwrap_or(0),
                    saving_bytes: report.saving_bytes.unwrap_or(0),
                    jobs: 1,
                    engines_used: 1,
                    seconds: 0.0,
                },
                reports: vec![report.clone()],
                engines: Vec::new(),
            };
            print(&render::batch_markdown(&outcome));
        }
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

/// The batch, with a progress bar on a terminal (else a line per event).
fn run_batch(
    work: Vec<Work>,
    engines: &[Engine],
    unreachable: Vec<batch::EngineReport>,
    jobs: usize,
    options: &verify::Options,
) -> Outcome {
    let total = work.len();
    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} Dockerfiles {elapsed} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let running: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let show = |running: &Vec<String>| bar.set_message(running.join(", "));
    let events = |e: Event| match e {
        Event::Started { file, engine } => {
            let mut r = running.lock().unwrap_or_else(|e| e.into_inner());
            r.push(format!("{file} ({engine})"));
            show(&r);
            if !tty {
                eprint(&format!("dfslim: {file}: building on {engine}\n"));
            }
        }
        Event::Finished {
            report,
            done,
            total,
        } => {
            let mut r = running.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = r
                .iter()
                .position(|x| x.starts_with(&format!("{} (", report.dockerfile)))
            {
                r.remove(i);
            }
            show(&r);
            bar.set_position(done as u64);
            let line = format!(
                "[{done}/{total}] {}: {}{}",
                report.dockerfile,
                render::verdict(report),
                if report.engine_name.is_empty() {
                    String::new()
                } else {
                    format!(" on {}", report.engine_name)
                }
            );
            if tty {
                bar.println(line);
            } else {
                eprint(&format!("dfslim: {line}\n"));
            }
        }
        Event::EngineFailed { engine, why } => {
            let line =
                format!("dfslim: engine {engine} FAILED: {why}; its files go to the other engines");
            if tty {
                bar.println(line);
            } else {
                eprint(&format!("{line}\n"));
            }
        }
    };
    let mut outcome = batch::run_all(work, engines, jobs, options, &events);
    bar.finish_and_clear();
    outcome.engines.extend(unreachable);
    outcome
}

fn finish(outcome: &Outcome) -> u8 {
    let t = &outcome.totals;
    match outcome.severity() {
        0 => OK,
        1 => {
            eprint(&format!(
                "dfslim: {} of {} Dockerfiles failed a smoke test (see above)\n",
                t.smoke_failed, t.files
            ));
            PENDING
        }
        _ => {
            eprint(&format!(
                "dfslim: {} of {} Dockerfiles could not be verified (see above)\n",
                t.errors, t.files
            ));
            ERROR
        }
    }
}
