//! Byte-range edits on the original text.
//!
//! A rewrite is a set of [`Edit`]s applied in one pass; everything outside
//! their ranges is copied byte for byte. Two edits that overlap are a bug in
//! whoever made them, so they are rejected rather than guessed at.

use crate::syntax::Span;
use std::fmt;

/// Replace the bytes in `span` with `text` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), text)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// Why a set of edits could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    Overlap(Span, Span),
    OutOfBounds(Span),
    NotCharBoundary(Span),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Overlap(a, b) => write!(
                f,
                "overlapping edits {}..{} and {}..{}",
                a.start, a.end, b.start, b.end
            ),
            EditError::OutOfBounds(s) => write!(f, "edit {}..{} is out of bounds", s.start, s.end),
            EditError::NotCharBoundary(s) => {
                write!(f, "edit {}..{} splits a character", s.start, s.end)
            }
        }
    }
}

impl std::error::Error for EditError {}

/// Applies `edits` to `source`. Insertions at the same offset keep their
/// given order; an insertion may touch a replaced range at either end.
pub fn apply(source: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut order: Vec<&Edit> = edits.iter().collect();
    // Stable: equal starts keep their order; an insertion sorts before a
    // replacement that starts at the same offset.
    order.sort_by_key(|e| (e.span.start, !e.span.is_empty()));
    for e in &order {
        let s = e.span;
        if s.start > s.end || s.end > source.len() {
            return Err(EditError::OutOfBounds(s));
        }
        if !source.is_char_boundary(s.start) || !source.is_char_boundary(s.end) {
            return Err(EditError::NotCharBoundary(s));
        }
    }
    for w in order.windows(2) {
        let (a, b) = (w[0].span, w[1].span);
        if a.end > b.start || (!a.is_empty() && !b.is_empty() && a.start == b.start) {
            return Err(EditError::Overlap(a, b));
        }
    }
    let extra: usize = order.iter().map(|e| e.text.len()).sum();
    let mut out = String::with_capacity(source.len() + extra);
    let mut at = 0;
    for e in order {
        out.push_str(&source[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&source[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_one_pass() {
        let s = "FROM golang:1.16\nRUN go build\n";
        let edits = [
            Edit::insert(29, " -o app"),
            Edit::replace(Span::new(12, 16), "1.16-alpine"),
        ];
        assert_eq!(
            apply(s, &edits).unwrap(),
            "FROM golang:1.16-alpine\nRUN go build -o app\n"
        );
        assert_eq!(apply(s, &[]).unwrap(), s);
    }

    #[test]
    fn insertions_keep_their_order() {
        let e = [
            Edit::insert(1, "a"),
            Edit::insert(1, "b"),
            Edit::replace(Span::new(1, 2), "X"),
        ];
        assert_eq!(apply("012", &e).unwrap(), "0abX2");
        // An insertion at the end of a replacement is fine too.
        let e = [Edit::replace(Span::new(0, 1), "X"), Edit::insert(1, "a")];
        assert_eq!(apply("012", &e).unwrap(), "Xa12");
    }

    #[test]
    fn rejects_overlaps_and_bad_ranges() {
        let e = [
            Edit::replace(Span::new(0, 3), "x"),
            Edit::replace(Span::new(2, 4), "y"),
        ];
        assert!(matches!(apply("012345", &e), Err(EditError::Overlap(..))));
        let e = [Edit::replace(Span::new(0, 3), "x"), Edit::insert(1, "y")];
        assert!(matches!(apply("012345", &e), Err(EditError::Overlap(..))));
        let e = [
            Edit::replace(Span::new(1, 3), "x"),
            Edit::replace(Span::new(1, 2), "y"),
        ];
        assert!(matches!(apply("012345", &e), Err(EditError::Overlap(..))));
        assert!(matches!(
            apply("ab", &[Edit::insert(3, "x")]),
            Err(EditError::OutOfBounds(_))
        ));
        assert!(matches!(
            apply("é", &[Edit::insert(1, "x")]),
            Err(EditError::NotCharBoundary(_))
        ));
    }
}
