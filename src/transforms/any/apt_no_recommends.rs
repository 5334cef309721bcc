//! `apt-no-recommends` (level 3): `apt-get install --no-install-recommends`,
//! with the recommends the image relies on added by name.
//!
//! **What**: in the stages that ship, every `apt-get install` (and `apt
//! install`) without it gets `--no-install-recommends` after the verb (and
//! its `-y`). A recommend the table `transforms/tables/hygiene.toml` knows
//! to be load-bearing (`ca-certificates` for curl, wget, git, python3 and
//! nodejs over HTTPS; `libc6-dev` for gcc; ...) is added to the package
//! list explicitly, in the list's layout (one per line, sorted), unless the
//! image installs it already.
//!
//! **Why**: apt installs every package's Recommends by default: tools,
//! documentation helpers, fonts, compilers, often as much as what was asked
//! for (4.5 MB of 24 for curl and libsqlite3 on Debian bookworm, and tens
//! of MB for bigger sets). hadolint DL3015. It is at level 3 ("only what
//! runs") and not 1 because dropping a recommend can remove something the
//! image uses; the table covers the common cases, not every package.
//!
//! **Refuses** when a load-bearing recommend cannot be added by name: the
//! package list comes from a variable or a file, or every package is pinned
//! to a version (an unpinned name would be the only one). Not applicable
//! when recommends are already off (the flag, `-o APT::Install-Recommends=false`,
//! an apt configuration written earlier), when the install asks for them
//! (`--install-recommends`), the RUN keeps apt's files in a cache mount, or
//! the stage does not ship.
//!
//! **Example**: `RUN apt-get install -y curl` ->
//! `RUN apt-get install -y --no-install-recommends curl ca-certificates`.

use super::{Findings, Run, apt_verb, out_of_scope, runs};
use crate::analysis::commands::{Arg, CommandLine};
use crate::analysis::stages::Base;
use crate::catalog;
use crate::message::Loc;
use crate::transforms::{Cx, Outcome, Transform};

pub struct AptNoRecommends;

const FLAG: &str = "--no-install-recommends";

/// Options of apt-get that take no value (the flag goes after them):
/// these, and clusters of `-y`, `-q`, `-f`, `-m` (`-yqq`, `-fy`).
const BARE: &[&str] = &[
    "--yes",
    "--assume-yes",
    "--quiet",
    "--no-upgrade",
    "--fix-broken",
    "--fix-missing",
];

fn bare(v: &str) -> bool {
    BARE.contains(&v)
        || v.strip_prefix('-').is_some_and(|c| {
            !c.is_empty() && c.bytes().all(|b| matches!(b, b'y' | b'q' | b'f' | b'm'))
        })
}

/// Options that take a value.
const VALUED: &[&str] = &[
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
];

/// What the install says about recommends, if anything.
fn recommends_said(l: &CommandLine) -> Option<&'static str> {
    let w = super::words(l);
    for (i, v) in w.iter().enumerate() {
        let opt = if matches!(*v, "-o" | "--option") {
            w.get(i + 1).copied().unwrap_or("")
        } else {
            v.strip_prefix("-o")
                .or_else(|| v.strip_prefix("--option="))
                .unwrap_or_default()
        };
        let opt = opt.to_ascii_lowercase();
        if *v == FLAG
            || (opt.starts_with("apt::install-recommends=")
                && matches!(opt.rsplit('=').next(), Some("false" | "0" | "no" | "off")))
        {
            return Some("already runs apt-get install with --no-install-recommends");
        }
        if *v == "--install-recommends" {
            return Some("asks for recommends (--install-recommends)");
        }
    }
    None
}

/// The package words of an install (options and their values skipped).
fn packages(l: &CommandLine, verb: usize) -> Vec<&Arg> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in &l.args[verb + 1..] {
        if skip {
            skip = false;
            continue;
        }
        if a.value.starts_with('-') {
            skip = VALUED.contains(&a.value.as_str());
            continue;
        }
        out.push(a);
    }
    out
}

/// A package word's name (`curl=7.88.1-10`, `curl/bookworm`, `curl:amd64` -> `curl`).
fn name(word: &str) -> &str {
    word.split(['=', '/', ':']).next().unwrap_or(word)
}

/// The stages `s` is built from, itself first.
fn chain(cx: &Cx, s: usize) -> Vec<usize> {
    let mut v = vec![s];
    let mut at = s;
    while let Base::Stage(b) = cx.facts.stages[at].base {
        v.push(b);
        at = b;
    }
    v
}

/// An earlier RUN or COPY of the image that configures apt's recommends.
fn configured(cx: &Cx, all: &[Run], r: &Run) -> Option<String> {
    let stages = chain(cx, r.stage);
    for q in all
        .iter()
        .filter(|q| q.index < r.index && stages.contains(&q.stage))
    {
        if q.ins.span.of(cx.doc.text()).contains("Install-Recommends") {
            return Some(format!("{} configures APT::Install-Recommends", q.loc()));
        }
    }
    for &s in &stages {
        for c in cx.facts.stages[s].copies.iter().filter(|c| c.ins < r.index) {
            if c.dest.as_deref().is_some_and(|d| d.starts_with("/etc/apt")) {
                return Some(format!(
                    "{} copies apt configuration, which may turn recommends off",
                    Loc::at(cx.doc, c.ins)
                ));
            }
        }
    }
    None
}

impl Transform for AptNoRecommends {
    fn id(&self) -> &'static str {
        "apt-no-recommends"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let all = runs(cx);
        let table = &catalog::tables().hygiene.recommends;
        let text = cx.doc.text();
        let mut f = Findings::default();
        let mut notes = Vec::new();
        for r in &all {
            let at = r.loc();
            let mut edits = Vec::new();
            let mut added = Vec::new();
            let mut refused = None;
            for l in r.lines {
                let Some((verb, "install")) = apt_verb(l) else {
                    continue;
                };
                if let Some(said) = recommends_said(l) {
                    f.fine(format!("{at} {said}"));
                    continue;
                }
                if r.mounts_cache_of("apt") {
                    f.fine(format!("{at} keeps apt's files in a cache mount"));
                    continue;
                }
                if let Some(why) = out_of_scope(cx, r.stage, at) {
                    f.fine(why);
                    continue;
                }
                if let Some(why) = configured(cx, &all, r) {
                    f.fine(why);
                    continue;
                }
                let pkgs = packages(l, verb);
                if let Some(d) = pkgs.iter().find(|a| a.dynamic) {
                    refused = Some(format!(
                        "{at} installs packages named by {}: dfslim cannot tell whether the image needs their recommends",
                        d.value
                    ));
                    break;
                }
                if let Some(d) = pkgs
                    .iter()
                    .find(|a| a.value.ends_with(".deb") || a.value.starts_with(['.', '/']))
                {
                    refused = Some(format!(
                        "{at} installs {}, a package file whose recommends dfslim cannot read",
                        d.value
                    ));
                    break;
                }
                // The load-bearing recommends, following what is added.
                let listed: Vec<&str> = pkgs.iter().map(|a| name(&a.value)).collect();
                let provides = &catalog::tables().hygiene.provides;
                let installed = |p: &str| {
                    chain(cx, r.stage).iter().any(|&s| {
                        cx.facts.stages[s].installs.iter().any(|i| {
                            i.manager == "apt"
                                && i.ins <= r.index
                                && i.packages.iter().any(|x| {
                                    x == p
                                        || provides.iter().any(|(by, what)| {
                                            by == x && what.iter().any(|w| w == p)
                                        })
                                })
                        })
                    })
                };
                let mut want: Vec<(String, String, String)> = Vec::new();
                let mut todo: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
                while let Some(p) = todo.pop() {
                    for rec in table.iter().filter(|rec| rec.packages.contains(&p)) {
                        if !rec.when.is_empty()
                            && !rec.when.iter().any(|w| text.contains(w.as_str()))
                        {
                            continue;
                        }
                        let n = &rec.needs;
                        if installed(n) || want.iter().any(|w| &w.0 == n) {
                            continue;
                        }
                        want.push((n.clone(), p.clone(), rec.why.clone()));
                        todo.push(n.clone());
                    }
                }
                if !want.is_empty()
                    && !pkgs.is_empty()
                    && pkgs.iter().all(|a| a.value.contains('='))
                {
                    let (n, p, why) = &want[0];
                    refused = Some(format!(
                        "{at} pins every package's version, and {p} recommends {n} ({why}): add {n}=<version> to the list, then dfslim can turn recommends off"
                    ));
                    break;
                }
                // After the verb and the bare options right behind it on its line.
                let line = |a: &Arg| cx.doc.line_col(a.span.start).0;
                let mut after = verb;
                while let Some(a) = l.args.get(after + 1) {
                    if bare(&a.value) && line(a) == line(&l.args[verb]) {
                        after += 1;
                    } else {
                        break;
                    }
                }
                edits.push(super::script::insert_after(&l.args[after], FLAG));
                let names: Vec<String> = want.iter().map(|w| w.0.clone()).collect();
                edits.extend(super::script::add_packages(cx.doc, &pkgs, &names));
                for (n, p, why) in &want {
                    added.push(format!(
                        "{n} added to the install ({at}): {p} recommends it, and {why}"
                    ));
                }
            }
            if let Some(why) = refused {
                f.refuse(why);
                continue;
            }
            if !edits.is_empty() {
                f.edits.extend(edits);
                f.done.push(at);
                notes.extend(added);
            }
        }
        let applied = !f.edits.is_empty();
        let out = f.outcome(
            "`--no-install-recommends`: apt installs only what was asked for",
            "no RUN installs with apt-get",
        );
        if applied { out.with_notes(notes) } else { out }
    }
}
