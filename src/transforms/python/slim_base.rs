//! `python-slim-base` (level 1): the python image to the same release's `-slim`.
//!
//! **What**: in each stage of the shipped image on the official python
//! image, `python:3.12` becomes `python:3.12-slim`, `python:3.11-bookworm`
//! becomes `python:3.11-slim-bookworm`, `python` becomes `python:slim`;
//! registry kept, a digest pin re-pinned (see `transforms/pin.rs`).
//!
//! **Why**: the full image is buildpack-deps (gcc, make, the headers of
//! some forty libraries, git, mercurial, Debian's own Python 3.11: about
//! 1 GB); slim is Debian slim with the same CPython in /usr/local and the
//! libraries it links (about 125 MB), the same glibc, so manylinux wheels
//! install and run as before. Alpine is never chosen: manylinux wheels do
//! not install on musl, pip falls back to building every C extension from
//! source, and a glibc venv does not load there.
//!
//! **Refuses** when the install needs what slim lacks and the stage does
//! not install it: a package that pip builds from source (no Linux wheel,
//! from the table in `transforms/tables/python.toml` or a lock file that
//! lists no wheel for it: psycopg2 needs gcc and libpq-dev's pg_config), a
//! `--no-binary` build, a dependency fetched from git, or a command of the
//! stage or of a stage built FROM it (curl, git, gcc, pg_config...). Without
//! a readable requirements file or lock it applies and says what was not
//! checked; with a requirements file that does not pin everything, it says
//! the dependencies pip resolves were not checked.
//!
//! **Example**: `FROM python:3.12` -> `FROM python:3.12-slim`.

use super::tag::{PyTag, Variant};
use crate::analysis::Family;
use crate::analysis::python::needs;
use crate::analysis::stages::Base;
use crate::analysis::targets::stage_name;
use crate::catalog;
use crate::message::Loc;
use crate::transforms::text::listing;
use crate::transforms::{Cx, Outcome, Transform, rebase};

pub struct PythonSlimBase;

impl Transform for PythonSlimBase {
    fn id(&self) -> &'static str {
        "python-slim-base"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let facts = cx.facts;
        let py = cx.python();
        let mut r = rebase::Rebases::default();
        for st in &facts.stages {
            let s = st.index;
            if !py.python_stage[s] || st.family != Family::Python {
                continue;
            }
            let Base::Image(img) = &st.base else { continue };
            if !r.candidate(cx, s, "python") {
                continue;
            }
            let written = img.tag_written.clone().unwrap_or_default();
            let tag = PyTag::parse(img.tag.as_deref().unwrap_or(&written));
            match tag.variant {
                Variant::Slim => {
                    r.skipped
                        .push("the python stage already uses a slim image".to_string());
                    continue;
                }
                Variant::Alpine => {
                    r.skipped.push(
                        "the python stage uses alpine, already small (slim would bring glibc back; alpine's musl is its own choice)"
                            .to_string(),
                    );
                    continue;
                }
                Variant::Windows => {
                    r.skipped.push(
                        "the python stage is a Windows image, which has no slim variant"
                            .to_string(),
                    );
                    continue;
                }
                Variant::Full => {}
            }
            if written.contains('$') && img.tag.as_deref().is_some_and(|t| t != written) {
                let resolved = PyTag::parse(img.tag.as_deref().unwrap_or(""));
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
                PyTag::parse(&written).slim()
            };
            let base_name = format!("python:{new_tag}");
            if let Some(why) = needs_full(cx, s, &base_name, &mut r.unchecked) {
                let line = Loc::at(cx.doc, cx.doc.stages()[s].from);
                r.refusals
                    .push(format!("stage {} ({line}): {why}", stage_name(cx.doc, s)));
                continue;
            }
            r.retag(cx, s, &new_tag);
        }
        r.outcome("python")
    }
}

/// The Debian packages installed in stage `s` (and the stages it is built FROM).
pub(crate) fn installed(cx: &Cx, s: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = Some(s);
    while let Some(i) = at {
        let st = &cx.facts.stages[i];
        out.extend(st.installs.iter().flat_map(|x| x.packages.iter().cloned()));
        at = match st.base {
            Base::Stage(b) if b < i => Some(b),
            _ => None,
        };
    }
    out
}

/// True when `pkg` is installed, given what `installed` lists.
pub(crate) fn has(installed: &[String], pkg: &str) -> bool {
    installed.iter().any(|p| p == pkg)
        || (matches!(pkg, "gcc" | "g++" | "make" | "libc6-dev")
            && installed.iter().any(|p| p == "build-essential"))
        || (pkg == "pkg-config" && installed.iter().any(|p| p == "pkgconf"))
        || (pkg == "libjpeg-dev" && installed.iter().any(|p| p == "libjpeg62-turbo-dev"))
        || (pkg == "default-libmysqlclient-dev"
            && installed
                .iter()
                .any(|p| p == "libmariadb-dev" || p == "libmariadb-dev-compat"))
}

/// Why stage `s` needs the full image (`base` would be its slim one).
fn needs_full(cx: &Cx, s: usize, base: &str, unchecked: &mut Vec<String>) -> Option<String> {
    let table = &catalog::tables().python;
    let inst = installed(cx, s);
    for i in cx.python().app_installs_in(s) {
        let n = needs(cx.doc, cx.facts, s, i);
        for (name, why) in &n.source_builds {
            let build = n
                .build
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            let missing: Vec<&str> = build
                .iter()
                .filter(|b| !has(&inst, b))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                let from = if n.read.is_empty() {
                    String::new()
                } else {
                    format!(" (in {})", listing(&n.read, ", "))
                };
                let them = if missing.len() == 1 { "it" } else { "them" };
                let needed = match missing.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", listing(rest, ", "))
                    }
                    _ => listing(&missing, ", "),
                };
                return Some(format!(
                    "{name}{from} {why}, which needs {needed}; {base} does not have {them}: install {them} in the stage (apt-get install), or keep the full image",
                ));
            }
        }
        if let Some(g) = n.git.first()
            && !has(&inst, "git")
        {
            return Some(format!(
                "{} installs {g} from git, and {base} has no git",
                Loc::at(cx.doc, i.ins)
            ));
        }
        for u in n.unchecked {
            if !unchecked.contains(&u) {
                unchecked.push(u);
            }
        }
    }
    rebase::breaks(cx, s, base, &table.missing_on_slim)
}
