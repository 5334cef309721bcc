//! `alpine-base` (level 1): the Go builder's base image to its alpine variant.
//!
//! **What**: in each stage that builds Go on the official golang image,
//! `golang:1.16` becomes `golang:1.16-alpine` (`golang:1.21.5-bookworm` ->
//! `golang:1.21.5-alpine`, `golang`/`golang:latest` -> `golang:alpine`,
//! `golang:${GO_VERSION}` -> `golang:${GO_VERSION}-alpine`), registry kept.
//! A digest names the old image: the new one is pinned to the digest the
//! Docker engine gives, else the step is refused with the command that gives
//! it (`--allow-unpinned` lets it through unpinned). Only a stage in the
//! shipped image changes (its base is what ships); a builder that feeds
//! `COPY --from` keeps its own, unless its glibc binary would otherwise be
//! copied into a musl runtime where it cannot start.
//!
//! **Why**: the Debian variant carries gcc, git, headers and apt; the alpine
//! one is Go and little else (seed: 1.1 GB -> 700 MB).
//!
//! **Refuses** when the base is not the golang image (a vendor image, Go
//! from apk/apt/a tarball), a Windows image, when the stage or a stage built
//! FROM it (any `--target` must still build) uses tools alpine lacks
//! (apt-get, useradd, bash, git, make, gcc...) without installing them, when
//! the build needs cgo (golang:alpine has no C compiler), or when the base is
//! pinned by digest and no digest for the alpine image can be had.
//!
//! **Example**: `FROM golang:1.16 AS build` -> `FROM golang:1.16-alpine AS build`.

use crate::analysis::stages::Base;
use crate::analysis::targets::stage_name;
use crate::analysis::{Cgo, Family, Libc};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Document, Keyword, Span};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct AlpineBase;

impl Transform for AlpineBase {
    fn id(&self) -> &'static str {
        "alpine-base"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let (doc, facts) = (cx.doc, cx.facts);
        let go_stages: Vec<usize> = facts
            .stages
            .iter()
            .filter(|s| cx.go().builds_go(s.index) || runs_go(cx, s.index))
            .map(|s| s.index)
            .collect();
        if go_stages.is_empty() {
            return Outcome::not_applicable("no stage builds Go");
        }
        let mut edits = Vec::new();
        let mut changed = Vec::new();
        let mut notes = Vec::new();
        let mut refusals = Vec::new();
        let mut held = Vec::new();
        let mut unshipped = Vec::new();
        let mut already = 0;
        for &s in &go_stages {
            if let Some(why) = facts.frozen(s) {
                held.push(why.to_string());
                continue;
            }
            // Only a base that ships pays; a builder that feeds COPY --from
            // keeps its own, unless its glibc binary cannot run on the musl
            // runtime it is copied into.
            if !facts.in_image(s) && facts.stages[s].libc == Libc::Musl {
                already += 1;
                continue;
            }
            if !facts.in_image(s) {
                match cgo_into_musl(cx, s) {
                    Some(why) => notes.push(why),
                    None => {
                        unshipped.push(stage_name(doc, s));
                        continue;
                    }
                }
            }
            match stage(cx, s) {
                StageResult::Change {
                    edits: e,
                    from,
                    to,
                    notes: n,
                } => {
                    edits.extend(e);
                    changed.push(format!("{from} -> {to}"));
                    notes.extend(n);
                }
                StageResult::Already => already += 1,
                StageResult::Skip => {}
                StageResult::Refuse(why) => {
                    let line = Loc::at(doc, doc.stages()[s].from);
                    refusals.push(format!("stage {} ({line}): {why}", stage_name(doc, s)));
                }
            }
        }
        if changed.is_empty() {
            return if !refusals.is_empty() {
                Outcome::refuse(crate::transforms::text::listing(&refusals, "; "))
            } else if already > 0 {
                Outcome::not_applicable("the Go builder already uses an alpine image")
            } else if let Some(why) = held.first() {
                Outcome::not_applicable(format!("{why}: left as is"))
            } else if !unshipped.is_empty() {
                Outcome::not_applicable(format!(
                    "the Go builder {} only feeds COPY --from: its base is not in the shipped image, so changing it saves nothing",
                    crate::transforms::text::listing(&unshipped, ", ")
                ))
            } else {
                Outcome::not_applicable(
                    "no Go builder starts from an image (they start from other stages)",
                )
            };
        }
        notes.extend(refusals.into_iter().map(|r| format!("left alone: {r}")));
        Outcome::apply(
            edits,
            format!(
                "builder base to alpine: {}",
                crate::transforms::text::listing(&changed, ", ")
            ),
        )
        .with_notes(notes)
    }
}

enum StageResult {
    Change {
        edits: Vec<Edit>,
        from: String,
        to: String,
        notes: Vec<String>,
    },
    Already,
    /// Starts from another stage: that stage is the one to change.
    Skip,
    Refuse(String),
}

/// Why a builder outside the shipped image must move to alpine anyway: its
/// glibc binary (cgo not off) is copied into a musl runtime, where it
/// cannot run; on golang:alpine (no C compiler) it links statically.
fn cgo_into_musl(cx: &Cx, s: usize) -> Option<String> {
    let facts = cx.facts;
    let rt = facts.runtime()?;
    let glibc = facts.stages[s].libc == Libc::Glibc;
    let musl_runtime = rt.libc == Libc::Musl;
    let shipped_cgo = cx
        .go()
        .shipped_builds()
        .iter()
        .any(|b| b.stage == s && !matches!(b.cgo, Cgo::Off(_)));
    (glibc && musl_runtime && shipped_cgo).then(|| {
        format!(
            "stage {} does not ship, but its binary (cgo on, linked against glibc) is copied into a musl runtime, where it would not start: on alpine it runs",
            stage_name(cx.doc, s)
        )
    })
}

/// True when the stage's command is `go run` (the runtime compiles on start).
fn runs_go(cx: &Cx, s: usize) -> bool {
    let st = &cx.facts.stages[s];
    [&st.cmd, &st.entrypoint].into_iter().flatten().any(|p| {
        p.argv
            .as_ref()
            .is_some_and(|a| a.len() > 1 && a[0].rsplit('/').next() == Some("go") && a[1] == "run")
    })
}

fn stage(cx: &Cx, s: usize) -> StageResult {
    let (doc, facts) = (cx.doc, cx.facts);
    let st = &facts.stages[s];
    let img = match &st.base {
        Base::Stage(_) => return StageResult::Skip,
        Base::Unknown(text) => {
            return StageResult::Refuse(format!(
                "the base image {text} is only known at build time"
            ));
        }
        Base::Image(img) => img,
    };
    if img.family != Family::Golang {
        let how = go_install(doc, cx, s).unwrap_or_else(|| {
            format!(
                "the base {} is not the Docker Official golang image",
                img.repository
            )
        });
        return StageResult::Refuse(format!("{how}; no alpine variant is known for it"));
    }
    let from = doc.stages()[s]
        .image
        .clone()
        .expect("an image base has a reference");
    let written = from.tag().unwrap_or("");
    let resolved = img.tag.clone();
    let lower = written.to_ascii_lowercase();
    if lower.contains("windowsservercore") || lower.contains("nanoserver") {
        return StageResult::Refuse(format!("golang:{written} is a Windows image"));
    }
    if resolved.as_deref().unwrap_or(written).contains("alpine") {
        return StageResult::Already;
    }
    let new_tag = match new_tag(written, resolved.as_deref()) {
        Ok(t) => t,
        Err(why) => return StageResult::Refuse(why),
    };
    if let Some(why) = unsafe_on_alpine(cx, s) {
        return StageResult::Refuse(why);
    }
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    match &from.tag {
        Some(t) => edits.push(Edit::replace(t.span, new_tag.clone())),
        None => edits.push(Edit::insert(from.path.span.end, format!(":{new_tag}"))),
    }
    let registry = from
        .registry
        .as_ref()
        .map_or(String::new(), |r| format!("{}/", r.text));
    let to = format!("{registry}{}:{new_tag}", from.path.text);
    if let Some(d) = &from.digest {
        // The digest names the old image: the new one gets its own, or the
        // step is refused (unless unpinned rewrites are allowed).
        let pinned = match pin::reference(cx, &to, Some(&d.text)) {
            Ok(p) => p,
            Err(why) => return StageResult::Refuse(why),
        };
        match pinned.text.split_once('@') {
            Some((_, digest)) => edits.push(Edit::replace(d.span, digest.to_string())),
            None => edits.push(Edit::delete(Span::new(d.span.start - 1, d.span.end))),
        }
        notes.extend(pinned.note);
    }
    let vars = crate::syntax::var_refs(written, doc.escape());
    if !vars.is_empty() {
        let names: Vec<String> = vars.iter().map(|v| format!("${}", v.name)).collect();
        notes.push(format!(
            "assumes {} holds a plain Go version, as its default does, when a build overrides it",
            names.join(", ")
        ));
    }
    let old = from.text.clone();
    StageResult::Change {
        edits,
        from: old,
        to,
        notes,
    }
}

/// The alpine tag for a golang tag: the Debian variant (if any) replaced.
fn new_tag(written: &str, resolved: Option<&str>) -> Result<String, String> {
    let variants = &crate::catalog::tables().images.debian_variants;
    if written.is_empty() || written == "latest" {
        return Ok("alpine".to_string());
    }
    if let Some(v) = variants.iter().find(|v| written == v.as_str()) {
        let _ = v;
        return Ok("alpine".to_string());
    }
    for v in variants {
        if let Some(base) = written.strip_suffix(&format!("-{v}")) {
            return Ok(format!("{base}-alpine"));
        }
    }
    // A variant hidden in a variable's value cannot be swapped by appending.
    if let Some(r) = resolved
        && r != written
        && variants.iter().any(|v| r.ends_with(v.as_str()))
    {
        return Err(format!(
            "the tag {written} expands to {r}: its variant comes from a build argument; change that ARG's default to an alpine tag"
        ));
    }
    let plain = resolved.unwrap_or(written);
    let looks_like_version = plain.is_empty()
        || plain.split(['.', '-']).all(|p| {
            p.chars().all(|c| c.is_ascii_alphanumeric())
                && p.chars().next().is_some_and(|c| {
                    c.is_ascii_digit() || p.starts_with("rc") || p.starts_with("beta")
                })
        });
    if !looks_like_version && !written.contains('$') {
        return Err(format!(
            "golang:{written} is a variant dfslim does not know an alpine counterpart of"
        ));
    }
    Ok(format!("{written}-alpine"))
}

/// How Go got into a non-golang stage, for the refusal.
fn go_install(doc: &Document, cx: &Cx, s: usize) -> Option<String> {
    let st = &cx.facts.stages[s];
    if let Some(i) = st.installs.iter().find(|i| {
        i.packages
            .iter()
            .any(|p| p == "go" || p.starts_with("golang"))
    }) {
        let line = Loc::at(doc, i.ins);
        return Some(format!("Go is installed with {} on {line}", i.manager));
    }
    let tarball = st.runs.iter().find(|&&r| {
        doc.instructions()[r]
            .args_span
            .of(doc.text())
            .contains("go.dev/dl")
            || doc.instructions()[r]
                .args_span
                .of(doc.text())
                .contains("golang.org/dl")
    });
    tarball.map(|&r| format!("Go is installed from a tarball on {}", Loc::at(doc, r)))
}

/// Why this stage, or a stage built FROM it (any `--target` still has to
/// build), would not build (or run) on golang:alpine, if one would not.
fn unsafe_on_alpine(cx: &Cx, s: usize) -> Option<String> {
    if let Some(why) = lacks_on_alpine(cx, s) {
        return Some(why);
    }
    for d in cx.facts.built_from(s) {
        if let Some(why) = lacks_on_alpine(cx, d) {
            return Some(format!(
                "stage {} is built FROM it and {why}",
                stage_name(cx.doc, d)
            ));
        }
    }
    None
}

/// Why stage `s` would not build (or run) on golang:alpine, if it would not.
fn lacks_on_alpine(cx: &Cx, s: usize) -> Option<String> {
    let (doc, facts) = (cx.doc, cx.facts);
    let tables = facts.tables();
    let st = &facts.stages[s];
    for b in cx.go().stage_builds(s) {
        if let Cgo::On(why) = &b.cgo {
            return Some(format!(
                "{why}: the build needs cgo, and golang:alpine has no C compiler"
            ));
        }
    }
    if let Some(c) = cx.go().program.cgo.first() {
        return Some(format!(
            "the program uses cgo ({c}) and golang:alpine has no C compiler"
        ));
    }
    let mut installed: Vec<&str> = Vec::new();
    for &r in &st.runs {
        let ins = &doc.instructions()[r];
        for i in st
            .installs
            .iter()
            .filter(|i| i.ins == r && i.manager == "apk")
        {
            installed.extend(i.packages.iter().map(String::as_str));
        }
        for l in facts.lines(r) {
            let name = l.name.as_str();
            let provided = installed.iter().any(|p| {
                *p == name
                    || (name == "gcc" && *p == "build-base")
                    || (name == "make" && *p == "build-base")
            });
            if tables.tools.missing_on_alpine.iter().any(|t| t == name) && !provided {
                return Some(format!(
                    "{} runs `{name}`, which golang:alpine does not have",
                    Loc::of(ins)
                ));
            }
        }
    }
    for i in doc.stages()[s].range() {
        let ins = &doc.instructions()[i];
        let shell_bash = ins.keyword == Keyword::Shell
            && ins.command().is_some_and(|c| matches!(c, crate::syntax::Command::Exec(items) if items.first().is_some_and(|j| j.value.contains("bash"))));
        if shell_bash {
            return Some(format!(
                "{} sets SHELL to bash, which golang:alpine does not have",
                Loc::of(ins)
            ));
        }
    }
    // A single-stage image also runs on this base.
    for p in [&st.cmd, &st.entrypoint].into_iter().flatten() {
        if let Some(prog) = p.argv.as_ref().and_then(|a| a.first()) {
            let name = prog.rsplit('/').next().unwrap_or(prog);
            if tables.tools.missing_on_alpine.iter().any(|t| t == name)
                && !installed.contains(&name)
            {
                let line = Loc::at(doc, p.ins);
                return Some(format!(
                    "the command on {line} runs `{name}`, which golang:alpine does not have"
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(new_tag("1.16", Some("1.16")).unwrap(), "1.16-alpine");
        assert_eq!(new_tag("1.21.5-bookworm", None).unwrap(), "1.21.5-alpine");
        assert_eq!(new_tag("", None).unwrap(), "alpine");
        assert_eq!(new_tag("latest", None).unwrap(), "alpine");
        assert_eq!(new_tag("bullseye", None).unwrap(), "alpine");
        assert_eq!(
            new_tag("${GO_VERSION}", Some("1.21")).unwrap(),
            "${GO_VERSION}-alpine"
        );
        assert_eq!(
            new_tag("${GO_VERSION}-bookworm", None).unwrap(),
            "${GO_VERSION}-alpine"
        );
        assert!(new_tag("${V}", Some("1.21-bookworm")).is_err());
        assert!(new_tag("1.22-fips", None).is_err());
        assert_eq!(new_tag("1.22rc1", None).unwrap(), "1.22rc1-alpine");
    }
}
