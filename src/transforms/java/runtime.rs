//! What a runtime without a shell needs, shared by `java-jlink` (distroless
//! java-base) and `java-distroless`: no RUN, SHELL or HEALTHCHECK that
//! needs a shell, the command in exec form, and the nonroot user the
//! `:nonroot` images run as.

use crate::analysis::StageFacts;
use crate::analysis::commands::command_lines;
use crate::analysis::stages::{Process, Source};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Args, Command, Keyword, Span};
use crate::transforms::text::{json_array, replace_args};
use crate::transforms::{Cx, Outcome};

/// Refuses what needs a shell (or a tool) that `base` does not have.
pub fn no_shell(cx: &Cx, rt: &StageFacts, base: &str) -> Result<(), Outcome> {
    let doc = cx.doc;
    if let Some(&r) = rt.runs.first() {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime; {base} has no shell",
            Loc::at(doc, r)
        )));
    }
    for i in doc.stages()[rt.index].range() {
        let ins = &doc.instructions()[i];
        match (&ins.keyword, &ins.args) {
            (Keyword::Shell, _) => {
                return Err(Outcome::refuse(format!(
                    "{} sets a SHELL; {base} has none",
                    Loc::of(ins)
                )));
            }
            (Keyword::Healthcheck, Args::Healthcheck { cmd: Some(_), .. }) => {
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} needs a shell or a tool (curl, wget) that {base} does not have",
                    Loc::of(ins)
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The words of a CMD or ENTRYPOINT with where each is: the exec form's
/// elements, or a simple shell form's words. `None` for a shell form that
/// needs a shell (variables, `&&`, globs).
pub fn words(cx: &Cx, p: &Process) -> Option<Vec<(Span, String)>> {
    let ins = &cx.doc.instructions()[p.ins];
    p.argv.as_ref()?;
    match ins.command()? {
        Command::Exec(items) => Some(items.iter().map(|j| (j.span, j.value.clone())).collect()),
        Command::Shell(_) => {
            let (lines, features) = command_lines(cx.doc, ins);
            if features || lines.len() != 1 {
                return None;
            }
            Some(
                lines[0]
                    .args
                    .iter()
                    .map(|a| (a.span, a.value.clone()))
                    .collect(),
            )
        }
    }
}

/// The process in exec form with `argv`: a shell-form CMD or ENTRYPOINT
/// (which needs /bin/sh) is rewritten, an exec-form one left as it is.
/// `None` when nothing changes.
pub fn exec_form(cx: &Cx, p: &Process, argv: &[String]) -> Option<Vec<Edit>> {
    let ins = &cx.doc.instructions()[p.ins];
    p.shell_form
        .then(|| replace_args(cx.doc, ins, json_array(argv)))
}

/// Refuses a command that needs a shell, in a runtime that has none.
pub fn needs_no_shell(cx: &Cx, p: &Process, base: &str) -> Result<Vec<String>, Outcome> {
    let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let ins = &cx.doc.instructions()[p.ins];
    p.argv.clone().ok_or_else(|| {
        Outcome::refuse(format!(
            "the {what} on {} needs a shell (variables, &&, globs); {base} has none",
            Loc::of(ins)
        ))
    })
}

/// A port below 1024 the stage EXPOSEs, with where.
fn privileged_port(cx: &Cx, s: usize) -> Option<(u32, Loc)> {
    let doc = cx.doc;
    doc.stages()[s].range().find_map(|i| {
        let ins = &doc.instructions()[i];
        if ins.keyword != Keyword::Expose {
            return None;
        }
        ins.args_span
            .of(doc.text())
            .split_whitespace()
            .filter_map(|w| w.split(['/', ':']).next()?.parse::<u32>().ok())
            .find(|&p| p < 1024)
            .map(|p| (p, Loc::of(ins)))
    })
}

/// What running as distroless's nonroot user (uid 65532, the `:nonroot`
/// images) takes: a USER the image has, or none (then the app's directory
/// is given to nonroot, and a port below 1024 is refused).
pub fn nonroot(cx: &Cx, rt: &StageFacts) -> Result<(Vec<Edit>, Vec<String>), Outcome> {
    let doc = cx.doc;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let user = w.text.split(':').next().unwrap_or("");
        if !(matches!(user, "root" | "nonroot" | "nobody" | "0" | "65532")
            || user.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Outcome::refuse(format!(
                "USER {user} on {} names a user distroless does not have (it has root, nonroot and nobody)",
                Loc::of(ins)
            )));
        }
    }
    if !rt.users.is_empty() {
        return Ok((edits, notes));
    }
    if let Some((port, at)) = privileged_port(cx, rt.index) {
        return Err(Outcome::refuse(format!(
            "the app runs as root and EXPOSEs port {port} ({at}); distroless's nonroot image runs it as uid 65532, which cannot bind a port below 1024 where the runtime does not allow it (Kubernetes); set a USER or a port from 1024"
        )));
    }
    let workdir = rt.end.workdir.clone().unwrap_or_default();
    for c in &rt.copies {
        if c.source == Source::Inline {
            continue;
        }
        let ins = &doc.instructions()[c.ins];
        let in_app = c.dest.as_deref().is_some_and(|d| {
            !workdir.is_empty()
                && workdir != "/"
                && (d == workdir || d.starts_with(&format!("{workdir}/")))
        });
        if in_app && ins.flag("chown").is_none() && ins.keyword == Keyword::Copy {
            let at = ins
                .flags
                .first()
                .map_or(ins.args_span.start, |f| f.span.start);
            edits.push(Edit::insert(at, "--chown=nonroot:nonroot "));
        }
    }
    notes.push(if edits.is_empty() {
        "runs as nonroot (uid 65532) instead of root".into()
    } else {
        "runs as nonroot (uid 65532) instead of root; what is copied into the app's directory is owned by it".into()
    });
    Ok((edits, notes))
}

/// True when the stage relies on the base image's working directory (`/`
/// for the JRE images) before it sets its own: a `:nonroot` distroless
/// image's is /home/nonroot, so `WORKDIR /` must keep relative paths (a
/// `COPY x app.jar`, `-cp app:app/lib/*`) where they were.
pub fn needs_root_workdir(cx: &Cx, rt: &StageFacts) -> bool {
    let doc = cx.doc;
    for i in doc.stages()[rt.index].range().skip(1) {
        let ins = &doc.instructions()[i];
        match ins.keyword {
            Keyword::Workdir => {
                return !ins.text_arg().is_some_and(|w| w.text.starts_with('/'));
            }
            Keyword::Copy
            | Keyword::Add
            | Keyword::Run
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Volume
            | Keyword::Healthcheck => return true,
            _ => {}
        }
    }
    true
}
