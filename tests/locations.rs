//! Every line number a message gives names a line of the file as the user
//! has it: on every golden case and every corpus file at level 5, each place
//! in every message (applied, refused, n/a, notes) is the first line of an
//! instruction of the original whose keyword is the one the message names,
//! and whose text is what the message says it is about (a `go build` for
//! strip-flags, a RUN for "runs a command", ...). Places dfslim wrote itself
//! are rendered as such, never as a line number.

mod common;

use dfslim::analysis::BuildContext;
use dfslim::message::Message;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::syntax::Document;
use std::path::{Path, PathBuf};

/// What a message says an instruction is, and how to check its text.
type Claim = (&'static str, fn(&str) -> bool);

/// What the text around a place says the instruction is, and how to check it.
fn claims(message: &str) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    let m = message;
    if m.contains("goes through make") || m.contains("make line") {
        out.push(("a make build", |t| t.contains("make")));
    } else if (m.contains("link flags") || m.contains("-ldflags")) && !m.contains("dfslim added") {
        out.push(("a Go build", |t| {
            t.contains("go build") || t.contains("go install") || t.contains("ldflags")
        }));
    }
    if m.contains("runs a command in the runtime") {
        out.push(("a RUN", |t| {
            t.trim_start().to_ascii_uppercase().starts_with("RUN")
        }));
    }
    if m.contains("installs") {
        out.push(("an install", |t| {
            [
                "install", "apk add", "add ", "pip", "npm", "yarn", "uv sync",
            ]
            .iter()
            .any(|w| t.contains(w))
        }));
    }
    out
}

fn check(path: &Path, input: &str, ctx: Option<&BuildContext>, failures: &mut Vec<String>) {
    let Ok(doc) = Document::parse(input) else {
        return;
    };
    let sel = Selection::default();
    let Ok(run) = pipeline::run(input, &sel, ctx) else {
        return;
    };
    for s in &run.steps {
        let mut messages: Vec<&Message> = Vec::new();
        match &s.status {
            Status::Applied {
                message,
                notes,
                unchecked,
            } => {
                messages.push(message);
                messages.extend(notes);
                messages.extend(unchecked);
            }
            Status::Refused(m) | Status::NotApplicable(m) | Status::Skipped(m) => messages.push(m),
        }
        for m in messages {
            let text = m.to_string();
            if text.contains(['\u{FDD0}', '\u{FDD1}', '\u{FDD2}']) {
                failures.push(format!(
                    "{}: {}: unresolved place in {text:?}",
                    path.display(),
                    s.id
                ));
            }
            for place in m.places() {
                let Some(line) = place.line else {
                    continue;
                };
                let Some(ins) = doc.instructions().iter().find(|i| i.start_line == line) else {
                    failures.push(format!(
                        "{}: {}: {text:?} names line {line}, where no instruction starts",
                        path.display(),
                        s.id
                    ));
                    continue;
                };
                let kw = ins.keyword.as_str().unwrap_or("instruction");
                if kw != place.keyword {
                    failures.push(format!(
                        "{}: {}: {text:?} says line {line} is a {}, it is a {kw}",
                        path.display(),
                        s.id,
                        place.keyword
                    ));
                }
                let written = &input[doc.line_start(ins.start_line)..ins.span.end];
                for (what, ok) in claims(&text) {
                    if !ok(written) {
                        failures.push(format!(
                            "{}: {}: {text:?} points at line {line} as {what}, but it reads {written:?}",
                            path.display(),
                            s.id
                        ));
                    }
                }
            }
        }
    }
}

fn golden_cases() -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(common::repo().join("golden")).unwrap() {
        let dir = e.unwrap().path();
        let input = dir.join("input.Dockerfile");
        if input.is_file() {
            let ctx = dir.join("context");
            out.push((input, ctx.is_dir().then_some(ctx)));
        }
    }
    out.sort();
    out
}

#[test]
fn every_place_in_every_message_is_a_line_of_the_original() {
    let mut failures = Vec::new();
    let mut places = 0;
    let mut files = 0;
    let mut all: Vec<(PathBuf, Option<PathBuf>)> = golden_cases();
    match common::corpus() {
        Some(dir) => all.extend(common::dockerfiles(&dir).into_iter().map(|p| (p, None))),
        None => common::skip_without_data("the corpus part", "../shared/corpus is not here"),
    }
    for (path, ctx_dir) in &all {
        let input = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let ctx = ctx_dir.as_deref().map(BuildContext::load);
        check(path, &input, ctx.as_ref(), &mut failures);
        files += 1;
        if let Ok(run) = pipeline::run(&input, &Selection::default(), ctx.as_ref()) {
            for s in &run.steps {
                if let Status::Refused(m) | Status::Applied { message: m, .. } = &s.status {
                    places += m.places().count();
                }
            }
        }
    }
    eprintln!("{files} files, {places} places in applied and refused messages");
    assert!(places > 50, "too few places checked: {places}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The examples of the issue, on the seed's first Dockerfile at level 5.
#[test]
fn the_seed_reports_its_own_lines() {
    let input = "# Version: 0.1\nFROM golang:1.16\n\nCOPY . /$GOPATH/src/Fouda/\nWORKDIR /$GOPATH/src/Fouda/\n\nRUN go env -w GO111MODULE=on\nRUN go env -w GOPROXY=https://goproxy.cn,direct\n\nRUN go mod tidy\nRUN go build ./cmd/main.go\n\nEXPOSE 8089:8089\nCMD [\"go\",\"run\",\"./cmd/main.go\"]";
    let run = pipeline::run(input, &Selection::default(), None).unwrap();
    let said = |id: &str| {
        run.steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| match &s.status {
                Status::Applied { message, .. } => message.to_string(),
                other => panic!("{id}: {other:?}"),
            })
            .unwrap()
    };
    assert_eq!(
        said("strip-flags"),
        "-s -w added to the link flags (line 11)"
    );
    assert_eq!(
        said("multi-stage"),
        "split into `builder` and a runtime stage that gets only /go/src/Fouda/main"
    );
    let scratch = said("scratch-runtime");
    assert!(!scratch.contains("alpine"), "{scratch}");
}

/// A runtime stage that runs `apk add` on line 14: the refusal names line 14,
/// though cgo-off inserted a line above it first.
#[test]
fn a_refusal_names_the_line_as_written() {
    let input = "FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n\n\n\n\n\n\n\nFROM alpine:3.20\nRUN apk add --no-cache git\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n";
    let run = pipeline::run(input, &Selection::default(), None).unwrap();
    let s = run
        .steps
        .iter()
        .find(|s| s.id == "scratch-runtime")
        .unwrap();
    let Status::Refused(m) = &s.status else {
        panic!("{:?}", s.status)
    };
    assert_eq!(m.lines(), [14], "{m}");
    assert!(m.to_string().starts_with("line 14 runs a command"), "{m}");
}
