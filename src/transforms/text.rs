//! Writing new Dockerfile text in the file's own conventions: its line
//! ending, its keyword case, the indentation of the instruction next to it.

use crate::edit::Edit;
use crate::syntax::{Document, Instruction};

/// `keyword` (given in upper case) in the file's case.
pub fn kw(doc: &Document, keyword: &str) -> String {
    doc.keyword(keyword)
}

/// `keyword` in the case of the instruction it is written next to (files
/// that mix cases usually do it stage by stage).
pub fn kw_like(doc: &Document, near: &Instruction, keyword: &str) -> String {
    let written = near.keyword_span.of(doc.text());
    if written.bytes().all(|b| b.is_ascii_lowercase()) {
        keyword.to_ascii_lowercase()
    } else if written.bytes().all(|b| b.is_ascii_uppercase()) {
        keyword.to_string()
    } else {
        kw(doc, keyword)
    }
}

/// Inserts `lines` (each without a line ending) as whole lines before
/// `ins`, indented like it.
pub fn insert_before(doc: &Document, ins: &Instruction, lines: &[String]) -> Edit {
    let nl = doc.newline();
    let at = doc.line_start(ins.start_line);
    let indent = doc.indent_at(ins.keyword_span.start);
    let text: String = lines.iter().map(|l| format!("{indent}{l}{nl}")).collect();
    Edit::insert(at, text)
}

/// Inserts `lines` as whole lines after `ins` (after its last line).
pub fn insert_after(doc: &Document, ins: &Instruction, lines: &[String]) -> Edit {
    let nl = doc.newline();
    let end = doc.line_end(ins.end_line);
    let indent = doc.indent_at(ins.keyword_span.start);
    let lead = if doc.text()[..end].ends_with('\n') {
        ""
    } else {
        nl
    };
    let text: String = lines.iter().map(|l| format!("{indent}{l}{nl}")).collect();
    Edit::insert(end, format!("{lead}{text}"))
}

/// Appends a block at the end of the file, after a blank line, keeping
/// whether the file ended with a newline.
pub fn append_block(doc: &Document, lines: &[String]) -> Edit {
    let nl = doc.newline();
    let text = doc.text();
    let body = lines.join(nl);
    let ends_nl = text.ends_with('\n');
    let trailing_blank = text.ends_with("\n\n") || text.ends_with("\r\n\r\n");
    let lead = match (ends_nl, trailing_blank) {
        (false, _) => format!("{nl}{nl}"),
        (true, false) => nl.to_string(),
        (true, true) => String::new(),
    };
    let tail = if ends_nl { nl } else { "" };
    Edit::insert(text.len(), format!("{lead}{body}{tail}"))
}

/// The whole lines of `ins` (with a comment block directly above it), for
/// moving or deleting it.
pub fn lines_with_comments(doc: &Document, ins: &Instruction) -> crate::syntax::Span {
    let mut start_line = ins.start_line;
    while start_line > 1 {
        let prev = doc.line_start(start_line - 1);
        let line = &doc.text()[prev..doc.line_end(start_line - 1)];
        if line.trim_start().starts_with('#') && !is_directive_line(doc, start_line - 1) {
            start_line -= 1;
        } else {
            break;
        }
    }
    crate::syntax::Span::new(doc.line_start(start_line), doc.line_end(ins.end_line))
}

fn is_directive_line(doc: &Document, line: usize) -> bool {
    doc.directives().iter().any(|d| d.line == line)
}

/// True when `ins` ends with a line continuation that only the end of the
/// file stops: text added after it would join it.
pub fn continued_to_eof(doc: &Document, ins: &Instruction) -> bool {
    let text = doc.text();
    let line_start = text[..ins.span.end].rfind('\n').map_or(0, |p| p + 1);
    let last = text[line_start..ins.span.end].trim_end_matches([' ', '\t']);
    last.ends_with(doc.escape()) && !last.trim_start().starts_with('#')
}

/// The comment lines inside a continued instruction, as written, so an edit
/// that rewrites its arguments can keep them (above the instruction).
pub fn inner_comments(doc: &Document, ins: &Instruction) -> Vec<String> {
    doc.comments()
        .iter()
        .filter(|c| c.line > ins.start_line && c.line <= ins.end_line)
        .map(|c| {
            let start = doc.line_start(c.line);
            doc.text()[start..c.span.end].to_string()
        })
        .collect()
}

/// Replaces the arguments of `ins` with `new`, keeping the comment lines
/// they contained as lines just above the instruction.
pub fn replace_args(doc: &Document, ins: &Instruction, new: String) -> Vec<Edit> {
    let mut edits = Vec::new();
    let comments = inner_comments(doc, ins);
    if !comments.is_empty() {
        let nl = doc.newline();
        let text: String = comments.iter().map(|c| format!("{c}{nl}")).collect();
        edits.push(Edit::insert(doc.line_start(ins.start_line), text));
    }
    edits.push(Edit::replace(ins.args_span, new));
    edits
}

/// A list for a message, cut short when long: `a, b, c and 97 more`.
pub fn listing<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    const SHOWN: usize = 6;
    let shown: Vec<&str> = items.iter().take(SHOWN).map(AsRef::as_ref).collect();
    let mut out = shown.join(sep);
    if items.len() > SHOWN {
        out.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    out
}

/// A JSON array of strings, as exec form writes it: `["/app", "-v"]`.
pub fn json_array(items: &[String]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_the_files_conventions() {
        let doc = Document::parse("from a\r\n  run b\r\n").unwrap();
        assert_eq!(kw(&doc, "ENV"), "env");
        let e = insert_before(&doc, &doc.instructions()[1], &["env X=0".into()]);
        assert_eq!(
            crate::edit::apply(doc.text(), &[e]).unwrap(),
            "from a\r\n  env X=0\r\n  run b\r\n"
        );
        let doc = Document::parse("FROM a").unwrap();
        let e = append_block(&doc, &["FROM b".into()]);
        assert_eq!(
            crate::edit::apply(doc.text(), &[e]).unwrap(),
            "FROM a\n\nFROM b"
        );
        assert_eq!(
            json_array(&["/a b".into(), "\"q\"".into()]),
            r#"["/a b", "\"q\""]"#
        );
    }
}
