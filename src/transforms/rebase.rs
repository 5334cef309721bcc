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

/// What a slim-base step (node-, python-, rust-slim-base) gathers over the
/// stages of its ecosystem, and the one outcome it makes of them: the
/// stages moved, the ones refused (noted as "left alone" when another
/// moved), the ones skipped and why.
#[derive(Default)]
pub(crate) struct Rebases {
    pub edits: Vec<crate::edit::Edit>,
    pub changed: Vec<String>,
    pub notes: Vec<String>,
    pub refusals: Vec<String>,
    pub skipped: Vec<String>,
    pub unchecked: Vec<String>,
}

impl Rebases {
    /// True when stage `s` (of ecosystem `eco`, e.g. "node") may change
    /// base: it is in the shipped image and not a product of its own.
    /// Otherwise records why not.
    pub fn candidate(&mut self, cx: &Cx, s: usize, eco: &str) -> bool {
        if let Some(why) = cx.facts.frozen(s) {
            self.skipped.push(format!("{why}: left as is"));
            return false;
        }
        if !cx.facts.in_image(s) {
            self.skipped.push(format!(
                "the {eco} stage {} only feeds COPY --from: its base is not in the shipped image, so changing it saves nothing",
                stage_name(cx.doc, s)
            ));
            return false;
        }
        true
    }

    /// Moves stage `s` to `new_tag` ([`retag`]), or records why not.
    pub fn retag(&mut self, cx: &Cx, s: usize, new_tag: &str) {
        match retag(cx, s, new_tag) {
            Ok((edits, note, change)) => {
                self.edits.extend(edits);
                self.notes.extend(note);
                self.changed.push(change);
            }
            Err(why) => self.refusals.push(why),
        }
    }

    /// The step's outcome: "<eco> base to slim: ..." when a stage moved.
    pub fn outcome(mut self, eco: &str) -> super::Outcome {
        use super::Outcome;
        use super::text::listing;
        if self.changed.is_empty() {
            return match (self.refusals.first(), self.skipped.first()) {
                (Some(_), _) => Outcome::refuse(listing(&self.refusals, "; ")),
                (None, Some(why)) => Outcome::not_applicable(why.clone()),
                (None, None) => Outcome::not_applicable(format!(
                    "no stage of the shipped image is on the {eco} image"
                )),
            };
        }
        self.notes.extend(
            self.refusals
                .into_iter()
                .map(|r| format!("left alone: {r}")),
        );
        Outcome::apply(
            self.edits,
            format!("{eco} base to slim: {}", listing(&self.changed, ", ")),
        )
        .with_notes(self.notes)
        .with_unchecked(self.unchecked)
    }
}

/// Gives stage `s`'s image the tag `new_tag` (its registry and path kept).
/// When the image is pinned, the pin moves to the new reference's digest
/// ([`super::pin`]), or the change is refused: a tag edit must never leave
/// the old digest behind a new tag. Returns the edits, a note when the pin
/// changed, and "old -> new" for the message.
fn retag(
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
