//! `node-slim-base` (level 1): the node image to the same release's `-slim`.
//!
//! **What**: in each stage of the shipped image on the official node image,
//! `node:20` becomes `node:20-slim`, `node:20.11.1-bookworm` becomes
//! `node:20.11.1-bookworm-slim`, `node:lts` becomes `node:lts-slim`, `node`
//! becomes `node:slim`; registry kept, a digest pin kept (re-pinned, see
//! `transforms/pin.rs`).
//!
//! **Why**: the full image is buildpack-deps (gcc, g++, make, python3, git,
//! curl, headers: about 1.1 GB); slim is Debian slim with node, npm and yarn
//! (about 200 MB), the same glibc, so native addons still load. Alpine is
//! never chosen: addons built or downloaded for glibc do not load on musl.
//!
//! **Refuses** when the build needs what slim lacks and does not install it:
//! a native addon in the lock file or package.json (node-gyp needs python3,
//! make and g++), a dependency fetched from git, or a command of the stage
//! or of a stage built FROM it (curl, git, wget, python3, make... in RUN,
//! HEALTHCHECK or CMD). Without a readable package.json and lock file it
//! applies and says that native addons were not checked.
//!
//! **Example**: `FROM node:20` -> `FROM node:20-slim`.

use super::tag::{NodeTag, Variant};
use crate::analysis::Family;
use crate::analysis::stages::Base;
use crate::analysis::targets::stage_name;
use crate::catalog;
use crate::message::Loc;
use crate::transforms::{Cx, Outcome, Transform, rebase};

pub struct NodeSlimBase;

impl Transform for NodeSlimBase {
    fn id(&self) -> &'static str {
        "node-slim-base"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let facts = cx.facts;
        let node = cx.node();
        let mut r = rebase::Rebases::default();
        for st in &facts.stages {
            let s = st.index;
            if !node.node_stage[s] || st.family != Family::Node {
                continue;
            }
            let Base::Image(img) = &st.base else { continue };
            if !r.candidate(cx, s, "node") {
                continue;
            }
            let written = img.tag_written.clone().unwrap_or_default();
            let tag = NodeTag::parse(img.tag.as_deref().unwrap_or(&written));
            match tag.variant {
                Variant::Slim => {
                    r.skipped
                        .push("the node stage already uses a slim image".to_string());
                    continue;
                }
                Variant::Alpine => {
                    r.skipped.push(
                        "the node stage uses alpine, already small (slim would keep glibc; alpine's musl is its own choice)"
                            .to_string(),
                    );
                    continue;
                }
                Variant::Full => {}
            }
            if written.contains('$') && img.tag.as_deref().is_some_and(|t| t != written) {
                let resolved = NodeTag::parse(img.tag.as_deref().unwrap_or(""));
                if resolved.release.is_some() {
                    r.refusals.push(format!(
                        "the tag {written} expands to {}: its variant comes from a build argument; change that ARG's default to a slim tag",
                        img.tag.as_deref().unwrap_or("")
                    ));
                    continue;
                }
            }
            let new_tag = if written.contains('$') {
                format!("{written}-slim")
            } else {
                NodeTag::parse(&written).slim()
            };
            let base_name = format!("node:{new_tag}");
            if let Some(why) = needs_full(cx, s, &base_name, &mut r.unchecked) {
                let line = Loc::at(cx.doc, cx.doc.stages()[s].from);
                r.refusals
                    .push(format!("stage {} ({line}): {why}", stage_name(cx.doc, s)));
                continue;
            }
            r.retag(cx, s, &new_tag);
        }
        r.outcome("node")
    }
}

/// Why stage `s` needs the full image (`base` would be its slim one).
fn needs_full(cx: &Cx, s: usize, base: &str, unchecked: &mut Vec<String>) -> Option<String> {
    let table = &catalog::tables().node;
    let installed: Vec<&str> = cx.facts.stages[s]
        .installs
        .iter()
        .flat_map(|i| i.packages.iter().map(String::as_str))
        .collect();
    let has_tools = table.build_tools.iter().filter(|t| *t != "gcc").all(|t| {
        installed.contains(&t.as_str())
            || (matches!(t.as_str(), "make" | "g++") && installed.contains(&"build-essential"))
    });
    let installs = cx.node().installs_in(s).next().is_some();
    match cx.facts.context.map(|c| c.node()) {
        Some(ctx) if ctx.manifest => {
            if installs
                && !has_tools
                && let Some((name, why)) = ctx.native.first()
            {
                return Some(format!(
                    "{name} is {why}: node-gyp needs python3, make and g++, which {base} does not have; install them in the stage, or keep the full image"
                ));
            }
            if installs
                && !installed.contains(&"git")
                && let Some(g) = ctx.git_deps.first()
            {
                return Some(format!(
                    "the dependency {g} is fetched from git, and {base} has no git"
                ));
            }
        }
        _ if installs => unchecked.push(
            "no package.json and lock file were read: native addons (which need python3, make and g++ to build) and git dependencies were not checked"
                .to_string(),
        ),
        _ => {}
    }
    rebase::breaks(cx, s, base, &table.missing_on_slim)
}
