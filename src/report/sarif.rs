//! `--format sarif`: SARIF 2.1.0, so pending rewrites show up in code
//! scanning UIs. Each change is a result whose rule is the transform that
//! made it, located on the original lines, with the replacement as a fix.
//!
//! Where the changes come from: the line diff (`similar`) between the
//! original text and dfslim's output. A transform's own edits are spans in
//! the text the previous transform left, not in the original, so they do not
//! locate anything in the file a reader has; the final diff does, and it is
//! exactly what applying the fix must produce. To say which transform made
//! a change, the run's trail (each applied transform's edits, in order) is
//! replayed, following every line through each step: a changed line is
//! attributed to the transforms that deleted its original or wrote its new
//! text. A change several transforms made is reported once, under the first
//! of them in pipeline order, naming the others.

use super::{FileOutcome, FileReport, Problem};
use crate::catalog;
use crate::edit;
use crate::pipeline::{Run, Status};
use serde_json::{Value, json};
use similar::{DiffTag, TextDiff};
use std::ops::Range;
use std::path::Path;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log of a batch; relative paths are relative to `root` (the
/// current directory), given as the `%SRCROOT%` base. `notes` are warnings
/// about other files (path shown, problem).
pub fn log(reports: &[FileReport], notes: &[(String, Problem)], root: &Path) -> Value {
    let rules: Vec<Value> = catalog::entries().iter().map(rule).collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for r in reports {
        let artifact = artifact(&r.path);
        match &r.outcome {
            FileOutcome::Done(run) if run.changed() => {
                for c in changes(run) {
                    results.push(result(run, &artifact, &c));
                }
            }
            FileOutcome::Error(e) => notifications.push(notification("error", e, &artifact)),
            _ => {}
        }
        for w in &r.warnings {
            notifications.push(notification("warning", w, &artifact));
        }
    }
    for (path, p) in notes {
        notifications.push(notification("warning", p, &artifact(path)));
    }
    let errors = reports
        .iter()
        .any(|r| matches!(r.outcome, FileOutcome::Error(_)));
    let root_uri = format!(
        "file://{}/",
        encode(root.to_string_lossy().trim_end_matches('/'))
    );
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dfslim",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "invocations": [{
                "executionSuccessful": !errors,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn rule(e: &catalog::Entry) -> Value {
    let mut help = format!("{}\n\nWhy: {}\n", e.changes.trim(), e.why.trim());
    if !e.refuses.is_empty() {
        help.push_str("\nIt refuses when:\n");
        for r in &e.refuses {
            help.push_str(&format!("- {r}\n"));
        }
    }
    json!({
        "id": e.id,
        "name": e.id,
        "shortDescription": {"text": e.title},
        "fullDescription": {"text": e.changes.trim()},
        "help": {"text": help},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"dfslimLevel": e.level},
    })
}

/// An artifactLocation for a path as shown.
fn artifact(path: &str) -> Value {
    if path == "-" {
        return json!({"uri": "stdin"});
    }
    let slashed = path.replace('\\', "/");
    if Path::new(path).is_absolute() {
        json!({"uri": format!("file://{}", encode(&slashed))})
    } else {
        json!({"uri": encode(&slashed), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes what a URI path may not hold as is.
fn encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn notification(level: &str, p: &Problem, artifact: &Value) -> Value {
    let mut loc = json!({"physicalLocation": {"artifactLocation": artifact}});
    if let Some((line, column)) = p.at {
        loc["physicalLocation"]["region"] = json!({"startLine": line, "startColumn": column});
    }
    json!({
        "level": level,
        "message": {"text": p.message},
        "locations": [loc],
    })
}

/// One change between a run's original and output, in lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Lines of the original (0-based, end exclusive) it replaces.
    pub old: Range<usize>,
    /// Lines of the output that replace them.
    pub new: Range<usize>,
    /// The transforms that made it, in pipeline order.
    pub transforms: Vec<&'static str>,
}

/// Where each line of a text starts: 0, then after every newline (so a text
/// that ends with a newline also gets the start of the empty line after it).
fn starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    v
}

/// Byte offset of the start of 0-based line `i` (the text's end past the last line).
fn offset(starts: &[usize], len: usize, i: usize) -> usize {
    starts.get(i).copied().unwrap_or(len).min(len)
}

/// 1-based line and column (in characters) of byte `off`.
fn line_col(text: &str, starts: &[usize], off: usize) -> (usize, usize) {
    let line = starts.partition_point(|&s| s <= off);
    let start = starts[line - 1];
    (line, text[start..off].chars().count() + 1)
}

/// Origin of a line while the trail is replayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The original's line.
    Original(usize),
    /// Written by the trail's step.
    Step(usize),
}

fn ops(old: &str, new: &str) -> Vec<(DiffTag, Range<usize>, Range<usize>)> {
    TextDiff::from_lines(old, new)
        .ops()
        .iter()
        .map(|op| op.as_tag_tuple())
        .collect()
}

/// Replays the trail; gives the origin of each output line and, for each
/// original line, the step that deleted it. `None` when the replay does
/// not reproduce the output.
fn attribution(run: &Run) -> Option<(Vec<Origin>, Vec<Option<usize>>)> {
    let lines = |t: &str| t.split_inclusive('\n').count();
    let mut text = run.original.clone();
    let mut cur: Vec<Origin> = (0..lines(&text)).map(Origin::Original).collect();
    let mut deleted_by = vec![None; cur.len()];
    for (k, (_, edits)) in run.trail.iter().enumerate() {
        let next = edit::apply(&text, edits).ok()?;
        let mut new_cur = Vec::with_capacity(cur.len());
        for (tag, o, n) in ops(&text, &next) {
            if tag != DiffTag::Insert {
                for origin in &cur[o.clone()] {
                    match (tag, origin) {
                        (DiffTag::Equal, _) => new_cur.push(*origin),
                        (_, Origin::Original(i)) => deleted_by[*i] = Some(k),
                        _ => {}
                    }
                }
            }
            if tag != DiffTag::Equal && tag != DiffTag::Delete {
                new_cur.extend(n.map(|_| Origin::Step(k)));
            }
        }
        cur = new_cur;
        text = next;
    }
    (text == run.output).then_some((cur, deleted_by))
}

/// The changes of a run, each with the transforms that made it.
pub fn changes(run: &Run) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    let mut last_end: Option<(usize, usize)> = None;
    for (tag, o, n) in ops(&run.original, &run.output) {
        if tag == DiffTag::Equal {
            last_end = None;
            continue;
        }
        // Adjacent non-equal ops are one change.
        match (last_end, out.last_mut()) {
            (Some(_), Some(c)) => {
                c.old.end = o.end;
                c.new.end = n.end;
            }
            _ => out.push(Change {
                old: o.clone(),
                new: n.clone(),
                transforms: Vec::new(),
            }),
        }
        last_end = Some((o.end, n.end));
    }
    let applied: Vec<&'static str> = run.trail.iter().map(|(id, _)| *id).collect();
    let attributed = attribution(run);
    for c in &mut out {
        let mut steps: Vec<usize> = Vec::new();
        if let Some((origins, deleted_by)) = &attributed {
            steps.extend(
                c.old
                    .clone()
                    .filter_map(|i| deleted_by.get(i).copied().flatten()),
            );
            steps.extend(c.new.clone().filter_map(|j| match origins.get(j) {
                Some(Origin::Step(k)) => Some(*k),
                _ => None,
            }));
        }
        steps.sort_unstable();
        let mut ids: Vec<&'static str> = steps.iter().map(|&k| applied[k]).collect();
        if ids.is_empty() {
            ids = applied.clone();
        }
        let mut seen = Vec::new();
        ids.retain(|id| {
            let fresh = !seen.contains(id);
            seen.push(*id);
            fresh
        });
        // Pipeline order, which the catalog's order is.
        ids.sort_by_key(|id| catalog::entries().iter().position(|e| e.id == *id));
        c.transforms = ids;
    }
    out
}

fn result(run: &Run, artifact: &Value, c: &Change) -> Value {
    let old_starts = starts(&run.original);
    let new_starts = starts(&run.output);
    let old_len = run.original.len();
    let (from, to) = (
        offset(&old_starts, old_len, c.old.start),
        offset(&old_starts, old_len, c.old.end),
    );
    let inserted = &run.output[offset(&new_starts, run.output.len(), c.new.start)
        ..offset(&new_starts, run.output.len(), c.new.end)];
    let (sl, sc) = line_col(&run.original, &old_starts, from);
    let (el, ec) = line_col(&run.original, &old_starts, to);
    let deleted = json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec});
    // What a reader is shown: the replaced lines, or the line an insertion goes before.
    let last_line = run.original.split_inclusive('\n').count().max(1);
    let shown = if c.old.is_empty() {
        json!({"startLine": (c.old.start + 1).min(last_line)})
    } else {
        json!({"startLine": c.old.start + 1, "endLine": c.old.end})
    };
    let message = |id: &str| -> String {
        run.steps
            .iter()
            .find_map(|s| match &s.status {
                Status::Applied { message, .. } if s.id == id => Some(format!("{id}: {message}")),
                _ => None,
            })
            .unwrap_or_else(|| id.to_string())
    };
    let primary = c.transforms.first().copied().unwrap_or("dfslim");
    let text: Vec<String> = c.transforms.iter().map(|id| message(id)).collect();
    let mut replacement = json!({"deletedRegion": deleted});
    if !inserted.is_empty() {
        replacement["insertedContent"] = json!({"text": inserted});
    }
    json!({
        "ruleId": primary,
        "ruleIndex": catalog::entries().iter().position(|e| e.id == primary),
        "level": "warning",
        "message": {"text": text.join("; ")},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": shown}}],
        "fixes": [{
            "description": {"text": format!("Apply {}", c.transforms.join(", "))},
            "artifactChanges": [{
                "artifactLocation": artifact,
                "replacements": [replacement],
            }],
        }],
        "properties": {"transforms": c.transforms},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Step;

    fn run(original: &str, trail: Vec<(&'static str, Vec<edit::Edit>)>) -> Run {
        let mut text = original.to_string();
        for (_, e) in &trail {
            text = edit::apply(&text, e).unwrap();
        }
        Run {
            changed: original != text,
            original: original.to_string(),
            output: text,
            steps: vec![Step {
                id: "alpine-base",
                level: 1,
                ecosystem: crate::ecosystem::Ecosystem::Go,
                status: Status::Applied {
                    message: "builder on alpine".into(),
                    notes: vec![],
                    unchecked: vec![],
                },
                suppressed: None,
            }],
            trail,
            warnings: vec![],
            ecosystems: vec![crate::ecosystem::Ecosystem::Go],
            stages: vec![],
        }
    }

    #[test]
    fn changes_are_attributed_through_the_trail() {
        use crate::syntax::Span;
        let original = "FROM golang:1.21\nRUN go build -o /app .\nCMD [\"go\"]\n";
        // alpine-base edits line 1; then strip-flags edits line 2 and
        // cmd-binary line 3 (offsets in the text alpine-base left).
        let trail = vec![
            ("alpine-base", vec![edit::Edit::insert(16, "-alpine")]),
            (
                "strip-flags",
                vec![edit::Edit::insert(36, " -ldflags=\"-s -w\"")],
            ),
        ];
        let r = run(original, trail);
        assert_eq!(
            r.output,
            "FROM golang:1.21-alpine\nRUN go build -ldflags=\"-s -w\" -o /app .\nCMD [\"go\"]\n"
        );
        let c = changes(&r);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].old, 0..2);
        assert_eq!(c[0].transforms, vec!["alpine-base", "strip-flags"]);

        // Separate hunks get separate attributions; an insertion at the end.
        let original = "FROM a\nX\nRUN b\n";
        let trail = vec![
            (
                "alpine-base",
                vec![edit::Edit::replace(Span::new(5, 6), "c")],
            ),
            (
                "multi-stage",
                vec![edit::Edit::insert(15, "FROM scratch\n")],
            ),
        ];
        let r = run(original, trail);
        let c = changes(&r);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            (c[0].old.clone(), c[0].transforms.clone()),
            (0..1, vec!["alpine-base"])
        );
        assert_eq!((c[1].old.clone(), c[1].new.clone()), (3..3, 3..4));
        assert_eq!(c[1].transforms, vec!["multi-stage"]);
        let v = result(&r, &artifact("Dockerfile"), &c[1]);
        let rep = &v["fixes"][0]["artifactChanges"][0]["replacements"][0];
        // Insertion at the end of a file that ends with a newline: the empty
        // line after it.
        assert_eq!(
            rep["deletedRegion"],
            json!({"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 1})
        );
        assert_eq!(rep["insertedContent"]["text"], "FROM scratch\n");
        assert_eq!(
            v["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 3})
        );
        assert_eq!(v["ruleId"], "multi-stage");
    }

    #[test]
    fn uris() {
        assert_eq!(
            artifact("svc/my app/Dockerfile"),
            json!({"uri": "svc/my%20app/Dockerfile", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact("/r/Dockerfile"),
            json!({"uri": "file:///r/Dockerfile"})
        );
    }
}
