//! `scratch-runtime` (level 4): the runtime stage `FROM scratch`, with the CA bundle.
//!
//! **What**: the last stage's base (alpine, busybox, debian, ubuntu,
//! distroless base/cc) becomes `scratch`; the CA certificate bundle is copied
//! from the builder so TLS works; `USER root`/`nobody` become numeric ids
//! (scratch has no /etc/passwd); a distroless `:nonroot` base keeps its user
//! as `USER 65532:65532`.
//!
//! **Why**: scratch is empty; the image is the binary and a few files
//! (seed: 30 MB -> 23 MB). Nothing in it can be exploited but the program.
//!
//! **Refuses** when the runtime runs commands (RUN), its command needs a
//! shell or is not a binary copied from a builder, a HEALTHCHECK runs
//! something scratch lacks, a user or `--chown` is named that scratch cannot
//! resolve, or the binary may be dynamically linked (cgo not off). Leaves
//! `gcr.io/distroless/static` alone (as small, and it says so).
//!
//! **Example**: `FROM alpine:3.22` -> `FROM scratch` +
//! `COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`.

use crate::analysis::stages::{Base, Process, Source};
use crate::analysis::{Cgo, Family, covers};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Command, Keyword};
use crate::transforms::text::{continued_to_eof, insert_after, kw_like};
use crate::transforms::{Cx, Outcome, Transform};

pub struct ScratchRuntime;

const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

impl Transform for ScratchRuntime {
    fn id(&self) -> &'static str {
        "scratch-runtime"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let stage = &doc.stages()[rt.index];
    let line = |i: usize| Loc::at(doc, i);
    if doc.stages().len() < 2 || cx.go().builds_go(rt.index) {
        return Err(Outcome::not_applicable(
            "the image is built in its own stage (no separate runtime stage; see multi-stage)",
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
    match img.family {
        Family::Scratch => return Err(Outcome::not_applicable("the runtime is already scratch")),
        Family::Distroless { static_only: true } => {
            return Err(Outcome::not_applicable(format!(
                "the runtime is {}: already as small as scratch plus CA certificates, tzdata and a nonroot user; kept",
                img.repository
            )));
        }
        _ => {}
    }
    let replaceable = &catalog::tables().images.scratch_replaceable;
    if !replaceable.iter().any(|r| {
        img.repository == *r
            || img.repository.ends_with(&format!("/{r}"))
            || (r.contains('/') && img.repository.starts_with(r.as_str()))
    }) {
        return Err(Outcome::refuse(format!(
            "the runtime base {} may provide files the program needs; dfslim only replaces alpine, busybox, debian, ubuntu and distroless",
            img.repository
        )));
    }

    // Binaries that reach the image must be static.
    let shipped = cx.go().shipped_builds();
    if shipped.is_empty() {
        return Err(Outcome::not_applicable(
            "no Go build reaches the runtime stage",
        ));
    }
    if let Some(b) = shipped.iter().find(|b| !matches!(b.cgo, Cgo::Off(_))) {
        return Err(Outcome::refuse(format!(
            "cgo is not switched off for the build on {}: a dynamically linked binary cannot run on scratch (see cgo-off)",
            line(b.ins)
        )));
    }
    if let Some(&r) = rt.runs.first() {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime; scratch has no shell",
            line(r)
        )));
    }
    // What the runtime gets from builders.
    // A source is a directory when a build made it one (go install ./...);
    // anything else is taken as a file, which never over-claims a path.
    let dirs: Vec<&str> = cx.go().output_dirs();
    let copied: Vec<String> = rt
        .copies
        .iter()
        .filter(|c| matches!(c.source, Source::Stage(_) | Source::Image(_)))
        .flat_map(|c| c.landing(|src| dirs.contains(&src.trim_end_matches('/'))))
        .collect();
    let has = |path: &str| copied.iter().any(|d| covers(d, path));
    let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
    if procs.is_empty() {
        return Err(Outcome::refuse(
            "the image has no CMD or ENTRYPOINT: it may be run with a command that scratch does not have",
        ));
    }
    let entry_exec = rt.entrypoint.as_ref().is_some_and(|e| !e.shell_form);
    for p in &procs {
        let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
        if p.shell_form {
            return Err(Outcome::refuse(format!(
                "the {what} on {} is in shell form; scratch has no /bin/sh",
                line(p.ins)
            )));
        }
        if !p.entrypoint && entry_exec {
            continue; // CMD only holds arguments
        }
        let prog = p
            .argv
            .as_ref()
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_default();
        let path = if prog.starts_with('/') {
            prog.clone()
        } else {
            rt.at(doc, p.ins)
                .workdir
                .as_deref()
                .map_or(prog.clone(), |w| crate::analysis::env::join_path(w, &prog))
        };
        if !has(&path) {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs {prog}, which is not copied from a builder; scratch would not have it",
                line(p.ins)
            )));
        }
    }
    for &h in &rt.healthchecks {
        let ins = &doc.instructions()[h];
        if let crate::syntax::Args::Healthcheck { cmd: Some(c), .. } = &ins.args {
            let ok = match c {
                Command::Exec(items) => {
                    items.get(1).is_some_and(|p| has(&p.value)) && items[0].value == "CMD"
                }
                Command::Shell(_) => false,
            };
            if !ok {
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} runs a command scratch does not have",
                    line(h)
                )));
            }
        }
    }

    let mut edits = Vec::new();
    let mut notes = Vec::new();
    // Users: scratch has no /etc/passwd.
    let passwd = has("/etc/passwd");
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let (user, group) = w
            .text
            .split_once(':')
            .map_or((w.text.as_str(), None), |(a, b)| (a, Some(b)));
        let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if numeric(user) && group.is_none_or(numeric) || passwd {
            continue;
        }
        let id = match user {
            "root" => "0",
            "nobody" => "65534",
            "nonroot" if matches!(img.family, Family::Distroless { .. }) => "65532",
            _ => {
                return Err(Outcome::refuse(format!(
                    "USER {} on {} names a user scratch cannot look up (no /etc/passwd)",
                    w.text,
                    line(u)
                )));
            }
        };
        edits.push(Edit::replace(w.span, format!("{id}:{id}")));
        notes.push(format!(
            "USER {} -> {id}:{id} (scratch has no /etc/passwd)",
            w.text
        ));
    }
    for i in stage.range() {
        let ins = &doc.instructions()[i];
        if let Some(f) = ins
            .flag("chown")
            .filter(|_| matches!(ins.keyword, Keyword::Copy | Keyword::Add))
        {
            let v = f.value().unwrap_or("");
            if !v.split(':').all(|p| p.bytes().all(|b| b.is_ascii_digit())) && !passwd {
                return Err(Outcome::refuse(format!(
                    "--chown={v} on {} names a user scratch cannot look up; use numeric ids",
                    line(i)
                )));
            }
        }
    }

    // The base and the CA bundle.
    let from_ins = &doc.instructions()[stage.from];
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    edits.push(Edit::replace(from.image.span, "scratch"));
    let builder_stage = shipped[0].stage;
    let builder = doc.stages()[builder_stage]
        .name
        .as_ref()
        .map_or(builder_stage.to_string(), |n| n.text.clone());
    let mut added = Vec::new();
    if !has(CA_BUNDLE) && !has("/etc/ssl/certs") {
        let bf = &facts.stages[builder_stage];
        let has_ca = matches!(bf.family, Family::Golang | Family::Alpine)
            || bf
                .installs
                .iter()
                .any(|i| i.packages.iter().any(|p| p == "ca-certificates"));
        if !has_ca {
            return Err(Outcome::refuse(format!(
                "the builder (stage {builder}) may have no CA bundle to copy; install ca-certificates there first"
            )));
        }
        added.push(format!(
            "{} --from={builder} {CA_BUNDLE} /etc/ssl/certs/",
            kw_like(doc, from_ins, "COPY")
        ));
    }
    let nonroot = img.tag.as_deref().is_some_and(|t| t.contains("nonroot"))
        && matches!(img.family, Family::Distroless { .. });
    if nonroot && rt.users.is_empty() {
        added.push(format!("{} 65532:65532", kw_like(doc, from_ins, "USER")));
        notes.push("kept the distroless nonroot user as USER 65532:65532".to_string());
    }
    if !added.is_empty() {
        if continued_to_eof(doc, from_ins) {
            return Err(Outcome::refuse(format!(
                "the FROM on {} ends with a line continuation; lines added after it would join it",
                Loc::of(from_ins)
            )));
        }
        edits.push(insert_after(doc, from_ins, &added));
    }
    // scratch has no zone database: the binary must carry it.
    let zoneinfo = rt.end.env.known("ZONEINFO").is_some_and(&has);
    if let Some(why) = &cx.go().program.zones
        && !has("/usr/share/zoneinfo")
        && !zoneinfo
    {
        edits.extend(super::goflags::embed_tzdata(doc, &shipped).map_err(Outcome::refuse)?);
        notes.push(format!(
            "the program needs time zones ({why}) and scratch has no zone database: the build embeds it (-tags timetzdata)"
        ));
    }
    let certs = if added.iter().any(|a| a.contains(CA_BUNDLE)) {
        format!(", with the CA bundle from `{builder}`")
    } else {
        String::new()
    };
    // A runtime stage an earlier step wrote is news only as a whole.
    let message = if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM scratch{certs}")
    } else {
        format!("runtime {} -> scratch{certs}", from.image.text)
    };
    let unchecked = if cx.go().program.sources_read {
        Vec::new()
    } else {
        cx.go().program.unchecked.clone()
    };
    Ok(Outcome::apply(edits, message)
        .with_notes(notes)
        .with_unchecked(unchecked))
}
