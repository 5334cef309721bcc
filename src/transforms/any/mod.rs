//! Size hygiene that fits any image, whatever its language: package
//! managers' indexes, caches and extras left in the layers of the stages
//! that ship. One policy for all of them (docs/hygiene.md):
//!
//! - only stages in the shipped image (`Facts::in_image`), never a frozen
//!   one: a builder's layers never reach the image, so cleaning them saves
//!   nothing;
//! - every edit stays inside the RUN it cleans up after, in that RUN's
//!   layout; RUNs are never merged or split;
//! - a RUN that keeps a package manager's files in a BuildKit cache mount
//!   is left alone for that manager (nothing of it reaches the layer), and
//!   no mount is ever added: the flags hadolint asks for work with every
//!   builder, a mount needs BuildKit and keeps a cache on the build machine;
//! - nothing already clean is touched again (`--no-cache`, a later
//!   `rm -rf /var/lib/apt/lists/*`, `PIP_NO_CACHE_DIR` in scope...).

pub mod apk_no_cache;
pub mod apt_lists;
pub mod apt_no_recommends;
pub mod npm_cache;
pub mod pip_no_cache;
pub mod script;

use crate::analysis::commands::{self, CommandLine};
use crate::analysis::targets::stage_name;
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Instruction, Keyword};
use crate::transforms::{Cx, Outcome};

/// A RUN of the file, read once: its stage, its commands, its mounts.
pub(crate) struct Run<'a> {
    pub stage: usize,
    /// Its index among the document's instructions.
    pub index: usize,
    pub ins: &'a Instruction,
    pub lines: &'a [CommandLine],
    /// Targets of its cache and tmpfs mounts.
    pub mounts: Vec<String>,
}

impl Run<'_> {
    pub fn loc(&self) -> Loc {
        Loc::of(self.ins)
    }

    /// True when a cache or tmpfs mount of this RUN holds `manager`'s
    /// files (`transforms/tables/hygiene.toml`).
    pub fn mounts_cache_of(&self, manager: &str) -> bool {
        let t = &catalog::tables().hygiene;
        let Some((_, markers)) = t.mounts.iter().find(|(m, _)| m == manager) else {
            return false;
        };
        self.mounts.iter().any(|target| {
            markers.iter().any(|m| target.contains(m.as_str()))
                || t.covering.iter().any(|c| target.ends_with(c.as_str()))
        })
    }
}

/// Every RUN of the file, in order.
pub(crate) fn runs<'a>(cx: &Cx<'a>) -> Vec<Run<'a>> {
    let doc = cx.doc;
    let mut out = Vec::new();
    for st in &cx.facts.stages {
        for &i in &st.runs {
            let ins = &doc.instructions()[i];
            debug_assert_eq!(ins.keyword, Keyword::Run);
            out.push(Run {
                stage: st.index,
                index: i,
                ins,
                lines: cx.facts.lines(i),
                mounts: commands::cache_mounts(ins),
            });
        }
    }
    out
}

/// Why the RUN of stage `s` on `at` may not be cleaned up, if it may not:
/// the stage does not ship, or must stay as it is.
pub(crate) fn out_of_scope(cx: &Cx, s: usize, at: Loc) -> Option<String> {
    if let Some(why) = cx.facts.frozen(s) {
        return Some(format!("{at} is in a stage left as is ({why})"));
    }
    if !cx.facts.in_image(s) {
        return Some(format!(
            "{at} is in stage {}, which does not ship: its layers never reach the image",
            stage_name(cx.doc, s)
        ));
    }
    None
}

/// What a hygiene step found, RUN by RUN, made into one outcome.
#[derive(Default)]
pub(crate) struct Findings {
    pub edits: Vec<Edit>,
    /// The RUNs changed.
    pub done: Vec<Loc>,
    /// Why a RUN that would pay was left as is (a reason the user can act on).
    pub refused: Vec<String>,
    /// Why a RUN needs nothing.
    pub fine: Vec<String>,
}

impl Findings {
    pub fn refuse(&mut self, why: String) {
        if !self.refused.contains(&why) {
            self.refused.push(why);
        }
    }

    pub fn fine(&mut self, why: String) {
        if !self.fine.contains(&why) {
            self.fine.push(why);
        }
    }

    /// Applies what was found (with the RUNs left as is as notes), or
    /// refuses with every reason, or says why nothing is needed (`none`
    /// when nothing concerned this step at all).
    pub fn outcome(self, what: &str, none: &str) -> Outcome {
        if !self.edits.is_empty() {
            let mut at: Vec<String> = self.done.iter().map(|l| l.to_string()).collect();
            at.dedup();
            let notes = self
                .refused
                .into_iter()
                .map(|r| format!("left as is: {r}"))
                .collect();
            return Outcome::apply(
                self.edits,
                format!("{what} ({})", crate::transforms::text::listing(&at, ", ")),
            )
            .with_notes(notes);
        }
        if !self.refused.is_empty() {
            return Outcome::refuse(self.refused.join("; "));
        }
        if !self.fine.is_empty() {
            return Outcome::not_applicable(crate::transforms::text::listing(&self.fine, "; "));
        }
        Outcome::not_applicable(none)
    }
}

/// The words of a command line, unquoted.
pub(crate) fn words(l: &CommandLine) -> Vec<&str> {
    l.args.iter().map(|a| a.value.as_str()).collect()
}

/// True when `l` removes one of `paths` whole (`rm -rf <path>/*`, or a
/// directory above it).
pub(crate) fn removes(l: &CommandLine, paths: &[&str]) -> bool {
    l.name == "rm"
        && l.args.iter().skip(1).any(|a| {
            let v = a.value.trim_end_matches(['*', '/']);
            !v.is_empty()
                && paths.iter().any(|p| {
                    let p = p.trim_end_matches('/');
                    v == p || p.starts_with(&format!("{v}/"))
                })
        })
}

/// apt's commands.
pub(crate) const APT: &[&str] = &["apt-get", "apt"];

/// The verb of an apt-get / apt command (`install`, `update`...) and its
/// index among the words, options and their values skipped.
pub(crate) fn apt_verb(l: &CommandLine) -> Option<(usize, &str)> {
    if !APT.contains(&l.name.as_str()) {
        return None;
    }
    let mut skip = false;
    for (i, a) in l.args.iter().enumerate().skip(1) {
        let v = a.value.as_str();
        if skip {
            skip = false;
            continue;
        }
        if v.starts_with('-') {
            skip = matches!(
                v,
                "-o" | "--option" | "-c" | "--config-file" | "-t" | "--target-release"
            );
            continue;
        }
        return Some((i, v));
    }
    None
}

/// The index of the first word from `from` on that is not an option.
pub(crate) fn first_word(l: &CommandLine, from: usize) -> Option<usize> {
    (from..l.args.len()).find(|&i| !l.args[i].value.starts_with('-'))
}
