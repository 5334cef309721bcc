//! `rust-slim-base` (level 1): the rust image to the same release's `-slim`.
//!
//! **What**: in each stage of the shipped image on the official rust
//! image, `rust:1.80` becomes `rust:1.80-slim`, `rust:1.80.1-bookworm`
//! becomes `rust:1.80.1-slim-bookworm`, `rust` becomes `rust:slim`; the
//! Debian release stays the one the tag had; registry kept, a digest pin
//! kept (re-pinned, see `transforms/pin.rs`).
//!
//! **Why**: the full image is buildpack-deps with the toolchain (1.56 GB
//! here); slim is Debian slim with the same toolchain, gcc and libc6-dev
//! (0.9 GB): pure-Rust crates, and crates that compile bundled C with gcc
//! (ring, zstd-sys, libz-sys's own zlib), build the same.
//!
//! **Refuses** when the build needs what slim lacks and the stage does not
//! install it: a `-sys` crate in Cargo.lock that needs pkg-config and a
//! `-dev` package (openssl-sys: pkg-config and libssl-dev; pq-sys:
//! libpq-dev; ...), OpenSSL vendored (make), a `-sys` crate dfslim does not
//! know, or a command of the stage or of a stage built FROM it (curl, git,
//! make, pkg-config... in RUN, HEALTHCHECK or CMD). Without a readable
//! Cargo.lock it applies and says what it could not check.
//!
//! **Example**: `FROM rust:1.80` -> `FROM rust:1.80-slim`.

use super::crates;
use super::tag::{RustTag, Variant};
use crate::analysis::Family;
use crate::analysis::stages::Base;
use crate::analysis::targets::stage_name;
use crate::catalog;
use crate::message::Loc;
use crate::transforms::{Cx, Outcome, Transform, rebase};

pub struct RustSlimBase;

impl Transform for RustSlimBase {
    fn id(&self) -> &'static str {
        "rust-slim-base"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let facts = cx.facts;
        let rust = cx.rust();
        let mut r = rebase::Rebases::default();
        for st in &facts.stages {
            let s = st.index;
            if !rust.rust_stage[s] || st.family != Family::Rust {
                continue;
            }
            let Base::Image(img) = &st.base else { continue };
            if !r.candidate(cx, s, "rust") {
                continue;
            }
            let written = img.tag_written.clone().unwrap_or_default();
            let tag = RustTag::parse(img.tag.as_deref().unwrap_or(&written));
            match tag.variant {
                Variant::Slim => {
                    r.skipped
                        .push("the rust stage already uses a slim image".to_string());
                    continue;
                }
                Variant::Alpine => {
                    r.skipped.push(
                        "the rust stage uses alpine, already small (musl is its own choice)"
                            .to_string(),
                    );
                    continue;
                }
                Variant::Full => {}
            }
            if written.contains('$') {
                r.refusals.push(format!(
                    "the tag {written} comes from a build argument; change that ARG's default to a slim tag"
                ));
                continue;
            }
            let new_tag = RustTag::parse(&written).slim();
            let base_name = format!("rust:{new_tag}");
            if let Some(why) = needs_full(cx, s, &base_name, &mut r.unchecked) {
                let line = Loc::at(cx.doc, cx.doc.stages()[s].from);
                r.refusals
                    .push(format!("stage {} ({line}): {why}", stage_name(cx.doc, s)));
                continue;
            }
            r.retag(cx, s, &new_tag);
        }
        r.outcome("rust")
    }
}

/// Why stage `s` needs the full image (`base` would be its slim one).
fn needs_full(cx: &Cx, s: usize, base: &str, unchecked: &mut Vec<String>) -> Option<String> {
    let table = &catalog::tables().rust;
    let builds = !cx.rust().builds_reaching(cx.facts, s).is_empty() || run_cargo(cx, s);
    if builds {
        let installed = crates::packages(cx, s, false);
        let has = |p: &str| installed.iter().any(|i| i == p);
        match crates::of_stage(cx, s) {
            Some(c) => {
                if let Some(u) = c.unknown_sys.first() {
                    return Some(format!(
                        "Cargo.lock holds {u}, a -sys crate dfslim does not know: it may need pkg-config or -dev packages {base} does not have; keep the full image, or install what it needs in the stage"
                    ));
                }
                for l in &c.libraries {
                    let missing = l.missing_to_build(&has);
                    if !missing.is_empty() {
                        let what = if l.krate == "openssl-src" {
                            "OpenSSL built from source (openssl-src, the vendored feature)"
                                .to_string()
                        } else {
                            l.krate.clone()
                        };
                        return Some(format!(
                            "{what} needs {} to build, which {base} does not have; install them in the stage (apt-get install -y {}) or keep the full image",
                            crate::transforms::text::listing(&missing, " and "),
                            missing.join(" ")
                        ));
                    }
                }
                if !c.locked {
                    unchecked.push(
                        "no Cargo.lock was read: only Cargo.toml's direct dependencies were checked for -sys crates that need pkg-config or -dev packages slim lacks"
                            .to_string(),
                    );
                }
            }
            None => unchecked.push(
                "no Cargo.toml and Cargo.lock were read: -sys crates that need pkg-config or -dev packages (openssl-sys: libssl-dev) slim lacks were not checked"
                    .to_string(),
            ),
        }
    }
    rebase::breaks(cx, s, base, &table.missing_on_slim)
}

/// True when the stage or one it is built FROM runs cargo (a `cargo run`
/// at start builds too).
fn run_cargo(cx: &Cx, s: usize) -> bool {
    let st = &cx.facts.stages[s];
    [&st.cmd, &st.entrypoint].into_iter().flatten().any(|p| {
        p.argv
            .as_ref()
            .and_then(|a| crate::analysis::rust::cmd::read_argv(a))
            .is_some()
    })
}
