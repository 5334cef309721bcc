//! What one step of a pipeline run did, for tests that ask about a step by
//! id. Each panics with the run's output when the step did something else,
//! so a test reads as the behaviour it expects.

use dfslim::pipeline::{Run, Status};

pub fn status<'a>(r: &'a Run, id: &str) -> &'a Status {
    &r.steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} did not run"))
        .status
}

/// The message of a step that applied.
pub fn applied(r: &Run, id: &str) -> String {
    match status(r, id) {
        Status::Applied { message, .. } => message.to_string(),
        other => panic!("{id} did not apply: {other:?}\n{}", r.output),
    }
}

/// The notes and "not checked" lines of a step that applied, one per line.
pub fn notes(r: &Run, id: &str) -> String {
    match status(r, id) {
        Status::Applied {
            notes, unchecked, ..
        } => notes
            .iter()
            .chain(unchecked)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("{id} did not apply: {other:?}\n{}", r.output),
    }
}

/// Why a step refused.
pub fn refused(r: &Run, id: &str) -> String {
    match status(r, id) {
        Status::Refused(why) => why.to_string(),
        other => panic!("{id} was not refused: {other:?}\n{}", r.output),
    }
}

/// Why a step did not apply: refused, or skipped (a step it needs did not
/// apply, a suppression comment, a stage that must stay).
pub fn held_back(r: &Run, id: &str) -> String {
    match status(r, id) {
        Status::Refused(why) | Status::Skipped(why) => why.to_string(),
        other => panic!(
            "{id} was neither refused nor skipped: {other:?}\n{}",
            r.output
        ),
    }
}

/// Why a step had nothing to do.
pub fn not_applicable(r: &Run, id: &str) -> String {
    match status(r, id) {
        Status::NotApplicable(why) => why.to_string(),
        other => panic!("{id} was not 'not applicable': {other:?}\n{}", r.output),
    }
}
