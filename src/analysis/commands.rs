//! The simple commands inside a RUN (`apt-get install ...`, `go build ...`,
//! `npm ci`), every word with its span in the source, so a transform can
//! insert or replace a word exactly. The ecosystems read their own commands
//! out of these lines.

use super::shell::{self, ShellWord};
use crate::syntax::{Command, Document, Instruction, Span};

/// A word of a command line, located in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// Where it is in the source (a JSON element's span includes its quotes).
    pub span: Span,
    /// Its value, unquoted.
    pub value: String,
    pub dynamic: bool,
    /// Came from a JSON (exec form) element.
    pub json: bool,
}

/// One simple command of a RUN: its name (without a directory), its words
/// (the name first) and the `NAME=value` words before it.
#[derive(Clone, Debug)]
pub struct CommandLine {
    pub name: String,
    pub args: Vec<Arg>,
    pub assignments: Vec<(String, String, Arg)>,
}

impl CommandLine {
    /// Moves every word `bytes` along the source (its RUN was kept as it
    /// was after an edit before it).
    pub fn shift(&mut self, bytes: isize) {
        let arg = |a: &mut Arg| {
            a.span.start = a.span.start.wrapping_add_signed(bytes);
            a.span.end = a.span.end.wrapping_add_signed(bytes);
        };
        self.args.iter_mut().for_each(arg);
        self.assignments.iter_mut().for_each(|(_, _, a)| arg(a));
    }
}

/// Every command of a RUN, located in the source.
pub fn command_lines(doc: &Document, ins: &Instruction) -> (Vec<CommandLine>, bool) {
    match ins.command() {
        Some(Command::Exec(items)) => {
            let args: Vec<Arg> = items
                .iter()
                .map(|j| Arg {
                    span: j.span,
                    value: j.value.clone(),
                    dynamic: false,
                    json: true,
                })
                .collect();
            let name = args
                .first()
                .map(|a| base_name(&a.value).to_string())
                .unwrap_or_default();
            (
                vec![CommandLine {
                    name,
                    args,
                    assignments: Vec::new(),
                }],
                false,
            )
        }
        Some(Command::Shell(word)) => {
            let script = shell::parse(&word.text);
            let at = |w: &ShellWord| Arg {
                span: ins.logical.span(word.lstart + w.start, word.lstart + w.end),
                value: w.value.clone(),
                dynamic: w.dynamic,
                json: false,
            };
            let mut lines: Vec<CommandLine> =
                script.commands.iter().map(|c| line(c, &at)).collect();
            let mut features = script.uses_shell_features;
            // `RUN <<EOF` (or `RUN bash <<EOF`): the body is the script.
            let runs_body = lines
                .iter()
                .find(|l| !l.name.is_empty())
                .is_none_or(|l| matches!(l.name.as_str(), "sh" | "bash" | "ash" | "dash"));
            if ins.keyword == crate::syntax::Keyword::Run && runs_body {
                for h in &ins.heredocs {
                    features = true;
                    lines.extend(script_lines(doc, h.body.start, h.body.of(doc.text())));
                }
            }
            (lines, features)
        }
        None => (Vec::new(), false),
    }
}

fn line(c: &shell::SimpleCommand, at: &dyn Fn(&ShellWord) -> Arg) -> CommandLine {
    CommandLine {
        name: c.name().unwrap_or("").to_string(),
        args: c.words.iter().map(at).collect(),
        assignments: c
            .assignments
            .iter()
            .filter_map(|w| {
                let (n, v) = w.value.split_once('=')?;
                Some((n.to_string(), v.to_string(), at(w)))
            })
            .collect(),
    }
}

/// The commands of a script whose text `body` starts at byte `start` of
/// the document: one line at a time (a newline ends a command there), a
/// backslash-newline joining two lines as the shell does.
fn script_lines(doc: &Document, start: usize, body: &str) -> Vec<CommandLine> {
    let _ = doc;
    // Same length, so offsets still point into the document.
    let joined = body.replace("\\\n", "  ");
    let mut out = Vec::new();
    let mut offset = 0;
    for text in joined.split_inclusive('\n') {
        let here = start + offset;
        offset += text.len();
        let script = shell::parse(text.trim_end_matches(['\n', '\r']));
        let at = |w: &ShellWord| Arg {
            span: Span::new(here + w.start, here + w.end),
            value: w.value.clone(),
            dynamic: w.dynamic,
            json: false,
        };
        out.extend(script.commands.iter().map(|c| line(c, &at)));
    }
    out
}

fn base_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Where the cache and tmpfs mounts of a RUN mount
/// (`RUN --mount=type=cache,target=/root/.cache/pip ...`): what they hold
/// never reaches the layer.
pub fn cache_mounts(ins: &Instruction) -> Vec<String> {
    ins.flags
        .iter()
        .filter(|f| f.name().eq_ignore_ascii_case("mount"))
        .filter_map(|f| {
            let mut kind = "bind";
            let mut target = None;
            for field in f.value()?.split(',') {
                let (k, v) = field.split_once('=').unwrap_or((field, ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "type" => kind = v.trim(),
                    "target" | "dst" | "destination" => target = Some(v.trim()),
                    _ => {}
                }
            }
            let target = target?;
            matches!(kind, "cache" | "tmpfs").then(|| target.trim_end_matches('/').to_string())
        })
        .collect()
}
