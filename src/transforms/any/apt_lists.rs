//! `apt-lists` (level 1): `rm -rf /var/lib/apt/lists/*` at the end of the
//! RUN that runs `apt-get update`.
//!
//! **What**: each RUN of a stage that ships which downloads apt's package
//! lists (`apt-get update`, `apt update`) and does not remove them gets
//! `&& rm -rf /var/lib/apt/lists/*` as its last command, in the RUN's own
//! layout (`&& \` line ends, leading `&&`, one line; a new line of a
//! `set -e` heredoc script).
//!
//! **Why**: the lists are about 20 MB on Debian bookworm and nothing at run
//! time reads them. Removed in the RUN that downloads them they never reach
//! a layer; removed in a later RUN they still weigh in the image (and
//! `apt-get clean` saves nothing on Debian and Ubuntu images, whose apt
//! configuration already drops the downloaded .deb files). hadolint DL3009.
//!
//! **Refuses** when something after that RUN reads the lists without
//! downloading them again: a later RUN of the stage (or of a stage built
//! FROM it) that runs `apt-get install` without `apt-get update`, or a
//! script dfslim cannot read; the RUN is in exec form. Not applicable when
//! the lists are already removed in that RUN, kept in a cache mount, or the
//! stage does not ship.
//!
//! **Example**: `RUN apt-get update && apt-get install -y curl` ->
//! `RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*`.

use super::{Findings, Run, apt_verb, out_of_scope, removes, runs};
use crate::analysis::commands::CommandLine;
use crate::analysis::stages::Base;
use crate::transforms::{Cx, Outcome, Transform};

pub struct AptLists;

const LISTS: &str = "/var/lib/apt/lists";
const CLEAN: &str = "rm -rf /var/lib/apt/lists/*";

/// Verbs that read the package lists.
const READS: &[&str] = &[
    "install",
    "reinstall",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "build-dep",
    "source",
    "download",
    "satisfy",
    "policy",
    "show",
    "search",
];

fn updates(l: &CommandLine) -> bool {
    apt_verb(l).is_some_and(|(_, v)| v == "update")
}

fn reads(l: &CommandLine) -> bool {
    apt_verb(l).is_some_and(|(_, v)| READS.contains(&v))
        || matches!(
            l.name.as_str(),
            "apt-cache" | "aptitude" | "add-apt-repository" | "apt-file"
        )
}

fn cleans(l: &CommandLine) -> bool {
    removes(l, &[LISTS]) || apt_verb(l).is_some_and(|(_, v)| v == "distclean" || v == "dist-clean")
}

/// A script the RUN runs from a file (`./install.sh`, `bash setup.sh`):
/// dfslim cannot see what it does.
pub(crate) fn runs_script(l: &CommandLine) -> Option<&str> {
    let name = l.args.first()?.value.as_str();
    if name.ends_with(".sh") {
        return Some(name);
    }
    if matches!(
        l.name.as_str(),
        "sh" | "bash" | "dash" | "ash" | "source" | "."
    ) {
        return l
            .args
            .get(1)
            .filter(|a| !a.value.starts_with('-'))
            .map(|a| a.value.as_str());
    }
    None
}

/// What reads the lists RUN `k` downloads before anything downloads them
/// again: a later RUN of its stage, or of a stage built FROM it.
fn later_reader(cx: &Cx, all: &[Run], k: usize) -> Option<String> {
    let r = &all[k];
    for q in &all[k + 1..] {
        // The stages from q's up to r's, following FROM.
        let mut chain = vec![q.stage];
        let mut at = q.stage;
        while at != r.stage {
            match cx.facts.stages[at].base {
                Base::Stage(b) if b >= r.stage => {
                    chain.push(b);
                    at = b;
                }
                _ => break,
            }
        }
        if at != r.stage {
            continue;
        }
        let refreshed = all[k + 1..]
            .iter()
            .take_while(|p| p.index < q.index)
            .any(|p| chain.contains(&p.stage) && p.lines.iter().any(updates));
        if refreshed {
            continue;
        }
        for l in q.lines {
            if updates(l) {
                break;
            }
            if reads(l) {
                let what = super::words(l)
                    .iter()
                    .take(apt_verb(l).map_or(1, |(i, _)| i + 1))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                return Some(format!(
                    "{} runs `{what}` without `apt-get update`: it reads the lists {} downloads, and removing them in a later layer saves nothing; run `apt-get update` in the same RUN as each install",
                    q.loc(),
                    r.loc()
                ));
            }
            if let Some(script) = runs_script(l) {
                return Some(format!(
                    "{} runs {script}, which dfslim cannot read: it may install with the lists {} downloads",
                    q.loc(),
                    r.loc()
                ));
            }
        }
    }
    None
}

impl Transform for AptLists {
    fn id(&self) -> &'static str {
        "apt-lists"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let all = runs(cx);
        let mut f = Findings::default();
        for (k, r) in all.iter().enumerate() {
            let Some(last) = r.lines.iter().rposition(updates) else {
                continue;
            };
            let at = r.loc();
            if r.mounts_cache_of("apt") {
                f.fine(format!("{at} keeps apt's lists in a cache mount"));
                continue;
            }
            if r.lines[last + 1..].iter().any(cleans) {
                f.fine(format!("{at} already removes {LISTS}"));
                continue;
            }
            if let Some(why) = out_of_scope(cx, r.stage, at) {
                f.fine(why);
                continue;
            }
            if let Some(why) = later_reader(cx, &all, k) {
                f.refuse(why);
                continue;
            }
            let near = r.lines[last].args[0].span;
            match super::script::append(cx.doc, r.ins, near, &[CLEAN.to_string()]) {
                Ok(e) => {
                    f.edits.push(e);
                    f.done.push(at);
                }
                Err(why) => f.refuse(format!("{at}: {why}")),
            }
        }
        f.outcome(
            &format!("`{CLEAN}` at the end of the RUN that downloads the lists"),
            "no RUN downloads apt's package lists",
        )
    }
}
