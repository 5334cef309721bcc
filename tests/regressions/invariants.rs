//! The invariants every input must keep, shared by the fuzz targets
//! (`fuzz/fuzz_targets/*.rs` include this file by path), the regression
//! test (`tests/regressions.rs`) and the property tests. Each function
//! panics with a message naming the broken invariant.
#![allow(dead_code)]

use dfslim::edit;
use dfslim::fsio;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::syntax::{Args, Command, Document, Instruction, Span};

/// Arbitrary bytes: decoding and parsing never panic; a parsed document
/// keeps its text byte for byte and every span it hands out is in bounds,
/// on character boundaries and in order.
pub fn check_bytes(bytes: &[u8]) {
    let Ok(text) = fsio::decode(bytes.to_vec()) else {
        return;
    };
    check_parse(&text);
}

/// Parses `text` and checks the document; returns it when it parsed.
pub fn check_parse(text: &str) -> Option<Document> {
    let lines = text.split('\n').count();
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1, "error position {e:?}");
            assert!(
                e.line <= lines,
                "error line {} past the end ({lines})",
                e.line
            );
            assert!(!e.message.is_empty(), "an error without a message");
            return None;
        }
    };
    assert_eq!(doc.text(), text, "the document does not keep its text");
    assert_eq!(
        edit::apply(text, &[]).expect("no edits apply"),
        text,
        "no edits must give the same bytes"
    );
    assert!(
        !doc.instructions().is_empty(),
        "parsed with no instructions"
    );
    let mut prev_end_line = 0;
    let mut prev_end = 0;
    for ins in doc.instructions() {
        check_instruction(text, ins);
        assert!(
            ins.start_line > prev_end_line,
            "instruction at line {} overlaps the one ending on line {prev_end_line}",
            ins.start_line
        );
        assert!(ins.span.start >= prev_end, "instruction spans overlap");
        assert!(ins.start_line <= ins.end_line && ins.end_line <= lines);
        // BuildKit counts an instruction from its first physical line, which
        // may be a bare continuation (`\` alone) before the keyword.
        let (line, _) = doc.line_col(ins.keyword_span.start);
        assert!(
            (ins.start_line..=ins.end_line).contains(&line),
            "keyword on line {line}, outside lines {}..={}",
            ins.start_line,
            ins.end_line
        );
        prev_end_line = ins.end_line;
        prev_end = ins.span.end;
        let _ = doc.line_span(ins);
        let _ = doc.indent_at(ins.keyword_span.start);
    }
    for c in doc.comments() {
        span_ok(text, c.span, "comment");
        assert!(c.span.of(text).starts_with('#'), "comment without #");
    }
    for d in doc.directives() {
        span_ok(text, d.span, "directive");
    }
    for (k, s) in doc.stages().iter().enumerate() {
        assert_eq!(s.index, k);
        assert!(s.from < s.end && s.end <= doc.instructions().len());
    }
    let _ = doc.newline();
    let _ = doc.lowercase_keywords();
    Some(doc)
}

fn span_ok(text: &str, s: Span, what: &str) {
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{what} span {s:?} out of bounds ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what} span {s:?} splits a character"
    );
}

fn inside(outer: Span, inner: Span, what: &str) {
    assert!(
        outer.contains(inner),
        "{what} span {inner:?} outside its instruction {outer:?}"
    );
}

fn check_instruction(text: &str, ins: &Instruction) {
    span_ok(text, ins.span, "instruction");
    span_ok(text, ins.keyword_span, "keyword");
    span_ok(text, ins.args_span, "args");
    inside(ins.span, ins.keyword_span, "keyword");
    inside(ins.span, ins.args_span, "args");
    for f in &ins.flags {
        span_ok(text, f.span, "flag");
        inside(ins.span, f.span, "flag");
    }
    for h in &ins.heredocs {
        for (s, what) in [
            (h.marker, "heredoc marker"),
            (h.body, "heredoc body"),
            (h.terminator, "heredoc terminator"),
        ] {
            span_ok(text, s, what);
            inside(ins.span, s, what);
        }
        assert!(h.body.end <= h.terminator.start);
    }
    let word = |w: &dfslim::syntax::Word, what: &str| {
        span_ok(text, w.span, what);
        inside(ins.span, w.span, what);
    };
    match &ins.args {
        Args::Command(Command::Shell(w)) => word(w, "shell"),
        Args::Command(Command::Exec(items)) | Args::List(items) => {
            for j in items {
                span_ok(text, j.span, "json string");
                inside(ins.span, j.span, "json string");
            }
        }
        Args::Words(ws) => ws.iter().for_each(|w| word(w, "word")),
        Args::Pairs(ps) => ps.iter().for_each(|p| {
            word(&p.key, "key");
            word(&p.value, "value");
        }),
        Args::Args(ds) => ds.iter().for_each(|d| {
            word(&d.word, "arg");
            word(&d.name, "arg name");
            if let Some(v) = &d.default {
                word(v, "arg default");
            }
        }),
        Args::Text(w) => word(w, "text"),
        Args::Healthcheck { kind, cmd } => {
            word(kind, "healthcheck kind");
            if let Some(Command::Shell(w)) = cmd {
                word(w, "healthcheck cmd");
            }
        }
        Args::OnBuild(inner) => {
            check_instruction(text, inner);
            inside(ins.span, inner.span, "onbuild inner");
        }
        Args::Unknown(Some(w)) => word(w, "unknown args"),
        Args::Empty | Args::Unknown(None) => {}
    }
    if let Some(f) = ins.from() {
        span_ok(text, f.image.span, "image");
        for p in [Some(&f.image.path), f.image.registry.as_ref()]
            .into_iter()
            .flatten()
            .chain(f.image.tag.as_ref())
            .chain(f.image.digest.as_ref())
        {
            span_ok(text, p.span, "image part");
            inside(f.image.span, p.span, "image part");
        }
        for w in f.alias.iter().chain(f.as_keyword.iter()) {
            word(w, "alias");
        }
    }
}

/// The pipeline at `level` on `text`: never panics; fails exactly when the
/// text does not parse; its output parses, is a fixed point (running again
/// changes nothing) and no transform hit an internal error (overlapping
/// edits or an unparseable rewrite).
pub fn check_pipeline(text: &str, level: u8) -> Option<String> {
    let out = check_level(text, level)?;
    let sel = Selection {
        level,
        ..Selection::default()
    };
    let again = pipeline::run(&out, &sel, None).expect("the output parses");
    assert!(
        again.output == out,
        "level {level}: not idempotent\n--- input ---\n{text}\n--- output ---\n{out}\n--- again ---\n{}",
        again.output
    );
    Some(out)
}

/// [`check_pipeline`] without the fixed-point check.
pub fn check_level(text: &str, level: u8) -> Option<String> {
    let sel = Selection {
        level,
        ..Selection::default()
    };
    let parsed = Document::parse(text);
    let run = match pipeline::run(text, &sel, None) {
        Ok(run) => run,
        Err(e) => {
            assert_eq!(
                Err(e),
                parsed.map(|_| ()),
                "pipeline error without a parse error"
            );
            return None;
        }
    };
    assert!(
        parsed.is_ok(),
        "the pipeline accepted a text that does not parse"
    );
    assert_eq!(run.original, text);
    for s in &run.steps {
        if let Status::Refused(r) = &s.status {
            assert!(
                !r.to_string().contains("internal error"),
                "level {level}: {} hit an internal error: {r}\n--- input ---\n{text}",
                s.id
            );
        }
    }
    if level == 0 {
        assert_eq!(run.output, text, "level 0 changed the text");
    }
    assert!(
        Document::parse(run.output.as_str()).is_ok(),
        "level {level}: the output does not parse\n--- input ---\n{text}\n--- output ---\n{}",
        run.output
    );
    Some(run.output)
}
