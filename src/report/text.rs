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

fn verb(changed: bool, mode: Mode) -> &'static str {
    match (changed, mode) {
        (false, _) => "unchanged",
        (true, Mode::Write) => "rewritten",
        (true, Mode::DryRun) => "would be rewritten",
        (true, Mode::Check) => "would change",
    }
}

fn warnings(r: &FileReport, out: &mut String) {
    for w in &r.warnings {
        let _ = writeln!(out, "{}", w.render(&r.path));
    }
}

/// True when a file is worth a line in a batch: it changed, or a step was
/// refused, skipped or suppressed, or something went wrong.
pub fn noteworthy(r: &FileReport) -> bool {
    !r.warnings.is_empty()
        || match &r.outcome {
            FileOutcome::Done(run) => {
                run.changed()
                    || run
                        .steps
                        .iter()
                        .any(|s| !matches!(s.status, Status::NotApplicable(_)))
            }
            _ => true,
        }
}

/// One line for a file in a batch: what happens to it and which transforms
/// did what (`--verbose` gives [`file`] instead). Warnings follow on their own lines.
pub fn line(r: &FileReport, mode: Mode) -> String {
    let mut out = String::new();
    match &r.outcome {
        FileOutcome::Error(e) => {
            let _ = writeln!(out, "{}", e.render(&r.path));
        }
        FileOutcome::Ignored => {
            let _ = writeln!(out, "{}: ignored (# dfslim: ignore)", r.path);
        }
        FileOutcome::Done(run) => {
            let mut parts = vec![verb(run.changed(), mode).to_string()];
            let ids = |f: &dyn Fn(&crate::pipeline::Step) -> bool| -> Vec<&str> {
                run.steps.iter().filter(|s| f(s)).map(|s| s.id).collect()
            };
            let applied = ids(&|s| matches!(s.status, Status::Applied { .. }));
            if !applied.is_empty() {
                parts[0] = format!("{} ({})", parts[0], applied.join(", "));
            }
            let refused = ids(&|s| matches!(s.status, Status::Refused(_)));
            let suppressed = ids(&|s| s.suppressed.is_some());
            let skipped =
                ids(&|s| s.suppressed.is_none() && matches!(s.status, Status::Skipped(_)));
            for (what, list) in [
                ("refused: ", refused),
                ("suppressed: ", suppressed),
                ("skipped: ", skipped),
            ] {
                if !list.is_empty() {
                    parts.push(format!("{what}{}", list.join(", ")));
                }
            }
            let _ = writeln!(out, "{}: {}", r.path, parts.join("; "));
        }
    }
    warnings(r, &mut out);
    out
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
            let _ = writeln!(out, "{}: {}", r.path, verb(run.changed(), mode));
            if verbose && let Some(c) = &r.context {
                let _ = writeln!(out, "  context  {} ({})", c.dir, c.from);
            }
            if verbose {
                for s in &run.stages {
                    let _ = writeln!(out, "  stages   {s}");
                }
            }
            for s in &run.steps {
                let (what, text) = match &s.status {
                    Status::Applied { message, .. } => ("applied", message),
                    Status::Refused(reason) => ("refused", reason),
                    Status::Skipped(why) if s.suppressed.is_some() => ("suppressed", why),
                    Status::Skipped(why) => ("skipped", why),
                    Status::NotApplicable(why) if verbose => ("n/a", why),
                    Status::NotApplicable(_) => continue,
                };
                let _ = writeln!(out, "  {what:<8} {} (level {}): {text}", s.id, s.level);
                if let Status::Applied {
                    notes, unchecked, ..
                } = &s.status
                {
                    for n in notes {
                        let _ = writeln!(out, "           note: {n}");
                    }
                    for n in unchecked {
                        let _ = writeln!(out, "           not checked: {n}");
                    }
                }
            }
        }
    }
    warnings(r, &mut out);
    out
}

/// The closing hint when an applied step could not read what it checks
/// in the build context (no go.mod, none of the built sources...).
pub fn hint(reports: &[FileReport]) -> Option<String> {
    hint_for(reports.iter().filter(|r| unchecked(r)).count())
}

/// True when `r` had steps applied without their build context's sources.
pub fn unchecked(r: &FileReport) -> bool {
    r.run().is_some_and(|run| run.unchecked())
}

/// The hint for `n` files that had steps applied unchecked, if any.
pub fn hint_for(n: usize) -> Option<String> {
    (n > 0).then(|| {
        format!(
            "hint: {n} file{} had steps applied without their build context's sources; pass --context DIR, or map the context in dfslim.toml ([[context]] dockerfile = ..., context = ...)\n",
            if n == 1 { "" } else { "s" }
        )
    })
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
    if !s.suppressed.is_empty() {
        let by: Vec<String> = s
            .suppressed
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        let _ = write!(out, "; suppressed: {}", by.join(", "));
    }
    if s.warnings > 0 {
        let _ = write!(
            out,
            "; {} warning{}",
            s.warnings,
            if s.warnings == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
    out
}
