//! `rust-distroless` (level 4): the runtime without a distribution: a
//! static binary on `scratch`, else a glibc one on distroless cc.
//!
//! **What**: when Cargo.lock shows no crate that compiles or links C code,
//! the builder builds for musl (`RUN rustup target add
//! x86_64-unknown-linux-musl && cargo build --release --target
//! x86_64-unknown-linux-musl`; the rust image has no musl target until
//! then), the COPY takes the binary from `target/x86_64-unknown-linux-musl/`,
//! and the runtime stage is `FROM scratch` with the builder's CA bundle when
//! the program reads the system's certificates (native-tls,
//! rustls-native-certs); `runtime = "distroless"` in dfslim.toml gives
//! `gcr.io/distroless/static-debian12:nonroot` instead. Otherwise the binary
//! stays glibc and the runtime becomes
//! `gcr.io/distroless/cc-debian12:nonroot` (glibc, libgcc, libssl3, the CA
//! bundle and SSL_CERT_FILE): it runs as nonroot (uid 65532). An
//! `apt-get install` dfslim wrote into the runtime at level 2 (libssl3,
//! ca-certificates) goes: distroless has them, and a shell to run it in
//! it has not.
//!
//! **Why**: debian:bookworm-slim is 75 MB; distroless cc is 23.7 MB and
//! scratch is nothing: the image is the binary (measured: 75,874,454 ->
//! 1,121,888 bytes for an HTTP service, 85,190,028 -> 24,741,081 for one
//! linking OpenSSL).
//!
//! **Refuses** when a glibc binary was built on another Debian release than
//! bookworm (distroless cc is Debian 12: `GLIBC_2.xx not found` for a
//! trixie build, libssl1.1 missing for a bullseye one), it links a C library
//! distroless cc lacks (libpq5...) or one dfslim does not know, the runtime
//! runs commands of the user's (RUN), has a shell-form command or one that
//! is not the copied binary, a HEALTHCHECK needing a shell, names a user the
//! new base cannot resolve, or runs as root with a port below 1024 (nonroot
//! cannot bind it). Leaves scratch and distroless static alone.
//!
//! **Example**: `FROM debian:bookworm-slim` + `COPY --from=builder
//! /app/target/release/api ...` -> `FROM scratch` + `COPY --from=builder
//! /app/target/x86_64-unknown-linux-musl/release/api ...`.

use super::crates::{self, MUSL};
use super::multi_stage::{CA_BUNDLE, rust_image};
use super::tag::Variant;
use crate::analysis::Family;
use crate::analysis::rust::cmd::Verb;
use crate::analysis::rust::{self as rustfacts, CargoBuild, Shipped};
use crate::analysis::stages::{Base, Process, Source};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::pipeline::Runtime;
use crate::syntax::{Args, Command, Document, Keyword};
use crate::transforms::text::{continued_to_eof, insert_after, json_array, kw_like, replace_args};
use crate::transforms::{Cx, Outcome, Transform, pin, split};

pub struct RustDistroless;

impl Transform for RustDistroless {
    fn id(&self) -> &'static str {
        "rust-distroless"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

const CC: &str = "gcr.io/distroless/cc-debian12:nonroot";
const STATIC: &str = "gcr.io/distroless/static-debian12:nonroot";
/// The PATH Docker gives a container whose image sets none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A port below 1024 the stage EXPOSEs, with where.
fn privileged_port(cx: &Cx, s: usize) -> Option<(u32, Loc)> {
    let doc = cx.doc;
    doc.stages()[s].range().find_map(|i| {
        let ins = &doc.instructions()[i];
        if ins.keyword != Keyword::Expose {
            return None;
        }
        let text = ins.args_span.of(doc.text());
        text.split_whitespace()
            .filter_map(|w| w.split(['/', ':']).next()?.parse::<u32>().ok())
            .find(|&p| p < 1024)
            .map(|p| (p, Loc::of(ins)))
    })
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let shipped = cx.rust().shipped(doc, facts);
    if shipped.is_empty() {
        return Err(Outcome::not_applicable("no Rust build reaches the image"));
    }
    if shipped.iter().any(|s| s.copy.is_none()) {
        return Err(Outcome::not_applicable(
            "the image is built in its own stage (no separate runtime stage; see rust-multi-stage)",
        ));
    }
    let b_stage = shipped[0].build.stage;
    if shipped.iter().any(|s| s.build.stage != b_stage) {
        return Err(Outcome::refuse(
            "the image takes binaries from several builder stages; dfslim moves runtimes fed by one",
        ));
    }
    let img = match &rt.base {
        Base::Image(b) => b,
        Base::Stage(_) => {
            return Err(Outcome::not_applicable(
                "the runtime starts from another stage",
            ));
        }
        Base::Unknown(t) => {
            return Err(Outcome::refuse(format!(
                "the runtime base {t} is only known at build time"
            )));
        }
    };
    let musl_already = shipped.iter().all(|s| {
        s.build
            .target
            .as_deref()
            .is_some_and(|t| t.contains("musl"))
    }) || rust_image(facts, b_stage)
        .is_ok_and(|(_, t)| t.variant == Variant::Alpine);
    let static_ok = crates::static_blocker(cx, b_stage);
    let builder_editable = facts.frozen(b_stage).is_none();
    let go_static = musl_already || (static_ok.is_ok() && builder_editable);
    match img.family {
        Family::Scratch => return Err(Outcome::not_applicable("the runtime is already scratch")),
        Family::Distroless { static_only: true } => {
            return Err(Outcome::not_applicable(format!(
                "the runtime is {}: already minimal",
                img.repository
            )));
        }
        Family::Distroless { .. } if !go_static => {
            return Err(Outcome::not_applicable(format!(
                "the runtime is {} already, and the binary stays glibc: {}",
                img.repository,
                static_ok.err().unwrap_or_default()
            )));
        }
        Family::Distroless { .. } | Family::Debian | Family::Ubuntu => {}
        Family::Rust if img.libc == crate::analysis::Libc::Glibc => {}
        _ => {
            return Err(Outcome::refuse(format!(
                "the runtime base {} may provide files the program needs; dfslim only replaces debian, ubuntu and distroless runtimes",
                img.repository
            )));
        }
    }
    // A glibc binary must fit distroless cc before anything else is looked at.
    let glibc = if go_static {
        None
    } else {
        let why = static_ok
            .clone()
            .err()
            .unwrap_or_else(|| "the builder stage must stay as it is".to_string());
        Some((glibc_check(cx, b_stage, &why)?, why))
    };
    // The runtime's own instructions must work without a shell.
    let mut edits = Vec::new();
    let notes = Vec::new();
    let in_cc = &catalog::tables().rust.in_cc;
    for &r in &rt.runs {
        let ins = &doc.instructions()[r];
        let ours = (cx.added)(ins.span.start);
        let pkgs: Vec<&String> = rt
            .installs
            .iter()
            .filter(|i| i.ins == r)
            .flat_map(|i| i.packages.iter())
            .collect();
        let droppable = ours && (go_static || pkgs.iter().all(|p| in_cc.contains(p)));
        if !droppable {
            return Err(Outcome::refuse(format!(
                "{} runs a command in the runtime; {} has no shell",
                Loc::at(doc, r),
                if go_static { "scratch" } else { "distroless" }
            )));
        }
        edits.push(Edit::delete(doc.line_span(ins)));
    }
    for i in doc.stages()[rt.index].range() {
        let ins = &doc.instructions()[i];
        if ins.keyword == Keyword::Shell {
            return Err(Outcome::refuse(format!(
                "{} sets a SHELL; the new runtime has none",
                Loc::of(ins)
            )));
        }
    }
    // Commands run the copied binary.
    let landings: Vec<(String, &Shipped)> = shipped
        .iter()
        .filter_map(|s| landing(cx, s).map(|l| (l, s)))
        .collect();
    let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
    if procs.is_empty() {
        return Err(Outcome::refuse(
            "the image has no CMD or ENTRYPOINT: it may be run with a command the new runtime does not have",
        ));
    }
    let entry_exec = rt.entrypoint.as_ref().is_some_and(|e| !e.shell_form);
    for p in &procs {
        let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
        if p.shell_form {
            return Err(Outcome::refuse(format!(
                "the {what} on {} is in shell form; the new runtime has no /bin/sh",
                Loc::at(doc, p.ins)
            )));
        }
        if !p.entrypoint && entry_exec {
            continue;
        }
        let prog = p
            .argv
            .as_ref()
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_default();
        let at = rt.at(doc, p.ins);
        let mut env = at.env.clone();
        if env.known("PATH").is_none() {
            env.set(
                "PATH",
                crate::analysis::env::Value::Known(DEFAULT_PATH.to_string()),
            );
        }
        let paths = rustfacts::program_paths(&prog, at.workdir.as_deref(), &env);
        if !paths.iter().any(|x| landings.iter().any(|(l, _)| l == x)) {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs {prog}, which is not the binary copied from the builder; the new runtime would not have it",
                Loc::at(doc, p.ins)
            )));
        }
    }
    for &h in &rt.healthchecks {
        let ins = &doc.instructions()[h];
        if let Args::Healthcheck { cmd: Some(c), .. } = &ins.args {
            let ok = matches!(c, Command::Exec(items) if items.first().is_some_and(|j| j.value == "CMD")
                && items.get(1).is_some_and(|p| landings.iter().any(|(l, _)| *l == p.value)));
            if !ok {
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} runs a command the new runtime does not have",
                    Loc::at(doc, h)
                )));
            }
        }
    }
    let needs_ca_probe = crates::of_stage(cx, b_stage);
    if go_static {
        static_path(
            cx,
            &shipped,
            &landings,
            musl_already,
            needs_ca_probe,
            edits,
            notes,
        )
    } else {
        let (needs, why) = glibc.expect("checked above");
        glibc_path(cx, needs, &why, edits, notes)
    }
}

/// Where a shipped binary lands in the runtime.
fn landing(cx: &Cx, s: &Shipped) -> Option<String> {
    let c = s.copy?;
    let copy = cx
        .facts
        .stages
        .iter()
        .flat_map(|st| st.copies.iter())
        .find(|x| x.ins == c)?;
    let dest = copy.dest.clone()?;
    if copy.dest_is_dir || dest == "/" || copy.sources.len() > 1 {
        let name = s.built_at.rsplit('/').next()?;
        Some(crate::analysis::env::join_path(&dest, name))
    } else {
        Some(dest)
    }
}

/// Users the new base can resolve: edits for the ones it cannot by name.
fn users(
    cx: &Cx,
    scratch: bool,
    edits: &mut Vec<Edit>,
    notes: &mut Vec<String>,
) -> Result<(), Outcome> {
    let (doc, rt) = (cx.doc, cx.facts.runtime().expect("a runtime"));
    let passwd = rt
        .copies
        .iter()
        .any(|c| matches!(c.source, Source::Stage(_)) && c.dest.as_deref() == Some("/etc/passwd"));
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let (user, group) = split::user_and_group(&w.text);
        if split::numeric_ids(user, group) || passwd {
            continue;
        }
        let id = match user {
            "root" => "0",
            "nobody" => "65534",
            "nonroot" => "65532",
            other => {
                return Err(Outcome::refuse(format!(
                    "USER {other} on {} names a user the new runtime does not have",
                    Loc::of(ins)
                )));
            }
        };
        if scratch {
            edits.push(Edit::replace(w.span, format!("{id}:{id}")));
            notes.push(format!(
                "USER {} -> {id}:{id} (scratch has no /etc/passwd)",
                w.text
            ));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn static_path(
    cx: &Cx,
    shipped: &[Shipped],
    landings: &[(String, &Shipped)],
    musl_already: bool,
    crates_info: Option<crates::Crates>,
    mut edits: Vec<Edit>,
    mut notes: Vec<String>,
) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts.runtime().expect("a runtime");
    let b_stage = shipped[0].build.stage;
    let scratch = cx.selection.runtime == Runtime::Scratch;
    let mut said_builder = String::new();
    if !musl_already {
        // The builds that make the shipped binaries (and others into the
        // same directory, a dependency-cache build first) build for musl.
        let dirs: Vec<String> = shipped
            .iter()
            .filter_map(|s| s.build.out_dir.clone().ok())
            .collect();
        let builds: Vec<&CargoBuild> = cx
            .rust()
            .builds_reaching(facts, b_stage)
            .into_iter()
            .filter(|b| b.out_dir.as_ref().is_ok_and(|d| dirs.contains(d)))
            .collect();
        let has_target = cx
            .rust()
            .rustup_targets
            .iter()
            .any(|(s, _, t)| rustfacts::chain(facts, b_stage).contains(s) && t == MUSL);
        for (k, b) in builds.iter().enumerate() {
            let verb = b.cmd.verb_word();
            if verb.json {
                return Err(Outcome::refuse(format!(
                    "the build on {} is in exec form; dfslim will not add the musl target to it",
                    Loc::at(doc, b.ins)
                )));
            }
            // After the last word of the command (before `-- args`).
            let last = b
                .cmd
                .words
                .iter()
                .take_while(|w| w.value != "--")
                .last()
                .unwrap_or(verb);
            edits.push(Edit::insert(last.span.end, format!(" --target {MUSL}")));
            if k == 0 && !has_target {
                let at = b
                    .cmd
                    .assignments
                    .first()
                    .map_or(b.cmd.words[0].span.start, |(_, _, a)| a.span.start);
                edits.push(Edit::insert(at, format!("rustup target add {MUSL} && ")));
            }
        }
        if let Some(b) = builds.first() {
            said_builder = format!(
                "; the build on {} is for {MUSL}{}",
                Loc::at(doc, b.ins),
                if has_target {
                    ""
                } else {
                    " (target added with rustup)"
                }
            );
        }
        // The paths that name the binary move.
        for s in shipped {
            if s.build.cmd.verb == Verb::Install {
                continue;
            }
            let Ok(dir) = s.build.out_dir.as_deref() else {
                continue;
            };
            let (tdir, profile) = dir.rsplit_once('/').unwrap_or(("", dir));
            let name = s.built_at.rsplit('/').next().unwrap_or("");
            let new = format!("{tdir}/{MUSL}/{profile}/{name}");
            if let Some(c) = s.copy {
                edits.extend(rename_paths(doc, c, &s.built_at, &new));
            }
            let old_landing = landings
                .iter()
                .find(|(_, x)| std::ptr::eq(*x, s))
                .map(|(l, _)| l.clone());
            if old_landing.as_deref() == Some(s.built_at.as_str()) {
                for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
                    if let Some(argv) = &p.argv
                        && argv.first() == Some(&s.built_at)
                    {
                        let mut a = argv.clone();
                        a[0] = new.clone();
                        edits.extend(replace_args(
                            doc,
                            &doc.instructions()[p.ins],
                            json_array(&a),
                        ));
                    }
                }
                for &h in &rt.healthchecks {
                    if let Args::Healthcheck {
                        cmd: Some(Command::Exec(items)),
                        ..
                    } = &doc.instructions()[h].args
                        && let Some(j) = items.get(1).filter(|j| j.value == s.built_at)
                    {
                        edits.push(Edit::replace(j.span, format!("{new:?}")));
                    }
                }
            }
        }
    }
    users(cx, scratch, &mut edits, &mut notes)?;
    let from_ins = &doc.instructions()[doc.stages()[rt.index].from];
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    let new_image = if scratch {
        "scratch".to_string()
    } else {
        let p = pin::reference(cx, STATIC, None).map_err(Outcome::refuse)?;
        notes.extend(p.note);
        p.text
    };
    edits.push(Edit::replace(from.image.span, new_image.clone()));
    // The CA bundle, when the program reads the system's certificates.
    let copied_ca = rt.copies.iter().any(|c| {
        c.dest
            .as_deref()
            .is_some_and(|d| d == CA_BUNDLE || d.starts_with("/etc/ssl/certs"))
    });
    let needs_ca = crates_info.as_ref().is_none_or(|c| c.ca.is_some());
    let mut certs = String::new();
    if scratch && needs_ca && !copied_ca {
        if continued_to_eof(doc, from_ins) {
            return Err(Outcome::refuse(format!(
                "the FROM on {} ends with a line continuation; lines added after it would join it",
                Loc::of(from_ins)
            )));
        }
        let builder = doc.stages()[b_stage]
            .name
            .as_ref()
            .map_or(b_stage.to_string(), |n| n.text.clone());
        edits.push(insert_after(
            doc,
            from_ins,
            &[format!(
                "{} --from={builder} {CA_BUNDLE} /etc/ssl/certs/",
                kw_like(doc, from_ins, "COPY")
            )],
        ));
        certs = match crates_info.as_ref().and_then(|c| c.ca.clone()) {
            Some(c) => format!(", with the CA bundle ({c} reads the system's certificates)"),
            None => ", with the CA bundle".to_string(),
        };
    }
    if !scratch {
        notes.push("runs as nonroot (uid 65532) unless the file names a USER".into());
    }
    let message = if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM {new_image}{certs}{said_builder}")
    } else {
        format!(
            "runtime {} -> {new_image}{certs}{said_builder}",
            from.image.text
        )
    };
    Ok(Outcome::apply(edits, message).with_notes(notes))
}

/// Why a glibc binary of `b_stage` cannot run on distroless cc, or what it
/// needs there.
fn glibc_check(cx: &Cx, b_stage: usize, why: &str) -> Result<crates::RuntimeNeeds, Outcome> {
    let (root, tag) = rust_image(cx.facts, b_stage).map_err(|e| {
        Outcome::refuse(format!(
            "the binary stays glibc ({why}), and {e}: dfslim cannot tell which glibc it needs"
        ))
    })?;
    let release = tag
        .debian_release()
        .unwrap_or_else(|| "an unknown release".into());
    if release != "bookworm" {
        return Err(Outcome::refuse(format!(
            "the binary is built on {} (Debian {release}), and distroless cc-debian12 is bookworm: a glibc binary from another release may fail there (`GLIBC_2.xx not found`, a missing library); build on a bookworm tag. It cannot go static on scratch instead: {why}",
            tag.image()
        )));
    }
    let needs = crates::runtime_needs(
        cx,
        root.max(b_stage),
        tag.variant == Variant::Full,
        "bookworm",
    );
    if let Some(u) = needs.unknown.first() {
        return Err(Outcome::refuse(format!(
            "Cargo.lock holds {u}, a -sys crate whose run-time library dfslim does not know: distroless cc may lack it"
        )));
    }
    let in_cc = &catalog::tables().rust.in_cc;
    if let Some((k, pkg)) = needs
        .linked
        .iter()
        .find(|(_, p)| !p.is_empty() && !in_cc.contains(p))
    {
        return Err(Outcome::refuse(format!(
            "{k} links {pkg}, which distroless cc does not have (and the binary cannot go static: {why})"
        )));
    }
    Ok(needs)
}

fn glibc_path(
    cx: &Cx,
    needs: crates::RuntimeNeeds,
    why: &str,
    mut edits: Vec<Edit>,
    mut notes: Vec<String>,
) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts.runtime().expect("a runtime");
    notes.push(format!("the binary stays glibc: {why}"));
    users(cx, false, &mut edits, &mut notes)?;
    if rt.users.is_empty()
        && let Some((port, at)) = privileged_port(cx, rt.index)
    {
        return Err(Outcome::refuse(format!(
            "the program runs as root and EXPOSEs port {port} ({at}); distroless runs it as nonroot (uid 65532), which cannot bind a port below 1024 where the runtime does not allow it (Kubernetes); set a USER or a port from 1024"
        )));
    }
    if rt.users.is_empty() {
        notes.push("runs as nonroot (uid 65532) instead of root".into());
    }
    let pinned = pin::reference(cx, CC, None).map_err(Outcome::refuse)?;
    notes.extend(pinned.note);
    let from = doc.instructions()[doc.stages()[rt.index].from]
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    edits.push(Edit::replace(from.image.span, pinned.text.clone()));
    let message = if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM {}", pinned.text)
    } else {
        format!("runtime {} -> {}", from.image.text, pinned.text)
    };
    Ok(Outcome::apply(edits, message)
        .with_notes(notes)
        .with_unchecked(needs.unchecked))
}

/// Edits replacing `old` with `new` among the paths of COPY `c` (its
/// destination too, when it is the same path).
fn rename_paths(doc: &Document, c: usize, old: &str, new: &str) -> Vec<Edit> {
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
