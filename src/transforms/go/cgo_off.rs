//! `cgo-off` (level 3): `CGO_ENABLED=0` in the builder, so the binary is static.
//!
//! **What**: `ENV CGO_ENABLED=0` is added to each stage whose Go build
//! reaches the image, before its first Go command.
//!
//! **Why**: with cgo on, the binary links the builder's C library and fails
//! where it is missing (`exec ./app: no such file or directory` on scratch,
//! or a glibc binary on alpine). Off, it runs anywhere: the precondition for
//! a scratch runtime.
//!
//! **Refuses** when the build asks for cgo (`CGO_ENABLED=1`, or a value only
//! the build knows), installs a C toolchain or C libraries, or the program
//! uses cgo (`import "C"`, a cgo module such as github.com/mattn/go-sqlite3).
//! Without the program's sources (no build context, or one without go.mod
//! and the built packages), installing the *runtime* package of a C library
//! Go programs link through cgo (`sqlite3`, `libpq5`, `librdkafka`...) is
//! enough to refuse: the library is there for a reason, and a static binary
//! would fail at start. With the sources read, their imports decide.
//!
//! When cgo must stay on and the builder is musl (alpine), the binary is
//! linked statically instead (`-linkmode=external -extldflags=-static`),
//! where the static archives are known to be there (`glibc::musl_static`):
//! scratch can then run it. A glibc builder's binary keeps its libc: the
//! refusal stands, and multi-stage / scratch-runtime give it a glibc runtime.
//!
//! **Example**: `FROM golang:1.16-alpine AS builder` / `RUN go build ...` ->
//! `ENV CGO_ENABLED=0` inserted before the RUN.

use super::goflags;
use crate::analysis::{Cgo, GoBuild, Libc};
use crate::catalog;
use crate::message::Loc;
use crate::transforms::text::{insert_before, kw_like};
use crate::transforms::{Cx, Outcome, Transform};

pub struct CgoOff;

impl Transform for CgoOff {
    fn id(&self) -> &'static str {
        "cgo-off"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let (doc, facts) = (cx.doc, cx.facts);
        let shipped = cx.go().shipped_builds();
        if shipped.is_empty() {
            return Outcome::not_applicable("no Go build reaches the image");
        }
        let mut edits = Vec::new();
        let mut lines = Vec::new();
        let mut statics = Vec::new();
        // Shipped builds come in file order, so each stage's are together.
        for builds in shipped.chunk_by(|a, b| a.stage == b.stage) {
            let s = builds[0].stage;
            if builds.iter().all(|b| b.is_static()) {
                continue;
            }
            let why = match needs_cgo(cx, s, builds) {
                Ok(()) => None,
                Err(Some(why)) => Some(why),
                Err(None) => continue,
            };
            if let Some(why) = why {
                // cgo must stay on: on musl, a static link still gives a
                // binary that needs no C library.
                match static_musl(cx, s, builds, &why) {
                    Ok((e, said)) => {
                        edits.extend(e);
                        statics.push(said);
                        continue;
                    }
                    Err(o) => return o,
                }
            }
            // Before the stage's first Go command, so every Go step sees it.
            let first_go = facts.stages[s]
                .runs
                .iter()
                .copied()
                .find(|&r| facts.lines(r).iter().any(|l| l.name == "go"))
                .unwrap_or(builds[0].ins);
            let ins = &doc.instructions()[first_go];
            edits.push(insert_before(
                doc,
                ins,
                &[format!("{} CGO_ENABLED=0", kw_like(doc, ins, "ENV"))],
            ));
            lines.push(Loc::of(ins));
        }
        if edits.is_empty() && shipped.iter().any(|b| b.static_link) {
            return Outcome::not_applicable(
                "every build that reaches the image has cgo off or links statically",
            );
        }
        if lines.is_empty() && !statics.is_empty() {
            let mut said = statics.concat().into_iter();
            let message = said.next().unwrap_or_default();
            return Outcome::apply(edits, message)
                .with_notes(said.collect())
                .with_unchecked(cx.go().program.unchecked.clone());
        }
        if edits.is_empty() {
            return Outcome::not_applicable(
                "cgo is already off for every build that reaches the image",
            );
        }
        let at: Vec<String> = lines.iter().map(|l| format!("{l}")).collect();
        Outcome::apply(
            edits,
            format!(
                "ENV CGO_ENABLED=0 before the Go build ({})",
                crate::transforms::text::listing(&at, ", ")
            ),
        )
        .with_notes(statics.concat())
        .with_unchecked(cx.go().program.unchecked.clone())
    }
}

/// Why the builds of stage `s` need cgo: Err(Some(why)) when they do,
/// Err(None) when there is nothing to do; Ok when cgo can go off.
fn needs_cgo(cx: &Cx, s: usize, builds: &[&GoBuild]) -> Result<(), Option<String>> {
    for b in builds {
        match &b.cgo {
            Cgo::On(why) => return Err(Some(format!("{why}: the build asks for cgo"))),
            Cgo::Unknown(why) => return Err(Some(format!("{why}; dfslim will not override it"))),
            _ => {}
        }
    }
    if let Some(why) = c_toolchain(cx, s) {
        return Err(Some(why));
    }
    if let Some(c) = cx.go().program.cgo.first() {
        return Err(Some(format!("the program uses cgo: {c}")));
    }
    if !cx.go().program.sources_read
        && let Some(why) = c_runtime_library(cx, s)
    {
        return Err(Some(why));
    }
    Ok(())
}

/// The flags that link a cgo binary statically.
const STATIC_LDFLAGS: &str = "-linkmode=external -extldflags=-static";

/// cgo stays on (`why`): on a musl builder that has the static archives,
/// the builds of stage `s` are linked statically instead. Ok: the edits and
/// the message; Err: the refusal, with why no static link either.
fn static_musl(
    cx: &Cx,
    s: usize,
    builds: &[&GoBuild],
    why: &str,
) -> Result<(Vec<crate::edit::Edit>, Vec<String>), Outcome> {
    let doc = cx.doc;
    if cx.facts.stages[s].libc != Libc::Musl || why.contains("dfslim will not override it") {
        return Err(Outcome::refuse(why.to_string()));
    }
    let how = super::glibc::musl_static(cx, &super::glibc::chain(cx.facts, s))
        .map_err(|no| Outcome::refuse(format!("{why}; nor can it link statically: {no}")))?;
    let mut edits = Vec::new();
    let mut at = Vec::new();
    for b in builds.iter().filter(|b| !b.is_static()) {
        let line = Loc::at(doc, b.ins);
        if b.goflags.as_deref().is_some_and(|g| g.contains("-ldflags")) {
            return Err(Outcome::refuse(format!(
                "{why}; GOFLAGS sets the linker's flags for the build on {line}, so dfslim cannot add a static link there"
            )));
        }
        match b.cmd.flag("ldflags") {
            None => edits.push(goflags::add_flag(b, "ldflags", STATIC_LDFLAGS)),
            Some(f) => {
                let v = f.value.as_deref().unwrap_or("");
                // `-extldflags '-static'` without the external link mode:
                // Go may link internally and ignore it; the mode makes it hold.
                let add = if !v.contains("linkmode")
                    && crate::analysis::go::build::links_statically(&format!(
                        "-linkmode=external {v}"
                    )) {
                    "-linkmode=external"
                } else if v.contains("extldflags") || v.contains("linkmode") || v.contains("$(") {
                    return Err(Outcome::refuse(format!(
                        "{why}; its -extldflags or -linkmode are set already (make them -linkmode=external -extldflags=-static for a static binary)"
                    )));
                } else {
                    STATIC_LDFLAGS
                };
                edits.push(
                    goflags::prepend(doc, f, add, line)
                        .map_err(|e| Outcome::refuse(format!("{why}; {e}")))?,
                );
            }
        }
        at.push(line.to_string());
    }
    Ok((
        edits,
        vec![
            format!(
                "{STATIC_LDFLAGS} in the link flags ({}): the binary is linked statically against musl, so it needs no C library at run time",
                crate::transforms::text::listing(&at, ", ")
            ),
            format!("cgo stays on: {why}"),
            format!("the static archives are there: {how}"),
        ],
    ))
}

/// The C library a Go program usually links through cgo that the image
/// installs (`apt-get install sqlite3`, `apk add librdkafka`), in the build
/// stage `s` or a stage of the image: with the sources unread, that is
/// reason enough to think the program needs cgo.
fn c_runtime_library(cx: &Cx, s: usize) -> Option<String> {
    let table = &catalog::tables().cgo.runtime_libraries;
    let image = cx.facts.image_stages();
    let stages = std::iter::once(s).chain(image.iter().copied().filter(|&i| i != s));
    for st in stages {
        for i in &cx.facts.stages[st].installs {
            if let Some((pkg, module)) = i
                .packages
                .iter()
                .find_map(|p| table.iter().find(|(name, _)| name == p))
            {
                return Some(format!(
                    "{} installs {pkg}, a C library Go programs link through cgo ({module}), and the build context holds no sources to show this one does not; pass --context or map the context in dfslim.toml",
                    Loc::at(cx.doc, i.ins)
                ));
            }
        }
    }
    None
}

/// A C toolchain or C library installed in stage `s`: why cgo is wanted.
fn c_toolchain(cx: &Cx, s: usize) -> Option<String> {
    let cgo = &catalog::tables().cgo;
    for i in &cx.facts.stages[s].installs {
        let c: Vec<&str> = i
            .packages
            .iter()
            .filter(|p| {
                cgo.c_packages.contains(p)
                    || cgo
                        .c_package_suffixes
                        .iter()
                        .any(|x| p.ends_with(x.as_str()))
            })
            .map(String::as_str)
            .collect();
        if !c.is_empty() {
            let line = Loc::at(cx.doc, i.ins);
            return Some(format!(
                "{line} installs {} for the build: it compiles C code",
                crate::transforms::text::listing(&c, ", ")
            ));
        }
    }
    None
}
