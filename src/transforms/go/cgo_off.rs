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
//! **Example**: `FROM golang:1.16-alpine AS builder` / `RUN go build ...` ->
//! `ENV CGO_ENABLED=0` inserted before the RUN.

use crate::analysis::Cgo;
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
        // Shipped builds come in file order, so each stage's are together.
        for builds in shipped.chunk_by(|a, b| a.stage == b.stage) {
            let s = builds[0].stage;
            if builds.iter().all(|b| matches!(b.cgo, Cgo::Off(_))) {
                continue;
            }
            for b in builds {
                match &b.cgo {
                    Cgo::On(why) => {
                        return Outcome::refuse(format!("{why}: the build asks for cgo"));
                    }
                    Cgo::Unknown(why) => {
                        return Outcome::refuse(format!("{why}; dfslim will not override it"));
                    }
                    _ => {}
                }
            }
            if let Some(why) = c_toolchain(cx, s) {
                return Outcome::refuse(why);
            }
            if let Some(c) = cx.go().program.cgo.first() {
                return Outcome::refuse(format!("the program uses cgo: {c}"));
            }
            if !cx.go().program.sources_read
                && let Some(why) = c_runtime_library(cx, s)
            {
                return Outcome::refuse(why);
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
        .with_unchecked(cx.go().program.unchecked.clone())
    }
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
