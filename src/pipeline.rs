//! The one place transforms run: picked by level, `--only` and `--skip`, in
//! level order, each on the previous one's output (re-read around its edits).

use crate::analysis::{BuildContext, Carried, Facts, Targets};
use crate::catalog;
use crate::digest::{self, Digests};
use crate::ecosystem::Ecosystem;
use crate::edit;
use crate::message::{self, Message, Origin};
use crate::suppress;
use crate::syntax::{Document, Kept, ParseError, Span};
use crate::transforms::{self, Cx, Outcome, Transform};

/// The highest level there is.
pub const MAX_LEVEL: u8 = 5;

/// The minimal runtime of level 4.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// `FROM scratch` and only what the program needs (the story's).
    #[default]
    Scratch,
    /// `gcr.io/distroless/*`: CA certificates, tzdata and a passwd come with it.
    Distroless,
}

impl Runtime {
    pub fn parse(s: &str) -> Option<Runtime> {
        match s {
            "scratch" => Some(Runtime::Scratch),
            "distroless" => Some(Runtime::Distroless),
            _ => None,
        }
    }
}

/// Which transforms to run, and how.
#[derive(Clone, Debug)]
pub struct Selection {
    pub level: u8,
    /// Only these ids or ecosystems (still in level order), whatever the level.
    pub only: Option<Vec<String>>,
    /// Ids or ecosystems left out.
    pub skip: Vec<String>,
    /// Opt-in transforms (outside the levels) turned on by configuration.
    pub enable: Vec<String>,
    /// A digest-pinned image may be replaced by an unpinned one.
    pub allow_unpinned: bool,
    /// The minimal runtime level 4 moves to.
    pub runtime: Runtime,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            level: MAX_LEVEL,
            only: None,
            skip: Vec::new(),
            enable: Vec::new(),
            allow_unpinned: false,
            runtime: Runtime::Scratch,
        }
    }
}

impl Selection {
    /// The transforms this selection runs, in order.
    pub fn transforms(&self) -> Vec<&'static dyn Transform> {
        transforms::all()
            .iter()
            .copied()
            .filter(|t| {
                let entry = catalog::entry(t.id());
                let level = entry.map_or(u8::MAX, |e| e.level);
                let eco = entry.map(|e| e.ecosystem.name());
                // An id or its ecosystem's name.
                let named = |n: &String| n == t.id() || Some(n.as_str()) == eco;
                let opt_in = entry.is_some_and(|e| e.opt_in);
                let picked = match &self.only {
                    Some(only) => only.iter().any(named),
                    None if opt_in => self.enable.iter().any(named),
                    None => level <= self.level,
                };
                picked && !self.skip.iter().any(named)
            })
            .collect()
    }
}

/// What happened to one transform. Messages name lines of the file as the
/// user has it (see [`crate::message`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Applied {
        message: Message,
        notes: Vec<Message>,
        /// What the step could not check here (the build context lacked it).
        unchecked: Vec<Message>,
    },
    Refused(Message),
    NotApplicable(Message),
    /// Not run, or its edits not applied: a transform it depends on did not
    /// apply, or a suppression comment covers it ([`Step::suppressed`] is
    /// then the comment's line).
    Skipped(Message),
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: &'static str,
    pub level: u8,
    pub ecosystem: Ecosystem,
    pub status: Status,
    /// The line of the `# dfslim: ignore=...` comment that stopped it.
    pub suppressed: Option<usize>,
}

/// The result of running the pipeline on one text.
#[derive(Clone, Debug)]
pub struct Run {
    pub original: String,
    pub output: String,
    pub steps: Vec<Step>,
    /// Every applied transform's edits, in the order applied, each on the
    /// text the previous ones left: replaying them turns `original` into
    /// `output` (the SARIF report attributes its changes with them).
    pub trail: Vec<(&'static str, Vec<edit::Edit>)>,
    /// Suppression comments naming unknown transforms.
    pub warnings: Vec<suppress::Warning>,
    /// The ecosystems the file's stages belong to.
    pub ecosystems: Vec<Ecosystem>,
    /// The output differs from the original (kept when [`Run::slim`] drops the texts).
    pub changed: bool,
    /// Which stage ships and who builds the others, in the user's words
    /// (`stage \`development\` is built by compose service backend (compose.yaml): left as is`).
    pub stages: Vec<String>,
}

impl Run {
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Drops the texts and edits, keeping what a report of steps needs: a
    /// batch over thousands of files need not hold every file twice.
    pub fn slim(&mut self) {
        self.original = String::new();
        self.output = String::new();
        self.trail = Vec::new();
    }

    /// Drops the steps that had nothing to do, for a report that does not
    /// list them: with thirty-odd transforms over every ecosystem, their
    /// reasons are most of what a large batch would hold until the end.
    pub fn drop_not_applicable(&mut self) {
        self.steps
            .retain(|s| !matches!(s.status, Status::NotApplicable(_)));
    }

    /// True when an applied step could not check something the build
    /// context would have told (the run's report then hints at `--context`).
    pub fn unchecked(&self) -> bool {
        self.steps.iter().any(
            |s| matches!(&s.status, Status::Applied { unchecked, .. } if !unchecked.is_empty()),
        )
    }
}

/// Passes over the transforms at most this many times (see [`run`]).
const MAX_PASSES: usize = 4;

/// The texts a run went through and the edits between them: what maps a
/// place in the current text back to the user's.
struct History {
    original: Document,
    /// The text before each applied step (the first is the original).
    texts: Vec<String>,
    steps: Vec<message::Applied>,
}

impl History {
    fn origin(&self, offset: usize) -> Origin {
        if self.steps.is_empty() {
            return Origin::User(offset);
        }
        let texts: Vec<&str> = self.texts.iter().map(String::as_str).collect();
        let steps: Vec<&message::Applied> = self.steps.iter().collect();
        message::origin(&texts, &steps, offset)
    }

    /// The original line of a place in the current text.
    fn line(&self, offset: usize) -> Option<usize> {
        match self.origin(offset) {
            Origin::User(o) => Some(self.original.line_col(o).0),
            Origin::Added => None,
        }
    }

    fn resolve(&self, raw: &str) -> Message {
        Message::resolve(raw, &|o| self.line(o))
    }
}

/// Runs `selection` on `text`. Only a text that does not parse is an error;
/// a transform whose edits would not apply or not parse is reported as
/// refused (it is a dfslim bug) and the others go on.
///
/// The transforms run in level order, then again while a pass changed
/// something: a later step can make an earlier one possible (once cgo is
/// off, a glibc builder can feed an alpine runtime), and running dfslim on
/// its own output must change nothing. The hygiene steps (ecosystem `any`)
/// run the same way after the others have settled, on the stages that
/// then ship. Each transform is reported once,
/// with what it finally did. Facts are worked out once per version of the
/// text, however many transforms read them.
pub fn run(
    text: &str,
    selection: &Selection,
    context: Option<&BuildContext>,
) -> Result<Run, ParseError> {
    run_with(
        text,
        selection,
        Input {
            context,
            ..Input::default()
        },
    )
}

/// What a run reads besides the text: the build context, who builds which
/// stage, and where digests for new images come from.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub context: Option<&'a BuildContext>,
    /// Stages that are products of their own (and what feeds them) stay as they are.
    pub targets: &'a Targets,
    pub digests: &'a dyn Digests,
}

impl Default for Input<'_> {
    fn default() -> Self {
        Input {
            context: None,
            targets: Targets::NONE,
            digests: &digest::None,
        }
    }
}

/// [`run`] with everything a run can be told.
pub fn run_with(text: &str, selection: &Selection, input: Input) -> Result<Run, ParseError> {
    Ok(run_doc(Document::parse(text)?, selection, input))
}

/// [`run_with`] on a document already parsed.
pub fn run_doc(doc: Document, selection: &Selection, input: Input) -> Run {
    let Input {
        context,
        targets,
        digests,
    } = input;
    let mut doc = doc;
    let picked = selection.transforms();
    let mut steps: Vec<Step> = picked
        .iter()
        .map(|t| {
            let entry = catalog::entry(t.id());
            Step {
                id: t.id(),
                level: entry.map_or(0, |e| e.level),
                ecosystem: entry.map_or(Ecosystem::Any, |e| e.ecosystem),
                status: Status::NotApplicable(Message::default()),
                suppressed: None,
            }
        })
        .collect();
    let mut trail = Vec::new();
    let mut history = History {
        original: doc.clone(),
        texts: Vec::new(),
        steps: Vec::new(),
    };
    // Read again after every applied step: comments travel with the
    // instructions they sit above (keep_attached sees to insertions).
    let (original_suppressions, warnings) = suppress::scan(&doc);
    let mut suppressions = original_suppressions.clone();
    // The facts of the text as it is now, until a step changes it.
    let first = Facts::with_targets(&doc, context, targets);
    let ecosystems = Ecosystem::ALL
        .into_iter()
        .filter(|&e| e != Ecosystem::Any && first.has(e, &doc))
        .collect::<Vec<_>>();
    let stage_notes = stage_notes(&doc, &first);
    let mut facts = Current {
        facts: Some(first),
        carried: None,
    };
    // Hygiene (ecosystem `any`) cleans the stages that ship, so its passes
    // come once the other steps have settled which those are: a cache
    // removed from a stage a later pass turns into a builder saves nothing.
    let (mut hygiene, mut pass) = (false, 0);
    // Steps the last pass found to be another ecosystem's.
    let mut gated = vec![false; picked.len()];
    loop {
        let mut changed = false;
        for (k, t) in picked.iter().enumerate() {
            if (steps[k].ecosystem == Ecosystem::Any) != hygiene {
                continue;
            }
            if pass > 0 && matches!(steps[k].status, Status::Applied { .. }) {
                continue;
            }
            steps[k].suppressed = None;
            let file_wide = suppressions
                .iter()
                .find(|s| s.scope == suppress::Scope::File && s.covers(t.id()))
                .map(|s| (s.line, s.reason(t.id())));
            // A step may run without a dependency that did not apply, when
            // it has another way (scratch-runtime's glibc runtime for a cgo
            // binary that cgo-off had to leave dynamic).
            let blocked = blocked_by(t.id(), &steps).filter(|dep| {
                let f: &Facts = facts.get(&doc, context, targets);
                let added = |o: usize| history.origin(o) == Origin::Added;
                !t.runs_without(
                    dep,
                    &Cx {
                        doc: &doc,
                        facts: f,
                        added: &added,
                        selection,
                        digests,
                    },
                )
            });
            let eco = steps[k].ecosystem;
            // Most steps of a file are another ecosystem's: said at once
            // (and not said again by every later pass). Which ecosystems
            // the file holds is read once, from the text as written: no
            // step makes a file another ecosystem's, and asking each new
            // version worked out every other ecosystem's facts again.
            let other_ecosystem = blocked.is_none()
                && file_wide.is_none()
                && eco != Ecosystem::Any
                && !ecosystems.contains(&eco);
            if other_ecosystem && gated[k] {
                continue;
            }
            gated[k] = other_ecosystem;
            let status = match blocked {
                None if other_ecosystem => {
                    Status::NotApplicable(Message::plain(format!("not a {} build", eco.title())))
                }
                Some(dep) => {
                    Status::Skipped(Message::plain(format!("needs {dep}, which did not apply")))
                }
                None if let Some((line, reason)) = file_wide => {
                    steps[k].suppressed = Some(line);
                    Status::Skipped(Message::plain(reason))
                }
                None => {
                    let f: &Facts = facts.get(&doc, context, targets);
                    // A shipped stage that is a product of its own (a dev
                    // target) is never slimmed: no step has anything to do.
                    let shipped_frozen = f.runtime().and_then(|r| f.frozen(r.index));
                    let outcome = if let Some(why) = shipped_frozen {
                        Outcome::NotApplicable(format!("{why}, and it ships: left as is"))
                    } else {
                        let added = |o: usize| history.origin(o) == Origin::Added;
                        t.run(&Cx {
                            doc: &doc,
                            facts: f,
                            added: &added,
                            selection,
                            digests,
                        })
                    };
                    match outcome {
                        Outcome::Apply { edits, .. }
                            if let Some(s) = suppressed_by(&suppressions, t.id(), &edits) =>
                        {
                            steps[k].suppressed = Some(s.line);
                            Status::Skipped(Message::plain(s.reason(t.id())))
                        }
                        Outcome::Apply { edits, .. }
                            if let Some(why) =
                                frozen_by(&doc, facts.get(&doc, context, targets), &edits) =>
                        {
                            Status::Skipped(Message::plain(format!("{why}: left as is")))
                        }
                        Outcome::Apply {
                            mut edits,
                            message,
                            notes,
                            unchecked,
                        } => {
                            suppress::keep_attached(&suppressions, doc.text(), &mut edits);
                            // Resolved against the text the transform saw.
                            let message = history.resolve(&message);
                            let notes = notes.iter().map(|n| history.resolve(n)).collect();
                            let unchecked = unchecked.iter().map(|n| history.resolve(n)).collect();
                            match apply(doc, &edits) {
                                Applied::Changed(next, before, kept) => {
                                    history.texts.push(before);
                                    history.steps.push(message::Applied::new(&edits));
                                    doc = next;
                                    facts.edited(kept);
                                    changed = true;
                                    suppressions = suppress::rescan(&doc, &original_suppressions);
                                    trail.push((t.id(), edits));
                                    Status::Applied {
                                        message,
                                        notes,
                                        unchecked,
                                    }
                                }
                                Applied::Same(same) => {
                                    doc = same;
                                    Status::NotApplicable(Message::plain("nothing to change"))
                                }
                                Applied::Bug(same, bug) => {
                                    doc = same;
                                    Status::Refused(Message::plain(format!(
                                        "internal error, nothing changed ({bug}); please report this as a dfslim bug"
                                    )))
                                }
                            }
                        }
                        Outcome::Refuse(reason) => Status::Refused(history.resolve(&reason)),
                        Outcome::NotApplicable(why) => Status::NotApplicable(history.resolve(&why)),
                    }
                }
            };
            steps[k].status = status;
        }
        pass += 1;
        if !changed || pass == MAX_PASSES {
            if hygiene {
                break;
            }
            (hygiene, pass) = (true, 0);
        }
    }
    let output = doc.into_text();
    let original = history.original.into_text();
    Run {
        changed: output != original,
        original,
        output,
        steps,
        trail,
        warnings,
        ecosystems,
        stages: stage_notes,
    }
}

/// The facts of the text as it is now, worked out when a step first asks
/// after a change, with what the version before lends them (the commands
/// of the RUNs the change did not touch).
struct Current<'c> {
    facts: Option<Facts<'c>>,
    carried: Option<(Carried, Kept)>,
}

impl<'c> Current<'c> {
    fn get(
        &mut self,
        doc: &Document,
        context: Option<&'c BuildContext>,
        targets: &Targets,
    ) -> &Facts<'c> {
        let carried = &mut self.carried;
        self.facts
            .get_or_insert_with(|| Facts::with_kept(doc, context, targets, carried.take()))
    }

    /// The text changed; `kept` says which instructions stayed as they were.
    fn edited(&mut self, kept: Option<Kept>) {
        self.carried = self.facts.take().map(Facts::carried).zip(kept);
    }
}

/// Why a stage one of `edits` touches must stay as it is, if one does.
fn frozen_by(doc: &Document, facts: &Facts, edits: &[edit::Edit]) -> Option<String> {
    let stages = doc.stages();
    for (i, st) in stages.iter().enumerate() {
        let Some(why) = facts.frozen(i) else { continue };
        let start = doc.line_start(doc.instructions()[st.from].start_line);
        let end = stages.get(i + 1).map_or(doc.text().len(), |n| {
            doc.line_start(doc.instructions()[n.from].start_line)
        });
        let touches = |e: &edit::Edit| {
            if e.span.is_empty() {
                start < e.span.start && e.span.start < end
            } else {
                e.span.start < end && e.span.end > start
            }
        };
        if edits.iter().any(touches) {
            return Some(why.to_string());
        }
    }
    None
}

/// The roles of the stages, for the report: who builds which, which stay.
fn stage_notes(doc: &Document, facts: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    let n = doc.stages().len();
    for i in 0..n {
        let name = crate::analysis::targets::stage_name(doc, i);
        if i == facts.roles.shipped && n > 1 {
            let by = &facts.roles.built_by[i];
            let mut line = if by.is_empty() {
                format!("stage {name} ships (the last stage)")
            } else {
                format!("stage {name} ships (built by {})", by.join(" and "))
            };
            if let Some(why) = facts.frozen(i) {
                line.push_str(&format!("; {why}: left as is"));
            }
            out.push(line);
        } else if let Some(why) = facts.frozen(i) {
            out.push(format!("{why}: left as is"));
        } else if !facts.roles.built_by[i].is_empty() {
            out.push(format!(
                "stage {name} is built by {}",
                facts.roles.built_by[i].join(" and ")
            ));
        }
    }
    out
}

/// The instruction-scoped suppression covering `id` that one of `edits` touches.
fn suppressed_by<'a>(
    suppressions: &'a [suppress::Suppression],
    id: &str,
    edits: &[edit::Edit],
) -> Option<&'a suppress::Suppression> {
    suppressions.iter().find(|s| {
        matches!(s.scope, suppress::Scope::Instruction { .. })
            && s.covers(id)
            && edits.iter().any(|e| s.touches(e.span))
    })
}

/// The dependency of `id` that was refused or skipped, if any.
fn blocked_by(id: &str, steps: &[Step]) -> Option<String> {
    let entry = catalog::entry(id)?;
    entry
        .depends_on
        .iter()
        .find(|dep| {
            steps.iter().any(|s| {
                s.id == dep.as_str() && matches!(s.status, Status::Refused(_) | Status::Skipped(_))
            })
        })
        .cloned()
}

/// What applying a step's edits gave: the next document (and the text
/// before it), the same text, or a transform bug (with the document as it was).
enum Applied {
    Changed(Document, String, Option<Kept>),
    Same(Document),
    Bug(Document, String),
}

/// Applies edits and parses the result (only the instructions around the
/// edits are read again, see [`Document::edited`]); either failing is a
/// transform bug.
fn apply(doc: Document, edits: &[edit::Edit]) -> Applied {
    let text = match edit::apply(doc.text(), edits) {
        Ok(t) if t == doc.text() => return Applied::Same(doc),
        Ok(t) => t,
        Err(e) => return Applied::Bug(doc, e.to_string()),
    };
    let changed = edits
        .iter()
        .map(|e| e.span)
        .reduce(|a, b| Span::new(a.start.min(b.start), a.end.max(b.end)))
        .unwrap_or_default();
    let before = doc.text().to_string();
    let comments: Vec<(Span, usize)> = doc.comments().iter().map(|c| (c.span, c.line)).collect();
    let restore = |why: String| {
        let doc = Document::parse(before.clone()).expect("the text before parsed");
        Applied::Bug(doc, why)
    };
    let (next, reused) = match doc.edited_kept(text, changed) {
        Ok(next) => next,
        Err(e) => return restore(format!("the rewritten text does not parse: {e}")),
    };
    if crate::syntax::check_rereads() {
        let full = Document::parse(next.text()).expect("the piece parsed, so the whole does");
        if let Some(diff) = next.differs_from(&full) {
            panic!("re-reading around the edits {changed:?} differs from a full parse: {diff}");
        }
    }
    // Comments are the user's: a transform may move them, never drop them.
    let mut kept: Vec<&str> = next
        .comments()
        .iter()
        .map(|c| c.span.of(next.text()).trim())
        .collect();
    kept.sort_unstable();
    for &(c, line) in &comments {
        let t = c.of(&before).trim();
        match kept.binary_search(&t) {
            Ok(i) => {
                kept.remove(i);
            }
            Err(_) => {
                return restore(format!("the rewrite would drop the comment on line {line}"));
            }
        }
    }
    Applied::Changed(next, before, reused)
}
