//! The work of `dfslim fix` on one file: read, run the pipeline, and write
//! the result back only when asked, only when it parses, atomically.

use crate::analysis::{BuildContext, Target, Targets};
use crate::compose;
use crate::config::{Config, Flags};
use crate::digest::Digests;
use crate::fsio::{self, FileError};
use crate::pipeline::{self, Input, Selection};
use crate::report::{ContextUsed, FileOutcome, FileReport, Problem};
use crate::walk;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What to do with a changed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Replace it.
    Write,
    /// Show the diff, write nothing.
    DryRun,
    /// Report that it would change, write nothing.
    Check,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub selection: Selection,
    pub mode: Mode,
    /// `--context DIR`: the build context of every file; else each file's directory.
    pub context: Option<PathBuf>,
}

pub fn file_problem(e: &FileError) -> Problem {
    match e {
        FileError::NotUtf8 { line, column } | FileError::Binary { line, column } => {
            let msg = e.to_string();
            let msg = msg
                .split_once(": ")
                .map_or(msg.as_str(), |(_, m)| m)
                .to_string();
            Problem::at(*line, *column, msg)
        }
        other => Problem::new(other.to_string()),
    }
}

/// Runs the pipeline on `text`, whose build context is `context`.
pub fn fix_text(text: &str, options: &Options, context: Option<&Path>) -> FileOutcome {
    let ctx = context.map(BuildContext::load);
    let digests = digests();
    let input = Input {
        context: ctx.as_ref(),
        digests: &*digests,
        ..Input::default()
    };
    run_text_with(text, &options.selection, input)
}

/// Runs `selection` on `text` with an already read build context.
pub fn run_text(text: &str, selection: &Selection, context: Option<&BuildContext>) -> FileOutcome {
    run_text_with(
        text,
        selection,
        Input {
            context,
            ..Input::default()
        },
    )
}

/// [`run_text`] with everything a run can be told.
pub fn run_text_with(text: &str, selection: &Selection, input: Input) -> FileOutcome {
    if crate::suppress::ignores_file(text) {
        return FileOutcome::Ignored;
    }
    let doc = match crate::syntax::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return FileOutcome::Error(Problem::at(e.line, e.column, e.message)),
    };
    if let Some(p) = unknown_instruction(&doc) {
        return FileOutcome::Error(p);
    }
    FileOutcome::Done(pipeline::run_doc(doc, selection, input))
}

/// An instruction BuildKit's parser accepts and its build rejects: dfslim
/// does not rewrite a file that cannot build.
fn unknown_instruction(doc: &crate::syntax::Document) -> Option<Problem> {
    let bad = doc.instructions().iter().find_map(|i| {
        let inner = i
            .onbuild_inner()
            .filter(|x| x.keyword == crate::syntax::Keyword::Unknown);
        (i.keyword == crate::syntax::Keyword::Unknown)
            .then_some(i)
            .or(inner)
    })?;
    let (line, column) = doc.line_col(bad.keyword_span.start);
    let word = bad.keyword_span.of(doc.text());
    Some(Problem::at(
        line,
        column,
        format!("unknown instruction {word:?} (BuildKit would reject it at build time)"),
    ))
}

/// The directory a file lives in (`.` for a bare name).
pub fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads `path`, runs the pipeline, and (in write mode) replaces the file.
pub fn fix_file(path: &Path, display: &str, options: &Options) -> FileReport {
    let context = options.context.clone().unwrap_or_else(|| dir_of(path));
    let ctx = BuildContext::load(&context);
    let job = Job {
        path: path.to_path_buf(),
        display: display.to_string(),
        selection: options.selection.clone(),
        context: Some(context),
        context_from: String::new(),
        targets: Targets::default(),
    };
    job.run(options.mode, Some(&ctx), &*digests())
}

/// Where digests for new images come from in a run: the Docker engine the
/// `docker` CLI points at, when there is a client (see [`crate::digest`]),
/// looked for when a digest is first needed.
pub fn digests() -> Box<dyn Digests> {
    Box::new(crate::digest::OnDemand::default())
}

/// One Dockerfile of a batch, with the settings and context it gets.
#[derive(Clone, Debug)]
pub struct Job {
    pub path: PathBuf,
    /// How the path is shown in reports.
    pub display: String,
    pub selection: Selection,
    pub context: Option<PathBuf>,
    /// What chose the context, for reports.
    pub context_from: String,
    /// Who builds which stage (compose, bake, dfslim.toml).
    pub targets: Targets,
}

impl Job {
    /// Reads the file, runs the pipeline with `context` (the job's context,
    /// already read), and in write mode replaces the file.
    pub fn run(
        &self,
        mode: Mode,
        context: Option<&BuildContext>,
        digests: &dyn Digests,
    ) -> FileReport {
        let mut report = FileReport::new(&self.display, FileOutcome::Ignored);
        report.context = self.context.as_ref().map(|dir| ContextUsed {
            dir: walk::display(dir),
            from: self.context_from.clone(),
        });
        let text = match fsio::read_text(&self.path) {
            Ok(t) => t,
            Err(e) => {
                report.outcome = FileOutcome::Error(file_problem(&e));
                return report;
            }
        };
        let input = Input {
            context,
            targets: &self.targets,
            digests,
        };
        report.outcome = run_text_with(&text, &self.selection, input);
        if let FileOutcome::Done(run) = &report.outcome {
            report.warnings = run
                .warnings
                .iter()
                .map(|w| Problem::at(w.line, w.column, format!("warning: {}", w.message)))
                .collect();
            if mode == Mode::Write
                && run.changed()
                && let Err(e) = fsio::replace(&self.path, &run.original, &run.output)
            {
                report.outcome = FileOutcome::Error(file_problem(&e));
            }
        }
        report
    }
}

/// What a batch's reports keep once each file is done.
#[derive(Clone, Copy, Debug)]
pub struct Keep {
    /// The original and rewritten texts (diffs, SARIF, verify).
    pub texts: bool,
    /// The steps that had nothing to do, with their reasons (JSON, `--verbose`).
    pub not_applicable: bool,
}

impl Keep {
    pub const ALL: Keep = Keep {
        texts: true,
        not_applicable: true,
    };
}

/// Runs `jobs` in parallel; `tick` is called once per finished file.
/// Each build context is read once, however many files share it.
/// The reports come back in the order of `jobs`; with `keep.texts` false
/// they hold the steps but not the texts (see [`pipeline::Run::slim`]),
/// with `keep.not_applicable` false not the steps that had nothing to do.
pub fn run_all(jobs: &[Job], mode: Mode, keep: Keep, tick: &(dyn Fn() + Sync)) -> Vec<FileReport> {
    let mut out = Vec::with_capacity(jobs.len());
    run_each(jobs, mode, keep, tick, &mut |r| out.push(r));
    out
}

/// Reads the tables the binary embeds (the catalog, the facts under
/// `transforms/tables/`) on another core while the caller finds its files
/// and plans its jobs: the first file would otherwise wait for them, with
/// every other core idle.
pub fn warm_up() {
    rayon::spawn(|| {
        crate::catalog::entries();
        crate::catalog::tables();
        crate::transforms::all();
    });
}

/// Jobs run together (in parallel) before their reports go to the sink: a
/// batch of 10,000 files never holds more than this many reports.
const CHUNK: usize = 256;

/// Runs every job as [`run_all`] does and hands each report to `sink` in
/// the order of `jobs`, a chunk at a time, so a caller that renders and
/// forgets them keeps memory flat however large the batch.
pub fn run_each(
    jobs: &[Job],
    mode: Mode,
    keep: Keep,
    tick: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(FileReport),
) {
    let digests = digests();
    // Each context is read by the first job that needs it (the others
    // wait for it), so progress starts at once, and dropped when the last
    // job that shares it is done, so a large batch never holds them all.
    let mut uses: HashMap<&PathBuf, usize> = HashMap::new();
    for d in jobs.iter().filter_map(|j| j.context.as_ref()) {
        *uses.entry(d).or_default() += 1;
    }
    let contexts: HashMap<&PathBuf, Shared> =
        uses.into_iter().map(|(d, n)| (d, Shared::new(n))).collect();
    for chunk in jobs.chunks(CHUNK) {
        let done: Vec<FileReport> = chunk
            .par_iter()
            .map(|job| {
                let shared = job
                    .context
                    .as_ref()
                    .and_then(|d| Some((d, contexts.get(d)?)));
                let ctx = shared.map(|(d, s)| s.get(d));
                let mut report = job.run(mode, ctx.as_deref(), &*digests);
                drop(ctx);
                if let Some((_, s)) = shared {
                    s.done();
                }
                if let FileOutcome::Done(run) = &mut report.outcome {
                    if !keep.texts {
                        run.slim();
                    }
                    if !keep.not_applicable {
                        run.drop_not_applicable();
                    }
                }
                tick();
                report
            })
            .collect();
        done.into_iter().for_each(&mut *sink);
    }
}

/// A build context shared by the jobs of a batch: read once, on first use,
/// and let go when the last of its `left` jobs is done.
struct Shared {
    slot: std::sync::Mutex<(Option<std::sync::Arc<BuildContext>>, usize)>,
}

impl Shared {
    fn new(left: usize) -> Shared {
        Shared {
            slot: std::sync::Mutex::new((None, left)),
        }
    }

    fn get(&self, dir: &Path) -> std::sync::Arc<BuildContext> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.0
            .get_or_insert_with(|| std::sync::Arc::new(BuildContext::load(dir)))
            .clone()
    }

    fn done(&self) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.1 = slot.1.saturating_sub(1);
        if slot.1 == 0 {
            slot.0 = None;
        }
    }
}

/// How each file of a batch is set up: its settings from the config and
/// the flags, its build context from `--context`, the config's
/// `[[context]]` tables, the compose files, or its own directory (in that
/// order of precedence).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub config: Config,
    pub flags: Flags,
    /// `--context DIR`.
    pub context: Option<PathBuf>,
    /// What compose and bake files say, by Dockerfile (absolute, normalised).
    pub compose: compose::Builds,
    pub cwd: PathBuf,
}

impl Plan {
    pub fn job(&self, path: &Path) -> Job {
        let abs = walk::absolute_in(&self.cwd, path);
        let (context, context_from) = self.context_of(path, &abs);
        Job {
            path: path.to_path_buf(),
            display: walk::display(path),
            selection: self.config.resolve(&abs, &self.flags).selection,
            context: Some(context),
            context_from,
            targets: self.targets_of(&abs),
        }
    }

    /// Who builds which stage of the Dockerfile at `abs`: compose and bake
    /// targets, then dfslim.toml's `[[context]]` ones (which may name the
    /// stage that ships).
    pub fn targets_of(&self, abs: &Path) -> Targets {
        let mut t = Targets::default();
        if let Some(list) = self.compose.targets.get(abs) {
            t.built.extend(list.iter().cloned());
        }
        let (from_config, ship) = self.config.targets_for(abs);
        for (stage, by) in from_config {
            t.built.push(Target { stage, by });
        }
        t.ship = ship;
        t
    }

    /// The build context of the Dockerfile at `path` (`abs` absolute) and what chose it.
    pub fn context_of(&self, path: &Path, abs: &Path) -> (PathBuf, String) {
        if let Some(c) = &self.context {
            return (c.clone(), "--context".to_string());
        }
        if let Some((dir, from)) = self.config.context_for(abs) {
            return (self.shown(dir), from);
        }
        if let Some(m) = self.compose.contexts.get(abs) {
            return (self.shown(m.context.clone()), m.source.clone());
        }
        (dir_of(path), "the Dockerfile's directory".to_string())
    }

    /// An absolute directory as shown: relative to the current one when below it.
    fn shown(&self, abs: PathBuf) -> PathBuf {
        match walk::relative_to(&self.cwd, &abs) {
            Some(r) if r.is_empty() => PathBuf::from("."),
            Some(r) => PathBuf::from(r),
            None => abs,
        }
    }
}
