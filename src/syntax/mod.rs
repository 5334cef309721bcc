//! The lossless syntax layer: a Dockerfile read the way BuildKit reads it,
//! with the exact byte span of every part.
//!
//! It knows nothing of transforms. A [`Document`] owns the source text; every
//! [`Span`] it hands out points into that text, so an edit can change exactly
//! the bytes it means to and leave every other byte — comments, blank lines,
//! continuations, heredocs, CRLF, a BOM — as it was.

mod heredoc;
mod image;
mod instruction;
mod json;
mod logical;
mod parse;
mod reread;
mod shift;
mod span;
mod vars;
mod words;

pub use image::{ImageRef, Part};
pub use instruction::{
    ArgDecl, Args, Command, Flag, From, Heredoc, Instruction, JsonString, Keyword, Pair, Word,
};
pub use logical::Logical;
pub use reread::{Kept, check_rereads};
pub use span::Span;
pub use vars::{VarRef, var_refs};

use std::collections::HashMap;
use std::fmt;

/// A parse error at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, column: usize, message: String) -> Self {
        ParseError {
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A parser directive at the top of the file: `# escape=\``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lower case: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub span: Span,
    pub line: usize,
}

/// A comment line (also those inside a continued instruction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line, newline excluded.
    pub span: Span,
    pub line: usize,
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Clone, Debug)]
pub struct Stage {
    pub index: usize,
    /// Index of its FROM in [`Document::instructions`].
    pub from: usize,
    /// One past its last instruction.
    pub end: usize,
    /// The `AS` name as written.
    pub name: Option<Word>,
    pub image: Option<ImageRef>,
    pub start_line: usize,
}

impl Stage {
    /// The stage name as BuildKit matches it (lower case).
    pub fn name_lower(&self) -> Option<String> {
        self.name.as_ref().map(|n| n.text.to_lowercase())
    }

    /// Indices of its instructions, its FROM first.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.from..self.end
    }
}

/// A parsed Dockerfile that owns its text.
#[derive(Clone, Debug)]
pub struct Document {
    text: String,
    escape: char,
    directives: Vec<Directive>,
    instructions: Vec<Instruction>,
    comments: Vec<Comment>,
    stages: Vec<Stage>,
    /// Lower-cased stage name to the indices of the stages so named, in order.
    stage_names: HashMap<String, Vec<usize>>,
    line_starts: Vec<usize>,
    /// The file's conventions, read once ([`Document::newline`], [`Document::lowercase_keywords`]).
    crlf: bool,
    lowercase: bool,
}

impl Document {
    /// Parses `text` with BuildKit's rules.
    pub fn parse(text: impl Into<String>) -> Result<Document, ParseError> {
        let text = text.into();
        let p = parse::parse(&text)?;
        Ok(Document::assemble(
            text,
            p.escape,
            p.directives,
            p.instructions,
            p.comments,
        ))
    }

    /// A document from what the parser found in `text`.
    fn assemble(
        text: String,
        escape: char,
        directives: Vec<Directive>,
        instructions: Vec<Instruction>,
        comments: Vec<Comment>,
    ) -> Document {
        let mut line_starts = Vec::with_capacity(text.len() / 24 + 2);
        line_starts.push(0);
        // `match_indices` finds a char with memchr: every version of a text
        // is indexed again.
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let stages = stages(&instructions);
        let mut stage_names: HashMap<String, Vec<usize>> = HashMap::new();
        for st in &stages {
            if let Some(n) = st.name_lower() {
                stage_names.entry(n).or_default().push(st.index);
            }
        }
        let mut doc = Document {
            text,
            escape,
            directives,
            instructions,
            comments,
            stages,
            stage_names,
            line_starts,
            crlf: false,
            lowercase: false,
        };
        doc.crlf = doc.count_crlf();
        doc.lowercase = doc.count_lowercase();
        doc
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The escape character: `\` unless `# escape=` says otherwise.
    pub fn escape(&self) -> char {
        self.escape
    }

    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }

    pub fn comments(&self) -> &[Comment] {
        &self.comments
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    pub fn has_bom(&self) -> bool {
        self.text.starts_with('\u{feff}')
    }

    /// The stage holding instruction `index`, if it is after the first FROM.
    pub fn stage_of(&self, index: usize) -> Option<&Stage> {
        let i = self.stages.partition_point(|s| s.from <= index);
        self.stages[..i]
            .last()
            .filter(|s| s.range().contains(&index))
    }

    /// The stage a `--from=` value names: a stage name or index before
    /// `before` (BuildKit only looks back), else `None` (an image).
    ///
    /// A hash lookup, then a binary search: analysis asks this for every
    /// `--from` and FROM, so a linear scan here made 10,000 stages quadratic.
    pub fn stage_named(&self, name: &str, before: usize) -> Option<&Stage> {
        let before = before.min(self.stages.len());
        if let Ok(i) = name.parse::<usize>() {
            return self.stages[..before].get(i);
        }
        let ids = if name
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            self.stage_names.get(&name.to_lowercase())
        } else {
            self.stage_names.get(name)
        }?;
        let k = ids.partition_point(|&i| i < before);
        k.checked_sub(1).map(|k| &self.stages[ids[k]])
    }

    /// The file's line ending: CRLF when most lines end that way.
    pub fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    fn count_crlf(&self) -> bool {
        let b = self.text.as_bytes();
        let crlf = self.line_starts[1..]
            .iter()
            .filter(|&&s| s >= 2 && b[s - 2] == b'\r')
            .count();
        crlf * 2 > self.line_starts.len() - 1
    }

    /// True when most known keywords are written in lower case.
    pub fn lowercase_keywords(&self) -> bool {
        self.lowercase
    }

    fn count_lowercase(&self) -> bool {
        let (mut lower, mut total) = (0, 0);
        for i in &self.instructions {
            if i.keyword != Keyword::Unknown {
                let kw = i.keyword_span.of(&self.text);
                total += 1;
                if kw.bytes().all(|b| b.is_ascii_lowercase()) {
                    lower += 1;
                }
            }
        }
        lower * 2 > total
    }

    /// Writes `keyword` (upper case) in the file's case convention.
    pub fn keyword(&self, keyword: &str) -> String {
        if self.lowercase_keywords() {
            keyword.to_ascii_lowercase()
        } else {
            keyword.to_string()
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset.min(self.text.len())]
            .chars()
            .count()
            + 1;
        (line, col)
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset just past 1-based `line`, its newline included.
    pub fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The whitespace before the text at `offset` on its line.
    pub fn indent_at(&self, offset: usize) -> &str {
        let (line, _) = self.line_col(offset);
        let start = self.line_start(line);
        let s = &self.text[start..offset];
        let n = s.len() - s.trim_start_matches([' ', '\t', '\u{feff}']).len();
        s[..n].trim_start_matches('\u{feff}')
    }

    /// The lines an instruction occupies, newline of the last included.
    pub fn line_span(&self, ins: &Instruction) -> Span {
        Span::new(self.line_start(ins.start_line), self.line_end(ins.end_line))
    }

    /// The variable references in `word`, with spans in the source.
    pub fn var_refs_in(&self, ins: &Instruction, word: &Word) -> Vec<(Span, VarRef)> {
        var_refs(&word.text, self.escape)
            .into_iter()
            .map(|r| {
                let span = ins.logical.span(word.lstart + r.start, word.lstart + r.end);
                (span, r)
            })
            .collect()
    }
}

fn stages(instructions: &[Instruction]) -> Vec<Stage> {
    let mut out: Vec<Stage> = Vec::new();
    for (i, ins) in instructions.iter().enumerate() {
        if ins.keyword != Keyword::From {
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.end = i;
        }
        let from = ins.from();
        out.push(Stage {
            index: out.len(),
            from: i,
            end: instructions.len(),
            name: from.as_ref().and_then(|f| f.alias.clone()),
            image: from.map(|f| f.image),
            start_line: ins.start_line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_named_looks_back_case_insensitively() {
        let doc = Document::parse(
            "FROM a AS Build\nFROM b AS x\nFROM c AS build\nFROM d AS \u{212a}\nFROM e\n",
        )
        .unwrap();
        let idx = |name: &str, before: usize| doc.stage_named(name, before).map(|s| s.index);
        assert_eq!(idx("build", 1), Some(0));
        assert_eq!(idx("BUILD", 5), Some(2), "the last one so named before");
        assert_eq!(idx("build", 0), None, "only earlier stages");
        assert_eq!(idx("x", 9), Some(1));
        assert_eq!(idx("1", 2), Some(1), "an index");
        assert_eq!(idx("1", 1), None);
        assert_eq!(idx("k", 5), Some(3), "the Kelvin sign lower-cases to k");
        assert_eq!(idx("nope", 5), None);
    }
}
