//! A cgo program keeps its C library. On a Debian builder (glibc) its
//! runtime is the builder's own Debian release, slim (multi-stage), or the
//! distroless base/cc image of that release (scratch-runtime); on an alpine
//! builder (musl) it can be linked statically and run on scratch (cgo-off).
//! This file answers the three questions those steps share: which Debian
//! release a builder is, which C libraries the program needs at run time,
//! and whether a musl builder has the static archives of what it links.
//! The knowledge is data: transforms/tables/cgo-runtime.toml.

use crate::analysis::stages::Base;
use crate::analysis::{Facts, Family};
use crate::catalog;
use crate::message::Loc;
use crate::transforms::Cx;

/// The Debian release a stage is built on, with how dfslim knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// `bookworm`.
    pub name: String,
    /// `golang:1.22 is built on Debian bookworm (the release that tag defaults to)`.
    pub why: String,
}

/// The Debian release stage `s` (or the stage it starts from) is built on:
/// a golang image's release suffix, else the release its `golang:<minor>`
/// tag defaults to today; a Debian image's release name or number.
pub fn release(facts: &Facts, mut s: usize) -> Result<Release, String> {
    let img = loop {
        match &facts.stages[s].base {
            Base::Stage(b) => s = *b,
            Base::Image(img) => break img,
            Base::Unknown(t) => {
                return Err(format!("the base image {t} is only known at build time"));
            }
        }
    };
    let t = &catalog::tables().cgo_runtime;
    let tag = img.tag.clone().unwrap_or_else(|| "latest".to_string());
    let shown = format!("{}:{tag}", img.repository);
    if tag.contains('$') {
        return Err(format!("the tag of {shown} is only known at build time"));
    }
    let named = |n: &str| -> Option<String> {
        t.debian_numbers
            .iter()
            .find(|(name, num)| {
                name == n
                    || *num == n
                    || n.strip_prefix(num.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
            .map(|(name, _)| name.clone())
    };
    match img.family {
        Family::Golang => {
            let parts: Vec<&str> = tag.split('-').collect();
            if let Some(r) = parts.iter().skip(1).chain(parts.first()).find_map(|p| {
                t.debian_numbers
                    .iter()
                    .find(|(name, _)| name == p)
                    .map(|(name, _)| name.clone())
            }) {
                return Ok(Release {
                    why: format!("{shown} names Debian {r}"),
                    name: r,
                });
            }
            if parts.len() > 1 {
                return Err(format!(
                    "{shown} is a variant dfslim does not know the Debian release of"
                ));
            }
            let v = parts[0];
            if v == "latest" || v == "1" {
                return Ok(Release {
                    name: t.golang_latest.clone(),
                    why: format!(
                        "{shown} is built on Debian {} today (docker-library/golang)",
                        t.golang_latest
                    ),
                });
            }
            let minor: String = {
                let mut it = v.split('.');
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => {
                        let b: String = b.chars().take_while(|c| c.is_ascii_digit()).collect();
                        format!("{a}.{b}")
                    }
                    _ => v.to_string(),
                }
            };
            match t.golang_releases.iter().find(|(m, _)| *m == minor) {
                Some((_, r)) => Ok(Release {
                    name: r.clone(),
                    why: format!(
                        "{shown} is built on Debian {r}, the release that tag defaults to (docker-library/golang)"
                    ),
                }),
                None => Err(format!(
                    "dfslim does not know which Debian release {shown} is built on; name it in the tag (golang:{v}-bookworm)"
                )),
            }
        }
        Family::Debian => {
            let first = tag.split('-').next().unwrap_or("");
            match named(first) {
                Some(r) => Ok(Release {
                    why: format!("{shown} is Debian {r}"),
                    name: r,
                }),
                None => Err(format!(
                    "{shown} does not name a Debian release (latest and stable move between releases)"
                )),
            }
        }
        _ => Err(format!(
            "{shown} is not the golang image or Debian: dfslim knows no glibc runtime that matches it"
        )),
    }
}

/// The stages a build runs in: `s` and the stages it starts from.
pub fn chain(facts: &Facts, mut s: usize) -> Vec<usize> {
    let mut out = vec![s];
    while let Base::Stage(b) = facts.stages[s].base {
        s = b;
        out.push(s);
    }
    out
}

/// What the program needs at run time beyond glibc.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Libraries {
    /// Debian run-time packages, in order.
    pub packages: Vec<String>,
    /// libstdc++ (C++): distroless cc rather than base.
    pub cxx: bool,
    /// Why each is there, or why nothing is: for the notes.
    pub why: Vec<String>,
}

fn runtime_of(dev: &str, release: &str) -> Option<Vec<String>> {
    let t = &catalog::tables().cgo_runtime;
    t.debian_libraries
        .iter()
        .find(|(d, _, rels)| d == dev && (rels.is_empty() || rels.split(' ').any(|r| r == release)))
        .map(|(_, pkgs, _)| pkgs.split_whitespace().map(str::to_string).collect())
}

/// The C libraries a cgo program built in `stages` needs at run time on
/// Debian `release`: the run-time packages of the `-dev` packages the
/// builder installs, and of the cgo modules go.mod requires.
pub fn libraries(cx: &Cx, stages: &[usize], release: &str) -> Result<Libraries, String> {
    let facts = cx.facts;
    let t = &catalog::tables().cgo_runtime;
    let cgo = &catalog::tables().cgo;
    let mut out = Libraries::default();
    if !cx.go().program.sources_read {
        without_sources(cx, stages, &mut out)?;
    }
    // `from`: what brings the -dev package ("installed on line 3", "go.mod requires m").
    let add = |out: &mut Libraries, dev: &str, from: String| -> Result<(), String> {
        let Some(pkgs) = runtime_of(dev, release) else {
            return Err(format!(
                "{dev} ({from}) has a run-time package dfslim does not know for Debian {release}; install it in the runtime stage yourself (or add it to transforms/tables/cgo-runtime.toml)"
            ));
        };
        out.cxx |= t.cxx_packages.iter().any(|c| c == dev);
        if pkgs.is_empty() {
            return Ok(());
        }
        for p in &pkgs {
            if !out.packages.contains(p) {
                out.packages.push(p.clone());
            }
        }
        out.why
            .push(format!("{} for {dev} ({from})", pkgs.join(" ")));
        Ok(())
    };
    for &s in stages {
        for i in &facts.stages[s].installs {
            let line = Loc::at(cx.doc, i.ins);
            for p in &i.packages {
                if cgo.c_packages.contains(p) {
                    out.cxx |= t.cxx_packages.contains(p);
                    continue;
                }
                if cgo
                    .c_package_suffixes
                    .iter()
                    .any(|x| p.ends_with(x.as_str()))
                {
                    add(&mut out, p, format!("installed on {line}"))?;
                }
            }
        }
    }
    if let Some(ctx) = facts.context {
        let go = ctx.go();
        for (module, kind, what) in &t.modules {
            if !go.requires.contains(module) {
                continue;
            }
            match kind.as_str() {
                "bundled" => out.why.push(format!("{module} {what}")),
                "dev" => add(&mut out, what, format!("go.mod requires {module}"))?,
                _ => return Err(format!("go.mod requires {module}, which {what}")),
            }
        }
    }
    Ok(out)
}

/// What a cgo program can link when its sources cannot be read (no build
/// context): only what the builder has headers and libraries for. The
/// golang image brings glibc, libgcc and libstdc++ (gcc, g++, libc6-dev on
/// buildpack-deps:<release>-scm, which has no -dev package of its own), and
/// the builder's installs bring their -dev packages, whose run-time packages
/// `libraries` adds. A library the build could get any other way is refused:
/// a RUN command outside `no_context_commands` (make, wget, tar, dpkg, a
/// script: any of them may build, fetch or install one), `cp`/`mv` into a
/// system directory, a COPY from another image or stage or into a system
/// directory, a variable that points the C toolchain elsewhere (CGO_LDFLAGS,
/// CC, LD_LIBRARY_PATH...). The golang image has g++, so a cgo package may
/// hold C++ code: libstdc++ is counted (debian-slim has libstdc++6 and
/// libgcc-s1). distroless is not offered without the sources (libcrypt, see
/// `glibc_runtime`). What stays unchecked (a prebuilt .so in the
/// context named by `#cgo LDFLAGS`, dlopen) is said by the steps' notes.
fn without_sources(cx: &Cx, stages: &[usize], out: &mut Libraries) -> Result<(), String> {
    let facts = cx.facts;
    let t = &catalog::tables().cgo_runtime;
    let why = "dfslim cannot tell without the program's sources (pass --context) whether the program links a C library that brings";
    let system = |p: &str| {
        t.no_context_system_dirs
            .iter()
            .any(|d| crate::analysis::covers(d, p) || crate::analysis::covers(p, d))
    };
    for &s in stages {
        let st = &facts.stages[s];
        if let Base::Image(img) = &st.base
            && img.family == Family::Golang
        {
            out.cxx = true;
        }
        for c in &st.copies {
            let line = Loc::at(cx.doc, c.ins);
            match &c.source {
                crate::analysis::Source::Image(i) => {
                    return Err(format!("{line} copies files from the image {i}: {why}"));
                }
                crate::analysis::Source::Stage(f) if !stages.contains(f) => {
                    return Err(format!("{line} copies files from another stage: {why}"));
                }
                _ => {}
            }
            if c.dest.as_deref().is_none_or(system) {
                return Err(format!(
                    "{line} copies files into {}: {why}",
                    c.dest
                        .as_deref()
                        .unwrap_or("a directory known only at build time")
                ));
            }
        }
        for &r in &st.runs {
            let line = Loc::at(cx.doc, r);
            let mut names: Vec<(String, bool)> = Vec::new();
            for l in facts.lines(r) {
                let into_system = matches!(l.name.as_str(), "cp" | "mv")
                    && l.args[1..]
                        .iter()
                        .any(|a| a.value.starts_with('/') && system(&a.value) || a.dynamic);
                names.push((l.name.clone(), into_system));
                for (n, _, _) in &l.assignments {
                    if t.no_context_env.contains(n) {
                        return Err(format!("{line} sets {n}: {why}"));
                    }
                }
                for a in l.args.iter().filter(|a| a.dynamic) {
                    for inner in substituted(&a.value) {
                        names.extend(inner.into_iter().map(|n| (n, false)));
                    }
                }
            }
            if let Some((n, into)) = names
                .iter()
                .find(|(n, into)| *into || (!n.is_empty() && !t.no_context_commands.contains(n)))
            {
                return Err(if *into {
                    format!("{line} copies files with {n} into a system directory: {why}")
                } else {
                    format!("{line} runs {n}, which may build, fetch or install a C library: {why}")
                });
            }
        }
        if let Some(n) = t.no_context_env.iter().find(|n| st.end.env.is_set(n)) {
            return Err(format!("the builder sets {n}: {why}"));
        }
    }
    Ok(())
}

/// What stays unchecked for a cgo binary whose sources could not be read.
pub const UNCHECKED_WITHOUT_SOURCES: &str = "the C libraries the binary links were bounded by what the builder has headers for (glibc, libgcc, libstdc++ and the -dev packages it installs); not checked without its sources: a prebuilt library in the build context named by `#cgo LDFLAGS`, libnsl.so.2 (libnsl-dev comes with libc6-dev; debian-slim may lack libnsl2), and libraries it loads with dlopen";

/// The command names inside `$(...)` and backquotes of a word's raw text.
fn substituted(raw: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let (open, body_start) = if raw[i..].starts_with("$(") {
            (true, i + 2)
        } else if b[i] == b'`' {
            (false, i + 1)
        } else {
            i += 1;
            continue;
        };
        let mut depth = 1;
        let mut j = body_start;
        while j < b.len() {
            match b[j] {
                b'(' if open => depth += 1,
                b')' if open => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                b'`' if !open => break,
                _ => {}
            }
            j += 1;
        }
        let body = &raw[body_start..j.min(b.len())];
        let script = crate::analysis::shell::parse(body);
        let mut names: Vec<String> = Vec::new();
        for c in &script.commands {
            names.push(c.name().unwrap_or("").to_string());
            for w in c.words.iter().filter(|w| w.dynamic) {
                names.extend(substituted(&w.value).into_iter().flatten());
            }
        }
        out.push(names);
        i = j + 1;
    }
    out
}

/// How a musl builder (`stages`) can link a cgo program statically: the
/// static archives of libc and of every C library it installs for the
/// build are there. Ok: how dfslim knows; Err: which archive is missing.
pub fn musl_static(cx: &Cx, stages: &[usize]) -> Result<String, String> {
    let facts = cx.facts;
    let t = &catalog::tables().cgo_runtime;
    let mut installed: Vec<(&str, Loc)> = Vec::new();
    for &s in stages {
        for i in &facts.stages[s].installs {
            if i.manager != "apk" {
                continue;
            }
            let line = Loc::at(cx.doc, i.ins);
            installed.extend(i.packages.iter().map(|p| (p.as_str(), line)));
        }
    }
    let has = |p: &str| installed.iter().any(|(q, _)| *q == p);
    let Some((libc, at)) = installed
        .iter()
        .find(|(p, _)| t.alpine_static_libc.iter().any(|l| l == p))
    else {
        return Err(
            "the builder has no musl-dev (nor libc-dev or build-base), whose libc.a a static link needs"
                .to_string(),
        );
    };
    let mut how = vec![format!(
        "{libc} ({at}) brings musl's libc.a and gcc its libgcc.a"
    )];
    for (p, at) in &installed {
        if t.alpine_toolchain.iter().any(|x| x == p) || p.ends_with("-static") {
            continue;
        }
        if *p == "g++" || *p == "clang" {
            return Err(format!(
                "{p} ({at}) means C++, which links libstdc++, whose static archive dfslim does not know the builder has"
            ));
        }
        if p.ends_with("-dev") {
            match t.alpine_static.iter().find(|(d, _)| d == p) {
                Some((_, st)) if has(st) || st == p => {
                    how.push(format!("{st} holds the static archive of {p}"));
                }
                Some((_, st)) => {
                    return Err(format!(
                        "{p} ({at}) has its static archive in {st}, which the builder does not add"
                    ));
                }
                None => {
                    return Err(format!(
                        "{p} ({at}): dfslim does not know which Alpine package holds its static archive"
                    ));
                }
            }
        }
    }
    if let Some(ctx) = facts.context {
        let go = ctx.go();
        for (module, kind, what) in &t.modules {
            if !go.requires.contains(module) {
                continue;
            }
            if kind != "bundled" {
                return Err(format!(
                    "go.mod requires {module}, which links a system library ({what}) dfslim cannot tell the static archive of"
                ));
            }
            how.push(format!("{module} {what}"));
        }
    }
    Ok(how.join("; "))
}

/// The distroless image for a Debian release: (`base-debian12` or `cc-debian12`).
pub fn distroless(release: &str, cxx: bool) -> Option<String> {
    let t = &catalog::tables().cgo_runtime;
    t.distroless
        .iter()
        .find(|(r, _)| r == release)
        .map(|(_, d)| format!("gcr.io/distroless/{}-{d}", if cxx { "cc" } else { "base" }))
}
