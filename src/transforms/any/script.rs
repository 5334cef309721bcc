//! Editing the script of a RUN the way its author writes it: a command
//! appended at its end (`&& \` at line ends, `&&` leading the next line, or
//! all on one line), a flag or a package name put next to a word, a command
//! taken out with its separator. Heredoc bodies are scripts too: a command
//! goes on a new line of the body when the script stops at the first
//! failure (`set -e`), else after the last line with `&&`, so a failing last
//! command still fails the build.
//!
//! Nothing here merges or splits RUNs, re-indents a line, or moves text
//! that is not its own.

use crate::analysis::commands::{Arg, CommandLine};
use crate::analysis::shell;
use crate::edit::Edit;
use crate::syntax::{Command, Document, Heredoc, Instruction, Span};

/// Appends `cmds` (run in order, each only if everything before succeeded)
/// at the end of the script of `ins`; `near` is a word of the commands they
/// clean up after (it picks the heredoc body when the RUN has several).
/// `Err` says why the RUN cannot take it (exec form, a trailing `&`).
pub fn append(
    doc: &Document,
    ins: &Instruction,
    near: Span,
    cmds: &[String],
) -> Result<Edit, String> {
    if let Some(h) = body_of(doc, ins, near) {
        return append_to_body(doc, h, cmds);
    }
    match ins.command() {
        Some(Command::Shell(word)) => append_to_line(doc, ins, word.lstart, &word.text, cmds),
        Some(Command::Exec(_)) => {
            Err("it is in exec form (a JSON array), which runs no shell to add a command to".into())
        }
        None => Err("it has no command".into()),
    }
}

/// The heredoc body of `ins` holding `near`, when the RUN runs its body.
fn body_of<'a>(doc: &Document, ins: &'a Instruction, near: Span) -> Option<&'a Heredoc> {
    let _ = doc;
    ins.heredocs
        .iter()
        .find(|h| h.body.start <= near.start && near.end <= h.body.end)
}

/// True when a script line turns on errexit (`set -e`, `set -eux`,
/// `set -o errexit`, a `#!/bin/sh -e` line).
fn errexit(line: &str) -> bool {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("#!") {
        return rest
            .split_whitespace()
            .skip(1)
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('e'));
    }
    let mut words = t.split_whitespace();
    if words.next() != Some("set") {
        return false;
    }
    let rest: Vec<&str> = words.collect();
    rest.iter()
        .any(|w| w.starts_with('-') && !w.starts_with("--") && w[1..].contains('e'))
        || rest.windows(2).any(|p| p[0] == "-o" && p[1] == "errexit")
}

fn append_to_body(doc: &Document, h: &Heredoc, cmds: &[String]) -> Result<Edit, String> {
    let text = doc.text();
    let body = h.body.of(text);
    let mut lines = Vec::new();
    let mut at = h.body.start;
    for l in body.split_inclusive('\n') {
        lines.push((at, l));
        at += l.len();
    }
    let code = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    let Some(&(start, last)) = lines.iter().rev().find(|(_, l)| code(l)) else {
        return Err("its heredoc script has no command".into());
    };
    if lines.iter().any(|(_, l)| errexit(l)) {
        // A line of its own, indented like the last one.
        let indent = &last[..last.len() - last.trim_start().len()];
        let nl = if last.ends_with("\r\n") { "\r\n" } else { "\n" };
        let add: String = cmds.iter().map(|c| format!("{indent}{c}{nl}")).collect();
        return Ok(Edit::insert(h.body.end, add));
    }
    let content = last.trim_end_matches(['\n', '\r']);
    let end = code_end(content)?;
    Ok(Edit::insert(
        start + end,
        format!(" && {}", cmds.join(" && ")),
    ))
}

/// Where code to be followed by `&& cmd` ends in `text` (a script line, or
/// a RUN's joined text): before a comment, trailing blanks and `;`.
fn code_end(text: &str) -> Result<usize, String> {
    let cut = shell::parse(text).comment.unwrap_or(text.len());
    let core = text[..cut].trim_end_matches(|c: char| c == ';' || c.is_ascii_whitespace());
    if core.is_empty() {
        return Err("its script has no command".into());
    }
    if core.ends_with("&&") || core.ends_with("||") || core.ends_with('|') {
        return Err("its script ends with an operator".into());
    }
    if core.ends_with('&') {
        return Err("its last command runs in the background (`&`)".into());
    }
    Ok(core.len())
}

/// One continued line break between two commands (or inside one).
#[derive(Clone, Debug)]
enum Break {
    /// `cmd && \` / `    next`: the text from the blank before `&&` to the
    /// escape, and the next line's indent.
    Trailing { suffix: String, indent: String },
    /// `cmd \` / `    && next`: the blank and escape ending the line, and
    /// what starts the next line up to its command.
    Leading { tail: String, prefix: String },
    /// `cmd; \` or a break inside a command (`pkg \`): the blank and escape,
    /// and the next line's indent.
    Plain {
        tail: String,
        indent: String,
        semicolon: bool,
    },
}

fn append_to_line(
    doc: &Document,
    ins: &Instruction,
    lstart: usize,
    text: &str,
    cmds: &[String],
) -> Result<Edit, String> {
    let end = code_end(text)?;
    let at = ins.logical.end_of(lstart + end);
    let src = doc.text();
    let escape = doc.escape();
    let joined = cmds.join(" && ");
    let (line, _) = doc.line_col(at);
    let line_end = doc.line_end(line);
    let rest = src[at..line_end].trim_end();
    // Not on the instruction's last line (a comment swallowed the rest):
    // stay on this line.
    if line == ins.start_line || rest.ends_with(escape) {
        return Ok(Edit::insert(at, format!(" && {joined}")));
    }
    let nl = if src[..doc.line_start(line)].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let breaks = breaks(doc, ins.start_line, line, escape);
    let pick = breaks
        .iter()
        .rev()
        .find(|b| {
            !matches!(
                b,
                Break::Plain {
                    semicolon: false,
                    ..
                }
            )
        })
        .or(breaks.last());
    let add = match pick {
        Some(Break::Trailing { suffix, indent }) => format!("{suffix}{nl}{indent}{joined}"),
        Some(Break::Leading { tail, prefix }) => format!("{tail}{nl}{prefix}{joined}"),
        Some(Break::Plain {
            tail,
            indent,
            semicolon: true,
        }) => format!(" &&{tail}{nl}{indent}{joined}"),
        Some(Break::Plain { tail, indent, .. }) => format!("{tail}{nl}{indent}&& {joined}"),
        None => format!(" && {joined}"),
    };
    Ok(Edit::insert(at, add))
}

/// The continued line breaks of an instruction from line `first` up to
/// line `last` (comment and blank lines inside skipped).
fn breaks(doc: &Document, first: usize, last: usize, escape: char) -> Vec<Break> {
    let src = doc.text();
    let line_text = |n: usize| -> &str {
        src[doc.line_start(n)..doc.line_end(n)].trim_end_matches(['\n', '\r'])
    };
    let is_code = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    let code_lines: Vec<usize> = (first..=last).filter(|&n| is_code(line_text(n))).collect();
    let mut out = Vec::new();
    for w in code_lines.windows(2) {
        let (this, next) = (line_text(w[0]), line_text(w[1]));
        let trimmed = this.trim_end();
        let Some(before) = trimmed.strip_suffix(escape) else {
            continue;
        };
        let before_trim = before.trim_end();
        let tail = this[before_trim.len()..trimmed.len()].to_string();
        let next_indent = next[..next.len() - next.trim_start().len()].to_string();
        let next_t = next.trim_start();
        if let Some(amp) = before_trim.strip_suffix("&&") {
            let from = amp.trim_end().len();
            out.push(Break::Trailing {
                suffix: this[from..trimmed.len()].to_string(),
                indent: next_indent,
            });
        } else if let Some(after) = next_t.strip_prefix("&&") {
            let blanks = after.len() - after.trim_start().len();
            let cut = next.len() - after.len() + blanks;
            out.push(Break::Leading {
                tail,
                prefix: next[..cut].to_string(),
            });
        } else {
            out.push(Break::Plain {
                tail,
                indent: next_indent,
                semicolon: before_trim.ends_with(';'),
            });
        }
    }
    out
}

/// Inserts `text` as a word right after `arg` (a JSON element: `, "text"`).
pub fn insert_after(arg: &Arg, text: &str) -> Edit {
    if arg.json {
        let item = serde_json::to_string(text).unwrap_or_default();
        return Edit::insert(arg.span.end, format!(", {item}"));
    }
    Edit::insert(arg.span.end, format!(" {text}"))
}

/// Adds package names to a list (`packages`: the words naming packages,
/// in order), in its layout: one per line stays one per line; a sorted
/// list stays sorted.
pub fn add_packages(doc: &Document, packages: &[&Arg], new: &[String]) -> Vec<Edit> {
    let Some(last) = packages.last() else {
        return Vec::new();
    };
    let src = doc.text();
    let escape = doc.escape();
    let line_of = |a: &Arg| doc.line_col(a.span.start).0;
    let rest_of_line = |a: &Arg| {
        let l = line_of(a);
        src[a.span.end..doc.line_end(l)].trim_end_matches(['\n', '\r'])
    };
    let esc = escape.to_string();
    // Alone on its line: nothing before it, and after it only the escape
    // (the last one may go on with the rest of the command chain).
    let alone = |a: &Arg| {
        let l = line_of(a);
        src[doc.line_start(l)..a.span.start].trim().is_empty() && {
            let r = rest_of_line(a).trim();
            r.is_empty() || r == esc || std::ptr::eq(a, *last)
        }
    };
    // One per line: every package alone on its line, the lines continued.
    let tail = packages
        .iter()
        .map(|a| rest_of_line(a))
        .find(|r| r.trim() == esc)
        .map(str::to_string);
    let one_per_line = packages.len() >= 2
        && !packages.iter().any(|a| a.json)
        && packages.iter().all(|a| alone(a))
        && packages.windows(2).all(|w| line_of(w[0]) < line_of(w[1]))
        && tail.is_some();
    let key = |s: &str| s.to_ascii_lowercase();
    let sorted = packages.len() >= 2
        && packages
            .windows(2)
            .all(|w| key(&w[0].value) <= key(&w[1].value));
    let nl = doc.newline();
    let mut edits = Vec::new();
    for name in new {
        let before = if sorted {
            packages.iter().find(|a| key(&a.value) > key(name))
        } else {
            None
        };
        let edit = match (before, one_per_line) {
            (Some(b), true) => {
                let indent = doc.indent_at(b.span.start);
                let tail = tail.as_deref().unwrap_or(" \\");
                Edit::insert(b.span.start, format!("{name}{tail}{nl}{indent}"))
            }
            (None, true) => {
                let indent = doc.indent_at(last.span.start);
                let tail = tail.as_deref().unwrap_or(" \\");
                if rest_of_line(last).trim() != esc {
                    // `pkg` or `pkg && \`: the rest follows the new name.
                    Edit::insert(last.span.end, format!("{tail}{nl}{indent}{name}"))
                } else {
                    // The last one is continued: a line of its own after it.
                    let l = line_of(last);
                    Edit::insert(doc.line_end(l), format!("{indent}{name}{tail}{nl}"))
                }
            }
            (Some(b), false) if b.json => {
                let item = serde_json::to_string(name).unwrap_or_default();
                Edit::insert(b.span.start, format!("{item}, "))
            }
            (Some(b), false) => Edit::insert(b.span.start, format!("{name} ")),
            (None, false) => insert_after(last, name),
        };
        edits.push(edit);
    }
    edits
}

/// Takes command `line` out of the script, with the separator (`&&` or
/// `;`, blanks and continued line breaks) up to `next`, the command after it.
pub fn remove_command(
    doc: &Document,
    line: &CommandLine,
    next: &CommandLine,
) -> Result<Edit, String> {
    let start = line
        .assignments
        .first()
        .map(|a| a.2.span.start)
        .or_else(|| line.args.first().map(|a| a.span.start))
        .ok_or("an empty command")?;
    let end = line
        .args
        .last()
        .map(|a| a.span.end)
        .ok_or("an empty command")?;
    let to = next
        .assignments
        .first()
        .map(|a| a.2.span.start)
        .or_else(|| next.args.first().map(|a| a.span.start))
        .ok_or("an empty command")?;
    if to < end {
        return Err("the commands are out of order".into());
    }
    let between = &doc.text()[end..to];
    let escape = doc.escape();
    // Only blanks, one `&&` or `;`, and continued line breaks.
    let mut seps = 0;
    let mut rest = between;
    while !rest.is_empty() {
        let t = rest.trim_start_matches([' ', '\t']);
        if let Some(r) = t.strip_prefix("&&") {
            seps += 1;
            rest = r;
        } else if let Some(r) = t.strip_prefix(';') {
            seps += 1;
            rest = r;
        } else if let Some(r) = t.strip_prefix(escape) {
            rest = r.strip_prefix('\r').unwrap_or(r);
            rest = rest
                .strip_prefix('\n')
                .ok_or("an escaped character between the commands")?;
        } else if let Some(r) = t.strip_prefix('\n') {
            // A new line of a heredoc script.
            seps += 1;
            rest = r;
        } else if let Some(r) = t.strip_prefix("\r\n") {
            seps += 1;
            rest = r;
        } else if t.is_empty() {
            rest = t;
        } else {
            return Err("the commands are joined by more than `&&` or `;`".into());
        }
    }
    if seps != 1 {
        return Err("the commands are joined by more than `&&` or `;`".into());
    }
    Ok(Edit::delete(Span::new(start, to)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::commands::command_lines;

    fn append_to(src: &str, cmd: &str) -> String {
        let doc = Document::parse(src).unwrap();
        let ins = &doc.instructions()[1];
        let (lines, _) = command_lines(&doc, ins);
        let near = lines[0].args[0].span;
        let e = append(&doc, ins, near, &[cmd.to_string()]).unwrap();
        crate::edit::apply(doc.text(), &[e]).unwrap()
    }

    #[test]
    fn appends_in_the_users_layout() {
        let rm = "rm -rf /var/lib/apt/lists/*";
        assert_eq!(
            append_to(
                "FROM d\nRUN apt-get update && apt-get install -y curl\n",
                rm
            ),
            "FROM d\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
        );
        assert_eq!(
            append_to(
                "FROM d\nRUN apt-get update && \\\n    apt-get install -y curl\n",
                rm
            ),
            "FROM d\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*\n"
        );
        assert_eq!(
            append_to(
                "FROM d\nRUN apt-get update \\\n  && apt-get install -y curl;\n",
                rm
            ),
            "FROM d\nRUN apt-get update \\\n  && apt-get install -y curl \\\n  && rm -rf /var/lib/apt/lists/*;\n"
        );
        assert_eq!(
            append_to(
                "FROM d\nRUN apt-get update && apt-get install -y \\\n    curl \\\n    git\n",
                rm
            ),
            "FROM d\nRUN apt-get update && apt-get install -y \\\n    curl \\\n    git \\\n    && rm -rf /var/lib/apt/lists/*\n"
        );
        assert_eq!(
            append_to(
                "FROM d\r\nRUN apt-get update; \\\r\n\tapt-get install -y x\r\n",
                rm
            ),
            "FROM d\r\nRUN apt-get update; \\\r\n\tapt-get install -y x && \\\r\n\trm -rf /var/lib/apt/lists/*\r\n"
        );
        assert_eq!(
            append_to("FROM d\nRUN apt-get install -y x # why\n", rm),
            "FROM d\nRUN apt-get install -y x && rm -rf /var/lib/apt/lists/* # why\n"
        );
    }

    #[test]
    fn heredoc_scripts_get_a_line_or_an_and() {
        let rm = "rm -rf /var/lib/apt/lists/*";
        assert_eq!(
            append_to(
                "FROM d\nRUN <<EOF\nset -eux\napt-get update\napt-get install -y x\nEOF\n",
                rm
            ),
            "FROM d\nRUN <<EOF\nset -eux\napt-get update\napt-get install -y x\nrm -rf /var/lib/apt/lists/*\nEOF\n"
        );
        assert_eq!(
            append_to(
                "FROM d\nRUN <<EOF\napt-get update\napt-get install -y x\n# done\nEOF\n",
                rm
            ),
            "FROM d\nRUN <<EOF\napt-get update\napt-get install -y x && rm -rf /var/lib/apt/lists/*\n# done\nEOF\n"
        );
    }

    #[test]
    fn refuses_what_it_cannot_append_to() {
        let doc =
            Document::parse("FROM d\nRUN [\"apt-get\", \"update\"]\nRUN sleep 1 &\n").unwrap();
        for i in [1, 2] {
            let ins = &doc.instructions()[i];
            let near = command_lines(&doc, ins).0[0].args[0].span;
            assert!(append(&doc, ins, near, &["true".into()]).is_err());
        }
    }

    #[test]
    fn packages_keep_their_layout() {
        let run = |src: &str, new: &[&str]| {
            let doc = Document::parse(src).unwrap();
            let ins = &doc.instructions()[1];
            let (lines, _) = command_lines(&doc, ins);
            let l = lines.iter().find(|l| l.name == "apt-get").unwrap();
            let pkgs: Vec<&Arg> = l.args[3..].iter().collect();
            let new: Vec<String> = new.iter().map(|s| s.to_string()).collect();
            let e = add_packages(&doc, &pkgs, &new);
            crate::edit::apply(doc.text(), &e).unwrap()
        };
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y curl\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y curl ca-certificates\n"
        );
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y curl git\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y ca-certificates curl git\n"
        );
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y \\\n    curl \\\n    git \\\n && rm -rf /x\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y \\\n    ca-certificates \\\n    curl \\\n    git \\\n && rm -rf /x\n"
        );
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y \\\n    git \\\n    curl\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y \\\n    git \\\n    curl \\\n    ca-certificates\n"
        );
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y \\\n    wget \\\n    curl && \\\n    true\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y \\\n    wget \\\n    curl \\\n    ca-certificates && \\\n    true\n"
        );
        assert_eq!(
            run(
                "FROM d\nRUN apt-get install -y \\\n    wget \\\n    curl \\\n && true\n",
                &["ca-certificates"]
            ),
            "FROM d\nRUN apt-get install -y \\\n    wget \\\n    curl \\\n    ca-certificates \\\n && true\n"
        );
    }

    #[test]
    fn removes_a_command_and_its_separator() {
        let run = |src: &str| {
            let doc = Document::parse(src).unwrap();
            let ins = &doc.instructions()[1];
            let (lines, _) = command_lines(&doc, ins);
            let e = remove_command(&doc, &lines[0], &lines[1]).unwrap();
            crate::edit::apply(doc.text(), &[e]).unwrap()
        };
        assert_eq!(
            run("FROM a\nRUN apk update && apk add x\n"),
            "FROM a\nRUN apk add x\n"
        );
        assert_eq!(
            run("FROM a\nRUN apk update \\\n    && apk add x\n"),
            "FROM a\nRUN apk add x\n"
        );
        assert_eq!(
            run("FROM a\nRUN apk update; apk add x\n"),
            "FROM a\nRUN apk add x\n"
        );
        assert_eq!(
            run("FROM a\nRUN <<EOF\napk update\napk add x\nEOF\n"),
            "FROM a\nRUN <<EOF\napk add x\nEOF\n"
        );
    }
}
