//! Editing `go build` flags in place: adding a flag after the verb, or
//! merging a value into an existing flag inside whatever quotes it has.
//! Shared by strip-flags (`-ldflags`) and the time-zone handling (`-tags`).

use crate::analysis::GoBuild;
use crate::analysis::commands::Arg;
use crate::analysis::go::cmd::GoFlag;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Document, Span};

/// Inserts `-name=value` right after `go build` (or `go install`).
pub fn add_flag(b: &GoBuild, name: &str, value: &str) -> Edit {
    let at = b.cmd.verb_word.span.end;
    if b.cmd.exec_form {
        let item = serde_json::to_string(&format!("-{name}={value}")).unwrap_or_default();
        return Edit::insert(at, format!(", {item}"));
    }
    let v = if value
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b",._-".contains(&c))
    {
        value.to_string()
    } else {
        format!("\"{value}\"")
    };
    Edit::insert(at, format!(" -{name}={v}"))
}

/// Puts `text` at the start of flag `f`'s value (`-ldflags "-X a"` ->
/// `-ldflags "-s -w -X a"`), keeping its quoting.
pub fn prepend(doc: &Document, f: &GoFlag, text: &str, line: Loc) -> Result<Edit, String> {
    match &f.value_word {
        Some(w) => at_value(doc, w, 0, text, true, line),
        None => {
            let raw = f.word.span.of(doc.text());
            let eq = raw
                .find('=')
                .ok_or_else(|| format!("cannot read -{} on {line}", f.name))?;
            at_value(doc, &f.word, eq + 1, text, true, line)
        }
    }
}

/// Adds `item` to the end of a list flag's value (`-tags netgo` ->
/// `-tags netgo,timetzdata`), with the list's own separator.
pub fn append(doc: &Document, f: &GoFlag, item: &str, line: Loc) -> Result<Edit, String> {
    let value = f.value.as_deref().unwrap_or("");
    let sep = if value.contains(' ') && !value.contains(',') {
        " "
    } else {
        ","
    };
    let text = if value.is_empty() {
        item.to_string()
    } else {
        format!("{sep}{item}")
    };
    match &f.value_word {
        Some(w) => at_value(doc, w, 0, &text, false, line),
        None => {
            let raw = f.word.span.of(doc.text());
            let eq = raw
                .find('=')
                .ok_or_else(|| format!("cannot read -{} on {line}", f.name))?;
            at_value(doc, &f.word, eq + 1, &text, false, line)
        }
    }
}

/// Inserts into the value that starts at byte `at` of word `w`: at its
/// start (`front`, with a space after) or at its end.
fn at_value(
    doc: &Document,
    w: &Arg,
    at: usize,
    text: &str,
    front: bool,
    line: Loc,
) -> Result<Edit, String> {
    let raw = w.span.of(doc.text());
    let base = w.span.start;
    let spaced = if front {
        format!("{text} ")
    } else {
        text.to_string()
    };
    if w.json {
        // Inside a JSON string: `"-ldflags=-X a"` or `"-X a"`.
        if raw.contains('\\') {
            return Err(format!("cannot edit the escaped JSON flag on {line}"));
        }
        let offset = if front {
            if at == 0 { 1 } else { at }
        } else {
            raw.len() - 1
        };
        return Ok(Edit::insert(base + offset, spaced));
    }
    let value = &raw[at..];
    let quoted_value =
        value.len() >= 2 && value.starts_with(['"', '\'']) && value.ends_with(&value[..1]);
    let quoted_word =
        at > 0 && raw.len() >= 2 && raw.starts_with(['"', '\'']) && raw.ends_with(&raw[..1]);
    if quoted_value || quoted_word {
        let offset = match (front, quoted_value) {
            (true, true) => at + 1,
            (true, false) => at,
            (false, _) => raw.len() - 1,
        };
        return Ok(Edit::insert(base + offset, spaced));
    }
    if value.contains(['"', '\'', '\\', '\n']) {
        return Err(format!(
            "a flag on {line} mixes quoting styles; dfslim will not edit it"
        ));
    }
    if !front && !text.contains(' ') {
        return Ok(Edit::insert(w.span.end, spaced));
    }
    let new = if front {
        format!("\"{spaced}{value}\"")
    } else {
        format!("\"{value}{spaced}\"")
    };
    Ok(Edit::replace(Span::new(base + at, w.span.end), new))
}

/// Edits that make each build embed the zone database (`-tags timetzdata`).
pub fn embed_tzdata(doc: &Document, builds: &[&GoBuild]) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::new();
    for b in builds {
        let line = Loc::at(doc, b.ins);
        match b.cmd.flag("tags") {
            Some(f)
                if f.value
                    .as_deref()
                    .is_some_and(|v| v.split([',', ' ']).any(|t| t == "timetzdata")) => {}
            Some(f) => edits.push(append(doc, f, "timetzdata", line)?),
            None => edits.push(add_flag(b, "tags", "timetzdata")),
        }
    }
    Ok(edits)
}
