//! `apk-no-cache` (level 1): `apk add --no-cache` instead of `apk update &&
//! apk add`.
//!
//! **What**: in the stages that ship, every `apk add` (and `apk upgrade`,
//! `apk fix`) without `--no-cache` gets it, right after the verb, and an
//! `apk update` in the same RUN before them is taken out with its `&&`.
//! Where that would leave the RUN one command next to another RUN of one
//! command (hadolint DL3059 then asks to merge them, and dfslim never
//! merges RUNs), `apk update` stays and `rm -rf /var/cache/apk/*` ends
//! the RUN instead: the same bytes saved.
//!
//! **Why**: apk keeps the package index it fetches (`apk update`, or a
//! plain `apk add`) in `/var/cache/apk`: about 2.5 MB for Alpine's main and
//! community repositories, read by nothing at run time. With `--no-cache`
//! apk fetches the index, uses it and leaves nothing behind; an `apk update`
//! before it would still store one, so it goes. hadolint DL3019.
//!
//! **Refuses** a RUN that runs `apk update` alone (dfslim does not delete a
//! RUN: the user can), or before a command that needs the stored index
//! (`apk search`, `apk info`...), or joined by more than `&&` or `;`. Not
//! applicable when the RUN already removes `/var/cache/apk`, keeps apk's
//! cache in a cache mount, or the stage does not ship.
//!
//! **Example**: `RUN apk update && apk add ca-certificates` ->
//! `RUN apk add --no-cache ca-certificates`.

use super::{Findings, out_of_scope, removes, runs};
use crate::analysis::commands::CommandLine;
use crate::transforms::{Cx, Outcome, Transform};

pub struct ApkNoCache;

const CACHE: &str = "/var/cache/apk";

/// apk options that take a value.
const VALUED: &[&str] = &[
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--arch",
    "--keys-dir",
    "--repositories-file",
    "--cache-dir",
    "--cache-max-age",
    "--timeout",
    "--wait",
];

/// Verbs that get `--no-cache`.
const FETCH: &[&str] = &["add", "upgrade", "fix"];
/// Verbs that read the index apk stored.
const READ: &[&str] = &[
    "search", "info", "list", "policy", "version", "fetch", "dot", "index",
];

/// The verb of an apk command and its index among the words.
fn verb(l: &CommandLine) -> Option<(usize, &str)> {
    if l.name != "apk" {
        return None;
    }
    let mut skip = false;
    for (i, a) in l.args.iter().enumerate().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        if a.value.starts_with('-') {
            skip = VALUED.contains(&a.value.as_str());
            continue;
        }
        return Some((i, a.value.as_str()));
    }
    None
}

fn no_cache(l: &CommandLine) -> bool {
    l.args.iter().any(|a| a.value == "--no-cache")
}

impl Transform for ApkNoCache {
    fn id(&self) -> &'static str {
        "apk-no-cache"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let mut f = Findings::default();
        for r in runs(cx) {
            let apk: Vec<(usize, usize, &str)> = r
                .lines
                .iter()
                .enumerate()
                .filter_map(|(k, l)| verb(l).map(|(i, v)| (k, i, v)))
                .collect();
            let Some(&(last, _, _)) = apk
                .iter()
                .rev()
                .find(|(_, _, v)| *v == "update" || FETCH.contains(v))
            else {
                continue;
            };
            let at = r.loc();
            if r.mounts_cache_of("apk") {
                f.fine(format!("{at} keeps apk's cache in a cache mount"));
                continue;
            }
            if r.lines[last + 1..].iter().any(|l| removes(l, &[CACHE])) {
                f.fine(format!("{at} already removes {CACHE}"));
                continue;
            }
            let updates: Vec<usize> = apk
                .iter()
                .filter(|(_, _, v)| *v == "update")
                .map(|(k, _, _)| *k)
                .collect();
            let flags: Vec<(usize, usize)> = apk
                .iter()
                .filter(|(k, _, v)| FETCH.contains(v) && !no_cache(&r.lines[*k]))
                .map(|(k, i, _)| (*k, *i))
                .collect();
            if updates.is_empty() && flags.is_empty() {
                f.fine(format!("{at} already runs apk with --no-cache"));
                continue;
            }
            if let Some(why) = out_of_scope(cx, r.stage, at) {
                f.fine(why);
                continue;
            }
            let mut edits = Vec::new();
            let mut refused = None;
            // Taking `apk update` out must not leave a lone command next to
            // another RUN of one command (hadolint DL3059 asks to merge those):
            // there the index goes at the end of the RUN instead.
            let lone = !updates.is_empty()
                && r.lines.len() - updates.len() <= 1
                && [r.index.checked_sub(1), Some(r.index + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|i| Some((i, cx.doc.instructions().get(i)?)))
                    .any(|(i, n)| {
                        n.keyword == crate::syntax::Keyword::Run
                            && n.flags.iter().map(|f| &f.text).eq(r
                                .ins
                                .flags
                                .iter()
                                .map(|f| &f.text))
                            && cx.facts.lines(i).len() <= 1
                    });
            for &u in &updates {
                let after: Vec<&str> = apk
                    .iter()
                    .filter(|(k, _, _)| *k > u)
                    .map(|(_, _, v)| *v)
                    .collect();
                if let Some(v) = after.iter().find(|v| READ.contains(v)) {
                    refused = Some(format!(
                        "{at} runs `apk {v}` after `apk update`, which may need the index apk update stores"
                    ));
                    break;
                }
                if !after.iter().any(|v| FETCH.contains(v)) {
                    let fix = if r.lines.len() == 1 {
                        "dfslim does not delete RUNs: remove it yourself"
                    } else {
                        "take `apk update` out of it yourself"
                    };
                    refused = Some(format!(
                        "{at} runs `apk update` without `apk add` after it: the index it stores (about 2.5 MB) stays in that layer; {fix}, `apk add --no-cache` fetches the index it needs"
                    ));
                    break;
                }
                if lone {
                    continue;
                }
                // An apk command follows, so there is a next command.
                let Some(next) = r.lines.get(u + 1) else {
                    continue;
                };
                match super::script::remove_command(cx.doc, &r.lines[u], next) {
                    Ok(e) => edits.push(e),
                    Err(why) => {
                        refused = Some(format!("{at}: `apk update` cannot be taken out: {why}"));
                        break;
                    }
                }
            }
            if refused.is_none() && lone {
                let near = r.lines[updates[0]].args[0].span;
                let clean = format!("rm -rf {CACHE}/*");
                match super::script::append(cx.doc, r.ins, near, &[clean]) {
                    Ok(e) => edits.push(e),
                    Err(why) => refused = Some(format!("{at}: {why}")),
                }
            }
            if let Some(why) = refused {
                f.refuse(why);
                continue;
            }
            for (k, i) in flags {
                edits.push(super::script::insert_after(
                    &r.lines[k].args[i],
                    "--no-cache",
                ));
            }
            f.edits.extend(edits);
            f.done.push(at);
        }
        f.outcome(
            "`apk add --no-cache`, no index stored",
            "no RUN installs with apk",
        )
    }
}
