//! The minimal runtime of a glibc binary: a cgo program built on a Debian
//! builder cannot run on scratch, but distroless base (glibc, libssl, CA
//! certificates, tzdata, a passwd; no shell, no package manager) or cc
//! (+ libstdc++, libgcc_s) of the same Debian release runs it. Only when
//! the program needs no other C library: distroless cannot install one.

use super::super::glibc;
use crate::analysis::stages::{Base, Source};
use crate::analysis::{Family, Libc, StageFacts, covers};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Args, Command};
use crate::transforms::{Cx, Outcome, pin};

/// The stage of a dynamically linked (cgo on) binary built on glibc that a
/// Debian runtime stage of this image gets, when there is one.
pub(super) fn glibc_builder(cx: &Cx) -> Option<usize> {
    let facts = cx.facts;
    let rt = facts.runtime()?;
    if cx.doc.stages().len() < 2 || cx.go().builds_go(rt.index) {
        return None;
    }
    let Base::Image(img) = &rt.base else {
        return None;
    };
    if img.family != Family::Debian {
        return None;
    }
    let shipped = cx.go().shipped_builds();
    let b = shipped.iter().find(|b| !b.is_static())?;
    (facts.stages[b.stage].libc == Libc::Glibc).then_some(b.stage)
}

/// `debian:<release>[-slim]` -> `gcr.io/distroless/base-<debianN>` (or cc),
/// when the release matches the builder's and nothing else is needed.
pub(super) fn plan(cx: &Cx, rt: &StageFacts, builder_stage: usize) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let line = |i: usize| Loc::at(doc, i);
    let stage = &doc.stages()[rt.index];
    let from_ins = &doc.instructions()[stage.from];
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    let current = from.image.text.clone();
    let shipped = cx.go().shipped_builds();
    let b = shipped
        .iter()
        .find(|b| !b.is_static())
        .expect("glibc_builder found one");
    let stays = |why: String| {
        Outcome::refuse(format!(
            "cgo is on for the build on {} (a glibc binary, not for scratch): the runtime stays on {current}, because {why}",
            line(b.ins)
        ))
    };
    let built = glibc::release(facts, builder_stage).map_err(&stays)?;
    let runs_on = glibc::release(facts, rt.index).map_err(&stays)?;
    if built.name != runs_on.name {
        return Err(stays(format!(
            "the builder is Debian {} and the runtime Debian {}: dfslim moves only to the builder's release",
            built.name, runs_on.name
        )));
    }
    let libs =
        glibc::libraries(cx, &glibc::chain(facts, builder_stage), &built.name).map_err(&stays)?;
    // Without the sources, libcrypt stays possible: the builder's libc6-dev
    // brings libcrypt-dev, a `#cgo LDFLAGS: -lcrypt` links libcrypt.so.1;
    // every Debian image has it (perl-base pre-depends on libcrypt1), but
    // distroless does not (base: libc6, libssl3; cc: + libgcc-s1,
    // libstdc++6, libgomp1; GoogleContainerTools/distroless base/config.bzl,
    // cc/config.bzl).
    if !cx.go().program.sources_read {
        return Err(stays(
            "without the program's sources (pass --context) dfslim cannot rule out libcrypt.so.1, which the builder's libc6-dev lets a cgo program link: debian-slim has it, distroless base and cc do not".to_string(),
        ));
    }
    if !libs.packages.is_empty() {
        return Err(stays(format!(
            "the program needs {} at run time, which distroless base does not have and cannot install",
            crate::transforms::text::listing(&libs.why, "; ")
        )));
    }
    if let Some(&r) = rt.runs.first() {
        return Err(stays(format!(
            "the RUN on {} needs a shell, which distroless does not have",
            line(r)
        )));
    }
    let Some(image) = glibc::distroless(&built.name, libs.cxx) else {
        return Err(stays(format!(
            "distroless publishes no base image for Debian {}",
            built.name
        )));
    };

    // What the container runs must be there without a shell.
    let copied: Vec<String> = rt
        .copies
        .iter()
        .filter(|c| matches!(c.source, Source::Stage(_) | Source::Image(_)))
        .flat_map(|c| c.landing(|src| src.ends_with('/')))
        .collect();
    let has = |p: &str| copied.iter().any(|d| covers(d, p));
    let procs: Vec<_> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
    if procs.is_empty() {
        return Err(stays(
            "the image has no CMD or ENTRYPOINT: it may be run with a command distroless does not have"
                .to_string(),
        ));
    }
    for p in &procs {
        if p.shell_form {
            return Err(stays(format!(
                "the command on {} is in shell form and distroless has no /bin/sh",
                line(p.ins)
            )));
        }
    }
    let lead = rt.entrypoint.as_ref().or(rt.cmd.as_ref()).expect("one");
    let prog = lead
        .argv
        .as_ref()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or_default();
    let path = if prog.starts_with('/') {
        prog.clone()
    } else {
        rt.at(doc, lead.ins)
            .workdir
            .as_deref()
            .map_or(prog.clone(), |w| crate::analysis::env::join_path(w, &prog))
    };
    if prog.is_empty() || !has(&path) {
        return Err(stays(format!(
            "the command on {} runs {prog}, which is not copied from a builder",
            line(lead.ins)
        )));
    }
    for &h in &rt.healthchecks {
        if let Args::Healthcheck { cmd: Some(c), .. } = &doc.instructions()[h].args {
            let ok = matches!(c, Command::Exec(items) if items.first().is_some_and(|p| p.value.starts_with('/') && has(&p.value)));
            if !ok {
                return Err(stays(format!(
                    "the HEALTHCHECK on {} runs a command distroless does not have",
                    line(h)
                )));
            }
        }
    }
    let passwd = has("/etc/passwd");
    for &u in &rt.users {
        let Some(w) = doc.instructions()[u].text_arg() else {
            continue;
        };
        let user = w.text.split(':').next().unwrap_or("");
        let known = ["root", "nobody", "nonroot"].contains(&user)
            || user.bytes().all(|c| c.is_ascii_digit());
        if !known && !passwd {
            return Err(stays(format!(
                "USER {} on {} names a user distroless's /etc/passwd does not have",
                w.text,
                line(u)
            )));
        }
    }

    let wanted = format!("{image}:latest");
    let old_digest = from.image.digest.as_ref().map(|d| d.text.as_str());
    let pinned = pin::reference(cx, &wanted, old_digest).map_err(Outcome::refuse)?;
    let mut notes = vec![format!(
        "cgo is on for the build on {}: the binary links glibc, which distroless {} has; {}, and so was the runtime (Debian {})",
        line(b.ins),
        if libs.cxx {
            "cc (with libstdc++)"
        } else {
            "base"
        },
        built.why,
        runs_on.name
    )];
    notes.extend(pinned.note);
    notes.extend(
        libs.why
            .iter()
            .map(|w| format!("no C library to install: {w}")),
    );
    let edits = vec![Edit::replace(from.image.span, pinned.text.clone())];
    let message = if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM {}", pinned.text)
    } else {
        format!("runtime {current} -> {}", pinned.text)
    };
    let unchecked = if cx.go().program.sources_read {
        Vec::new()
    } else {
        let mut u = cx.go().program.unchecked.clone();
        u.push(glibc::UNCHECKED_WITHOUT_SOURCES.to_string());
        u
    };
    Ok(Outcome::apply(edits, message)
        .with_notes(notes)
        .with_unchecked(unchecked))
}
