//! Reading a document again after an edit: only the instructions around
//! the edit are parsed, those before it kept and those after it moved
//! along (see `shift.rs`), so an applied step costs a line or two of
//! parsing, not the file. When in doubt, it is a full parse.

use super::{Document, ParseError, Span, parse, shift};

/// `DFSLIM_CHECK_REPARSE=1` (and every debug build): each document re-read
/// around an edit, and what analysis keeps of its instructions, is compared
/// with a full reading, and a difference is a panic (the tests run the
/// corpus and golden cases so).
pub fn check_rereads() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        cfg!(debug_assertions) || std::env::var_os("DFSLIM_CHECK_REPARSE").is_some_and(|v| v == "1")
    })
}

/// The instructions [`Document::edited_kept`] kept: those before `before`
/// are where they were; the new document's `new_after..` are the old one's
/// `old_after..`, `bytes` further along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    pub before: usize,
    pub old_after: usize,
    pub new_after: usize,
    pub bytes: isize,
}

impl Kept {
    /// The old index of new instruction `i`, and how far it moved, if it was kept.
    pub fn old(&self, i: usize) -> Option<(usize, isize)> {
        if i < self.before {
            Some((i, 0))
        } else if i >= self.new_after {
            Some((i - self.new_after + self.old_after, self.bytes))
        } else {
            None
        }
    }
}

/// What [`Document::edited_kept`] read again: the instructions and
/// comments of `span` (old offsets) as the new text has them.
struct Piece {
    kept: Kept,
    shift: shift::Shift,
    span: Span,
    instructions: Vec<super::Instruction>,
    comments: Vec<super::Comment>,
}

impl Document {
    /// `new_text`, which is this document's text with the bytes of
    /// `changed` replaced, parsed again. Only the instructions around the
    /// change are read again; those before it are kept and those after it
    /// moved along: an applied step re-reads a line or two, not the file.
    /// The result is the document [`Document::parse`] would make of
    /// `new_text` (when in doubt, that is what is done).
    pub fn edited(self, new_text: String, changed: Span) -> Result<Document, ParseError> {
        self.edited_kept(new_text, changed).map(|(doc, _)| doc)
    }

    /// [`Document::edited`], and which instructions it kept as they were
    /// (`None` after a full parse): what analysis of them can be kept too.
    pub fn edited_kept(
        self,
        new_text: String,
        changed: Span,
    ) -> Result<(Document, Option<Kept>), ParseError> {
        match self.piece(&new_text, changed) {
            Some(piece) => {
                let (doc, kept) = self.splice(new_text, piece);
                Ok((doc, Some(kept)))
            }
            None => Document::parse(new_text).map(|doc| (doc, None)),
        }
    }

    /// The instructions `k0..k1` around `changed` read again from
    /// `new_text`, if that piece reads the same on its own as in the whole.
    fn piece(&self, new_text: &str, changed: Span) -> Option<Piece> {
        let delta = new_text.len() as isize - self.text.len() as isize;
        let n = self.instructions.len();
        // Where each instruction's lines start; the comment and blank lines
        // after it up to the next one are its own.
        let extent = |k: usize| {
            if k == n {
                self.text.len()
            } else {
                self.line_starts[self.instructions[k].start_line - 1]
            }
        };
        if n == 0 || changed.start < extent(0) || changed.end > self.text.len() {
            return None;
        }
        let k0 = (1..=n).find(|&k| extent(k) > changed.start)? - 1;
        let k1 = (k0 + 1..=n).find(|&k| extent(k) >= changed.end)?;
        let (a, b) = (extent(k0), extent(k1));
        let new_b = b.checked_add_signed(delta)?;
        // The piece must end a line, or the text after it would read on.
        if new_b < a
            || new_b > new_text.len()
            || (new_b < new_text.len() && !new_text[..new_b].ends_with('\n'))
            || (b < self.text.len() && !self.text[..b].ends_with('\n'))
        {
            return None;
        }
        let first_line = self.instructions[k0].start_line - 1;
        let last_directive = self.directives.last().map_or(0, |d| d.line);
        let (instructions, comments) = parse::parse_piece(
            new_text,
            a,
            new_b,
            first_line,
            self.escape,
            &self.directives,
            first_line > last_directive,
        )?;
        if k0 == 0 && k1 == n && instructions.is_empty() {
            return None; // no instruction left: the full parse says so
        }
        let nl = |t: &str| t.bytes().filter(|&c| c == b'\n').count() as isize;
        Some(Piece {
            kept: Kept {
                before: k0,
                old_after: k1,
                new_after: k0 + instructions.len(),
                bytes: delta,
            },
            shift: shift::Shift {
                bytes: delta,
                lines: nl(&new_text[a..new_b]) - nl(&self.text[a..b]),
            },
            span: Span::new(a, b),
            instructions,
            comments,
        })
    }

    /// This document with `piece` in place of the instructions it read
    /// again, those after it moved along.
    fn splice(self, new_text: String, piece: Piece) -> (Document, Kept) {
        let Piece {
            kept,
            shift,
            span,
            instructions,
            comments,
        } = piece;
        let Document {
            escape,
            directives,
            instructions: old,
            comments: old_comments,
            ..
        } = self;
        let mut all = Vec::with_capacity(old.len() + instructions.len());
        let mut old = old.into_iter();
        all.extend(old.by_ref().take(kept.before));
        all.extend(instructions);
        all.extend(old.skip(kept.old_after - kept.before).map(|mut ins| {
            shift.instruction(&mut ins);
            ins
        }));
        let mut notes = Vec::with_capacity(old_comments.len() + comments.len());
        let mut later = Vec::new();
        for mut c in old_comments {
            if c.span.start < span.start {
                notes.push(c);
            } else if c.span.start >= span.end {
                shift.comment(&mut c);
                later.push(c);
            }
        }
        notes.extend(comments);
        notes.extend(later);
        (
            Document::assemble(new_text, escape, directives, all, notes),
            kept,
        )
    }

    /// How this document differs from `other` (the same text parsed
    /// another way), if it does: what checks [`Document::edited`].
    pub fn differs_from(&self, other: &Document) -> Option<String> {
        let show = |d: &Document| {
            let mut names: Vec<_> = d.stage_names.iter().collect();
            names.sort();
            [
                format!("{:?}", d.text),
                format!("{:?} {:?}", d.escape, d.directives),
                format!("{:?}", d.comments),
                format!("{:?}", d.stages),
                format!("{names:?}"),
                format!("{:?} {} {}", d.line_starts, d.crlf, d.lowercase),
            ]
            .into_iter()
            .chain(d.instructions.iter().map(|i| format!("{i:?}")))
            .collect::<Vec<_>>()
        };
        let (a, b) = (show(self), show(other));
        if a.len() != b.len() {
            return Some(format!("{} parts, not {}", a.len(), b.len()));
        }
        a.iter()
            .zip(&b)
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("{x}\n  against\n{y}"))
    }
}
