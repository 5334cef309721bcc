//! `dfslim inspect`: what dfslim sees in a Dockerfile.

use crate::syntax::{Document, Instruction};
use serde_json::{Value, json};
use std::fmt::Write;

fn keyword(doc: &Document, ins: &Instruction) -> String {
    ins.keyword.as_str().map_or_else(
        || ins.keyword_span.of(doc.text()).to_uppercase(),
        str::to_string,
    )
}

fn span(doc: &Document, s: crate::syntax::Span) -> Value {
    let (line, col) = doc.line_col(s.start);
    json!({"start": s.start, "end": s.end, "line": line, "column": col})
}

pub fn value(doc: &Document) -> Value {
    let instructions: Vec<Value> = doc
        .instructions()
        .iter()
        .map(|ins| {
            let mut v = json!({
                "keyword": keyword(doc, ins),
                "start_line": ins.start_line,
                "end_line": ins.end_line,
                "form": if ins.onbuild_inner().map_or(ins.is_json(), Instruction::is_json) { "json" } else { "shell" },
                "flags": ins.flags.iter().map(|f| f.span.of(doc.text())).collect::<Vec<_>>(),
                "sub_keyword": ins.onbuild_inner().map(|i| keyword(doc, i)),
                "span": span(doc, ins.span),
            });
            if !ins.heredocs.is_empty() {
                v["heredocs"] = ins
                    .heredocs
                    .iter()
                    .map(|h| json!({"name": h.name, "start_line": doc.line_col(h.body.start).0, "end_line": doc.line_col(h.terminator.start).0}))
                    .collect();
            }
            v
        })
        .collect();
    let stages: Vec<Value> = doc
        .stages()
        .iter()
        .map(|s| {
            json!({
                "index": s.index,
                "name": s.name.as_ref().map(|n| &n.text),
                "image": s.image.as_ref().map(|i| &i.text),
                "start_line": s.start_line,
            })
        })
        .collect();
    let directives: Vec<Value> = doc
        .directives()
        .iter()
        .map(|d| json!({"name": d.name, "value": d.value, "line": d.line}))
        .collect();
    json!({
        "escape": doc.escape().to_string(),
        "bom": doc.has_bom(),
        "line_ending": if doc.newline() == "\r\n" { "crlf" } else { "lf" },
        "directives": directives,
        "instructions": instructions,
        "stages": stages,
    })
}

/// A readable outline: directives, then each stage with its instructions.
pub fn text(doc: &Document) -> String {
    let mut out = String::new();
    for d in doc.directives() {
        let _ = writeln!(out, "# {}={}  (line {})", d.name, d.value, d.line);
    }
    let first_stage = doc
        .stages()
        .first()
        .map_or(doc.instructions().len(), |s| s.from);
    if first_stage > 0 {
        let _ = writeln!(out, "global:");
        for ins in &doc.instructions()[..first_stage] {
            line(&mut out, doc, ins);
        }
    }
    for s in doc.stages() {
        let name = s
            .name
            .as_ref()
            .map_or(String::new(), |n| format!(" AS {}", n.text));
        let image = s.image.as_ref().map_or("?", |i| i.text.as_str());
        let _ = writeln!(
            out,
            "stage {} (line {}): {image}{name}",
            s.index, s.start_line
        );
        for ins in &doc.instructions()[s.from + 1..s.end] {
            line(&mut out, doc, ins);
        }
    }
    out
}

fn line(out: &mut String, doc: &Document, ins: &Instruction) {
    let lines = if ins.start_line == ins.end_line {
        format!("{}", ins.start_line)
    } else {
        format!("{}-{}", ins.start_line, ins.end_line)
    };
    let mut summary: String = ins
        .args_span
        .of(doc.text())
        .lines()
        .next()
        .unwrap_or("")
        .into();
    if summary.chars().count() > 60 {
        summary = summary.chars().take(57).collect::<String>() + "...";
    }
    let flags: Vec<&str> = ins.flags.iter().map(|f| f.span.of(doc.text())).collect();
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!("{} ", flags.join(" "))
    };
    let heredocs = if ins.heredocs.is_empty() {
        String::new()
    } else {
        format!(
            "  [{} heredoc{}]",
            ins.heredocs.len(),
            if ins.heredocs.len() == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(
        out,
        "  {lines:>7}  {} {flags}{summary}{heredocs}",
        keyword(doc, ins)
    );
}
