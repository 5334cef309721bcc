//! `dfslim verify`: proof that a rewrite still works. The original
//! Dockerfile and dfslim's rewrite of it are built with a real Docker engine
//! from the same context, measured (size, layers, build time) and, when
//! asked, run ([`smoke`]); everything made is removed afterwards.
//!
//! The rewrite goes to a temporary file, never over the user's Dockerfile.
//! The engine is whatever the `docker` CLI points at ([`docker`] says why
//! the CLI). Builds run one after the other, without the layer cache, so
//! their times compare; the two smoke tests run side by side.

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
use docker::{Builder, Docker, ProbeError};
use serde::Serialize;
use smoke::{Smoke, Timing};
use std::path::{Path, PathBuf};

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
    /// Anything else that stops the run (a temporary file, an inspect).
    Other(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Input(m) | Error::Other(m) => f.write_str(m),
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
    pub builder: Builder,
    /// `client X, engine Y, context Z`.
    pub engine: String,
    pub kept_images: bool,
    /// A build failed: what happened, and whose fault it is.
    pub error: Option<String>,
    /// Things worth knowing (e.g. the builder that had to be used).
    pub notes: Vec<String>,
}

impl Report {
    /// True when a smoke test failed.
    pub fn smoke_failed(&self) -> bool {
        self.original.smoke == Smoke::Fail || self.rewritten.smoke == Smoke::Fail
    }
}

/// Verifies `dockerfile` at `options.level`; `progress` hears what is
/// going on (a build takes a while).
pub fn verify(
    dockerfile: &Path,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, Error> {
    let shown = dockerfile.display().to_string();
    let context = options.context.clone().unwrap_or_else(|| {
        match dockerfile.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
        .to_path_buf()
    });
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
    let (rewrite, steps) = match fix::fix_text(&text, &fix_options, Some(&context)) {
        FileOutcome::Done(run) => (run.output, run.steps),
        FileOutcome::Ignored => (text.clone(), Vec::new()),
        FileOutcome::Error(p) => return Err(Error::Input(p.render(&shown))),
    };
    let docker = Docker::probe().map_err(Error::Docker)?;

    // Unique per run, so that runs side by side never meet.
    let run_id = run_id();
    let tag = |which: &str| format!("dfslim-verify:{run_id}-{which}");
    let mut report = Report {
        dockerfile: shown.clone(),
        level: options.level,
        original: Image::new(&tag("original")),
        rewritten: Image::new(&tag("rewritten")),
        saving_bytes: None,
        ratio: None,
        context: context.display().to_string(),
        changed: rewrite != text,
        applied: Vec::new(),
        refused: Vec::new(),
        builder: docker.builder,
        engine: format!(
            "client {}, engine {}, context {}",
            docker.client_version, docker.server_version, docker.context
        ),
        kept_images: options.keep_images,
        error: None,
        notes: docker.notes.clone(),
    };
    for s in &steps {
        match &s.status {
            Status::Applied { .. } => report.applied.push(s.id.to_string()),
            Status::Refused(why) | Status::Skipped(why) => report.refused.push(Refusal {
                transform: s.id.to_string(),
                reason: why.to_string(),
            }),
            Status::NotApplicable(_) => {}
        }
    }

    // The rewrite sits in a directory of its own, under the original's file
    // name, with a copy of its `NAME.dockerignore` if there is one.
    let dir = tempfile::Builder::new()
        .prefix("dfslim-verify-")
        .tempdir()
        .map_err(|e| Error::Other(format!("cannot make a temporary directory: {e}")))?;
    let name = dockerfile
        .file_name()
        .map_or_else(|| "Dockerfile".into(), |n| n.to_os_string());
    let rewritten_file = dir.path().join(&name);
    std::fs::write(&rewritten_file, &rewrite)
        .map_err(|e| Error::Other(format!("cannot write the rewrite: {e}")))?;
    let mut ignore = dockerfile.as_os_str().to_os_string();
    ignore.push(".dockerignore");
    if Path::new(&ignore).is_file() {
        let mut to = rewritten_file.clone().into_os_string();
        to.push(".dockerignore");
        let _ = std::fs::copy(&ignore, to);
    }

    let mut janitor = Janitor::start(&docker.program, options.keep_images);
    let label = format!("dfslim.verify={run_id}");
    for (which, file, image) in [
        ("the original", dockerfile, &mut report.original),
        (
            &format!("the level-{} rewrite", options.level),
            rewritten_file.as_path(),
            &mut report.rewritten,
        ),
    ] {
        progress(&format!(
            "building {which} ({} builder) ...",
            docker.builder.as_str()
        ));
        janitor.image(&image.image);
        match docker.build(file, &context, &image.image, &label, &mut |id| {
            janitor.intermediate(id)
        }) {
            Ok(built) => {
                let info = docker.inspect_image(&built.id).map_err(Error::Other)?;
                image.built = true;
                image.size_bytes = Some(info.size);
                image.layers = Some(info.layers);
                image.build_seconds = Some(round2(built.seconds));
                image.ports = info.exposed_tcp;
            }
            Err(failure) if failure.interrupted => return Err(Error::Interrupted),
            Err(failure) => {
                image.build_seconds = Some(round2(failure.seconds));
                image.detail = Some("build failed".to_string());
                image.logs = Some(failure.log_tail);
                break;
            }
        }
    }
    report.error = build_error(&report, options, &shown);

    if options.smoke && report.error.is_none() {
        let original_doc = Document::parse(text.as_str()).ok();
        let rewrite_doc = Document::parse(rewrite.as_str()).ok();
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
        for n in &names {
            janitor.container(n);
        }
        progress("running both images (smoke test) ...");
        let (docker, timing) = (&docker, options.timing);
        let (a, b) = (&report.original, &report.rewritten);
        let (sa, sb) = std::thread::scope(|s| {
            let ta = s.spawn(|| smoke::run(docker, &a.image, &names[0], &a.ports, timing));
            let sb = smoke::run(docker, &b.image, &names[1], &b.ports, timing);
            (ta.join(), sb)
        });
        let sa = sa.map_err(|_| Error::Other("the smoke test panicked".to_string()))?;
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
    if !options.keep_images {
        progress("removing the images ...");
    }
    janitor.finish();
    Ok(report)
}

/// The plain words for a failed build: whose fault it is.
fn build_error(report: &Report, options: &Options, shown: &str) -> Option<String> {
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
            options.level,
            options.level,
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
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{:x}", std::process::id(), nanos & 0xffff_ffff)
}
