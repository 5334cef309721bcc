//! `--format json`: one object with a list of files and a summary.

use super::{FileOutcome, FileReport, Summary};
use crate::message::Message;
use crate::pipeline::Status;
use serde_json::{Value, json};

pub fn value(reports: &[FileReport]) -> Value {
    let files: Vec<Value> = reports.iter().map(file).collect();
    json!({ "files": files, "summary": Summary::of(reports) })
}

fn file(r: &FileReport) -> Value {
    let steps = r.run().map_or(&[][..], |run| &run.steps);
    let pick = |f: &dyn Fn(&Status) -> Option<Value>| -> Vec<Value> {
        steps
            .iter()
            .filter_map(|s| {
                let v = if s.suppressed.is_some() {
                    None
                } else {
                    f(&s.status)
                };
                v.map(|mut v| {
                    v["transform"] = json!(s.id);
                    v["level"] = json!(s.level);
                    v
                })
            })
            .collect()
    };
    let applied = pick(&|s| match s {
        Status::Applied {
            message,
            notes,
            unchecked,
        } => {
            // Notes first, then what could not be checked (also on its own).
            let all: Vec<&Message> = notes.iter().chain(unchecked).collect();
            Some(json!({
                "message": message,
                "lines": message.lines(),
                "notes": all,
                "unchecked": unchecked,
            }))
        }
        _ => None,
    });
    let refused = pick(&|s| match s {
        Status::Refused(reason) => Some(json!({ "reason": reason, "lines": reason.lines() })),
        _ => None,
    });
    let skipped = pick(&|s| match s {
        Status::Skipped(reason) => Some(json!({ "reason": reason, "lines": reason.lines() })),
        _ => None,
    });
    let not_applicable = pick(&|s| match s {
        Status::NotApplicable(reason) => Some(json!({ "reason": reason })),
        _ => None,
    });
    let suppressed: Vec<Value> = steps
        .iter()
        .filter_map(|s| match (&s.status, s.suppressed) {
            (Status::Skipped(reason), Some(line)) => Some(json!({
                "reason": reason,
                "line": line,
                "transform": s.id,
                "level": s.level,
            })),
            _ => None,
        })
        .collect();
    let warnings: Vec<Value> = r
        .warnings
        .iter()
        .map(|w| json!(w.render(&r.path)))
        .collect();
    let context = r
        .context
        .as_ref()
        .map_or(Value::Null, |c| json!({"dir": c.dir, "from": c.from}));
    let error = match &r.outcome {
        FileOutcome::Error(e) => json!(e.render(&r.path)),
        _ => Value::Null,
    };
    let ecosystems = r.run().map_or(Vec::new(), |run| run.ecosystems.clone());
    let stages = r.run().map_or(Vec::new(), |run| run.stages.clone());
    json!({
        "path": r.path,
        "status": r.status(),
        "ecosystems": ecosystems,
        "stages": stages,
        "applied": applied,
        "refused": refused,
        "skipped": skipped,
        "not_applicable": not_applicable,
        "suppressed": suppressed,
        "error": error,
        "warnings": warnings,
        "context": context,
    })
}
