//! `nonroot-user` (opt-in, outside the levels): a numeric non-root USER on a
//! scratch or distroless runtime.
//!
//! **What**: when the image's runtime is `scratch` or `gcr.io/distroless/*`
//! and runs as root (no USER), `USER 65532:65532` is added before its
//! ENTRYPOINT/CMD. 65532 is distroless's `nonroot` (so the name resolves
//! there); scratch needs no passwd for a numeric user, and a numeric USER is
//! what Kubernetes' `runAsNonRoot` can check. It runs only when asked
//! (`--only nonroot-user`, or `[transforms.nonroot-user] enabled = true` in
//! dfslim.toml), never with `--level`: a user change is a decision about how
//! the program is deployed, not only about what the image holds.
//!
//! **Why**: a process that is root inside the container is root on every
//! file a volume or a mistake gives it; the minimal runtime has nothing else
//! that could need root.
//!
//! **Refuses** when something visible needs root: a port below 1024 the
//! image EXPOSEs, sets in ENV (`PORT=80`), passes on its command line or
//! listens on in the sources. Docker sets `net.ipv4.ip_unprivileged_port_start=0`
//! in containers since 20.10, so there a non-root process may bind port 80;
//! Kubernetes (containerd 1.x, CRI-O), host networking and older engines do
//! not, and the image does not know where it will run, so dfslim does not
//! count on it. Also when the program writes to a path owned by root in the
//! image (a literal path in `os.Create`, `os.WriteFile`, `os.MkdirAll`,
//! `os.OpenFile` with write flags... outside /tmp), the image declares a
//! VOLUME (the engine creates it owned by root), a file the image copies from
//! the build context is not readable by others (COPY keeps its mode), or a
//! USER asks for root. Writes to paths computed at run time are reported as
//! not checked. Lives under `go/` because what it checks (writes, listeners)
//! is read from Go sources; it fits `any/` once other ecosystems read those.
//!
//! **Example**: `FROM scratch` ... `ENTRYPOINT ["/app"]` -> `USER 65532:65532`
//! before the ENTRYPOINT.

use crate::analysis::env::join_path;
use crate::analysis::stages::{Base, Source};
use crate::analysis::{Family, covers};
use crate::message::Loc;
use crate::syntax::{Args, Keyword};
use crate::transforms::text::{continued_to_eof, insert_after, kw_like, lines_with_comments};
use crate::transforms::{Cx, Outcome, Transform};

pub struct NonrootUser;

/// distroless's `nonroot` user and group.
const NONROOT: &str = "65532:65532";

impl Transform for NonrootUser {
    fn id(&self) -> &'static str {
        "nonroot-user"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// Why binding `port` needs root.
fn privileged(port: u32, what: String) -> Outcome {
    Outcome::refuse(format!(
        "{what} port {port}, below 1024: only root may bind it, unless the engine sets net.ipv4.ip_unprivileged_port_start=0 (Docker does since 20.10; Kubernetes pods and host networking usually do not), which dfslim does not count on"
    ))
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let stage = &doc.stages()[rt.index];
    let line = |i: usize| Loc::at(doc, i);
    let img = match &rt.base {
        Base::Image(b) => b,
        _ => {
            return Err(Outcome::not_applicable(
                "the runtime does not start from scratch or distroless",
            ));
        }
    };
    let distroless = matches!(img.family, Family::Distroless { .. });
    if !(distroless || img.family == Family::Scratch) {
        return Err(Outcome::not_applicable(format!(
            "the runtime is {}: nonroot-user only sets the user of a scratch or distroless runtime (see scratch-runtime), where no other program may need root",
            img.repository
        )));
    }
    if let Some(&u) = rt.users.last() {
        let v = doc.instructions()[u]
            .text_arg()
            .map_or(String::new(), |w| w.text.clone());
        let user = v.split(':').next().unwrap_or("");
        if user == "root" || user.bytes().all(|b| b == b'0') {
            return Err(Outcome::refuse(format!(
                "USER {v} on {} asks for root; dfslim leaves that to you",
                line(u)
            )));
        }
        return Err(Outcome::not_applicable(format!(
            "the image already runs as {v} (USER on {})",
            line(u)
        )));
    }
    if distroless && img.tag.as_deref().is_some_and(|t| t.contains("nonroot")) {
        return Err(Outcome::not_applicable(format!(
            "{}:{} already runs as nonroot (65532)",
            img.repository,
            img.tag.as_deref().unwrap_or("")
        )));
    }
    if let Some(&r) = rt.runs.first() {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime, which may need root",
            line(r)
        )));
    }

    // Ports below 1024.
    for i in stage.range() {
        let ins = &doc.instructions()[i];
        match ins.keyword {
            Keyword::Expose => {
                let env = &rt.at(doc, i).env;
                for w in ins.words() {
                    let v = env.expand(&w.text, doc.escape()).unwrap_or_default();
                    let first = v.split(['/', '-']).next().unwrap_or("");
                    if let Ok(p) = first.parse::<u32>()
                        && p < 1024
                    {
                        return Err(privileged(p, format!("the image EXPOSEs (on {})", line(i))));
                    }
                }
            }
            Keyword::Volume => {
                let paths: Vec<String> = match &ins.args {
                    Args::List(items) => items.iter().map(|j| j.value.clone()).collect(),
                    _ => ins.words().iter().map(|w| w.text.clone()).collect(),
                };
                return Err(Outcome::refuse(format!(
                    "the image declares VOLUME {} on {}: the engine creates a volume owned by root where the image has no directory owned by the user, so a non-root program could not write there",
                    paths.join(" "),
                    line(i)
                )));
            }
            _ => {}
        }
    }
    for (name, value) in env_ports(doc, rt) {
        if value < 1024 {
            return Err(privileged(value, format!("ENV {name} sets")));
        }
    }
    for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
        if let Some(port) = p.argv.as_deref().and_then(argv_port)
            && port < 1024
        {
            return Err(privileged(
                port,
                format!("the command on {} passes", line(p.ins)),
            ));
        }
    }
    let program = &cx.go().program;
    if let Some((port, at)) = program.listens.iter().find(|(p, _)| *p < 1024) {
        return Err(privileged(
            u32::from(*port),
            format!("the program listens ({at}) on"),
        ));
    }

    // Writes to root-owned places, and files only root can read.
    let workdir = rt.end.workdir.clone().unwrap_or_else(|| "/".to_string());
    for (path, at) in &program.writes {
        let abs = join_path(&workdir, path);
        if ["/tmp", "/dev", "/proc"].iter().any(|d| covers(d, &abs)) {
            continue;
        }
        return Err(Outcome::refuse(format!(
            "the program writes {path:?} ({at}), which would be {abs} in the image, owned by root"
        )));
    }
    if let Some(ctx) = facts.context {
        for c in rt.copies.iter().filter(|c| c.source == Source::Context) {
            for src in &c.sources {
                let rel = src.trim_start_matches("./").trim_start_matches('/');
                if let Some((bad, m)) = unreadable(ctx, rel) {
                    return Err(Outcome::refuse(format!(
                        "{} copies {bad} from the build context, whose mode {m:o} COPY keeps: a non-root user could not read it",
                        line(c.ins)
                    )));
                }
            }
        }
    }

    // USER before the command (and the comments above it).
    let from_ins = &doc.instructions()[stage.from];
    let user = format!("{} {NONROOT}", kw_like(doc, from_ins, "USER"));
    let target = stage.range().find(|&i| {
        matches!(
            doc.instructions()[i].keyword,
            Keyword::Entrypoint | Keyword::Cmd
        )
    });
    let edit = match target {
        Some(i) => {
            let ins = &doc.instructions()[i];
            let at = lines_with_comments(doc, ins).start;
            let indent = doc.indent_at(ins.keyword_span.start);
            crate::edit::Edit::insert(at, format!("{indent}{user}{}", doc.newline()))
        }
        None => {
            let last = &doc.instructions()[stage.end - 1];
            if continued_to_eof(doc, last) {
                return Err(Outcome::refuse(format!(
                    "the last line of the stage ({}) ends with a line continuation; a line added after it would join it",
                    Loc::of(last)
                )));
            }
            insert_after(doc, last, &[user])
        }
    };
    let mut notes = vec![if distroless {
        "65532 is distroless's nonroot user".to_string()
    } else {
        "65532 is the uid distroless names nonroot; scratch needs no /etc/passwd for a numeric user"
            .to_string()
    }];
    if let Some(w) = program.dynamic_writes.first() {
        notes.push(format!(
            "the program writes to paths computed at run time ({w}{}): make sure they are writable by 65532",
            if program.dynamic_writes.len() > 1 { ", ..." } else { "" }
        ));
    }
    let unchecked = if program.sources_read {
        Vec::new()
    } else {
        let mut u = program.unchecked.clone();
        u.push(
            "the ports the program listens on and the files it writes were not checked".to_string(),
        );
        u
    };
    Ok(
        Outcome::apply(vec![edit], format!("the image runs as {NONROOT}, not root"))
            .with_notes(notes)
            .with_unchecked(unchecked),
    )
}

/// Ports set by the stage's ENV: `PORT=80`, `HTTP_PORT=80`, `ADDR=:80`.
fn env_ports(
    doc: &crate::syntax::Document,
    rt: &crate::analysis::StageFacts,
) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for i in doc.stages()[rt.index].range() {
        let ins = &doc.instructions()[i];
        if ins.keyword != Keyword::Env {
            continue;
        }
        for pair in ins.pairs() {
            let name = &pair.key.text;
            let Some(v) = rt.end.env.known(name) else {
                continue;
            };
            let upper = name.to_ascii_uppercase();
            let port = if upper == "PORT" || upper.ends_with("_PORT") {
                v.parse().ok()
            } else if upper.ends_with("ADDR")
                || upper.ends_with("ADDRESS")
                || upper.ends_with("LISTEN")
            {
                v.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
            } else {
                None
            };
            if let Some(p) = port {
                out.push((name.clone(), p));
            }
        }
    }
    out
}

/// A port on a command line: `:80`, `0.0.0.0:80`, `--port=80`, `-port 80`.
fn argv_port(argv: &[String]) -> Option<u32> {
    let port_flag = |w: &str| {
        let f = w.trim_start_matches('-').to_ascii_lowercase();
        w.starts_with('-')
            && (f == "p" || f.contains("port") || f.contains("addr") || f.contains("listen"))
    };
    let value = |v: &str| -> Option<u32> {
        let p = v.rsplit_once(':').map_or(v, |(_, p)| p);
        p.parse().ok()
    };
    let mut ports = Vec::new();
    for (k, w) in argv.iter().enumerate() {
        if let Some((flag, v)) = w.split_once('=')
            && port_flag(flag)
        {
            ports.extend(value(v));
        } else if port_flag(w) {
            ports.extend(argv.get(k + 1).and_then(|v| value(v)));
        } else if w.contains(':') && !w.contains('/') {
            ports.extend(w.rsplit_once(':').and_then(|(_, p)| p.parse::<u32>().ok()));
        }
    }
    ports.into_iter().min()
}

/// A file under `rel` of the context (itself, or one in it when it is a
/// directory) that the build gets and others cannot read, or a directory
/// they cannot enter: its relative path and mode.
fn unreadable(ctx: &crate::analysis::BuildContext, rel: &str) -> Option<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let root = ctx.dir.join(rel);
    let bad = |mode: u32, dir: bool| mode & 0o004 == 0 || (dir && mode & 0o001 == 0);
    for e in ignore::WalkBuilder::new(&root)
        .hidden(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .build()
        .flatten()
        .take(10_000)
    {
        let Ok(m) = e.metadata() else { continue };
        let path = e
            .path()
            .strip_prefix(&ctx.dir)
            .unwrap_or(e.path())
            .to_string_lossy()
            .to_string();
        if ctx.ignored(&path, m.is_dir()) || m.file_type().is_symlink() {
            continue;
        }
        let mode = m.permissions().mode() & 0o7777;
        if bad(mode, m.is_dir()) {
            return Some((
                if path.is_empty() {
                    ".".to_string()
                } else {
                    path
                },
                mode,
            ));
        }
    }
    None
}
