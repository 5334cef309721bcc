//! Unified diffs of a rewrite (`--dry-run`), with colour on a terminal.

use similar::{ChangeTag, TextDiff};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A unified diff of `old` -> `new` with 3 lines of context, headed by `path`.
/// Empty when the texts are equal.
pub fn unified(path: &str, old: &str, new: &str, color: bool) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let paint = |c: &str| if color { c.to_string() } else { String::new() };
    let reset = paint(RESET);
    let _ = writeln!(out, "{}--- {path}{reset}", paint(BOLD));
    let _ = writeln!(out, "{}+++ {path}{reset}", paint(BOLD));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "{}{}{reset}", paint(CYAN), hunk.header());
        for change in hunk.iter_changes() {
            let (sign, colour) = match change.tag() {
                ChangeTag::Delete => ('-', paint(RED)),
                ChangeTag::Insert => ('+', paint(GREEN)),
                ChangeTag::Equal => (' ', String::new()),
            };
            let line = change.value();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let end = if colour.is_empty() {
                ""
            } else {
                reset.as_str()
            };
            let _ = writeln!(out, "{colour}{sign}{body}{end}");
            if change.missing_newline() {
                let _ = writeln!(out, "\\ No newline at end of file");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_unified_diff() {
        let d = unified(
            "Dockerfile",
            "FROM golang:1.16\nRUN x\n",
            "FROM golang:1.16-alpine\nRUN x\n",
            false,
        );
        assert_eq!(
            d,
            "--- Dockerfile\n+++ Dockerfile\n@@ -1,2 +1,2 @@\n-FROM golang:1.16\n+FROM golang:1.16-alpine\n RUN x\n"
        );
        assert_eq!(unified("x", "a\n", "a\n", false), "");
        assert!(unified("x", "a", "b", false).contains("\\ No newline at end of file"));
        assert!(unified("x", "a\n", "b\n", true).contains("\x1b[31m-a\x1b[0m"));
    }
}
