//! The human-readable report on stderr: a line per file, then its steps.

use super::{FileOutcome, FileReport, Summary};
use crate::pipeline::Status;
use std::fmt::Write;

/// What the run does with changed files, for the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    DryRun,
    Check,
}

/// One file's report. `verbose` also lists not-applicable steps.
pub fn file(r: &FileReport, mode: Mode, verbose: bool) -> String {
    let mut out = String::new();
    match &r.outcome {
        FileOutcome::Error(e) => {
            let _ = writeln!(out, "{}", e.render(&r.path));
        }
        FileOutcome::Ignored => {
            let _ = writeln!(out, "{}: ignored (# dfslim: ignore)", r.path);
        }
        FileOutcome::Done(run) => {
            let verb = match (run.changed(), mode) {
                (false, _) => "unchanged",
                (true, Mode::Write) => "rewritten",
                (true, Mode::DryRun) => "would be rewritten",
                (true, Mode::Check) => "would change",
            };
            let _ = writeln!(out, "{}: {verb}", r.path);
            for s in &run.steps {
                let (what, text) = match &s.status {
                    Status::Applied { message, .. } => ("applied", message),
                    Status::Refused(reason) => ("refused", reason),
                    Status::Skipped(why) => ("skipped", why),
                    Status::NotApplicable(why) if verbose => ("n/a", why),
                    Status::NotApplicable(_) => continue,
                };
                let _ = writeln!(out, "  {what:<8} {} (level {}): {text}", s.id, s.level);
                if let Status::Applied { notes, .. } = &s.status {
                    for n in notes {
                        let _ = writeln!(out, "           note: {n}");
                    }
                }
            }
        }
    }
    out
}

/// The closing summary line(s).
pub fn summary(s: &Summary) -> String {
    let mut out = format!(
        "{} file{}: {} changed, {} unchanged",
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.changed,
        s.unchanged
    );
    if s.ignored > 0 {
        let _ = write!(out, ", {} ignored", s.ignored);
    }
    let _ = write!(
        out,
        ", {} error{}",
        s.errors,
        if s.errors == 1 { "" } else { "s" }
    );
    if !s.refused.is_empty() {
        let by: Vec<String> = s
            .refused
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        let _ = write!(out, "; refused: {}", by.join(", "));
    }
    out.push('\n');
    out
}
