//! `rust-cmd` (level 2): the image runs the release binary.
//!
//! **What**: in the image's stage, a CMD or ENTRYPOINT that runs
//! `cargo run [--release] [--bin X] [-p P] [-- ARGS]` becomes the exec form
//! of the binary's absolute path with the same arguments: the release
//! binary a `cargo build --release` of the stage already makes, or one a
//! `cargo build --release` added just before it makes (`cargo run` without
//! `--release` builds and runs a debug binary at every start). A debug build
//! the image ships (`RUN cargo build` with `CMD ["./target/debug/app"]`, or
//! a `COPY --from` of `target/debug/app`) becomes `--release`, and the path
//! moves to `target/release/`. A simple shell-form command that runs a
//! built binary becomes exec form.
//!
//! **Why**: `cargo run` compiles at start (minutes) and needs the toolchain
//! and sources in the image; a debug binary is unoptimised and 5-10x
//! larger. The exec form makes the program PID 1, so `docker stop` reaches
//! it; it needs no shell (distroless and scratch have none).
//!
//! **Refuses** when `cargo run` names no binary and no Cargo.toml tells
//! which one it runs (or the package has several and no `default-run`),
//! when it uses flags dfslim cannot turn into an exact `cargo build`
//! (`--example`, unknown ones), or when `cargo run` is inside shell syntax.
//!
//! **Example**: `CMD ["cargo", "run", "--release"]` after
//! `RUN cargo build --release` in `/app`, package `api` ->
//! `CMD ["/app/target/release/api"]`.

use crate::analysis::commands::Arg;
use crate::analysis::rust::cmd::{self as cargo, Profile, Verb};
use crate::analysis::rust::{self, CargoBuild};
use crate::analysis::stages::Process;
use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::go::cmd_binary::{add_build, shell_words};
use crate::transforms::text::{json_array, replace_args};
use crate::transforms::{Cx, Outcome, Transform};

pub struct RustCmd;

impl Transform for RustCmd {
    fn id(&self) -> &'static str {
        "rust-cmd"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let Some(rt) = cx.facts.runtime() else {
            return Outcome::not_applicable("no stages");
        };
        let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
        let procs: Vec<&Process> = match procs.first() {
            Some(p) if p.entrypoint && !p.shell_form => vec![p],
            _ => procs,
        };
        let mut edits = Vec::new();
        let mut said = Vec::new();
        // `cargo run` and shell forms.
        let mut handled_debug = Vec::new();
        for p in &procs {
            match one(cx, p) {
                Ok(Some((e, m, debug))) => {
                    edits.extend(e);
                    said.push(m);
                    handled_debug.extend(debug);
                }
                Ok(None) => {}
                Err(why) => return Outcome::refuse(why),
            }
        }
        // Debug builds the image ships.
        match debug_to_release(cx, &handled_debug) {
            Ok(Some((e, m))) => {
                edits.extend(e);
                said.push(m);
            }
            Ok(None) => {}
            Err(why) => return Outcome::refuse(why),
        }
        if edits.is_empty() {
            if !rust_here(cx) {
                return Outcome::not_applicable("the image does not build or run Rust");
            }
            if cx.rust().shipped(cx.doc, cx.facts).is_empty() {
                return Outcome::not_applicable(
                    "the command runs no cargo and no binary a `cargo build` of the file makes",
                );
            }
            return Outcome::not_applicable(
                "the image runs a release binary in exec form already (no `cargo run`, no debug build)",
            );
        }
        Outcome::apply(edits, crate::transforms::text::listing(&said, "; "))
    }
}

fn rust_here(cx: &Cx) -> bool {
    cx.facts
        .image_stages()
        .iter()
        .any(|&s| cx.rust().rust_stage[s])
}

type Change = (Vec<Edit>, String, Vec<usize>);

fn one(cx: &Cx, p: &Process) -> Result<Option<Change>, String> {
    let doc = cx.doc;
    let ins = &doc.instructions()[p.ins];
    let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let Some(argv) = &p.argv else {
        let text = ins.args_span.of(doc.text());
        if text.contains("cargo run") || text.contains("cargo r ") {
            return Err(format!(
                "the {what} on {} runs `cargo run` inside shell syntax dfslim cannot rewrite exactly",
                Loc::of(ins)
            ));
        }
        return Ok(None);
    };
    if let Some(c) = cargo::read_argv(argv) {
        if c.verb == Verb::Run {
            return cargo_run(cx, p, c, what).map(Some);
        }
        return Ok(None);
    }
    // A simple shell form running a built binary: exec form.
    let Some(rt) = cx.facts.runtime() else {
        return Ok(None);
    };
    if !p.shell_form || argv.is_empty() {
        return Ok(None);
    }
    let at = rt.at(doc, p.ins);
    let Some((path, _)) =
        cx.rust()
            .resolve(cx.facts, rt.index, &argv[0], at.workdir.as_deref(), &at.env)
    else {
        return Ok(None);
    };
    let mut new = vec![path.clone()];
    new.extend(argv[1..].iter().cloned());
    Ok(Some((
        replace_args(doc, ins, json_array(&new)),
        format!("{what} runs {path} in exec form"),
        Vec::new(),
    )))
}

/// The binary `cargo run` runs: `--bin`, else the one binary of the
/// package (`-p`, or the project at the working directory), or its
/// `default-run`.
fn bin_name(cx: &Cx, c: &cargo::Cargo, project: Option<&str>) -> Result<String, String> {
    if let Some(b) = c.bins.first() {
        return Ok(b.clone());
    }
    let ctx = cx
        .facts
        .context
        .map(|x| x.rust())
        .filter(|x| x.any())
        .ok_or("no Cargo.toml was read to tell which binary it runs; pass --context, or name it (`cargo run --bin NAME`)")?;
    let project = project.ok_or(
        "no Cargo.toml of the build context is where it runs (the COPY lines do not say); name the binary (`cargo run --bin NAME`)",
    )?;
    let pkgs = match c.packages.first() {
        Some(p) => vec![
            ctx.package_named(project, p)
                .ok_or_else(|| format!("no package named {p} in the workspace"))?,
        ],
        None => ctx.packages_at(project),
    };
    let mut bins: Vec<String> = Vec::new();
    for m in &pkgs {
        if let Some(d) = &m.default_run {
            return Ok(d.clone());
        }
        bins.extend(m.bins.iter().cloned());
    }
    match bins.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("the package has no binary".into()),
        many => Err(format!(
            "the package has several binaries ({}) and no default-run; name one (`cargo run --bin NAME`)",
            crate::transforms::text::listing(many, ", ")
        )),
    }
}

fn cargo_run(cx: &Cx, p: &Process, c: cargo::Cargo, what: &str) -> Result<Change, String> {
    let doc = cx.doc;
    let ins = &doc.instructions()[p.ins];
    let line = Loc::of(ins);
    if !c.unknown.is_empty() {
        return Err(format!(
            "the {what} on {line} runs `cargo run` with {}, which dfslim cannot turn into a `cargo build`",
            c.unknown.join(" ")
        ));
    }
    let rt = cx.facts.runtime().expect("a runtime");
    let at = rt.at(doc, p.ins);
    let Some(cwd) = at.workdir.clone() else {
        return Err(format!(
            "{line}: the working directory is only known at build time"
        ));
    };
    // The build `cargo run` stands for, read like a RUN line of the stage.
    let mut words: Vec<String> = c.words.iter().map(|w| w.value.clone()).collect();
    words[c.verb_at] = "build".into();
    words.truncate(words.iter().position(|w| w == "--").unwrap_or(words.len()));
    if c.profile == Profile::Dev {
        words.insert(c.verb_at + 1, "--release".into());
    }
    let as_build = cargo::read_argv(&words).expect("a cargo build");
    let ctx = cx.facts.context.map(|x| x.rust());
    let wanted = rust::build(
        doc,
        cx.facts,
        ctx,
        rt.index,
        p.ins,
        as_build.clone(),
        Some(cwd.clone()),
        at.env.clone(),
    );
    let name = bin_name(cx, &c, wanted.project.as_deref())
        .map_err(|why| format!("the {what} on {line} runs `cargo run`: {why}"))?;
    let out = wanted.out_dir.clone().map_err(|why| {
        format!("the {what} on {line} runs `cargo run`, and where it builds is unknown: {why}")
    })?;
    let binary = format!("{out}/{name}");
    // A build of the stage that makes it already (a debug one becomes release).
    let same = |b: &&&CargoBuild| {
        b.cmd.verb == Verb::Build
            && b.cmd.features == as_build.features
            && (b.cmd.bins.is_empty() || b.cmd.bins.contains(&name))
            && (b.cmd.packages.is_empty() || b.cmd.packages == as_build.packages)
            && b.cmd.unknown.is_empty()
            && b.ins < p.ins
    };
    let builds = cx.rust().builds_reaching(cx.facts, rt.index);
    let release = builds
        .iter()
        .rev()
        .filter(same)
        .find(|b| b.out_dir.as_deref() == Ok(out.as_str()));
    let debug_dir = out.strip_suffix("/release").map(|d| format!("{d}/debug"));
    let debug = builds.iter().rev().filter(same).find(|b| {
        b.cmd.profile == Profile::Dev && debug_dir.as_deref() == b.out_dir.as_deref().ok()
    });
    let mut edits = Vec::new();
    let mut handled = Vec::new();
    let how = match (release, debug) {
        (Some(b), _) => format!("built on {}", Loc::at(doc, b.ins)),
        (None, Some(b)) => {
            edits.push(release_flag(b.cmd.verb_word()));
            handled.push(b.ins);
            format!(
                "the `cargo build` on {} now builds it with --release",
                Loc::at(doc, b.ins)
            )
        }
        (None, None) => {
            edits.push(add_build(doc, p.ins, &shell_words(&words)));
            "a `cargo build --release` added before it".to_string()
        }
    };
    let mut new = vec![binary.clone()];
    new.extend(c.program_args.iter().cloned());
    edits.extend(replace_args(doc, ins, json_array(&new)));
    let run: Vec<String> = c.words[1..].iter().map(|w| w.value.clone()).collect();
    Ok((
        edits,
        format!(
            "{what} runs {binary} ({how}) instead of `cargo {}`",
            run.join(" ")
        ),
        handled,
    ))
}

/// ` --release` after a cargo verb, in the form the line is written in.
fn release_flag(verb: &Arg) -> Edit {
    if verb.json {
        Edit::insert(verb.span.end, ", \"--release\"")
    } else {
        Edit::insert(verb.span.end, " --release")
    }
}

/// A debug build whose binary the image runs: built with --release, and
/// the paths that name it moved to `release/`.
fn debug_to_release(cx: &Cx, already: &[usize]) -> Result<Option<(Vec<Edit>, String)>, String> {
    let doc = cx.doc;
    let shipped = cx.rust().shipped(doc, cx.facts);
    let debug: Vec<_> = shipped
        .iter()
        .filter(|s| s.build.cmd.profile == Profile::Dev && s.build.cmd.verb == Verb::Build)
        .collect();
    if debug.is_empty() {
        return Ok(None);
    }
    let mut edits = Vec::new();
    let mut lines = Vec::new();
    let mut flagged: Vec<usize> = already.to_vec();
    let mut moved: Vec<String> = Vec::new();
    for s in &debug {
        if let Some(why) = cx.facts.frozen(s.build.stage) {
            return Err(format!(
                "the image ships a debug build ({}), made in a stage that must stay as it is: {why}",
                s.built_at
            ));
        }
        let Ok(dir) = s.build.out_dir.as_deref() else {
            continue;
        };
        let release_dir = match dir.strip_suffix("/debug") {
            Some(d) => format!("{d}/release"),
            None => continue,
        };
        // Every debug build of the stage into that directory (a first
        // build for the dependency cache too).
        for b in cx.rust().builds_reaching(cx.facts, s.build.stage) {
            if b.cmd.profile == Profile::Dev
                && b.cmd.verb == Verb::Build
                && b.out_dir.as_deref() == Ok(dir)
                && !flagged.contains(&b.ins)
            {
                edits.push(release_flag(b.cmd.verb_word()));
                flagged.push(b.ins);
                lines.push(Loc::at(doc, b.ins).to_string());
            }
        }
        let name = s.built_at.rsplit('/').next().unwrap_or("");
        let new_path = format!("{release_dir}/{name}");
        if !moved.contains(&new_path) {
            moved.push(new_path.clone());
        }
        // The paths that name the binary: a COPY --from source (and its
        // destination when it is the same path), the command.
        if let Some(c) = s.copy {
            edits.extend(rename_in_copy(doc, c, &s.built_at, &new_path));
        }
        let rt = cx.facts.runtime().expect("a runtime");
        for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
            let Some(argv) = &p.argv else { continue };
            let Some(first) = argv.first() else { continue };
            let at = rt.at(doc, p.ins);
            let resolved = rust::program_paths(first, at.workdir.as_deref(), &at.env);
            if resolved.first() != Some(&s.built_at) {
                continue;
            }
            let mut segs: Vec<&str> = first.split('/').collect();
            let n = segs.len();
            if n < 2 || segs[n - 2] != "debug" {
                continue;
            }
            segs[n - 2] = "release";
            let mut new = argv.clone();
            new[0] = segs.join("/");
            edits.extend(replace_args(
                doc,
                &doc.instructions()[p.ins],
                json_array(&new),
            ));
        }
    }
    if edits.is_empty() {
        return Ok(None);
    }
    lines.dedup();
    let builds = if lines.is_empty() {
        String::new()
    } else {
        format!(
            " (`cargo build` on {} now with --release)",
            lines.join(", ")
        )
    };
    Ok(Some((
        edits,
        format!(
            "the image ran a debug build: it runs the release binary {}{builds}",
            moved.join(", ")
        ),
    )))
}

/// Edits replacing `old` with `new` among the paths of COPY `c`.
fn rename_in_copy(doc: &crate::syntax::Document, c: usize, old: &str, new: &str) -> Vec<Edit> {
    use crate::syntax::Args;
    let ins = &doc.instructions()[c];
    let mut out = Vec::new();
    match &ins.args {
        Args::Words(ws) => {
            for w in ws {
                if w.text.trim_end_matches('/') == old {
                    out.push(Edit::replace(w.span, new.to_string()));
                }
            }
        }
        Args::List(items) => {
            for j in items {
                if j.value.trim_end_matches('/') == old {
                    out.push(Edit::replace(j.span, format!("{new:?}")));
                }
            }
        }
        _ => {}
    }
    out
}
