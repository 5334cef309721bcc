//! The work of `dfslim fix` on one file: read, run the pipeline, and write
//! the result back only when asked, only when it parses, atomically.

use crate::analysis::BuildContext;
use crate::fsio::{self, FileError};
use crate::pipeline::{self, Selection};
use crate::report::{FileOutcome, FileReport, Problem};
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

fn file_problem(e: &FileError) -> Problem {
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
    if crate::suppress::ignores_file(text) {
        return FileOutcome::Ignored;
    }
    let ctx = context.map(BuildContext::load);
    match pipeline::run(text, &options.selection, ctx.as_ref()) {
        Ok(run) => FileOutcome::Done(run),
        Err(e) => FileOutcome::Error(Problem::at(e.line, e.column, e.message)),
    }
}

/// Reads `path`, runs the pipeline, and (in write mode) replaces the file.
pub fn fix_file(path: &Path, display: &str, options: &Options) -> FileReport {
    let report = |outcome| FileReport {
        path: display.to_string(),
        outcome,
    };
    let text = match fsio::read_text(path) {
        Ok(t) => t,
        Err(e) => return report(FileOutcome::Error(file_problem(&e))),
    };
    let context = options.context.clone().or_else(|| {
        path.parent().map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
    });
    let outcome = fix_text(&text, options, context.as_deref());
    if let FileOutcome::Done(run) = &outcome
        && options.mode == Mode::Write
        && run.changed()
        && let Err(e) = fsio::replace(path, &run.original, &run.output)
    {
        return report(FileOutcome::Error(file_problem(&e)));
    }
    report(outcome)
}
