//! Messages that name places in the user's Dockerfile.
//!
//! A transform sees the text as the transforms before it left it, so a line
//! number it could format would be a line of a file the user never has. It
//! writes a [`Loc`] instead (`format!("{} runs a command", Loc::of(ins))`):
//! the place of an instruction in the text it saw. The pipeline maps every
//! such place back through the edits applied before ([`origin`]) and keeps
//! the message as a [`Message`] whose places are lines of the original, or
//! instructions dfslim itself wrote. Renderers show those as `line 12` or
//! `the CMD dfslim wrote`; JSON and SARIF also get the lines as numbers.

use crate::edit::Edit;
use crate::syntax::{Document, Instruction, Keyword};
use std::fmt;

// A Loc travels inside a String between two noncharacters, which a
// Dockerfile, a path or a package name never holds.
const OPEN: char = '\u{FDD0}';
const SEP: char = '\u{FDD1}';
const CLOSE: char = '\u{FDD2}';

/// An instruction, by the offset of its keyword in the text a transform saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub offset: usize,
    pub keyword: Keyword,
}

impl Loc {
    pub fn of(ins: &Instruction) -> Loc {
        Loc {
            offset: ins.keyword_span.start,
            keyword: ins.keyword,
        }
    }

    /// The instruction at index `i` of `doc`.
    pub fn at(doc: &Document, i: usize) -> Loc {
        Loc::of(&doc.instructions()[i])
    }
}

impl fmt::Display for Loc {
    /// The encoded form, resolved by the pipeline; never shown as is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{OPEN}{}{SEP}{}{CLOSE}",
            self.offset,
            self.keyword.as_str().unwrap_or("instruction")
        )
    }
}

/// Where a place of the current text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// This byte offset of the original text.
    User(usize),
    /// Text dfslim wrote.
    Added,
}

/// One set of edits as applied to a text, ready to map offsets of the
/// result back: the edits in order, each with where its text landed.
#[derive(Clone, Debug)]
pub struct Applied {
    edits: Vec<Edit>,
    /// Per edit (in order): the start of its text in the result, and the
    /// result's length minus the source's for everything before it.
    landed: Vec<(usize, isize)>,
}

impl Applied {
    pub fn new(edits: &[Edit]) -> Applied {
        let mut edits = edits.to_vec();
        edits.sort_by_key(|e| (e.span.start, !e.span.is_empty()));
        let mut delta: isize = 0;
        let landed = edits
            .iter()
            .map(|e| {
                let at = ((e.span.start as isize) + delta) as usize;
                let before = delta;
                delta += e.text.len() as isize - e.span.len() as isize;
                (at, before)
            })
            .collect();
        Applied { edits, landed }
    }

    /// Where `offset` of the result was in the source `old`.
    fn back(&self, old: &str, offset: usize) -> Origin {
        // The last edit whose text starts at or before `offset`.
        let k = self.landed.partition_point(|&(at, _)| at <= offset);
        if k == 0 {
            return Origin::User(offset);
        }
        let (at, before) = self.landed[k - 1];
        let e = &self.edits[k - 1];
        if offset < at + e.text.len() {
            return moved_from(old, &self.edits, &e.text, offset - at);
        }
        let after = before + e.text.len() as isize - e.span.len() as isize;
        Origin::User((offset as isize - after).max(0) as usize)
    }
}

/// Maps `offset` of the text after applying every set in `steps` (each on
/// the text the previous left; `texts[k]` is what `steps[k]` was applied
/// to) back to the original. An instruction a transform moved (deleted in
/// one place, written verbatim in another by the same set of edits) maps to
/// where the user wrote it.
pub fn origin(texts: &[&str], steps: &[&Applied], mut offset: usize) -> Origin {
    for (text, step) in texts.iter().zip(steps).rev() {
        match step.back(text, offset) {
            Origin::User(o) => offset = o,
            Origin::Added => return Origin::Added,
        }
    }
    Origin::User(offset)
}

/// The place in `old` of the line of `written` at `at`, when the same set
/// of edits deleted a line of the same text: the instruction was moved.
fn moved_from(old: &str, edits: &[Edit], written: &str, at: usize) -> Origin {
    let line_start = written[..at].rfind('\n').map_or(0, |p| p + 1);
    let line_end = written[at..].find('\n').map_or(written.len(), |p| at + p);
    let line = written[line_start..line_end].trim();
    if line.is_empty() {
        return Origin::Added;
    }
    let column =
        at - line_start - (written[line_start..].len() - written[line_start..].trim_start().len());
    for e in edits.iter().filter(|e| !e.span.is_empty()) {
        let gone = e.span.of(old);
        let mut pos = 0;
        for l in gone.split_inclusive('\n') {
            if l.trim() == line {
                let lead = l.len() - l.trim_start().len();
                return Origin::User(e.span.start + pos + lead + column);
            }
            pos += l.len();
        }
    }
    Origin::Added
}

/// A part of a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Part {
    Text(String),
    Place(Place),
}

/// A place a message names, resolved to the original file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    /// The line of the original file, or `None` for an instruction dfslim wrote.
    pub line: Option<usize>,
    /// The instruction's keyword, upper case.
    pub keyword: &'static str,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}"),
            None => write!(f, "the {} dfslim wrote", self.keyword),
        }
    }
}

/// A message whose places are lines of the user's file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    pub parts: Vec<Part>,
}

impl Message {
    /// A message that names no place.
    pub fn plain(text: impl Into<String>) -> Message {
        Message {
            parts: vec![Part::Text(text.into())],
        }
    }

    /// Resolves the [`Loc`]s in `raw` with `resolve` (an offset of the text
    /// the transform saw to the original's line, `None` when dfslim wrote it).
    pub fn resolve(raw: &str, resolve: &dyn Fn(usize) -> Option<usize>) -> Message {
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find(OPEN) {
            let after = &rest[open + OPEN.len_utf8()..];
            let decoded = after.find(CLOSE).and_then(|close| {
                let (offset, keyword) = after[..close].split_once(SEP)?;
                Some((offset.parse::<usize>().ok()?, keyword, close))
            });
            let Some((offset, keyword, close)) = decoded else {
                break;
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            parts.push(Part::Place(Place {
                line: resolve(offset),
                keyword: Keyword::parse(keyword).as_str().unwrap_or("instruction"),
            }));
            rest = &after[close + CLOSE.len_utf8()..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Message { parts }
    }

    /// The places it names.
    pub fn places(&self) -> impl Iterator<Item = &Place> {
        self.parts.iter().filter_map(|p| match p {
            Part::Place(p) => Some(p),
            Part::Text(_) => None,
        })
    }

    /// The lines of the original file it names.
    pub fn lines(&self) -> Vec<usize> {
        self.places().filter_map(|p| p.line).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Text(t) => f.write_str(t)?,
                Part::Place(place) => write!(f, "{place}")?,
            }
        }
        Ok(())
    }
}

/// In JSON, the text as rendered (`lines()` gives the places as numbers).
impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Message {
        Message::plain(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Span;

    #[test]
    fn places_resolve_to_lines() {
        let doc = Document::parse("FROM a\nRUN b\n").unwrap();
        let raw = format!("{} runs b", Loc::at(&doc, 1));
        let m = Message::resolve(&raw, &|o| Some(doc.line_col(o).0 + 10));
        assert_eq!(m.to_string(), "line 12 runs b");
        assert_eq!(m.lines(), [12]);
        let m = Message::resolve(&raw, &|_| None);
        assert_eq!(m.to_string(), "the RUN dfslim wrote runs b");
        assert_eq!(Message::resolve("plain", &|_| None).to_string(), "plain");
    }

    #[test]
    fn offsets_map_back_through_edits() {
        let v0 = "FROM a\nRUN go build\n";
        let e0 = [Edit::insert(7, "ENV X=0\n")];
        let v1 = crate::edit::apply(v0, &e0).unwrap();
        // RUN moved one line down in v1; its keyword maps back to byte 7.
        let run = v1.find("RUN").unwrap();
        let a0 = Applied::new(&e0);
        assert_eq!(origin(&[v0], &[&a0], run), Origin::User(7));
        assert_eq!(origin(&[v0], &[&a0], 7), Origin::Added);
        assert_eq!(origin(&[v0], &[&a0], 3), Origin::User(3));
        // A second step that moves RUN to the end: still the user's line.
        let e1 = [
            Edit::delete(Span::new(run, v1.len())),
            Edit::insert(v1.len(), "\nFROM b\nRUN go build\n"),
        ];
        let v2 = crate::edit::apply(&v1, &e1).unwrap();
        let moved = v2.rfind("RUN").unwrap();
        let a1 = Applied::new(&e1);
        assert_eq!(origin(&[v0, &v1], &[&a0, &a1], moved), Origin::User(7));
        let from_b = v2.rfind("FROM").unwrap();
        assert_eq!(origin(&[v0, &v1], &[&a0, &a1], from_b), Origin::Added);
    }
}
