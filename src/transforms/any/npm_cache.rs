//! `npm-cache` (level 1): `npm cache clean --force` (and `yarn cache
//! clean`) at the end of the RUN that installs.
//!
//! **What**: each RUN of a stage that ships which installs with npm (`npm
//! ci`, `npm install`, `npm i -g ...`) gets `&& npm cache clean
//! --force` as its last command; with yarn 1 (`yarn`, `yarn install`,
//! `yarn add`, `yarn global add`), `&& yarn cache clean`. In the RUN's own
//! layout, as `apt-lists` does. Which packages are installed does not
//! change (that is the Node.js steps' job).
//!
//! **Why**: npm keeps a copy of every package tarball it fetched in
//! `~/.npm/_cacache`, yarn 1 an unpacked copy of every package in its
//! cache folder: both in the layer, read by nothing at run time. hadolint
//! DL3060 (yarn).
//!
//! **Refuses** `yarn cache clean` when yarn may be yarn 2+ (corepack, `yarn
//! set version`, a `.yarnrc.yml` in the build context or copied): in Plug'n'Play
//! mode its cache is where the installed packages live. Without a build
//! context to look in, yarn 1 must show (`yarn global add`). Refuses a RUN
//! in exec form. pnpm is left alone: its store holds the very files
//! node_modules hard-links, so it costs the layer nothing more. Not
//! applicable when the RUN already cleans the cache, keeps it in a cache
//! mount, or the stage does not ship.
//!
//! **Example**: `RUN npm ci` -> `RUN npm ci && npm cache clean --force`.

use super::{Findings, Run, out_of_scope, removes, runs, words};
use crate::analysis::commands::CommandLine;
use crate::analysis::stages::Base;
use crate::transforms::{Cx, Outcome, Transform};

pub struct NpmCache;

const NPM_CLEAN: &str = "npm cache clean --force";
const YARN_CLEAN: &str = "yarn cache clean";

/// npm's commands that fetch packages (with their aliases).
const NPM_FETCH: &[&str] = &[
    "install",
    "i",
    "in",
    "ins",
    "inst",
    "insta",
    "instal",
    "isnt",
    "isnta",
    "isntal",
    "isntall",
    "add",
    "ci",
    "clean-install",
    "ic",
    "install-clean",
    "isntall-clean",
    "install-ci-test",
    "cit",
    "install-test",
    "it",
    "update",
    "up",
    "upgrade",
    "udpate",
];

const NPM_DIRS: &[&str] = &["/root/.npm", "~/.npm", "$HOME/.npm"];
const YARN_DIRS: &[&str] = &[
    "/usr/local/share/.cache/yarn",
    "/root/.cache/yarn",
    "~/.cache/yarn",
    "$HOME/.cache/yarn",
    "$(yarn cache dir)",
];

/// `npx` and `npm exec` are left out: they mostly run what is installed
/// already, and then fill no cache.
fn npm_fetches(l: &CommandLine) -> bool {
    l.name == "npm"
        && super::first_word(l, 1).is_some_and(|i| NPM_FETCH.contains(&l.args[i].value.as_str()))
}

fn yarn_fetches(l: &CommandLine) -> bool {
    l.name == "yarn"
        && match super::first_word(l, 1) {
            None => true,
            Some(i) => matches!(
                l.args[i].value.as_str(),
                "install" | "add" | "global" | "upgrade"
            ),
        }
}

fn cleans(l: &CommandLine, tool: &str, dirs: &[&str]) -> bool {
    removes(l, dirs) || (l.name == tool && words(l).get(1..3) == Some(&["cache", "clean"][..]))
}

/// Why yarn here may be yarn 2+ or cannot be told from it, if so.
fn not_yarn1(cx: &Cx, all: &[Run], r: &Run) -> Option<String> {
    let mut chain = vec![r.stage];
    let mut at = r.stage;
    while let Base::Stage(b) = cx.facts.stages[at].base {
        chain.push(b);
        at = b;
    }
    let before = |q: &&Run| q.index <= r.index && chain.contains(&q.stage);
    for q in all.iter().filter(before) {
        for l in q.lines {
            let w = words(l);
            if l.name == "corepack"
                || (l.name == "yarn" && w.get(1..3) == Some(&["set", "version"][..]))
            {
                return Some(format!(
                    "{}: yarn may be yarn 2+ ({} runs `{}`), whose Plug'n'Play installs live in the cache `yarn cache clean` deletes",
                    r.loc(),
                    q.loc(),
                    w.join(" ")
                ));
            }
        }
    }
    for st in chain.iter().map(|&s| &cx.facts.stages[s]) {
        for c in st.copies.iter().filter(|c| c.ins <= r.index) {
            if c.sources
                .iter()
                .any(|s| s.ends_with(".yarnrc.yml") || s.trim_end_matches('/').ends_with(".yarn"))
            {
                return Some(format!(
                    "{}: {} copies a yarn 2+ configuration (.yarnrc.yml); with Plug'n'Play the installed packages live in the cache `yarn cache clean` deletes",
                    r.loc(),
                    crate::message::Loc::at(cx.doc, c.ins)
                ));
            }
        }
    }
    let global = r.lines.iter().any(|l| {
        l.name == "yarn" && super::first_word(l, 1).is_some_and(|i| l.args[i].value == "global")
    });
    if global {
        return None;
    }
    match cx.facts.context {
        Some(ctx) if ctx.readable => ctx.sends(".yarnrc.yml").then(|| {
            format!(
                "{}: the build context has a .yarnrc.yml (yarn 2+), whose Plug'n'Play installs live in the cache `yarn cache clean` deletes",
                r.loc()
            )
        }),
        _ => Some(format!(
            "{}: without the build context dfslim cannot tell yarn 1 from yarn 2+, whose Plug'n'Play installs live in the cache `yarn cache clean` deletes; pass --context",
            r.loc()
        )),
    }
}

impl Transform for NpmCache {
    fn id(&self) -> &'static str {
        "npm-cache"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let all = runs(cx);
        let mut f = Findings::default();
        let mut tools: Vec<&str> = Vec::new();
        for r in &all {
            let at = r.loc();
            let mut cmds = Vec::new();
            let mut near = None;
            for (tool, fetches, clean, dirs) in [
                (
                    "npm",
                    npm_fetches as fn(&CommandLine) -> bool,
                    NPM_CLEAN,
                    NPM_DIRS,
                ),
                ("yarn", yarn_fetches, YARN_CLEAN, YARN_DIRS),
            ] {
                let Some(last) = r.lines.iter().rposition(fetches) else {
                    continue;
                };
                if r.mounts_cache_of(tool) {
                    f.fine(format!("{at} keeps {tool}'s cache in a cache mount"));
                    continue;
                }
                if r.lines[last + 1..].iter().any(|l| cleans(l, tool, dirs)) {
                    f.fine(format!("{at} already cleans {tool}'s cache"));
                    continue;
                }
                if let Some(why) = out_of_scope(cx, r.stage, at) {
                    f.fine(why);
                    continue;
                }
                if tool == "yarn"
                    && let Some(why) = not_yarn1(cx, &all, r)
                {
                    f.refuse(why);
                    continue;
                }
                cmds.push(clean.to_string());
                near.get_or_insert(r.lines[last].args[0].span);
                if !tools.contains(&tool) {
                    tools.push(tool);
                }
            }
            let Some(near) = near else { continue };
            match super::script::append(cx.doc, r.ins, near, &cmds) {
                Ok(e) => {
                    f.edits.push(e);
                    f.done.push(at);
                }
                Err(why) => f.refuse(format!("{at}: {why}")),
            }
        }
        f.outcome(
            &format!(
                "{}'s cache cleaned in the RUN that fills it",
                tools.join(" and ")
            ),
            "no RUN installs with npm or yarn",
        )
    }
}
