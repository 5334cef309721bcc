//! `node-prod-deps` (level 3): no dev dependencies in the image.
//!
//! **What**: in the stage whose `node_modules` ship (the image's own, or the
//! builder the runtime copies the app from), the package install leaves dev
//! dependencies out: `npm ci --omit=dev` (`--production` for a lockfile v1,
//! npm 6), `yarn install --production`, `pnpm install --prod`. When a build
//! step after the install needs them (`npm run build`, `tsc`, `npx ...`),
//! the install stays whole and a prune follows the last build step in the
//! builder (`RUN npm prune --omit=dev`, `pnpm prune --prod`, yarn's
//! production reinstall), so the runtime copies a pruned `node_modules`.
//! `npm install` with a package-lock.json in the stage becomes `npm ci`
//! (the lock decides, reproducibly).
//!
//! **Why**: dev dependencies (TypeScript, test runners, linters, bundlers)
//! are often most of `node_modules`: 25 MB of 60 MB for a small Express app
//! here.
//!
//! **Refuses** when package.json cannot be read (dfslim cannot tell which
//! dependencies are dev ones), the command the image runs uses a dev
//! dependency (`-r ts-node/register`), or yarn berry is used (its production
//! install is `yarn workspaces focus --production`, a plugin before Yarn 4).
//! Not applicable when there are no dev dependencies, when they are already
//! left out, or when they are installed in an earlier layer of the image
//! itself (removing them later would save nothing: the level-2 split is what
//! makes it pay).
//!
//! **Example**: `RUN npm install` -> `RUN npm ci --omit=dev`.

use crate::analysis::node::cmd::{Install, Manager};
use crate::analysis::node::context::Lock;
use crate::analysis::stages::Source;
use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::text::{insert_after, kw_like};
use crate::transforms::{Cx, Outcome, Transform};

pub struct NodeProdDeps;

impl Transform for NodeProdDeps {
    fn id(&self) -> &'static str {
        "node-prod-deps"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let node = cx.node();
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    // The stage whose node_modules ship.
    let src = if node.installs_in(rt.index).next().is_some() {
        rt.index
    } else {
        rt.copies
            .iter()
            .filter_map(|c| match c.source {
                Source::Stage(s) => Some(s),
                _ => None,
            })
            .find(|&s| node.installs_in(s).next().is_some())
            .ok_or_else(|| {
                Outcome::not_applicable("no npm, yarn or pnpm install reaches the image")
            })?
    };
    let Some(ctx) = cx.facts.context.map(|c| c.node()).filter(|c| c.manifest) else {
        return Err(Outcome::refuse(
            "no package.json was read: dfslim cannot tell dev dependencies from the ones the app needs; pass --context",
        ));
    };
    if ctx.dev_dependencies.is_empty() {
        return Err(Outcome::not_applicable(
            "package.json has no devDependencies",
        ));
    }
    let installs: Vec<&Install> = node.installs_in(src).collect();
    // The command must not need a dev dependency.
    for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
        if let Some(argv) = &p.argv
            && let Some(dev) = ctx.dev_dependencies.iter().find(|d| {
                argv.iter().any(|a| {
                    a == *d
                        || a.starts_with(&format!("{d}/"))
                        || a.contains(&format!("node_modules/{d}/"))
                })
            })
        {
            return Err(Outcome::refuse(format!(
                "the command on {} uses {dev}, a dev dependency",
                Loc::at(doc, p.ins)
            )));
        }
    }
    let mut edits = Vec::new();
    let mut said = Vec::new();
    // npm install with the lock file in the stage: npm ci.
    let lock_copied = lock_in_stage(cx, src);
    for i in &installs {
        if i.manager == Manager::Npm
            && matches!(i.verb.as_str(), "install" | "i" | "isntall")
            && matches!(ctx.lock, Some(Lock::Npm(_)))
            && lock_copied.is_some_and(|at| at < i.ins)
            && let Some(v) = i.words.iter().find(|w| w.value == i.verb)
        {
            edits.push(Edit::replace(v.span, "ci"));
            said.push(format!(
                "npm install -> npm ci on {} (the lock file decides)",
                Loc::at(doc, i.ins)
            ));
        }
    }
    if installs.iter().all(|i| i.production) {
        return match edits.is_empty() {
            true => Err(Outcome::not_applicable(
                "dev dependencies are already left out of the install",
            )),
            false => Ok(Outcome::apply(edits, said.join("; "))),
        };
    }
    if ctx.lock == Some(Lock::YarnBerry) {
        return Err(Outcome::refuse(
            "yarn berry: its production install is `yarn workspaces focus --production` (the workspace-tools plugin before Yarn 4); dfslim leaves it to you",
        ));
    }
    // Dev dependencies pruned (or reinstalled without them) after the last
    // build step: done already.
    let first_install = installs.iter().map(|i| i.ins).min().unwrap_or(0);
    let last_build = build_after(cx, src, first_install);
    let pruned = |after: usize| {
        node.prunes.iter().any(|&(s, i)| s == src && i > after)
            || installs.iter().any(|i| i.production && i.ins > after)
    };
    if let Some(b) = last_build
        && pruned(b)
    {
        return if edits.is_empty() {
            Err(Outcome::not_applicable(
                "dev dependencies are pruned after the build already",
            ))
        } else {
            Ok(Outcome::apply(edits, said.join("; ")))
        };
    }
    let last_install = installs.iter().map(|i| i.ins).max().unwrap_or(0);
    let build = build_after(cx, src, last_install);
    match build {
        None => {
            for i in installs.iter().filter(|i| !i.production) {
                let flag = prod_flag(i.manager, ctx.npm_lock_version());
                let Some(at) = i
                    .words
                    .iter()
                    .find(|w| w.value == i.verb)
                    .or(i.words.first())
                else {
                    continue;
                };
                edits.push(Edit::insert(at.span.end, format!(" {flag}")));
                said.push(format!(
                    "{} {flag} on {}: dev dependencies ({}) left out",
                    i.manager.name(),
                    Loc::at(doc, i.ins),
                    crate::transforms::text::listing(&ctx.dev_dependencies, ", ")
                ));
            }
        }
        Some(b) if src == rt.index => {
            return Err(Outcome::not_applicable(format!(
                "the build on {} needs the dev dependencies, and they are installed in an earlier layer of the image itself: removing them later saves nothing (the level-2 split makes it pay)",
                Loc::at(doc, b)
            )));
        }
        Some(b) => {
            let m = installs[0].manager;
            let prune = match m {
                Manager::Npm if ctx.npm_lock_version() == Some(1) => "npm prune --production",
                Manager::Npm => "npm prune --omit=dev",
                Manager::Pnpm => "pnpm prune --prod",
                Manager::Yarn => {
                    "yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline"
                }
            };
            let ins = &doc.instructions()[b];
            edits.push(insert_after(
                doc,
                ins,
                &[format!("{} {prune}", kw_like(doc, ins, "RUN"))],
            ));
            said.push(format!(
                "`{prune}` after the build on {}: the runtime gets node_modules without the dev dependencies ({})",
                Loc::at(doc, b),
                crate::transforms::text::listing(&ctx.dev_dependencies, ", ")
            ));
        }
    }
    if edits.is_empty() {
        return Err(Outcome::not_applicable("nothing to change"));
    }
    Ok(Outcome::apply(edits, said.join("; ")))
}

/// The flag that leaves dev dependencies out of an install.
fn prod_flag(m: Manager, lock_version: Option<u32>) -> &'static str {
    match m {
        Manager::Npm if lock_version == Some(1) => "--production",
        Manager::Npm => "--omit=dev",
        Manager::Yarn => "--production",
        Manager::Pnpm => "--prod",
    }
}

/// The instruction of the last build step after `after` in stage `s` that
/// may need dev dependencies (a package script, tsc, npx...).
fn build_after(cx: &Cx, s: usize, after: usize) -> Option<usize> {
    let mut last = None;
    for &r in cx.facts.stages[s].runs.iter().filter(|&&r| r >= after) {
        let lines = cx.facts.lines(r);
        let scripts = cx.node().scripts_in(s).any(|sc| sc.ins == r);
        let tools = lines.iter().any(|l| {
            matches!(
                l.name.as_str(),
                "npx" | "tsc" | "webpack" | "vite" | "esbuild" | "nest" | "next"
            ) || l
                .args
                .first()
                .is_some_and(|a| a.value.contains("node_modules/.bin/"))
        });
        if scripts || tools {
            last = Some(r);
        }
    }
    last
}

/// The instruction that copies the npm lock file into stage `s`, if one does.
fn lock_in_stage(cx: &Cx, s: usize) -> Option<usize> {
    cx.facts.stages[s]
        .copies
        .iter()
        .filter(|c| c.source == Source::Context)
        .find(|c| {
            c.sources.iter().any(|src| {
                let name = src.trim_start_matches("./");
                matches!(
                    name,
                    "." | ""
                        | "package-lock.json"
                        | "npm-shrinkwrap.json"
                        | "package*.json"
                        | "*.json"
                        | "package*"
                )
            })
        })
        .map(|c| c.ins)
}
