//! What the alpine runtime would lack: packages and C libraries installed
//! in the builder (refused), users and data files (carried over).

use crate::analysis::env::join_path;
use crate::analysis::stages::Source;
use crate::analysis::{GoBuild, Libc, StageFacts};
use crate::catalog;
use crate::message::Loc;
use crate::transforms::{Cx, Outcome};

/// Refuses when the runtime would lack packages, a C library or libc the
/// binary needs; tells whether tzdata was installed (its files are copied).
pub(super) fn refuse_what_alpine_lacks(
    cx: &Cx,
    rt: &StageFacts,
    shipped: &[&GoBuild],
) -> Result<bool, Outcome> {
    let tz = runtime_packages(cx, rt, "alpine")?;
    refuse_c(cx, rt, shipped)?;
    Ok(tz)
}

/// Refuses when the stage installs packages (other than build tools and C
/// development packages) the program may need at run time, which the new
/// `runtime` would not have; tells whether tzdata was installed.
pub(super) fn runtime_packages(cx: &Cx, rt: &StageFacts, runtime: &str) -> Result<bool, Outcome> {
    let line = |i: usize| Loc::at(cx.doc, i);
    let tables = catalog::tables();
    let mut tz = false;
    for inst in &rt.installs {
        let runtime_pkgs: Vec<&str> = inst
            .packages
            .iter()
            .filter(|p| !tables.tools.build_only_packages.contains(p) && !is_c_package(p))
            .map(String::as_str)
            .collect();
        if !runtime_pkgs.is_empty() {
            return Err(Outcome::refuse(format!(
                "{} installs {} with {}, which the program may need at run time; the {runtime} runtime would not have them",
                line(inst.ins),
                crate::transforms::text::listing(&runtime_pkgs, ", "),
                inst.manager
            )));
        }
        tz |= inst.packages.iter().any(|p| p == "tzdata");
    }
    Ok(tz)
}

/// Refuses a glibc binary (cgo on) and C libraries for the alpine runtime.
fn refuse_c(cx: &Cx, rt: &StageFacts, shipped: &[&GoBuild]) -> Result<(), Outcome> {
    let line = |i: usize| Loc::at(cx.doc, i);
    let cgo_on = shipped.iter().find(|b| !b.is_static());
    if let (Libc::Glibc, Some(b)) = (rt.libc, cgo_on) {
        return Err(Outcome::refuse(format!(
            "the builder is glibc-based and cgo is not off for the build on {}: the binary would not run on alpine (musl); apply alpine-base or cgo-off first",
            line(b.ins)
        )));
    }
    if cgo_on.is_some()
        && let Some(i) = rt
            .installs
            .iter()
            .find(|i| i.packages.iter().any(|p| is_c_library(p)))
    {
        let libs: Vec<&str> = i
            .packages
            .iter()
            .filter(|p| is_c_library(p))
            .map(String::as_str)
            .collect();
        return Err(Outcome::refuse(format!(
            "{} installs C libraries ({}) the binary may link against; the runtime would not have them",
            line(i.ins),
            crate::transforms::text::listing(&libs, ", ")
        )));
    }
    Ok(())
}

fn is_c_package(p: &str) -> bool {
    let t = catalog::tables();
    t.cgo.c_packages.iter().any(|c| c == p)
        || t.cgo
            .c_package_suffixes
            .iter()
            .any(|s| p.ends_with(s.as_str()))
}

/// A C library other than libc itself (whose -dev package means the binary may link it).
fn is_c_library(p: &str) -> bool {
    is_c_package(p) && !catalog::tables().cgo.c_packages.iter().any(|c| c == p)
}

/// Go package directories by convention; copying them would only carry sources.
const SOURCE_DIRS: &[&str] = &["cmd", "internal", "pkg", "vendor"];

/// Files the build copied in besides the Go sources, which the program may
/// read at run time: their paths in the image, each with why it is carried.
pub(super) fn data_files(cx: &Cx, s: usize, binary: &str) -> Vec<(String, String)> {
    let doc = cx.doc;
    let mut out: Vec<(String, String)> = Vec::new();
    let st = &cx.facts.stages[s];
    let workdir = st.end.workdir.clone().unwrap_or_default();
    for c in &st.copies {
        if c.source != Source::Context {
            continue;
        }
        let Some(dest) = &c.dest else { continue };
        for src in &c.sources {
            let name = src
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(src)
                .to_string();
            let build_input = name.ends_with(".go")
                || name.starts_with("go.")
                || name == "."
                || name.is_empty()
                || [
                    "Makefile",
                    "makefile",
                    ".git",
                    "Dockerfile",
                    ".dockerignore",
                ]
                .contains(&name.as_str())
                || name.ends_with(".sh")
                || SOURCE_DIRS.contains(&name.as_str())
                || go_only_dir(cx, src);
            if build_input {
                continue;
            }
            // A directory's contents land in the destination; a file lands
            // in it when it is a directory.
            let is_dir = src.ends_with('/')
                || cx
                    .facts
                    .context
                    .map_or(!name.contains('.'), |ctx| ctx.dir.join(src).is_dir());
            let target = if is_dir || !(c.dest_is_dir || c.sources.len() > 1) {
                dest.clone()
            } else {
                join_path(dest, &name)
            };
            // Never the whole working directory or the binary's own place.
            if target == binary
                || binary.starts_with(&format!("{target}/"))
                || target == workdir
                || target == "/"
            {
                continue;
            }
            let line = Loc::at(doc, c.ins);
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, format!("copied in on {line}")));
            }
        }
    }
    out
}

/// True when the context shows `src` is a directory of Go code only.
fn go_only_dir(cx: &Cx, src: &str) -> bool {
    let Some(ctx) = cx.facts.context else {
        return false;
    };
    let dir = ctx.dir.join(src);
    if !dir.is_dir() {
        return false;
    }
    let mut any = false;
    for e in ignore::WalkBuilder::new(&dir)
        .hidden(true)
        .build()
        .flatten()
    {
        if e.file_type().is_some_and(|t| t.is_file()) {
            let n = e.file_name().to_string_lossy();
            if !(n.ends_with(".go") || n == "go.mod" || n == "go.sum") {
                return false;
            }
            any = true;
        }
    }
    any
}

/// Files of the build context the program reads at run time, which the
/// original image had through `COPY . DEST`: their paths in the image.
pub(super) fn context_data(
    cx: &Cx,
    s: usize,
    binary: &str,
    already: &[(String, String)],
) -> Vec<(String, String)> {
    let st = &cx.facts.stages[s];
    let Some(dest) = st.copies.iter().rev().find_map(|c| {
        (c.source == Source::Context && c.sources.iter().any(|x| x == "." || x == "./"))
            .then(|| c.dest.clone())
            .flatten()
    }) else {
        return Vec::new();
    };
    cx.go()
        .program
        .data
        .iter()
        .map(|(rel, why)| (join_path(&dest, rel), format!("read at run time: {why}")))
        .filter(|(path, _)| {
            path != binary
                && !already
                    .iter()
                    .any(|(a, _)| a == path || path.starts_with(&format!("{a}/")))
        })
        .collect()
}
