//! `pip-no-cache` (level 1): `pip install --no-cache-dir` (and `--no-cache`
//! for uv and poetry).
//!
//! **What**: in the stages that ship, `--no-cache-dir` goes right after the
//! verb of every `pip install` / `pip wheel` / `pip download` (also
//! `python -m pip`), `--no-cache` after `uv pip install`, `uv sync`,
//! `uv add` and `poetry install`.
//!
//! **Why**: pip keeps every wheel it downloads in `~/.cache/pip`, inside the
//! layer, where nothing reads it again: about the size of the wheels
//! installed (20 MB for numpy and aiohttp). poetry keeps its downloads in
//! `~/.cache/pypoetry` the same way; uv's cache is mostly hard links to
//! what it installed, but its index and built wheels stay. The flag on the
//! command keeps the edit inside its RUN (an `ENV PIP_NO_CACHE_DIR=1` would
//! be a new instruction). hadolint DL3042.
//!
//! **Refuses** poetry older than 1.2.1 (or whose version dfslim cannot
//! see), which has no `--no-cache`. Not applicable when the command already
//! has the flag (pip reads `--no-cache` as `--no-cache-dir`), when
//! `PIP_NO_CACHE_DIR` / `UV_NO_CACHE` is set (ENV, ARG, or on the command),
//! the same RUN removes the cache or keeps it in a cache mount, or the
//! stage does not ship.
//!
//! **Example**: `RUN pip install -r requirements.txt` ->
//! `RUN pip install --no-cache-dir -r requirements.txt`.

use super::{Findings, Run, first_word, out_of_scope, removes, runs};
use crate::analysis::commands::{Arg, CommandLine};
use crate::transforms::{Cx, Outcome, Transform};

pub struct PipNoCache;

/// A command that fills a Python package cache.
struct Fill<'a> {
    tool: &'static str,
    /// The word the flag goes after.
    verb: &'a Arg,
    flag: &'static str,
    /// Variables that turn the cache off.
    env: &'static [&'static str],
    /// Where the cache is (for a later `rm` in the same RUN).
    dirs: &'static [&'static str],
}

const PIP_DIRS: &[&str] = &[
    "/root/.cache/pip",
    "~/.cache/pip",
    "$HOME/.cache/pip",
    "/root/.cache",
    "~/.cache",
    "$HOME/.cache",
];
const UV_DIRS: &[&str] = &[
    "/root/.cache/uv",
    "~/.cache/uv",
    "$HOME/.cache/uv",
    "/root/.cache",
    "~/.cache",
    "$HOME/.cache",
];
const POETRY_DIRS: &[&str] = &[
    "/root/.cache/pypoetry",
    "~/.cache/pypoetry",
    "$HOME/.cache/pypoetry",
    "/root/.cache",
    "~/.cache",
    "$HOME/.cache",
];

fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn fill(l: &CommandLine) -> Option<Fill<'_>> {
    let pip = |verb: usize| -> Option<Fill<'_>> {
        let v = l.args.get(verb)?;
        matches!(v.value.as_str(), "install" | "wheel" | "download").then_some(Fill {
            tool: "pip",
            verb: v,
            flag: "--no-cache-dir",
            env: &["PIP_NO_CACHE_DIR"],
            dirs: PIP_DIRS,
        })
    };
    let name = l.name.as_str();
    if is_versioned(name, "pip") {
        return pip(first_word(l, 1)?);
    }
    if is_versioned(name, "python") {
        let m = l.args.iter().position(|a| a.value == "-m")?;
        if l.args.get(m + 1)?.value != "pip" {
            return None;
        }
        return pip(first_word(l, m + 2)?);
    }
    if name == "uv" {
        let first = first_word(l, 1)?;
        let verb = match l.args[first].value.as_str() {
            "pip" => {
                let v = first_word(l, first + 1)?;
                matches!(l.args[v].value.as_str(), "install" | "sync").then_some(v)?
            }
            "sync" | "add" => first,
            _ => return None,
        };
        return Some(Fill {
            tool: "uv",
            verb: &l.args[verb],
            flag: "--no-cache",
            env: &["UV_NO_CACHE"],
            dirs: UV_DIRS,
        });
    }
    if name == "poetry" {
        let v = first_word(l, 1)?;
        return (l.args[v].value == "install").then(|| Fill {
            tool: "poetry",
            verb: &l.args[v],
            flag: "--no-cache",
            env: &[],
            dirs: POETRY_DIRS,
        });
    }
    None
}

fn has_flag(l: &CommandLine, f: &Fill) -> bool {
    l.args.iter().any(|a| {
        let v = a.value.as_str();
        // pip takes any unambiguous prefix of --no-cache-dir.
        v.starts_with("--no-cache") || (f.tool == "uv" && v == "-n")
    })
}

/// Why poetry's `--no-cache` may not exist here: the poetry installed
/// before `r` (by pip or pipx) is older than 1.2.1, or its version is not
/// to be seen.
fn old_poetry(cx: &Cx, all: &[Run], r: &Run) -> Option<String> {
    let chain = {
        let mut v = vec![r.stage];
        let mut at = r.stage;
        while let crate::analysis::stages::Base::Stage(b) = cx.facts.stages[at].base {
            v.push(b);
            at = b;
        }
        v
    };
    let mut seen = None;
    for q in all
        .iter()
        .filter(|q| q.index <= r.index && chain.contains(&q.stage))
    {
        for l in q.lines {
            let installs = fill(l).is_some_and(|f| f.tool == "pip")
                || (l.name == "pipx" && l.args.get(1).is_some_and(|a| a.value == "install"));
            if !installs {
                continue;
            }
            for a in &l.args {
                let v = a.value.as_str();
                let Some(rest) = v.strip_prefix("poetry") else {
                    continue;
                };
                if rest.is_empty() {
                    seen = Some(None);
                } else if let Some(ver) = rest.strip_prefix("==") {
                    seen = Some(Some((ver.to_string(), a.dynamic)));
                } else if rest.starts_with(['<', '>', '~', '!', '=']) {
                    seen = Some(Some((rest.to_string(), true)));
                }
            }
        }
    }
    match seen {
        None => Some(format!(
            "{}: dfslim cannot see which poetry runs, and poetry before 1.2.1 has no --no-cache",
            r.loc()
        )),
        Some(None) => None,
        Some(Some((v, dynamic))) => {
            let parts: Vec<u32> = v.split('.').map_while(|p| p.parse().ok()).collect();
            let new_enough = !dynamic
                && parts.len() >= 2
                && (parts[0], parts[1], parts.get(2).copied().unwrap_or(0)) >= (1, 2, 1);
            (!new_enough).then(|| {
                format!(
                    "{}: poetry {v} is installed, and poetry before 1.2.1 has no --no-cache",
                    r.loc()
                )
            })
        }
    }
}

impl Transform for PipNoCache {
    fn id(&self) -> &'static str {
        "pip-no-cache"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let all = runs(cx);
        let mut f = Findings::default();
        let mut tools: Vec<&str> = Vec::new();
        for r in &all {
            let at = r.loc();
            let env = &cx.facts.stages[r.stage].at(cx.doc, r.index).env;
            let mut edits = Vec::new();
            for (k, l) in r.lines.iter().enumerate() {
                let Some(fl) = fill(l) else { continue };
                let tool = fl.tool;
                if has_flag(l, &fl) {
                    f.fine(format!("{at} already runs {tool} with {}", fl.flag));
                    continue;
                }
                if let Some(v) = fl
                    .env
                    .iter()
                    .find(|v| env.is_set(v) || l.assignments.iter().any(|a| a.0 == **v))
                {
                    f.fine(format!("{v} is set for {at}"));
                    continue;
                }
                if r.mounts_cache_of(tool) {
                    f.fine(format!("{at} keeps {tool}'s cache in a cache mount"));
                    continue;
                }
                if r.lines[k + 1..].iter().any(|l| removes(l, fl.dirs)) {
                    f.fine(format!("{at} already removes {tool}'s cache"));
                    continue;
                }
                if let Some(why) = out_of_scope(cx, r.stage, at) {
                    f.fine(why);
                    continue;
                }
                if tool == "poetry"
                    && let Some(why) = old_poetry(cx, &all, r)
                {
                    f.refuse(why);
                    continue;
                }
                edits.push(super::script::insert_after(fl.verb, fl.flag));
                if !tools.contains(&tool) {
                    tools.push(tool);
                }
            }
            if !edits.is_empty() {
                f.edits.extend(edits);
                f.done.push(at);
            }
        }
        let what = if tools.len() == 1 && tools[0] == "pip" {
            "`--no-cache-dir`: no pip cache left in the layer".to_string()
        } else {
            format!(
                "no download cache left in the layer by {}",
                tools.join(", ")
            )
        };
        f.outcome(&what, "no RUN installs with pip, uv or poetry")
    }
}
