//! Moving instructions from the builder to the new runtime stage without
//! leaving stray blank lines.

use crate::edit::Edit;
use crate::syntax::{Document, Span};
use crate::transforms::text::lines_with_comments;

/// Deletes the moved instructions and writes the runtime block after the
/// last line the builder keeps (comments included): blank lines and moved
/// instructions after it are replaced whole, so the stages end up separated
/// by exactly one blank line.
pub fn relocate(doc: &Document, moved: &[usize], block: &[String]) -> Result<Vec<Edit>, String> {
    let text = doc.text();
    let mut deleted: Vec<Span> = moved
        .iter()
        .map(|&i| tidy(doc, lines_with_comments(doc, &doc.instructions()[i])))
        .collect();
    deleted.sort();
    // The kept text ends after the last line with anything on it that is
    // not being moved.
    let last_line = doc.line_col(text.len()).0;
    let keep_end = (1..=last_line)
        .rev()
        .find(|&l| {
            let (a, b) = (doc.line_start(l), doc.line_end(l));
            !deleted.iter().any(|s| s.start <= a && a < s.end) && !text[a..b].trim().is_empty()
        })
        .map_or(text.len(), |l| doc.line_end(l));
    // A last kept line that ends in a continuation would swallow the new stage.
    let last_kept = text[..keep_end].trim_end_matches(['\n', '\r']);
    let last_line_text =
        last_kept[last_kept.rfind('\n').map_or(0, |p| p + 1)..].trim_end_matches([' ', '\t']);
    if last_line_text.ends_with(doc.escape()) && !last_line_text.trim_start().starts_with('#') {
        return Err(format!(
            "the line before the new stage ends with `{}`, which would join the stage to it",
            doc.escape()
        ));
    }
    let mut edits: Vec<Edit> = deleted
        .iter()
        .filter(|s| s.end <= keep_end)
        .map(|s| Edit::delete(*s))
        .collect();
    let nl = doc.newline();
    let lead = if text[..keep_end].ends_with('\n') {
        nl.to_string()
    } else {
        format!("{nl}{nl}")
    };
    let end = if text.ends_with('\n') { nl } else { "" };
    edits.push(Edit::replace(
        Span::new(keep_end, text.len()),
        format!("{lead}{}{end}", block.join(nl)),
    ));
    Ok(edits)
}

/// A deletion of whole lines that would leave two blank lines in a row
/// also takes one of them.
fn tidy(doc: &Document, s: Span) -> Span {
    let text = doc.text();
    let before_blank =
        s.start == 0 || text[..s.start].trim_end_matches(['\r']).ends_with("\n\n") || {
            let prev = text[..s.start.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            text[prev..s.start].trim().is_empty()
        };
    let next_end = text[s.end..]
        .find('\n')
        .map_or(text.len(), |p| s.end + p + 1);
    let after_blank = s.end < text.len() && text[s.end..next_end].trim().is_empty();
    if before_blank && after_blank && s.start > 0 {
        Span::new(s.start, next_end)
    } else {
        s
    }
}
