//! What a smaller base lacks: before a transform moves a stage to a base
//! with fewer tools (`node:20` -> `node:20-slim`), every command the stage
//! and the stages built FROM it run (RUN lines, heredoc scripts,
//! HEALTHCHECK, CMD) must still be there, unless the stage installs it.
//! Any `--target` that builds today must still build.

use super::Cx;
use crate::analysis::targets::stage_name;
use crate::message::Loc;
use crate::syntax::{Args, Command, Keyword};

/// Why stage `s` or a stage built FROM it would break on `base`, which
/// lacks the commands in `missing`; `None` when nothing would.
pub fn breaks(cx: &Cx, s: usize, base: &str, missing: &[String]) -> Option<String> {
    let mut installed: Vec<String> = Vec::new();
    let mut chain = vec![s];
    chain.extend(cx.facts.built_from(s));
    for st in chain {
        // What the stage and its bases install is there.
        installed.extend(
            cx.facts.stages[st]
                .installs
                .iter()
                .flat_map(|i| i.packages.iter().cloned()),
        );
        if let Some(why) = stage_breaks(cx, st, base, missing, &installed) {
            return Some(if st == s {
                why
            } else {
                format!(
                    "stage {} is built FROM it and {why}",
                    stage_name(cx.doc, st)
                )
            });
        }
    }
    None
}

fn stage_breaks(
    cx: &Cx,
    s: usize,
    base: &str,
    missing: &[String],
    installed: &[String],
) -> Option<String> {
    let doc = cx.doc;
    let lacks = |name: &str| {
        let name = name.rsplit('/').next().unwrap_or(name);
        missing.iter().any(|m| m == name)
            && !installed.iter().any(|p| {
                p == name
                    || (matches!(name, "gcc" | "g++" | "make" | "cc") && p == "build-essential")
                    || (name == "python" && p == "python-is-python3")
                    || (name == "ps" && p == "procps")
            })
    };
    for i in doc.stages()[s].range() {
        let ins = &doc.instructions()[i];
        match ins.keyword {
            Keyword::Run => {
                for l in cx.facts.lines(i) {
                    if lacks(&l.name) {
                        return Some(format!(
                            "{} runs `{}`, which {base} does not have",
                            Loc::of(ins),
                            l.name
                        ));
                    }
                }
            }
            Keyword::Healthcheck => {
                if let Args::Healthcheck { cmd: Some(c), .. } = &ins.args {
                    let prog = match c {
                        Command::Exec(items) => items.first().map(|j| j.value.clone()),
                        Command::Shell(w) => w.text.split_whitespace().next().map(str::to_string),
                    };
                    if let Some(p) = prog.filter(|p| lacks(p)) {
                        return Some(format!(
                            "the HEALTHCHECK on {} runs `{p}`, which {base} does not have",
                            Loc::of(ins)
                        ));
                    }
                }
            }
            Keyword::Cmd | Keyword::Entrypoint => {
                let prog = match ins.command() {
                    Some(Command::Exec(items)) => items.first().map(|j| j.value.clone()),
                    Some(Command::Shell(w)) => w.text.split_whitespace().next().map(str::to_string),
                    None => None,
                };
                if let Some(p) = prog.filter(|p| lacks(p)) {
                    return Some(format!(
                        "the command on {} runs `{p}`, which {base} does not have",
                        Loc::of(ins)
                    ));
                }
            }
            Keyword::Shell => {
                if let Some(Command::Exec(items)) = ins.command()
                    && let Some(sh) = items.first().filter(|j| lacks(&j.value))
                {
                    return Some(format!(
                        "{} sets SHELL to {}, which {base} does not have",
                        Loc::of(ins),
                        sh.value
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Gives stage `s`'s image the tag `new_tag` (its registry and path kept).
/// When the image is pinned, the pin moves to the new reference's digest
/// ([`super::pin`]), or the change is refused: a tag edit must never leave
/// the old digest behind a new tag. Returns the edits, a note when the pin
/// changed, and "old -> new" for the message.
pub(crate) fn retag(
    cx: &Cx,
    s: usize,
    new_tag: &str,
) -> Result<(Vec<crate::edit::Edit>, Option<String>, String), String> {
    use crate::edit::Edit;
    use crate::syntax::Span;
    let from = cx.doc.stages()[s]
        .image
        .clone()
        .expect("an image base has a reference");
    let mut edits = vec![match &from.tag {
        Some(t) => Edit::replace(t.span, new_tag.to_string()),
        None => Edit::insert(from.path.span.end, format!(":{new_tag}")),
    }];
    let registry = from
        .registry
        .as_ref()
        .map_or(String::new(), |r| format!("{}/", r.text));
    let to = format!("{registry}{}:{new_tag}", from.path.text);
    let mut note = None;
    if let Some(d) = &from.digest {
        let p = super::pin::reference(cx, &to, Some(&d.text))?;
        edits.push(match p.text.split_once('@') {
            Some((_, digest)) => Edit::replace(d.span, digest.to_string()),
            None => Edit::delete(Span::new(d.span.start - 1, d.span.end)),
        });
        note = p.note;
    }
    Ok((edits, note, format!("{} -> {to}", from.text)))
}
