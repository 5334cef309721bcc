//! HEALTHCHECKs in a runtime with no shell and no HTTP client: one that
//! runs the program stays; one that runs curl or wget is pointed at the
//! program's own health command when its sources show one, else the step is
//! refused naming it. An HTTP client the runtime installs that no
//! HEALTHCHECK uses refuses too: the program itself may run it.

use super::runs::Runs;
use crate::analysis::StageFacts;
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Args, Command, Span};
use crate::transforms::text::json_array;
use crate::transforms::{Cx, Outcome};

/// The program the image runs: as written, and where it is in the image.
pub(super) struct Program<'a> {
    pub name: &'a str,
    pub path: &'a str,
}

/// What reaches the runtime, and where a command is found in it.
pub(super) struct Paths<'a> {
    pub has: &'a dyn Fn(&str) -> bool,
    /// The path a command of the instruction at this index runs.
    pub resolve: &'a dyn Fn(&str, usize) -> String,
}

/// The edits and notes for the runtime's HEALTHCHECKs, or why not.
pub(super) fn checks(
    cx: &Cx,
    rt: &StageFacts,
    runs: &Runs,
    program: Program,
    minimal: &str,
    paths: &Paths,
) -> Result<(Vec<Edit>, Vec<String>), Outcome> {
    let doc = cx.doc;
    let line = |i: usize| Loc::at(doc, i);
    let (has, resolve) = (paths.has, paths.resolve);
    let (program, program_path) = (program.name, program.path);
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    let mut clients_used: Vec<String> = Vec::new();
    for &h in &rt.healthchecks {
        let ins = &doc.instructions()[h];
        let Args::Healthcheck { kind, cmd: Some(c) } = &ins.args else {
            continue;
        };
        let ok = match c {
            Command::Exec(items) => items.first().is_some_and(|p| has(&resolve(&p.value, h))),
            Command::Shell(_) => false,
        };
        if ok {
            continue;
        }
        let tool = match c {
            Command::Exec(items) => items.first().map(|p| p.value.clone()).unwrap_or_default(),
            Command::Shell(w) => crate::analysis::shell::parse(&w.text)
                .commands
                .first()
                .and_then(|c| c.name().map(str::to_string))
                .unwrap_or_default(),
        };
        let tool = tool.rsplit('/').next().unwrap_or(&tool).to_string();
        let installed = runs
            .http_clients
            .iter()
            .find(|(_, p)| *p == tool)
            .map(|(r, _)| format!(" (installed on {})", line(*r)))
            .unwrap_or_default();
        let http = catalog::tables().runtime_runs.http_clients.contains(&tool);
        match (&cx.go().program.health, http) {
            (Some((arg, at)), true) => {
                let new = format!(
                    "{} {}",
                    kind.text,
                    json_array(&[program_path.to_string(), arg.clone()])
                );
                edits.push(Edit::replace(
                    Span::new(kind.span.start, ins.args_span.end),
                    new,
                ));
                notes.push(format!(
                    "the HEALTHCHECK on {} ran {tool}{installed}, which {minimal} does not have: it now runs the program's own health check, `{program_path} {arg}` ({at})",
                    line(h)
                ));
                clients_used.push(tool);
            }
            (None, true) => {
                let why = if cx.go().program.sources_read {
                    format!(
                        "the program offers no health command of its own (such as `{program} healthcheck`) to run instead"
                    )
                } else {
                    "without the program's sources (pass --context) dfslim cannot see a health command of its own to run instead".to_string()
                };
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} runs {tool}{installed}, which {minimal} does not have, and {why}",
                    line(h)
                )));
            }
            _ => {
                return Err(Outcome::refuse(format!(
                    "the HEALTHCHECK on {} runs a command {minimal} does not have",
                    line(h)
                )));
            }
        }
    }
    if let Some((r, p)) = runs
        .http_clients
        .iter()
        .find(|(_, p)| !clients_used.contains(p))
    {
        return Err(Outcome::refuse(format!(
            "{} runs a command in the runtime that {minimal} cannot replace: it installs {p}, which the program may run; {minimal} has none",
            line(*r)
        )));
    }
    Ok((edits, notes))
}
