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

use super::goflags;
use crate::analysis::{GoBuild, Output};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::Document;
use crate::transforms::{Cx, Outcome, Transform};

pub struct StripFlags;

impl Transform for StripFlags {
    fn id(&self) -> &'static str {
        "strip-flags"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let doc = cx.doc;
        let shipped = cx.go().shipped_builds();
        let mut edits = Vec::new();
        let mut lines = Vec::new();
        if shipped.is_empty() {
            return make_builds(cx);
        }
        for b in shipped {
            match edit(doc, b) {
                Ok(Some(e)) => {
                    edits.push(e);
                    // A build cmd-binary wrote into the user's RUN says so.
                    let at = Loc::at(doc, b.ins);
                    lines.push(if (cx.added)(b.cmd.verb_word.span.start) {
                        format!("the `go build` dfslim added to {at}")
                    } else {
                        at.to_string()
                    });
                }
                Ok(None) => {}
                Err(why) => return Outcome::refuse(why),
            }
        }
        if edits.is_empty() {
            return Outcome::not_applicable("-s -w are already in the link flags");
        }
        lines.dedup();
        Outcome::apply(
            edits,
            format!(
                "-s -w added to the link flags ({})",
                crate::transforms::text::listing(&lines, ", ")
            ),
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
    let line = Loc::at(doc, b.ins);
    if b.goflags.as_deref().is_some_and(|g| g.contains("-ldflags")) {
        return Err(format!(
            "GOFLAGS sets -ldflags for the build on {line}; a -ldflags on the command line would replace it (add -s -w there)"
        ));
    }
    let Some(f) = b.cmd.flag("ldflags") else {
        return Ok(Some(goflags::add_flag(b, "ldflags", "-s -w")));
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
    if value.contains("$(") || value.contains('`') {
        return Err(format!(
            "-ldflags on {line} is built by command substitution; dfslim will not edit it"
        ));
    }
    goflags::prepend(doc, f, &add.join(" "), line).map(Some)
}

/// No go build reaches the image directly: a build through make?
fn make_builds(cx: &Cx) -> Outcome {
    let doc = cx.doc;
    let Some(rt) = cx.facts.runtime() else {
        return Outcome::not_applicable("no stages");
    };
    let mut stages = cx.facts.feeders(rt.index);
    stages.push(rt.index);
    // Only a stage with Go in it builds Go through make.
    stages.retain(|&s| {
        let st = &cx.facts.stages[s];
        st.family == crate::analysis::Family::Golang
            || st.installs.iter().any(|i| {
                i.packages
                    .iter()
                    .any(|p| p == "go" || p.starts_with("golang"))
            })
    });
    for s in stages {
        for &r in &cx.facts.stages[s].runs {
            let lines = cx.facts.lines(r);
            if let Some(l) = lines.iter().find(|l| l.name == "make") {
                let line = Loc::at(doc, r);
                let ld = l.args.iter().find(|a| {
                    a.value
                        .split_once('=')
                        .is_some_and(|(k, _)| matches!(k, "LDFLAGS" | "GO_LDFLAGS" | "GOLDFLAGS"))
                });
                let Some(a) = ld else {
                    return Outcome::refuse(format!(
                        "the build on {line} goes through make, and dfslim cannot see where link flags go (pass LDFLAGS=... on the make line)"
                    ));
                };
                let value = a.value.split_once('=').map_or("", |(_, v)| v);
                let add = missing(value);
                if add.is_empty() {
                    return Outcome::not_applicable("-s -w are already in LDFLAGS");
                }
                let as_flag = crate::analysis::go::cmd::GoFlag {
                    name: "LDFLAGS".to_string(),
                    value: Some(value.to_string()),
                    word: a.clone(),
                    value_word: None,
                };
                return match goflags::prepend(doc, &as_flag, &add.join(" "), line) {
                    Ok(e) => Outcome::apply(
                        vec![e],
                        format!("-s -w added to LDFLAGS on the make line ({line})"),
                    ),
                    Err(why) => Outcome::refuse(why),
                };
            }
        }
    }
    let unknown = cx
        .go()
        .builds
        .iter()
        .any(|b| matches!(b.output, Output::Unknown(_)));
    if unknown {
        return Outcome::refuse("cannot tell which Go build reaches the image");
    }
    Outcome::not_applicable("no Go build reaches the image")
}
