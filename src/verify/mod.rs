//! `dfslim verify`: proof that a rewrite still works. The original
//! Dockerfile and dfslim's rewrite of it are built with a real Docker engine
//! from the same context, measured (size, layers, build time) and, when
//! asked, run ([`smoke`]); everything made is removed afterwards.
//!
//! The rewrite goes to a temporary file, never over the user's Dockerfile.
//! The engine is whatever the `docker` CLI points at ([`docker`] says why
//! the CLI), or one named with `--engine`. Builds run one after the other,
//! without the layer cache, so their times compare (with the cache, a step
//! the rewrite takes from the original's build counts what it cost there,
//! see [`docker::reused_seconds`]); the two smoke tests run side by side. A
//! Dockerfile dfslim does not change is built (and run) once.
//!
//! [`batch`] verifies many files over several engines; [`bake`] writes a
//! `docker buildx bake` file instead, for a build farm.

pub mod bake;
pub mod batch;
pub mod cleanup;
pub mod docker;
pub mod ports;
pub mod render;
pub mod smoke;

use crate::fix::{self, Mode};
use crate::fsio;
use crate::pipeline::{Selection, Status};
use crate::report::FileOutcome;
use crate::syntax::Document;
use cleanup::Janitor;
use docker::{BuildSpec, Builder, Docker, Made, ProbeError};
use serde::Serialize;
use smoke::{Smoke, Timing};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What to verify, and how.
#[derive(Clone, Debug)]
pub struct Options {
    pub level: u8,
    /// The minimal runtime of level 4.
    pub runtime: crate::pipeline::Runtime,
    /// The build context (default: the Dockerfile's directory).
    pub context: Option<PathBuf>,
    pub smoke: bool,
    pub keep_images: bool,
    pub timing: Timing,
    /// Build with the engine's layer cache (see [`docker::reused_seconds`]).
    pub cache: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            level: crate::pipeline::MAX_LEVEL,
            runtime: crate::pipeline::Runtime::Scratch,
            context: None,
            smoke: false,
            keep_images: false,
            timing: Timing::default(),
            cache: false,
        }
    }
}

/// Why verify could not produce a report.
#[derive(Debug)]
pub enum Error {
    /// The Dockerfile cannot be read or does not parse.
    Input(String),
    /// No `docker` client, or no engine answering it.
    Docker(ProbeError),
    /// A build was stopped by a signal (Ctrl-C).
    Interrupted,
    /// The engine stopped answering during the work: nobody's fault in the
    /// Dockerfile; another engine may do the job. `left`: the tags and
    /// container names made there, which it may still hold.
    EngineLost { why: String, left: Vec<String> },
    /// Anything else that stops the run (a temporary file, an inspect).
    Other(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Input(m) | Error::Other(m) => f.write_str(m),
            Error::EngineLost { why, left } if left.is_empty() => f.write_str(why),
            Error::EngineLost { why, left } => {
                write!(f, "{why}; these may remain on it: {}", left.join(" "))
            }
            Error::Docker(e) => write!(f, "{e}"),
            Error::Interrupted => f.write_str("interrupted; the images made so far are removed"),
        }
    }
}

impl std::error::Error for Error {}

/// One of the two images.
#[derive(Clone, Debug, Serialize)]
pub struct Image {
    pub built: bool,
    pub size_bytes: Option<u64>,
    pub layers: Option<usize>,
    pub build_seconds: Option<f64>,
    pub smoke: Smoke,
    /// The tag it was built as (removed afterwards unless kept).
    pub image: String,
    /// What the smoke test saw, or why the build failed.
    pub detail: Option<String>,
    /// The exposed TCP ports the smoke test probed.
    pub ports: Vec<u16>,
    /// A failing container's last log lines, or a failed build's log tail.
    pub logs: Option<String>,
    /// With the layer cache: the time of the steps this build took from
    /// the other build's cache, counted in `build_seconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reused_seconds: Option<f64>,
}

impl Image {
    fn new(tag: &str) -> Image {
        Image {
            built: false,
            size_bytes: None,
            layers: None,
            build_seconds: None,
            smoke: Smoke::Skipped,
            image: tag.to_string(),
            detail: None,
            ports: Vec::new(),
            logs: None,
            reused_seconds: None,
        }
    }
}

/// A transform dfslim refused (or skipped) at this level, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    pub transform: String,
    pub reason: String,
}

/// The comparison; the JSON report is this, serialized.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub dockerfile: String,
    pub level: u8,
    pub original: Image,
    pub rewritten: Image,
    pub saving_bytes: Option<i64>,
    /// Original size over rewritten size: how many times smaller.
    pub ratio: Option<f64>,
    pub context: String,
    /// Whether dfslim changed anything at this level.
    pub changed: bool,
    pub applied: Vec<String>,
    pub refused: Vec<Refusal>,
    /// `null` when no engine was reached for this file.
    pub builder: Option<Builder>,
    /// `client X, engine Y, context Z`.
    pub engine: String,
    /// The engine that did the work, as `--engine` named it (`default`).
    pub engine_name: String,
    /// Why the first engine given this file could not finish it (it was
    /// then done on `engine_name`).
    pub retried_after: Option<String>,
    pub kept_images: bool,
    /// A build failed (or the file could not be read or verified): what
    /// happened, and whose fault it is.
    pub error: Option<String>,
    /// Things worth knowing (e.g. the builder that had to be used).
    pub notes: Vec<String>,
}

impl Report {
    /// True when a smoke test failed.
    pub fn smoke_failed(&self) -> bool {
        self.original.smoke == Smoke::Fail || self.rewritten.smoke == Smoke::Fail
    }

    /// A report for a file that could not be verified at all.
    pub fn failed(prepared: &Prepared, error: String) -> Report {
        let mut r = prepared.report_for(None);
        r.error = Some(error);
        r
    }

    /// A report for a file that could not even be prepared (read, parsed).
    pub fn unreadable(shown: &str, level: u8, error: String) -> Report {
        Report {
            dockerfile: shown.to_string(),
            level,
            original: Image::new(""),
            rewritten: Image::new(""),
            saving_bytes: None,
            ratio: None,
            context: String::new(),
            changed: false,
            applied: Vec::new(),
            refused: Vec::new(),
            builder: None,
            engine: String::new(),
            engine_name: String::new(),
            retried_after: None,
            kept_images: false,
            error: Some(error),
            notes: Vec::new(),
        }
    }

    /// The worst outcome: 2 an error, 1 a smoke test failed, 0 fine.
    pub fn severity(&self) -> u8 {
        if self.error.is_some() {
            2
        } else if self.smoke_failed() {
            1
        } else {
            0
        }
    }
}

/// One Dockerfile made ready: what it is, its build context, and the
/// rewrite dfslim makes of it.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The file the original is built from.
    pub dockerfile: PathBuf,
    /// How reports show it.
    pub shown: String,
    pub context: PathBuf,
    pub level: u8,
    pub original: String,
    pub rewrite: String,
    pub applied: Vec<String>,
    pub refused: Vec<Refusal>,
    /// The stage to build (`--target`) when it is not the last one.
    pub target: Option<String>,
}

impl Prepared {
    /// Made from a finished pipeline run of `dockerfile`.
    pub fn new(
        dockerfile: &Path,
        shown: &str,
        context: &Path,
        level: u8,
        original: String,
        run: Option<&crate::pipeline::Run>,
    ) -> Prepared {
        let mut p = Prepared {
            dockerfile: dockerfile.to_path_buf(),
            shown: shown.to_string(),
            context: context.to_path_buf(),
            level,
            rewrite: run.map_or_else(|| original.clone(), |r| r.output.clone()),
            original,
            applied: Vec::new(),
            refused: Vec::new(),
            target: None,
        };
        for s in run.map(|r| r.steps.as_slice()).unwrap_or_default() {
            match &s.status {
                Status::Applied { .. } => p.applied.push(s.id.to_string()),
                Status::Refused(why) | Status::Skipped(why) => p.refused.push(Refusal {
                    transform: s.id.to_string(),
                    reason: why.to_string(),
                }),
                Status::NotApplicable(_) => {}
            }
        }
        p
    }

    pub fn changed(&self) -> bool {
        self.rewrite != self.original
    }

    /// An empty report of this file on `docker` (none yet).
    fn report_for(&self, docker: Option<&Docker>) -> Report {
        Report {
            dockerfile: self.shown.clone(),
            level: self.level,
            original: Image::new(""),
            rewritten: Image::new(""),
            saving_bytes: None,
            ratio: None,
            context: self.context.display().to_string(),
            changed: self.changed(),
            applied: self.applied.clone(),
            refused: self.refused.clone(),
            builder: docker.map(|d| d.builder),
            engine: docker.map(Docker::describe).unwrap_or_default(),
            engine_name: docker.map_or("", |d| d.endpoint.name()).to_string(),
            retried_after: None,
            kept_images: false,
            error: None,
            notes: docker.map(|d| d.notes.clone()).unwrap_or_default(),
        }
    }
}

/// Reads `dockerfile` and rewrites it at `options.level`, with its context
/// (`options.context`, else its directory).
pub fn prepare(dockerfile: &Path, options: &Options) -> Result<Prepared, Error> {
    let shown = dockerfile.display().to_string();
    let context = options
        .context
        .clone()
        .unwrap_or_else(|| fix::dir_of(dockerfile));
    if !context.is_dir() {
        return Err(Error::Input(format!(
            "the build context {} is not a directory",
            context.display()
        )));
    }
    let text = fsio::read_text(dockerfile).map_err(|e| Error::Input(e.to_string()))?;
    let fix_options = fix::Options {
        selection: Selection {
            level: options.level,
            runtime: options.runtime,
            ..Selection::default()
        },
        mode: Mode::DryRun,
        context: Some(context.clone()),
    };
    match fix::fix_text(&text, &fix_options, Some(&context)) {
        FileOutcome::Done(run) => Ok(Prepared::new(
            dockerfile,
            &shown,
            &context,
            options.level,
            text,
            Some(&run),
        )),
        FileOutcome::Ignored => Ok(Prepared::new(
            dockerfile,
            &shown,
            &context,
            options.level,
            text,
            None,
        )),
        FileOutcome::Error(p) => Err(Error::Input(p.render(&shown))),
    }
}

/// Verifies `dockerfile` at `options.level` on the engine the `docker`
/// client points at; `progress` hears what is going on (a build takes a
/// while).
pub fn verify(
    dockerfile: &Path,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, Error> {
    let prepared = prepare(dockerfile, options)?;
    let docker = Docker::probe().map_err(Error::Docker)?;
    run(&prepared, &docker, options, progress)
}

/// How long a client may take to say whether its engine still answers.
const ANSWER_WAIT: Duration = Duration::from_secs(20);

/// The error for work that failed because `docker`'s engine went away, or
/// `None` when it still answers (the failure is then the work's own).
fn engine_lost(docker: &Docker, janitor: &Janitor, during: &str) -> Option<Error> {
    if docker.answers(ANSWER_WAIT) {
        return None;
    }
    Some(Error::EngineLost {
        why: format!(
            "the engine {} stopped answering during {during}",
            docker.endpoint.name()
        ),
        left: janitor.registered(),
    })
}

/// Builds, measures and (with `options.smoke`) runs `prepared`'s original
/// and rewrite on the engine `docker` drives, then removes what it made.
pub fn run(
    prepared: &Prepared,
    docker: &Docker,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, Error> {
    let p = prepared;
    // Unique per run, so that runs side by side never meet.
    let run_id = run_id();
    let tag = |which: &str| format!("dfslim-verify:{run_id}-{which}");
    let mut report = p.report_for(Some(docker));
    report.original = Image::new(&tag("original"));
    report.rewritten = Image::new(&tag("rewritten"));
    report.kept_images = options.keep_images;
    let once = !p.changed();

    // The rewrite sits in a directory of its own, under the original's file
    // name, with a copy of its `NAME.dockerignore` if there is one.
    let dir = tempfile::Builder::new()
        .prefix("dfslim-verify-")
        .tempdir()
        .map_err(|e| Error::Other(format!("cannot make a temporary directory: {e}")))?;
    let name = p
        .dockerfile
        .file_name()
        .map_or_else(|| "Dockerfile".into(), |n| n.to_os_string());
    let rewritten_file = dir.path().join(&name);
    std::fs::write(&rewritten_file, &p.rewrite)
        .map_err(|e| Error::Other(format!("cannot write the rewrite: {e}")))?;
    let mut ignore = p.dockerfile.as_os_str().to_os_string();
    ignore.push(".dockerignore");
    if Path::new(&ignore).is_file() {
        let mut to = rewritten_file.clone().into_os_string();
        to.push(".dockerignore");
        let _ = std::fs::copy(&ignore, to);
    }

    let mut janitor = Janitor::for_engine(docker, options.keep_images);
    let label = format!("dfslim.verify={run_id}");
    let mut steps: Vec<Vec<docker::Step>> = Vec::new();
    let level_rewrite = format!("the level-{} rewrite", p.level);
    let builds: Vec<(&str, &Path, &mut Image)> = if once {
        vec![("it", p.dockerfile.as_path(), &mut report.original)]
    } else {
        vec![
            ("the original", p.dockerfile.as_path(), &mut report.original),
            (
                level_rewrite.as_str(),
                rewritten_file.as_path(),
                &mut report.rewritten,
            ),
        ]
    };
    for (which, file, image) in builds {
        progress(&format!(
            "building {which} ({} builder) ...",
            docker.builder.as_str()
        ));
        janitor.image(&image.image);
        let spec = BuildSpec {
            dockerfile: file,
            context: &p.context,
            tag: &image.image,
            label: &label,
            target: p.target.as_deref(),
            cache: options.cache,
        };
        let mut made = |m: Made| match m {
            Made::Image(id) => janitor.intermediate(id),
            Made::Container(id) => janitor.container(id),
        };
        match docker.build_spec(&spec, &mut made) {
            Ok(built) => {
                let info = match docker.inspect_image(&built.id) {
                    Ok(info) => info,
                    Err(e) => {
                        return Err(engine_lost(docker, &janitor, "an image inspect")
                            .unwrap_or(Error::Other(e)));
                    }
                };
                let reused = steps
                    .first()
                    .map_or(0.0, |other| docker::reused_seconds(&built.steps, other));
                image.built = true;
                image.size_bytes = Some(info.size);
                image.layers = Some(info.layers);
                image.build_seconds = Some(round2(built.seconds + reused));
                image.reused_seconds = (options.cache && reused > 0.0).then(|| round2(reused));
                image.ports = info.exposed_tcp;
                steps.push(built.steps);
            }
            Err(failure) if failure.interrupted => return Err(Error::Interrupted),
            Err(failure) => {
                if let Some(lost) = engine_lost(docker, &janitor, &format!("the build of {which}"))
                {
                    return Err(lost);
                }
                image.build_seconds = Some(round2(failure.seconds));
                image.detail = Some("build failed".to_string());
                image.logs = Some(failure.log_tail);
                break;
            }
        }
    }
    if once {
        report.rewritten = report.original.clone();
    }
    report.error = build_error(&report, p.level, &p.shown);

    if options.smoke && report.error.is_none() {
        let original_doc = Document::parse(p.original.as_str()).ok();
        let rewrite_doc = Document::parse(p.rewrite.as_str()).ok();
        for (image, doc) in [
            (&mut report.original, &original_doc),
            (&mut report.rewritten, &rewrite_doc),
        ] {
            let mut ports = doc.as_ref().map(ports::exposed_tcp).unwrap_or_default();
            for p in &image.ports {
                if !ports.contains(p) && ports.len() < ports::MAX_PORTS {
                    ports.push(*p);
                }
            }
            image.ports = ports;
        }
        let names = [
            format!("dfslim-verify-{run_id}-original"),
            format!("dfslim-verify-{run_id}-rewritten"),
        ];
        for n in &names[..if once { 1 } else { 2 }] {
            janitor.container(n);
        }
        progress(if once {
            "running the image (smoke test) ..."
        } else {
            "running both images (smoke test) ..."
        });
        let timing = options.timing;
        let (a, b) = (&report.original, &report.rewritten);
        let (sa, sb) = std::thread::scope(|s| {
            let ta = s.spawn(|| smoke::run(docker, &a.image, &names[0], &a.ports, timing));
            let sb = (!once).then(|| smoke::run(docker, &b.image, &names[1], &b.ports, timing));
            (ta.join(), sb)
        });
        let sa = sa.map_err(|_| Error::Other("the smoke test panicked".to_string()))?;
        let sb = sb.unwrap_or_else(|| sa.clone());
        if (sa.smoke == Smoke::Fail || sb.smoke == Smoke::Fail)
            && let Some(lost) = engine_lost(docker, &janitor, "the smoke test")
        {
            return Err(lost);
        }
        for (image, outcome) in [(&mut report.original, sa), (&mut report.rewritten, sb)] {
            image.smoke = outcome.smoke;
            image.detail = Some(outcome.detail);
            image.logs = outcome.logs;
        }
    }

    if let (Some(a), Some(b)) = (report.original.size_bytes, report.rewritten.size_bytes) {
        report.saving_bytes = Some(a as i64 - b as i64);
        report.ratio = (b > 0).then(|| round2(a as f64 / b as f64));
    }
    if once && report.error.is_none() {
        report
            .notes
            .push("dfslim changes nothing: built once, both sides are that image".to_string());
    }
    if !options.keep_images {
        progress("removing the images ...");
    }
    janitor.finish();
    Ok(report)
}

/// The plain words for a failed build: whose fault it is.
fn build_error(report: &Report, level: u8, shown: &str) -> Option<String> {
    let (o, r) = (&report.original, &report.rewritten);
    if o.logs.is_some() && !o.built {
        Some(format!(
            "the original {shown} does not build, so there is nothing to compare; \
             fix it first. The end of its build log:\n{}",
            o.logs.as_deref().unwrap_or("")
        ))
    } else if !r.built {
        Some(format!(
            "the original builds but dfslim's level-{} rewrite does not: that is a dfslim bug, \
             please report it with the Dockerfile and this log \
             (`dfslim fix --dry-run --level {} --context {} {shown}` shows the rewrite). \
             The end of its build log:\n{}",
            level,
            level,
            report.context,
            r.logs.as_deref().unwrap_or("")
        ))
    } else {
        None
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A short id unique to this process and moment: the tags and container
/// names of one run.
fn run_id() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Jobs of one batch start side by side: the counter keeps them apart.
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = (nanos as u32).wrapping_add(n.wrapping_mul(0x9e37_79b9));
    format!("{}-{id:x}", std::process::id())
}
