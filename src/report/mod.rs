//! Rendering results: diffs, text, JSON, SARIF, and the `inspect` view.
//! Renderers return strings; the CLI decides where they go.

pub mod diff;
pub mod inspect;
pub mod json;
pub mod sarif;
pub mod text;

use crate::pipeline::Run;

/// What happened to one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// As given or found (`-` for standard input).
    pub path: String,
    pub outcome: FileOutcome,
    /// The build context read, as shown, and what chose it.
    pub context: Option<ContextUsed>,
    /// Things worth telling that are not errors (unknown ids in suppression comments).
    pub warnings: Vec<Problem>,
}

/// The build context a file was rewritten against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextUsed {
    pub dir: String,
    /// `the Dockerfile's directory`, `--context`, `compose service api (compose.yaml)`, `[[context]] at dfslim.toml:9`.
    pub from: String,
}

#[derive(Clone, Debug)]
pub enum FileOutcome {
    /// The pipeline ran (whether or not anything changed).
    Done(Run),
    /// `# dfslim: ignore` at the top: left alone.
    Ignored,
    /// Could not be read, parsed or written.
    Error(Problem),
}

/// An error about a file, at a line and column when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Problem {
        Problem {
            at: None,
            message: message.into(),
        }
    }

    pub fn at(line: usize, column: usize, message: impl Into<String>) -> Problem {
        Problem {
            at: Some((line, column)),
            message: message.into(),
        }
    }

    /// `path:line:col: message`, or `path: message`.
    pub fn render(&self, path: &str) -> String {
        match self.at {
            Some((l, c)) => format!("{path}:{l}:{c}: {}", self.message),
            None => format!("{path}: {}", self.message),
        }
    }
}

impl FileReport {
    /// A report with no context and no warnings.
    pub fn new(path: impl Into<String>, outcome: FileOutcome) -> FileReport {
        FileReport {
            path: path.into(),
            outcome,
            context: None,
            warnings: Vec::new(),
        }
    }

    pub fn status(&self) -> &'static str {
        match &self.outcome {
            FileOutcome::Done(run) if run.changed() => "changed",
            FileOutcome::Done(_) => "unchanged",
            FileOutcome::Ignored => "ignored",
            FileOutcome::Error(_) => "error",
        }
    }

    pub fn run(&self) -> Option<&Run> {
        match &self.outcome {
            FileOutcome::Done(run) => Some(run),
            _ => None,
        }
    }
}

/// Counts over a batch of files.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub ignored: usize,
    pub errors: usize,
    /// Refusals per transform id.
    pub refused: std::collections::BTreeMap<String, usize>,
    /// Steps a suppression comment stopped, per transform id.
    pub suppressed: std::collections::BTreeMap<String, usize>,
    pub warnings: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            s.add(r);
        }
        s
    }

    /// Counts one more file.
    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        match r.status() {
            "changed" => self.changed += 1,
            "unchanged" => self.unchanged += 1,
            "ignored" => self.ignored += 1,
            _ => self.errors += 1,
        }
        self.warnings += r.warnings.len();
        for step in r.run().map_or(&[][..], |run| &run.steps) {
            if matches!(step.status, crate::pipeline::Status::Refused(_)) {
                *self.refused.entry(step.id.to_string()).or_default() += 1;
            }
            if step.suppressed.is_some() {
                *self.suppressed.entry(step.id.to_string()).or_default() += 1;
            }
        }
    }
}
