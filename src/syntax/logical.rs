//! The logical line of an instruction and its way back to the source.
//!
//! BuildKit joins the physical lines of a continued instruction into one
//! string: it drops the escape character that ends a line, the newline, and
//! any comment or blank line in between. Everything the parser reads is read
//! from that string; every span it reports is mapped back through the pieces
//! recorded here, so it lands on the original bytes.

use super::Span;

/// One contiguous piece of source that went into the logical line.
#[derive(Clone, Copy, Debug)]
struct Piece {
    logical: usize,
    source: usize,
    len: usize,
}

/// The joined text of an instruction, with the map from its offsets to source offsets.
#[derive(Clone, Debug, Default)]
pub struct Logical {
    text: String,
    pieces: Vec<Piece>,
}

impl Logical {
    /// Appends `piece`, which starts at byte `source` of the original text.
    /// An empty first piece is kept as an anchor, so that an instruction
    /// whose first line is a bare continuation (`\` alone) still maps its
    /// empty offsets to where it starts, not to the top of the file.
    pub(crate) fn push(&mut self, source: usize, piece: &str) {
        if piece.is_empty() && !self.pieces.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            logical: self.text.len(),
            source,
            len: piece.len(),
        });
        self.text.push_str(piece);
    }

    /// Moves every piece `bytes` along the source (an edit before them).
    pub(crate) fn shift_sources(&mut self, bytes: isize) {
        for p in &mut self.pieces {
            p.source = p.source.wrapping_add_signed(bytes);
        }
    }

    /// The joined text, as BuildKit sees it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Source offset of logical offset `at`, for the start of a range.
    pub fn start_of(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.logical + p.len <= at);
        match self.pieces.get(i) {
            Some(p) => p.source + at.saturating_sub(p.logical),
            None => self.pieces.last().map_or(0, |p| p.source + p.len),
        }
    }

    /// Source offset of logical offset `at`, for the end of a range.
    pub fn end_of(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.logical + p.len < at);
        match self.pieces.get(i) {
            Some(p) if at > p.logical => p.source + (at - p.logical),
            Some(p) => p.source,
            None => self.pieces.last().map_or(0, |p| p.source + p.len),
        }
    }

    /// The source span of logical range `start..end`. A range that crosses a
    /// continuation covers the escape character, newline and any comment
    /// lines in between, so replacing it replaces all of them.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if start == end {
            let at = self.start_of(start);
            return Span::empty(at);
        }
        // As `start_of(start)..end_of(end)`, with one binary search: the end
        // is in the start's piece or a little after it, so search forward
        // from there, doubling the step (a 100,000-line RUN spent 15% of a
        // level-5 run in the second binary search over all its pieces).
        let i = self.pieces.partition_point(|p| p.logical + p.len <= start);
        let Some(first) = self.pieces.get(i) else {
            let past = self.pieces.last().map_or(0, |p| p.source + p.len);
            return Span::new(past, past);
        };
        let before_end = |p: &Piece| p.logical + p.len < end;
        let (mut lo, mut step) = (i, 1);
        while lo + step < self.pieces.len() && before_end(&self.pieces[lo + step]) {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step + 1).min(self.pieces.len());
        let j = lo + self.pieces[lo..hi].partition_point(before_end);
        let end_at = match self.pieces.get(j) {
            Some(p) if end > p.logical => p.source + (end - p.logical),
            Some(p) => p.source,
            None => self.pieces.last().map_or(0, |p| p.source + p.len),
        };
        Span::new(first.source + start.saturating_sub(first.logical), end_at)
    }

    /// True when logical range `start..end` comes from one physical line, so
    /// its source bytes are exactly its logical text.
    pub fn is_contiguous(&self, start: usize, end: usize) -> bool {
        let span = self.span(start, end);
        span.len() == end - start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_across_a_continuation() {
        // "RUN a \\\n  b\n": pieces "RUN a " at 0 and "  b" at 8.
        let mut l = Logical::default();
        l.push(0, "RUN a ");
        l.push(8, "  b");
        assert_eq!(l.text(), "RUN a   b");
        assert_eq!(l.span(0, 3), Span::new(0, 3));
        assert_eq!(l.span(8, 9), Span::new(10, 11));
        // A word that ends exactly at the end of the first piece stays on line 1.
        assert_eq!(l.span(4, 6), Span::new(4, 6));
        // A range crossing the join covers the continuation.
        assert_eq!(l.span(4, 9), Span::new(4, 11));
        assert!(!l.is_contiguous(4, 9));
        assert!(l.is_contiguous(0, 3));
        assert_eq!(l.span(6, 6), Span::empty(8));
    }

    #[test]
    fn span_is_start_of_to_end_of() {
        // Pieces of 1 to 4 bytes with gaps between them in the source.
        let mut l = Logical::default();
        let mut source = 0;
        for k in 0..200usize {
            let len = 1 + k % 4;
            l.push(source, &"x".repeat(len));
            source += len + 1 + k % 3;
        }
        let n = l.text().len();
        for start in 0..=n {
            for end in start..=(start + 40).min(n + 2) {
                let want = if start == end {
                    Span::empty(l.start_of(start))
                } else {
                    Span::new(l.start_of(start), l.end_of(end))
                };
                assert_eq!(l.span(start, end), want, "{start}..{end}");
            }
        }
        assert_eq!(l.span(0, n), Span::new(0, l.end_of(n)));
    }

    #[test]
    fn an_empty_instruction_maps_to_where_it_starts() {
        // "\n\\": a bare continuation on line 2 at byte 1, then EOF.
        let mut l = Logical::default();
        l.push(1, "");
        assert_eq!(l.span(0, 0), Span::empty(1));
        // A bare continuation, then text on the next line (byte 2).
        l.push(2, "RUN a");
        assert_eq!(l.text(), "RUN a");
        assert_eq!(l.span(0, 3), Span::new(2, 5));
        assert_eq!(l.span(0, 0), Span::empty(2));
    }
}
