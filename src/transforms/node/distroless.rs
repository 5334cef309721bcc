//! `node-distroless` (level 4): the runtime on `gcr.io/distroless/nodejs<major>-debian12`.
//!
//! **What**: the shipped stage's base `node:<major>[-bookworm]-slim` (or the
//! full image) becomes `gcr.io/distroless/nodejs<major>-debian12:nonroot`,
//! digest pinned when the file pins its images. Without a USER in the file,
//! the app now runs as nonroot (uid 65532) rather than root: its directory,
//! copied from the builder, is given to nonroot (`COPY --chown=nonroot:nonroot`)
//! so it can still write there. (The untagged or `:latest` image would keep
//! root but add a hadolint finding, DL3006 or DL3007, to every file.) Its entrypoint is node, so
//! `CMD ["node", "server.js"]` becomes `CMD ["server.js"]` (flags kept),
//! an exec-form `ENTRYPOINT ["node", ...]` runs `/nodejs/bin/node`, a
//! HEALTHCHECK running node likewise, and `USER node` (a user distroless
//! does not have) becomes its id `1000:1000`.
//!
//! **Why**: distroless is glibc, CA certificates, tzdata and node: no shell,
//! no package manager, no npm. 125 MB instead of 200 MB here, and nothing
//! in it an attacker can use but node.
//!
//! **Refuses** when the app runs as root and EXPOSEs a port below 1024
//! (nonroot cannot bind it where the runtime does not allow it, as on
//! Kubernetes), when the runtime runs commands (RUN), has a shell-form
//! command, runs something other than node (npm, a script), has a
//! HEALTHCHECK that needs a shell or curl, names a user distroless lacks,
//! when the tag names no major (`lts`, `latest`) or one distroless does not
//! ship for Debian 12, or when the image is not on Debian 12 (bookworm):
//! native addons were built against that glibc.
//!
//! **Example**: `FROM node:20-slim` ... `CMD ["node","server.js"]` ->
//! `FROM gcr.io/distroless/nodejs20-debian12` ... `CMD ["server.js"]`.

use super::tag::{NodeTag, Variant};
use crate::analysis::Family;
use crate::analysis::node::cmd::{Starts, starts};
use crate::analysis::stages::Base;
use crate::catalog;
use crate::ecosystem::Ecosystem;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Args, Command, Keyword};
use crate::transforms::text::{json_array, replace_args};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct NodeDistroless;

/// Where node is in the distroless image.
const NODE: &str = "/nodejs/bin/node";

impl Transform for NodeDistroless {
    fn id(&self) -> &'static str {
        "node-distroless"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

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
    let rt = cx.shipped_stage(&cx.node().node_stage, Ecosystem::Node)?;
    let img = match &rt.base {
        Base::Image(b) if b.family == Family::Node => b,
        Base::Image(b) if b.repository.starts_with("gcr.io/distroless/nodejs") => {
            return Err(Outcome::not_applicable("the runtime is distroless already"));
        }
        _ => {
            return Err(Outcome::not_applicable(
                "the runtime is not on the node image",
            ));
        }
    };
    if cx.node().installs_in(rt.index).next().is_some() {
        return Err(Outcome::not_applicable(
            "the image installs its packages itself (no builder/runtime split: see node-multi-stage)",
        ));
    }
    let tag = NodeTag::parse(img.tag.as_deref().unwrap_or(""));
    if tag.variant == Variant::Alpine {
        return Err(Outcome::refuse(
            "the runtime is alpine (musl): native addons built there would not load on distroless (glibc)",
        ));
    }
    let major = tag.major().ok_or_else(|| {
        Outcome::refuse(format!(
            "node:{} names no major version; distroless images are per major (pin one: node:20-slim)",
            img.tag.as_deref().unwrap_or("latest")
        ))
    })?;
    let table = &catalog::tables().node;
    if !table.distroless_majors.contains(&major) {
        return Err(Outcome::refuse(format!(
            "gcr.io/distroless/nodejs{major}-debian12 is not published (distroless ships Node {} for Debian 12)",
            table
                .distroless_majors
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    // The glibc native addons were built against must be Debian 12's.
    for s in facts.feeders(rt.index).into_iter().chain([rt.index]) {
        if let Base::Image(b) = &facts.stages[s].base
            && b.family == Family::Node
        {
            let t = NodeTag::parse(b.tag.as_deref().unwrap_or(""));
            if t.variant != Variant::Alpine && t.debian_release().as_deref() != Some("bookworm") {
                return Err(Outcome::refuse(format!(
                    "stage {} is on node:{} (Debian {}), and distroless nodejs is Debian 12 (bookworm): native addons built there may not load",
                    crate::analysis::targets::stage_name(doc, s),
                    b.tag.as_deref().unwrap_or(""),
                    t.debian_release()
                        .unwrap_or_else(|| "release unknown".into())
                )));
            }
        }
    }
    if let Some(&r) = rt.runs.first() {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime; distroless has no shell",
            Loc::at(doc, r)
        )));
    }
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    // The command: node is the entrypoint.
    let entry_exec = rt.entrypoint.as_ref().filter(|e| !e.shell_form);
    for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
        let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
        let ins = &doc.instructions()[p.ins];
        if p.shell_form {
            return Err(Outcome::refuse(format!(
                "the {what} on {} is in shell form; distroless has no /bin/sh",
                Loc::of(ins)
            )));
        }
        if !p.entrypoint && entry_exec.is_some() {
            continue; // arguments of the ENTRYPOINT
        }
        let argv = p.argv.clone().unwrap_or_default();
        if starts(&argv) != Starts::Node {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs `{}`, not node; distroless nodejs has only node (see node-cmd)",
                Loc::of(ins),
                argv.join(" ")
            )));
        }
        let new = if p.entrypoint {
            let mut a = argv.clone();
            a[0] = NODE.to_string();
            a
        } else {
            argv[1..].to_vec()
        };
        edits.extend(replace_args(doc, ins, json_array(&new)));
    }
    if rt.cmd.is_none() && rt.entrypoint.is_none() {
        return Err(Outcome::refuse("the image has no CMD or ENTRYPOINT"));
    }
    for &h in &rt.healthchecks {
        let ins = &doc.instructions()[h];
        if let Args::Healthcheck { cmd: Some(c), .. } = &ins.args {
            match c {
                Command::Exec(items) if items.first().is_some_and(|j| j.value == "node") => {
                    edits.push(Edit::replace(items[0].span, format!("\"{NODE}\"")));
                }
                _ => {
                    return Err(Outcome::refuse(format!(
                        "the HEALTHCHECK on {} needs a shell or a tool distroless does not have",
                        Loc::of(ins)
                    )));
                }
            }
        }
    }
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let user = w.text.split(':').next().unwrap_or("");
        match user {
            "node" => {
                edits.push(Edit::replace(w.span, "1000:1000"));
                notes.push(
                    "USER node -> 1000:1000 (node's id; distroless has no user named node)".into(),
                );
            }
            "root" | "nonroot" | "nobody" => {}
            u if u.bytes().all(|b| b.is_ascii_digit()) => {}
            other => {
                return Err(Outcome::refuse(format!(
                    "USER {other} on {} names a user distroless does not have",
                    Loc::of(ins)
                )));
            }
        }
    }
    for i in doc.stages()[rt.index].range() {
        let ins = &doc.instructions()[i];
        if ins.keyword == Keyword::Shell {
            return Err(Outcome::refuse(format!(
                "{} sets a SHELL; distroless has none",
                Loc::of(ins)
            )));
        }
    }
    // The nonroot variant: a tagged image (no lint finding) that runs as
    // uid 65532 unless the file says who (its USER wins). A root app keeps
    // writing where it wrote: its directory is given to nonroot.
    if rt.users.is_empty() {
        if let Some((port, at)) = privileged_port(cx, rt.index) {
            return Err(Outcome::refuse(format!(
                "the app runs as root and EXPOSEs port {port} ({at}); distroless runs it as nonroot (uid 65532), which cannot bind a port below 1024 where the runtime does not allow it (Kubernetes); set a USER or a port from 1024"
            )));
        }
        let workdir = rt.end.workdir.clone().unwrap_or_default();
        for c in rt
            .copies
            .iter()
            .filter(|c| matches!(c.source, crate::analysis::stages::Source::Stage(_)))
        {
            let ins = &doc.instructions()[c.ins];
            let to_app = c.dest.as_deref().is_some_and(|d| {
                !workdir.is_empty()
                    && workdir != "/"
                    && (d == workdir || d.starts_with(&format!("{workdir}/")))
            });
            if to_app && ins.flag("chown").is_none() {
                let at = ins
                    .flags
                    .first()
                    .map_or(ins.args_span.start, |f| f.span.start);
                edits.push(Edit::insert(at, "--chown=nonroot:nonroot "));
            }
        }
        notes.push(
            "runs as nonroot (uid 65532) instead of root; the app's directory is owned by it, so it can still write there"
                .into(),
        );
    }
    let new_image = format!("gcr.io/distroless/nodejs{major}-debian12:nonroot");
    let pinned = pin::reference(cx, &new_image, None).map_err(Outcome::refuse)?;
    notes.extend(pinned.note);
    let from = doc.instructions()[doc.stages()[rt.index].from]
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    edits.push(Edit::replace(from.image.span, pinned.text.clone()));
    let message = if (cx.added)(from.image.span.start) {
        format!(
            "the runtime stage is FROM {pinned_text}",
            pinned_text = pinned.text
        )
    } else {
        format!("runtime {} -> {}", from.image.text, pinned.text)
    };
    Ok(Outcome::apply(edits, message).with_notes(notes))
}
