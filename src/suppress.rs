//! Suppression comments: `# dfslim: ignore` and `# dfslim: ignore=ID[,ID]`.
//!
//! Before the first instruction, `# dfslim: ignore` leaves the file alone and
//! `# dfslim: ignore=ID,…` turns those transforms off for the whole file. An
//! ecosystem's name (`go`, `node`, `python`...) stands for all its transforms.
//! Anywhere else a suppression covers the next instruction only (or the one
//! it sits inside, for a comment between continuation lines): a transform
//! whose edits touch that instruction is not applied. Without ids it covers
//! every transform.

use crate::ecosystem::Ecosystem;
use crate::edit::Edit;
use crate::syntax::{Document, Span};
use crate::transforms;

/// True when a `# dfslim: ignore` comment (without ids) comes before the
/// first instruction: the file is left alone.
pub fn ignores_file(text: &str) -> bool {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some(comment) = t.strip_prefix('#') else {
            return false;
        };
        if parse(comment).is_some_and(|ids| ids.is_empty()) {
            return true;
        }
    }
    false
}

/// Reads a comment's text (after `#`): `None` when it is not a dfslim
/// suppression, else the ids it names (empty: all).
pub fn parse(comment: &str) -> Option<Vec<String>> {
    let rest = comment.trim().strip_prefix("dfslim:")?.trim();
    let rest = rest.strip_prefix("ignore")?.trim();
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let ids = rest.strip_prefix('=')?;
    Some(
        ids.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// What a suppression comment covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole file (the comment is before the first instruction).
    File,
    /// One instruction: from the start of its first line to its end
    /// (`line`); `comment` is where the comment's line starts.
    Instruction {
        span: Span,
        line: usize,
        comment: usize,
    },
}

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Known transform ids it names; empty: every transform.
    pub ids: Vec<String>,
    /// The comment's line.
    pub line: usize,
    pub scope: Scope,
}

/// A suppression comment naming an id no transform has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The suppressions of `doc` (in file order), and warnings for unknown ids.
pub fn scan(doc: &Document) -> (Vec<Suppression>, Vec<Warning>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    // Most files have none: skip the work.
    if !doc.text().contains("dfslim:") {
        return (out, warnings);
    }
    let first = doc.instructions().first().map(|i| i.span.start);
    for c in doc.comments() {
        let text = c.span.of(doc.text());
        let Some(ids) = text.strip_prefix('#').and_then(parse) else {
            continue;
        };
        let mut known = Vec::new();
        for id in ids {
            if transforms::by_id(&id).is_some() || Ecosystem::parse(&id).is_some() {
                known.push(id);
            } else {
                let column = doc.line_col(c.span.start).1;
                warnings.push(Warning {
                    line: c.line,
                    column,
                    message: format!(
                        "unknown transform or ecosystem {id:?} in a suppression comment; `dfslim transforms` lists them"
                    ),
                });
            }
        }
        let all_unknown = known.is_empty() && text.contains('=');
        if all_unknown {
            continue;
        }
        let scope = if first.is_none_or(|f| c.span.start < f) {
            if known.is_empty() {
                // `# dfslim: ignore` at the top: handled by `ignores_file`.
                continue;
            }
            Scope::File
        } else {
            // The instruction the comment sits in, else the next one.
            let ins = doc
                .instructions()
                .iter()
                .find(|i| i.span.end >= c.span.end && doc.line_span(i).start <= c.span.start)
                .or_else(|| {
                    doc.instructions()
                        .iter()
                        .find(|i| i.span.start >= c.span.end)
                });
            let Some(ins) = ins else {
                continue;
            };
            Scope::Instruction {
                span: Span::new(doc.line_start(ins.start_line), ins.span.end),
                line: ins.start_line,
                comment: doc.line_start(c.line),
            }
        };
        out.push(Suppression {
            ids: known,
            line: c.line,
            scope,
        });
    }
    (out, warnings)
}

impl Suppression {
    /// True when it covers transform `id` (by its id or its ecosystem's name).
    pub fn covers(&self, id: &str) -> bool {
        let eco = crate::catalog::entry(id).map(|e| e.ecosystem.name());
        self.ids.is_empty() || self.ids.iter().any(|i| i == id || Some(i.as_str()) == eco)
    }

    /// True when an edit of `edit` (a byte range; empty: an insertion)
    /// touches what this suppression covers.
    pub fn touches(&self, edit: Span) -> bool {
        match &self.scope {
            Scope::File => true,
            Scope::Instruction { span, .. } => {
                if edit.is_empty() {
                    span.start <= edit.start && edit.start <= span.end
                } else {
                    edit.start < span.end && edit.end > span.start
                }
            }
        }
    }

    /// How a step it stops is reported.
    pub fn reason(&self, id: &str) -> String {
        let what = if self.ids.is_empty() {
            "`# dfslim: ignore`".to_string()
        } else {
            format!("`# dfslim: ignore={}`", self.ids.join(","))
        };
        match &self.scope {
            Scope::File => format!("suppressed by {what} on line {}", self.line),
            Scope::Instruction { line, .. } => format!(
                "suppressed by {what} on line {}: {id} would change the instruction on line {line}",
                self.line
            ),
        }
    }
}

/// Moves each insertion of whole lines that would land between a
/// suppression comment and its instruction to just above the comment, so
/// that the comment still names the instruction it was written for (and
/// running dfslim again reads it the same way). `text` is what the edits apply to.
pub fn keep_attached(suppressions: &[Suppression], text: &str, edits: &mut [Edit]) {
    for e in edits.iter_mut() {
        let at = e.span.start;
        let line_start = at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
        if !e.span.is_empty() || !e.text.ends_with('\n') || !line_start {
            continue;
        }
        for s in suppressions {
            if let Scope::Instruction { span, comment, .. } = s.scope
                && comment < at
                && at <= span.start
            {
                e.span = Span::empty(comment);
            }
        }
    }
}

/// Reads the suppressions of `doc`, a rewrite of the text `original` was
/// read from, keeping the line numbers of the text as the user wrote it.
/// Transforms never drop or duplicate a comment (the pipeline checks), and
/// comments travel with the instructions they sit above, so the k-th
/// comment naming some ids is the k-th such comment of the original.
pub fn rescan(doc: &Document, original: &[Suppression]) -> Vec<Suppression> {
    let mut found = scan(doc).0;
    for k in 0..found.len() {
        let nth = found[..k].iter().filter(|s| s.ids == found[k].ids).count();
        let Some(o) = original.iter().filter(|o| o.ids == found[k].ids).nth(nth) else {
            continue;
        };
        found[k].line = o.line;
        if let (Scope::Instruction { line, .. }, Scope::Instruction { line: ol, .. }) =
            (&mut found[k].scope, &o.scope)
        {
            *line = *ol;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_suppressions() {
        assert_eq!(parse(" dfslim: ignore"), Some(vec![]));
        assert_eq!(
            parse(" dfslim: ignore=cgo-off, strip-flags"),
            Some(vec!["cgo-off".into(), "strip-flags".into()])
        );
        assert_eq!(parse(" just a comment"), None);
        assert_eq!(parse(" dfslim: ignored"), None);
        assert!(ignores_file(
            "# syntax=docker/dockerfile:1\n# dfslim: ignore\nFROM a\n"
        ));
        assert!(!ignores_file("FROM a\n# dfslim: ignore\n"));
        assert!(!ignores_file("# dfslim: ignore=cgo-off\nFROM a\n"));
    }

    #[test]
    fn scopes_and_warnings() {
        let doc = Document::parse(concat!(
            "# dfslim: ignore=cgo-off,nope\n", // 1: file-wide, one unknown id
            "FROM golang:1.21\n",              // 2
            "# dfslim: ignore=strip-flags\n",  // 3: the RUN below
            "\n",                              // 4
            "RUN go build \\\n",               // 5
            "  # dfslim: ignore\n",            // 6: inside the RUN
            "  -o /app .\n",                   // 7
            "# dfslim: ignore=bogus\n",        // 8: only unknown ids
            "CMD [\"/app\"]\n",                // 9
        ))
        .unwrap();
        let (s, w) = scan(&doc);
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].line, w[1].line), (1, 8));
        assert!(w[0].message.contains("\"nope\""), "{}", w[0].message);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].scope.clone(), s[0].ids.clone()),
            (Scope::File, vec!["cgo-off".to_string()])
        );
        let run_line = |s: &Suppression| match s.scope {
            Scope::Instruction { line, .. } => line,
            Scope::File => 0,
        };
        assert_eq!((run_line(&s[1]), s[1].line), (5, 3));
        assert_eq!((run_line(&s[2]), s[2].line), (5, 6));
        assert!(s[1].covers("strip-flags") && !s[1].covers("cgo-off"));
        assert!(s[2].covers("cgo-off"));
        // Touching: an edit inside the RUN, an insertion at its line start;
        // not the CMD.
        let run = doc.line_start(5);
        assert!(s[1].touches(Span::new(run + 4, run + 6)));
        assert!(s[1].touches(Span::empty(run)));
        assert!(!s[1].touches(Span::new(doc.line_start(9), doc.line_start(9) + 3)));
        assert!(s[1].reason("strip-flags").contains("on line 3"));
    }

    #[test]
    fn stays_on_its_instruction_through_edits() {
        let text = "FROM a\n# dfslim: ignore=strip-flags\nRUN go build .\nCMD x\n";
        let doc = Document::parse(text).unwrap();
        let original = scan(&doc).0;
        // A new line between the comment and its RUN goes above the comment.
        let run = text.find("RUN").unwrap();
        let mut edits = [Edit::insert(run, "ENV CGO_ENABLED=0\n")];
        keep_attached(&original, text, &mut edits);
        let next = crate::edit::apply(text, &edits).unwrap();
        assert_eq!(
            next,
            "FROM a\nENV CGO_ENABLED=0\n# dfslim: ignore=strip-flags\nRUN go build .\nCMD x\n"
        );
        // Read again, it still covers the RUN and reports the line as written.
        let again = rescan(&Document::parse(next.clone()).unwrap(), &original);
        let Scope::Instruction { span, line, .. } = again[0].scope else {
            panic!("{again:?}")
        };
        assert_eq!(span.of(&next), "RUN go build .");
        assert_eq!((again[0].line, line), (2, 3));
    }
}
