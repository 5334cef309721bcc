//! Which binary the image runs, and where `go build` puts it.

use crate::analysis::Output;
use crate::analysis::StageFacts;
use crate::analysis::env::join_path;
use crate::analysis::stages::Process;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Document, Instruction};
use crate::transforms::text::json_array;
use crate::transforms::{Cx, Outcome};

/// The image's command: the exec-form ENTRYPOINT, else CMD; it must be a
/// fixed argv that does not run the Go toolchain.
pub(super) fn command<'a>(cx: &Cx, rt: &'a StageFacts) -> Result<&'a Process, Outcome> {
    let line = |i: usize| Loc::at(cx.doc, i);
    let proc = rt
        .entrypoint
        .as_ref()
        .filter(|p| !p.shell_form || rt.cmd.is_none())
        .or(rt.cmd.as_ref())
        .ok_or_else(|| {
            Outcome::refuse(
                "the image has no CMD or ENTRYPOINT, so dfslim cannot tell which binary it runs",
            )
        })?;
    let argv = proc.argv.as_ref().ok_or_else(|| {
        Outcome::refuse(format!(
            "the command on {} is shell syntax that may need files of the builder",
            line(proc.ins)
        ))
    })?;
    let prog = argv
        .first()
        .ok_or_else(|| Outcome::refuse(format!("the command on {} is empty", line(proc.ins))))?;
    if super::super::cmd_binary::is_go_toolchain(prog) {
        return Err(Outcome::refuse(format!(
            "the command on {} runs the Go toolchain (`{}`); cmd-binary must turn it into the binary first",
            line(proc.ins),
            argv.join(" ")
        )));
    }
    Ok(proc)
}

/// The binary `proc` runs, among what the stage's builds produce.
pub(super) fn find(cx: &Cx, proc: &Process, workdir: Option<&str>) -> Result<Binary, Outcome> {
    let prog = proc
        .argv
        .as_ref()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or_default();
    binary_path(cx, &prog, workdir)
        .filter(|b| b.path.rsplit('/').next().is_some_and(|name| !name.is_empty() && name != "." && name != ".."))
        .ok_or_else(|| {
        Outcome::refuse(format!(
            "the command on {} runs {prog}, which no `go build` in this stage is known to produce",
            Loc::at(cx.doc, proc.ins)
        ))
    })
}

/// The binary the command runs.
pub(super) struct Binary {
    pub path: String,
    /// Rewrite argv[0] to this absolute path (it relied on a relative path or PATH).
    absolute_argv0: bool,
    /// An edit adding `-o` to a build whose output name is unknown.
    pub fix_output: Option<Edit>,
}

impl Binary {
    pub fn rewrite_command(
        &self,
        doc: &Document,
        ins: &Instruction,
        p: &Process,
    ) -> Option<String> {
        if !self.absolute_argv0 || p.shell_form {
            return None;
        }
        let mut argv = p.argv.clone()?;
        argv[0] = self.path.clone();
        let kw_text = ins.keyword_span.of(doc.text());
        let nl = doc.newline();
        let comments: String = crate::transforms::text::inner_comments(doc, ins)
            .iter()
            .map(|c| format!("{}{nl}", c.trim_start()))
            .collect();
        Some(format!("{comments}{kw_text} {}", json_array(&argv)))
    }
}

fn binary_path(cx: &Cx, prog: &str, workdir: Option<&str>) -> Option<Binary> {
    let facts = cx.facts;
    let rt = facts.runtime()?.index;
    let builds: Vec<_> = cx.go().builds_in(rt).collect();
    let wanted = if prog.starts_with('/') {
        Some(prog.to_string())
    } else if prog.contains('/') {
        workdir.map(|w| join_path(w, prog))
    } else {
        None
    };
    for b in builds.iter().rev() {
        match (&b.output, &wanted) {
            (Output::File(f), Some(w)) if f == w => {
                return Some(Binary {
                    path: f.clone(),
                    absolute_argv0: !prog.starts_with('/'),
                    fix_output: None,
                });
            }
            (Output::Dir(d), Some(w)) if w.starts_with(&format!("{d}/")) => {
                return Some(Binary {
                    path: w.clone(),
                    absolute_argv0: !prog.starts_with('/'),
                    fix_output: None,
                });
            }
            // A bare name found through PATH (go install puts it in $GOPATH/bin).
            (Output::File(f), None) if f.rsplit('/').next() == Some(prog) => {
                let dir = f.rsplit_once('/').map_or("", |(d, _)| d);
                let on_path = b
                    .env
                    .known("PATH")
                    .is_some_and(|p| p.split(':').any(|e| e == dir));
                if on_path {
                    return Some(Binary {
                        path: f.clone(),
                        absolute_argv0: true,
                        fix_output: None,
                    });
                }
            }
            (Output::Dir(d), None) => {
                let on_path = b
                    .env
                    .known("PATH")
                    .is_some_and(|p| p.split(':').any(|e| e == d));
                if on_path {
                    return Some(Binary {
                        path: format!("{d}/{prog}"),
                        absolute_argv0: true,
                        fix_output: None,
                    });
                }
            }
            _ => {}
        }
    }
    // One build of unknown name in the directory the command looks in: name it.
    let w = wanted?;
    let dir = w
        .rsplit_once('/')
        .map(|(d, _)| if d.is_empty() { "/" } else { d })?;
    let unknown: Vec<_> = builds
        .iter()
        .filter(|b| matches!(b.output, Output::Unknown(_)))
        .collect();
    if let [b] = unknown.as_slice()
        && b.cwd.as_deref() == Some(dir)
        && b.cmd.flag("o").is_none()
        && !b.cmd.exec_form
    {
        let at = b.cmd.verb_word.span.end;
        return Some(Binary {
            path: w.clone(),
            absolute_argv0: !prog.starts_with('/'),
            fix_output: Some(Edit::insert(at, format!(" -o {w}"))),
        });
    }
    None
}
