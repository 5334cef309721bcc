//! `python-distroless` (level 4): the runtime on `gcr.io/distroless/python3-debian12`.
//!
//! **What**: when the image is split (a runtime that copies the environment
//! from a builder) and the builder's Python minor is the one distroless
//! ships (3.11 for debian12), the runtime's `python:<v>-slim` becomes
//! `gcr.io/distroless/python3-debian12:nonroot` (pinned when the file pins
//! its images). The environment's interpreter link and `pyvenv.cfg` point at
//! distroless' Python in the builder, after its last step (`RUN ln -sf
//! /usr/bin/python3.11 /opt/venv/bin/python && sed -i "s#^home = .*#home =
//! /usr/bin#" /opt/venv/pyvenv.cfg`): a venv made from python:3.11 links
//! /usr/local/bin/python3.11, which distroless does not have (Docker's PATH
//! lookup would then silently run /usr/bin/python without the venv:
//! `ModuleNotFoundError`). distroless' ENTRYPOINT is the interpreter, so
//! `ENTRYPOINT []` goes before the CMD, which is kept (`gunicorn ...`,
//! `python app.py` find the venv on PATH). Without a USER the app runs as
//! nonroot (uid 65532); its directory is given to it (`COPY --chown`).
//!
//! **Why**: no shell, no apt, no pip: Python, glibc, CA certificates and
//! the app. Measured: 138,517,531 -> 63,977,658 bytes for a FastAPI app
//! (16.4x smaller than the naive image).
//!
//! **Refuses** when the builder's Python minor is not distroless' (a venv's
//! site-packages are per minor, C extensions per ABI: a python:3.12 venv
//! does not load on 3.11), the tag names no minor (`python:3`), the builder
//! compiled C code on a newer Debian than distroless' (glibc), the builder
//! is alpine; a package needs a run-time library (psycopg2 -> libpq5:
//! distroless has no apt to install it) or no requirements/lock file was
//! read to tell; packages were installed with --user; the runtime runs
//! commands (RUN) or has a SHELL; a shell-form command, a shell script or a
//! HEALTHCHECK that needs a shell or curl; a USER distroless lacks; root on
//! a port below 1024.
//!
//! **Example**: `FROM python:3.11-slim` ... `CMD ["gunicorn","app:app"]` ->
//! `FROM gcr.io/distroless/python3-debian12:nonroot` ... `ENTRYPOINT []`,
//! `CMD ["gunicorn","app:app"]`.

use super::multi_stage::{Place, place};
use super::tag::{PyTag, Variant, release_newer};
use crate::analysis::Family;
use crate::analysis::python::needs;
use crate::analysis::stages::{Base, Source};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Args, Command, Keyword};
use crate::transforms::text::{insert_after, insert_before, kw_like, listing};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct PythonDistroless;

impl Transform for PythonDistroless {
    fn id(&self) -> &'static str {
        "python-distroless"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = super::python_runtime(cx)?;
    let py = cx.python();
    match &rt.base {
        Base::Image(b) if b.family == Family::Python => {}
        Base::Image(b) if b.repository.starts_with("gcr.io/distroless/python") => {
            return Err(Outcome::not_applicable("the runtime is distroless already"));
        }
        _ => {
            return Err(Outcome::not_applicable(
                "the runtime is not on the python image",
            ));
        }
    }
    if let Some(why) = facts.frozen(rt.index) {
        return Err(Outcome::not_applicable(format!("{why}: left as is")));
    }
    if py.app_installs_in(rt.index).next().is_some() {
        return Err(Outcome::not_applicable(
            "the image installs its packages itself (no builder/runtime split: see python-multi-stage)",
        ));
    }
    // The builder the environment comes from.
    let Some(b) = rt
        .copies
        .iter()
        .filter_map(|c| match c.source {
            Source::Stage(s) => Some(s),
            _ => None,
        })
        .find(|&s| py.app_installs_in(s).next().is_some())
    else {
        return Err(Outcome::not_applicable(
            "no stage the runtime copies from installs Python packages",
        ));
    };
    let bst = &facts.stages[b];
    let Base::Image(bimg) = &bst.base else {
        return Err(Outcome::refuse(
            "the builder starts from another stage: dfslim cannot tell its Python",
        ));
    };
    if bimg.family != Family::Python {
        return Err(Outcome::refuse(format!(
            "the builder's Python does not come from the python image ({}): dfslim cannot tell its minor version",
            bimg.repository
        )));
    }
    let btag = PyTag::parse(bimg.tag.as_deref().unwrap_or(""));
    if btag.variant == Variant::Alpine {
        return Err(Outcome::refuse(
            "the builder is alpine (musl): the packages it installed would not load on distroless (glibc)",
        ));
    }
    let table = &catalog::tables().python;
    let minor = btag.minor().ok_or_else(|| {
        Outcome::refuse(format!(
            "python:{} names no minor version, and distroless ships one Python (pin one: python:3.11-slim)",
            bimg.tag.as_deref().unwrap_or("latest")
        ))
    })?;
    let Some(d) = table.distroless.iter().find(|d| d.minor == minor) else {
        let have: Vec<String> = table
            .distroless
            .iter()
            .map(|d| format!("{} has Python {}", d.image, d.minor))
            .collect();
        return Err(Outcome::refuse(format!(
            "the builder has Python {minor}, and {}: a venv's packages are per minor (lib/python{minor}/site-packages, C extensions built for {minor}) and would not load; the runtime stays slim",
            listing(&have, ", ")
        )));
    };
    // Where the packages are.
    let place = place(cx, bst)?;
    let env_dir = match &place {
        Place::UserBase(p) => {
            return Err(Outcome::refuse(format!(
                "the packages were installed with --user into {p}: their scripts run /usr/local/bin/python, which distroless does not have, and its nonroot user cannot read /root; install into a venv"
            )));
        }
        p => p.dir().to_string(),
    };
    let workdir = rt.end.workdir.clone().unwrap_or_default();
    let copies_env = rt.copies.iter().any(|c| {
        matches!(c.source, Source::Stage(s) if s == b)
            && c.dest.as_deref().is_some_and(|d| {
                d == env_dir || env_dir.starts_with(&format!("{}/", d.trim_end_matches('/')))
            })
    });
    if !copies_env {
        return Err(Outcome::refuse(format!(
            "the runtime does not copy {env_dir} from the builder at the same path: a venv only works where it was made"
        )));
    }
    // C code compiled on a newer Debian than distroless'.
    let mut compiled = Vec::new();
    let mut libs: Vec<(String, String)> = Vec::new();
    for i in py.app_installs_in(b) {
        let n = needs(doc, facts, b, i);
        if n.read.is_empty() && i.what == crate::analysis::python::cmd::What::Project {
            return Err(Outcome::refuse(format!(
                "no requirements or lock file was read for the install on {}: dfslim cannot tell whether a package needs a run-time library distroless lacks (pass --context)",
                Loc::at(doc, i.ins)
            )));
        }
        compiled.extend(n.source_builds.iter().map(|(p, _)| p.clone()));
        libs.extend(n.runtime);
    }
    for inst in &bst.installs {
        for p in &inst.packages {
            if let Some((_, l)) = table.dev_runtime.iter().find(|(dev, _)| dev == p) {
                compiled.push(p.clone());
                libs.extend(l.iter().map(|x| (x.clone(), p.clone())));
            }
        }
    }
    if let Some((lib, pkg)) = libs.first() {
        return Err(Outcome::refuse(format!(
            "{pkg} needs {lib} at run time, which {} does not have (and it has no apt to install it); the runtime stays slim",
            d.image
        )));
    }
    if let Some(rel) = btag.debian_release()
        && release_newer(&rel, &d.release)
        && !compiled.is_empty()
    {
        return Err(Outcome::refuse(format!(
            "the builder is Debian {rel} and compiles {} there: built against a newer glibc than {}'s ({}), it may not load",
            listing(&compiled, ", "),
            d.image,
            d.release
        )));
    }
    if let Some(&r) = rt.runs.first() {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime; distroless has no shell (nor apt)",
            Loc::at(doc, r)
        )));
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
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    // The command.
    if rt.cmd.is_none() && rt.entrypoint.is_none() {
        return Err(Outcome::refuse("the image has no CMD or ENTRYPOINT"));
    }
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
        let Some(prog) = argv.first() else {
            continue;
        };
        let base = prog.rsplit('/').next().unwrap_or(prog);
        if matches!(base, "sh" | "bash" | "ash" | "dash" | "env") || base.ends_with(".sh") {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs {prog}, which needs a shell; distroless has none",
                Loc::of(ins)
            )));
        }
        if prog.starts_with('/')
            && !prog.starts_with(&format!("{env_dir}/"))
            && !prog.starts_with(&format!("{workdir}/"))
        {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs {prog}, which distroless does not have",
                Loc::of(ins)
            )));
        }
    }
    for &h in &rt.healthchecks {
        let ins = &doc.instructions()[h];
        if let Args::Healthcheck { cmd: Some(c), .. } = &ins.args {
            let ok = matches!(c, Command::Exec(items) if items.first().is_some_and(|j| {
                let v = j.value.rsplit('/').next().unwrap_or(&j.value);
                crate::analysis::python::cmd::is_python(v)
            }));
            if !ok {
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} needs a shell or a tool distroless does not have",
                    Loc::of(ins)
                )));
            }
        }
    }
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let user = w.text.split(':').next().unwrap_or("");
        if !(matches!(user, "root" | "nonroot" | "nobody")
            || user.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Outcome::refuse(format!(
                "USER {user} on {} names a user distroless does not have",
                Loc::of(ins)
            )));
        }
    }
    if rt.users.is_empty() {
        if let Some((port, at)) = privileged_port(cx, rt.index) {
            return Err(Outcome::refuse(format!(
                "the app runs as root and EXPOSEs port {port} ({at}); distroless runs it as nonroot (uid 65532), which cannot bind a port below 1024 where the runtime does not allow it (Kubernetes); set a USER or a port from 1024"
            )));
        }
        for c in rt
            .copies
            .iter()
            .filter(|c| matches!(c.source, Source::Stage(_)))
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
    // distroless' ENTRYPOINT is the interpreter: the CMD is the whole command.
    if entry_exec.is_none()
        && let Some(c) = &rt.cmd
    {
        let ins = &doc.instructions()[c.ins];
        edits.push(insert_before(
            doc,
            ins,
            &[format!("{} []", kw_like(doc, ins, "ENTRYPOINT"))],
        ));
    }
    // The venv's interpreter: distroless' Python.
    let last = doc.stages()[b].end - 1;
    let last_ins = &doc.instructions()[last];
    let at_end = &doc.instructions()[doc.stages()[b].range().last().unwrap_or(last)];
    edits.push(insert_after(
        doc,
        at_end,
        &[format!(
            "{} ln -sf {py} {env_dir}/bin/python && sed -i \"s#^home = .*#home = {home}#\" {env_dir}/pyvenv.cfg",
            kw_like(doc, last_ins, "RUN"),
            py = d.python,
            home = d.python.rsplit_once('/').map_or("/usr/bin", |(h, _)| h),
        )],
    ));
    notes.push(format!(
        "{env_dir}/bin/python now links {} (distroless' Python) and pyvenv.cfg names its home: the builder's /usr/local/bin/python3.X is not in distroless",
        d.python
    ));
    let new_image = format!("{}:nonroot", d.image);
    let pinned = pin::reference(cx, &new_image, None).map_err(Outcome::refuse)?;
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
    Ok(Outcome::apply(edits, message).with_notes(notes))
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
