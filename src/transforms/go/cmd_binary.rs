//! `cmd-binary` (level 2): CMD and ENTRYPOINT run the built binary.
//!
//! **What**: in the image's stage, a CMD or ENTRYPOINT that runs
//! `go run PKG ARGS...` becomes the exec form of the binary's absolute path
//! with the same arguments. When nothing builds that package, a
//! `RUN go build -o` of it is added just before. A simple shell-form command
//! that runs a built binary becomes the exec form. An exec form that runs
//! the binary by a relative path already runs it: left as written (a
//! rewrite would change only the diff).
//!
//! **Why**: `go run` compiles at every start and needs the whole toolchain
//! in the image; the exec form needs no shell (scratch has none) and makes
//! the program PID 1, so `docker stop` reaches it.
//!
//! **Refuses** when the command uses shell features (variables, operators,
//! globs) around `go run`, or `go run` is given something dfslim cannot turn
//! into an exact `go build`.
//!
//! **Example**: `CMD ["go","run","./cmd/main.go"]` after
//! `RUN go build ./cmd/main.go` in `/go/src/app` -> `CMD ["/go/src/app/main"]`.

use crate::analysis::env::join_path;
use crate::analysis::go::build::binary_name;
use crate::analysis::go::cmd::{self as gocmd, Verb};
use crate::analysis::stages::Process;
use crate::analysis::{GoBuild, Output};
use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::text::{insert_before, json_array, kw, replace_args};
use crate::transforms::{Cx, Outcome, Transform};

pub struct CmdBinary;

impl Transform for CmdBinary {
    fn id(&self) -> &'static str {
        "cmd-binary"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let Some(rt) = cx.facts.runtime() else {
            return Outcome::not_applicable("no stages");
        };
        let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
        // With an exec-form ENTRYPOINT, CMD only holds its arguments.
        let procs: Vec<&Process> = match procs.first() {
            Some(p) if p.entrypoint && !p.shell_form => vec![p],
            _ => procs,
        };
        if procs.is_empty() {
            return Outcome::not_applicable("the image has no CMD or ENTRYPOINT");
        }
        let mut edits = Vec::new();
        let mut messages = Vec::new();
        for p in procs {
            match one(cx, p) {
                Step::Edit(e, m) => {
                    edits.extend(e);
                    messages.push(m);
                }
                Step::Refuse(why) => return Outcome::refuse(why),
                Step::Nothing => {}
            }
        }
        if edits.is_empty() {
            return Outcome::not_applicable(
                "CMD and ENTRYPOINT already run a binary in exec form (or not one built here)",
            );
        }
        Outcome::apply(edits, crate::transforms::text::listing(&messages, "; "))
    }
}

enum Step {
    Edit(Vec<Edit>, String),
    Refuse(String),
    Nothing,
}

fn one(cx: &Cx, p: &Process) -> Step {
    let doc = cx.doc;
    let ins = &doc.instructions()[p.ins];
    let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let at = cx.facts.stages[cx.facts.runtime().map_or(0, |r| r.index)].at(doc, p.ins);
    let Some(argv) = &p.argv else {
        let text = ins.args_span.of(doc.text());
        if text.contains("go run") {
            return Step::Refuse(format!(
                "{what} on {} runs `go run` inside shell syntax dfslim cannot rewrite exactly",
                Loc::of(ins)
            ));
        }
        return Step::Nothing;
    };
    let Some(prog) = argv.first() else {
        return Step::Nothing;
    };
    if is_go_toolchain(prog) && argv.get(1).map(String::as_str) == Some("run") {
        return go_run(cx, p, argv, what);
    }
    // A simple shell form running a Go binary the image has becomes exec
    // form (no shell between docker stop and the program). An exec form
    // with a relative path already runs it as written: rewriting it to an
    // absolute path would change nothing but the diff.
    if !p.shell_form {
        return Step::Nothing;
    }
    let Some(path) = cx
        .go()
        .binary_in_image(cx.facts, prog, at.workdir.as_deref())
    else {
        return Step::Nothing;
    };
    let mut new_argv = vec![path.clone()];
    new_argv.extend(argv[1..].iter().cloned());
    Step::Edit(
        replace_args(doc, ins, json_array(&new_argv)),
        format!("{what} runs {path} in exec form"),
    )
}

fn go_run(cx: &Cx, p: &Process, argv: &[String], what: &str) -> Step {
    let doc = cx.doc;
    let ins = &doc.instructions()[p.ins];
    let stage = doc.stage_of(p.ins).map_or(0, |s| s.index);
    let at = cx.facts.stages[stage].at(doc, p.ins);
    // Read `go run` with the same flag rules as a RUN line.
    let fake = format!("FROM scratch\nRUN {}\n", shell_words(argv));
    let Ok(parsed) = crate::syntax::Document::parse(fake) else {
        return Step::Refuse(format!("cannot read the `go run` on {}", Loc::of(ins)));
    };
    let Some(cmd) = gocmd::go_commands(&parsed, &parsed.instructions()[1])
        .into_iter()
        .next()
    else {
        return Step::Refuse(format!("cannot read the `go run` on {}", Loc::of(ins)));
    };
    if cmd.verb != Verb::Run || cmd.packages().is_empty() {
        return Step::Refuse(format!("{}: `go run` without a package", Loc::of(ins)));
    }
    let pkgs: Vec<String> = cmd.packages().iter().map(|a| a.value.clone()).collect();
    let args: Vec<String> = cmd.program_args().iter().map(|a| a.value.clone()).collect();
    if cmd.flags.iter().any(|f| f.name == "exec") {
        return Step::Refuse(format!(
            "{}: `go run -exec` has no `go build` equivalent",
            Loc::of(ins)
        ));
    }
    let Some(workdir) = at.workdir.clone() else {
        return Step::Refuse(format!(
            "{}: the working directory is only known at build time",
            Loc::of(ins)
        ));
    };
    let mut edits = Vec::new();
    let same = |b: &&GoBuild| {
        let theirs: Vec<String> = b.cmd.packages().iter().map(|a| norm(&a.value)).collect();
        let ours: Vec<String> = pkgs.iter().map(|p| norm(p)).collect();
        b.cwd.as_deref() == Some(workdir.as_str())
            && theirs == ours
            && b.stage == stage
            && b.ins < p.ins
    };
    let existing = cx
        .go()
        .builds_in(stage)
        .filter(same)
        .filter_map(|b| match &b.output {
            Output::File(f) => Some((f.clone(), b.ins)),
            _ => None,
        })
        .last();
    let (binary, how) = match existing {
        Some((f, at)) => (f, format!("built on {}", Loc::at(doc, at))),
        None => {
            let name = if pkgs[0].ends_with(".go") {
                pkgs[0]
                    .rsplit('/')
                    .next()
                    .unwrap_or("app")
                    .trim_end_matches(".go")
                    .to_string()
            } else if pkgs[0] == "." || pkgs[0] == "./" {
                cx.facts
                    .context
                    .as_ref()
                    .and_then(|c| c.go().module.as_deref())
                    .and_then(binary_name)
                    .or_else(|| binary_name(&workdir))
                    .unwrap_or_else(|| "app".into())
            } else {
                binary_name(&pkgs[0]).unwrap_or_else(|| "app".into())
            };
            // Never a binary named go: it would read as the toolchain.
            let name = if name == "go" {
                "app".to_string()
            } else {
                name
            };
            let bin = join_path(&workdir, &name);
            let mut line = vec!["go".to_string(), "build".to_string()];
            for f in &cmd.flags {
                line.push(match &f.value {
                    Some(v) => format!("-{}={}", f.name, v),
                    None => format!("-{}", f.name),
                });
            }
            line.extend(["-o".to_string(), bin.clone()]);
            line.extend(pkgs.iter().cloned());
            edits.push(add_build(doc, p.ins, &shell_words(&line)));
            (bin, "a `go build` added before it".to_string())
        }
    };
    let mut new_argv = vec![binary.clone()];
    new_argv.extend(args);
    edits.extend(replace_args(doc, ins, json_array(&new_argv)));
    Step::Edit(
        edits,
        format!(
            "{what} runs {binary} ({how}) instead of `go run {}`",
            pkgs.join(" ")
        ),
    )
}

fn norm(p: &str) -> String {
    p.trim_start_matches("./").trim_end_matches('/').to_string()
}

/// Words joined for a shell line, quoted where needed.
pub(crate) fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,@+%".contains(&b))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds `build` (a shell command) before instruction `at`: appended with
/// `&&` to the RUN just before it when only instructions that go to the
/// runtime stage are in between (two RUNs in a row is hadolint DL3059),
/// else as a RUN line of its own.
pub(crate) fn add_build(doc: &crate::syntax::Document, at: usize, build: &str) -> Edit {
    use crate::syntax::{Command, Keyword};
    let moves = crate::transforms::for_the_container;
    let stage_from = doc.stage_of(at).map_or(0, |s| s.from);
    let prev = (stage_from + 1..at)
        .rev()
        .find(|&i| !moves(doc.instructions()[i].keyword));
    if let Some(i) = prev {
        let run = &doc.instructions()[i];
        let plain = run.keyword == Keyword::Run
            && run.heredocs.is_empty()
            && matches!(run.command(), Some(Command::Shell(w)) if !w.text.contains('#'));
        if plain {
            let esc = doc.escape();
            let nl = doc.newline();
            let indent = doc.indent_at(run.keyword_span.start);
            return Edit::insert(run.span.end, format!(" && {esc}{nl}{indent}    {build}"));
        }
    }
    insert_before(
        doc,
        &doc.instructions()[at],
        &[format!("{} {build}", kw(doc, "RUN"))],
    )
}

/// `go` or a path to the toolchain's `go` (`/usr/local/go/bin/go`); not a
/// program that happens to be named go.
pub(crate) fn is_go_toolchain(prog: &str) -> bool {
    prog == "go" || prog.ends_with("/bin/go")
}
