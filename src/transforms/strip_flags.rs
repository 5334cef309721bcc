//! `strip-flags` (level 5): `-s -w` in the link flags of the shipped build.
//!
//! **What**: each `go build` / `go install` whose binary reaches the image
//! gets `-ldflags="-s -w"`, or `-s -w` merged into its existing `-ldflags`
//! inside the quotes it has (`-ldflags "-X main.v=$V"` ->
//! `-ldflags "-s -w -X main.v=$V"`), never doubled. A build through `make`
//! is changed only when the make line passes `LDFLAGS=...`.
//!
//! **Why**: the symbol table and DWARF data are a quarter to a third of a Go
//! binary; panics still print function names and lines without them.
//!
//! **Refuses** when the build goes through make or a script and dfslim
//! cannot see where link flags go, when GOFLAGS sets -ldflags (a command-line
//! -ldflags would replace it), or when -ldflags is written in a way it
//! cannot edit safely.
//!
//! **Example**: `RUN go build -o /app .` -> `RUN go build -ldflags="-s -w" -o /app .`.

use super::{Cx, Outcome, Transform};
use crate::analysis::gocmd::{self, Arg};
use crate::analysis::{GoBuild, Output};
use crate::edit::Edit;
use crate::syntax::{Document, Span};

pub struct StripFlags;

impl Transform for StripFlags {
    fn id(&self) -> &'static str {
        "strip-flags"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let doc = cx.doc;
        let shipped = cx.facts.shipped_builds();
        let mut edits = Vec::new();
        let mut lines = Vec::new();
        if shipped.is_empty() {
            return make_builds(cx);
        }
        for b in shipped {
            match edit(doc, b) {
                Ok(Some(e)) => {
                    edits.push(e);
                    lines.push(doc.instructions()[b.ins].start_line);
                }
                Ok(None) => {}
                Err(why) => return Outcome::refuse(why),
            }
        }
        if edits.is_empty() {
            return Outcome::not_applicable("-s -w are already in the link flags");
        }
        lines.dedup();
        let at: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        Outcome::apply(
            edits,
            format!("-s -w added to the link flags (line {})", at.join(", ")),
        )
    }
}

/// The -s/-w a set of link flags lacks.
fn missing(flags: &str) -> Vec<&'static str> {
    let has = |f: &str| {
        flags
            .split_whitespace()
            .any(|t| t == f || t == format!("{f}=true") || t == format!("-{f}"))
    };
    ["-s", "-w"].into_iter().filter(|f| !has(f)).collect()
}

fn edit(doc: &Document, b: &GoBuild) -> Result<Option<Edit>, String> {
    let line = doc.instructions()[b.ins].start_line;
    if b.goflags.as_deref().is_some_and(|g| g.contains("-ldflags")) {
        return Err(format!(
            "GOFLAGS sets -ldflags for the build on line {line}; a -ldflags on the command line would replace it (add -s -w there)"
        ));
    }
    let Some(f) = b.cmd.flag("ldflags") else {
        let at = b.cmd.verb_word.span.end;
        let text = if b.cmd.exec_form {
            ", \"-ldflags=-s -w\""
        } else {
            " -ldflags=\"-s -w\""
        };
        return Ok(Some(Edit::insert(at, text)));
    };
    let value = f.value.clone().unwrap_or_default();
    // A variable: read its value to avoid doubling, when it is known.
    let effective = if f.value_word.as_ref().is_some_and(|w| w.dynamic) || f.word.dynamic {
        b.env
            .expand_strict(&value, doc.escape())
            .unwrap_or(value.clone())
    } else {
        value.clone()
    };
    let add = missing(&effective);
    if add.is_empty() {
        return Ok(None);
    }
    let add = add.join(" ");
    if value.contains("$(") || value.contains('`') {
        return Err(format!(
            "-ldflags on line {line} is built by command substitution; dfslim will not edit it"
        ));
    }
    match &f.value_word {
        Some(w) => merge_word(doc, w, 0, &add, line),
        None => {
            let raw = f.word.span.of(doc.text());
            let eq = raw
                .find('=')
                .ok_or_else(|| format!("cannot read -ldflags on line {line}"))?;
            merge_word(doc, &f.word, eq + 1, &add, line)
        }
    }
    .map(Some)
}

/// Puts `add ` at the start of the value that begins at byte `at` of word `w`.
fn merge_word(doc: &Document, w: &Arg, at: usize, add: &str, line: usize) -> Result<Edit, String> {
    let raw = w.span.of(doc.text());
    let base = w.span.start;
    if w.json {
        // Inside a JSON string: `"-ldflags=-X a"` or `"-X a"`; the value starts after the quote.
        let offset = if at == 0 { 1 } else { at };
        if raw[..offset.min(raw.len())].contains('\\') {
            return Err(format!(
                "cannot edit the escaped JSON -ldflags on line {line}"
            ));
        }
        return Ok(Edit::insert(base + offset, format!("{add} ")));
    }
    let value = &raw[at..];
    if value.starts_with(['"', '\'']) {
        return Ok(Edit::insert(base + at + 1, format!("{add} ")));
    }
    if at > 0 && raw.starts_with(['"', '\'']) {
        // The whole word is quoted: "-ldflags=-X a".
        return Ok(Edit::insert(base + at, format!("{add} ")));
    }
    if value.contains(['"', '\'', '\\']) || !w.span.of(doc.text()).bytes().all(|b| b != b'\n') {
        return Err(format!(
            "-ldflags on line {line} mixes quoting styles; dfslim will not edit it"
        ));
    }
    Ok(Edit::replace(
        Span::new(base + at, w.span.end),
        format!("\"{add} {value}\""),
    ))
}

/// No go build reaches the image directly: a build through make?
fn make_builds(cx: &Cx) -> Outcome {
    let doc = cx.doc;
    let Some(rt) = cx.facts.runtime() else {
        return Outcome::not_applicable("no stages");
    };
    let mut stages = cx.facts.feeders(rt.index);
    stages.push(rt.index);
    for s in stages {
        for &r in &cx.facts.stages[s].runs {
            let (lines, _) = gocmd::command_lines(doc, &doc.instructions()[r]);
            if let Some(l) = lines.iter().find(|l| l.name == "make") {
                let line = doc.instructions()[r].start_line;
                let ld = l.args.iter().find(|a| {
                    a.value
                        .split_once('=')
                        .is_some_and(|(k, _)| matches!(k, "LDFLAGS" | "GO_LDFLAGS" | "GOLDFLAGS"))
                });
                let Some(a) = ld else {
                    return Outcome::refuse(format!(
                        "the build on line {line} goes through make, and dfslim cannot see where link flags go (pass LDFLAGS=... on the make line)"
                    ));
                };
                let value = a.value.split_once('=').map_or("", |(_, v)| v);
                let add = missing(value);
                if add.is_empty() {
                    return Outcome::not_applicable("-s -w are already in LDFLAGS");
                }
                let eq = a.span.of(doc.text()).find('=').unwrap_or(0);
                return match merge_word(doc, a, eq + 1, &add.join(" "), line) {
                    Ok(e) => Outcome::apply(
                        vec![e],
                        format!("-s -w added to LDFLAGS on the make line (line {line})"),
                    ),
                    Err(why) => Outcome::refuse(why),
                };
            }
        }
    }
    let unknown = cx
        .facts
        .builds
        .iter()
        .any(|b| matches!(b.output, Output::Unknown(_)));
    if unknown {
        return Outcome::refuse("cannot tell which Go build reaches the image");
    }
    Outcome::not_applicable("no Go build reaches the image")
}
