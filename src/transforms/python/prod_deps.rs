//! `python-prod-deps` (level 3): only what runs: no dev dependencies in the
//! image.
//!
//! **What**: in the stage whose environment ships (the image's own, or the
//! builder the runtime copies the environment from), an install that takes
//! the project's dev dependencies leaves them out: `uv sync` -> `uv sync
//! --no-dev`, `poetry install` -> `poetry install --only main` (`--no-dev`
//! for poetry before 1.2), `pipenv install --dev` loses `--dev`.
//!
//! **Installer caches are not this step's**: the hygiene step
//! `pip-no-cache` (level 1, src/transforms/any/pip_no_cache.rs) is the one
//! owner of `--no-cache-dir` / `--no-cache` for pip, uv and poetry, in every
//! stage that ships, Python image or not. Two steps writing the same flag
//! would double it or disagree about when it pays (level 1 there, level 3
//! here); the hygiene step applies to every image and already knows every
//! way the cache is kept out (the flag, `PIP_NO_CACHE_DIR` / `UV_NO_CACHE`,
//! an `rm` in the RUN, a cache mount). After the level-2 split the caches
//! stay in the builder, which does not ship, so neither step writes a flag
//! there. This step keeps what is Python-specific: which dependencies the
//! app needs.
//!
//! **Why**: dev dependency groups (pytest, linters, type checkers) are
//! packages the running app never imports: 6,706,039 bytes of the uv app
//! here.
//! `PYTHONDONTWRITEBYTECODE` is not added: measured, it saves 0 bytes where
//! dfslim would put it (pip compiles what it installs whatever it says; in
//! the runtime it only stops writes to the container's layer) and costs
//! every process start 0.35-0.4 s of CPU (no .pyc cache); `--no-compile` and
//! `UV_COMPILE_BYTECODE=1` were measured too (-3% bytes for +60% start-up,
//! and +6 MB): neither is added.
//!
//! **Refuses** when no pyproject.toml was read (dfslim cannot tell whether
//! the project has dev dependencies), or something after the install uses a
//! dev dependency (a RUN that runs pytest, a command naming one).
//!
//! **Example**: `RUN uv sync` -> `RUN uv sync --no-dev`.

use crate::analysis::python::cmd::{self, Dev, Install, Tool};
use crate::analysis::stages::{Source, StageFacts};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::Span;
use crate::transforms::text::listing;
use crate::transforms::{Cx, Outcome, Transform};

pub struct PythonProdDeps;

impl Transform for PythonProdDeps {
    fn id(&self) -> &'static str {
        "python-prod-deps"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = super::python_runtime(cx)?;
    let py = cx.python();
    // Whose environment ships.
    let own = py.app_installs_in(rt.index).next().is_some();
    let src = if own {
        rt.index
    } else {
        rt.copies
            .iter()
            .filter_map(|c| match c.source {
                Source::Stage(s) => Some(s),
                _ => None,
            })
            .find(|&s| py.app_installs_in(s).next().is_some())
            .ok_or_else(|| {
                Outcome::not_applicable("no pip, uv, poetry or pipenv install reaches the image")
            })?
    };
    if let Some(why) = facts.frozen(src) {
        return Err(Outcome::not_applicable(format!("{why}: left as is")));
    }
    let st = &facts.stages[src];
    let mut edits = Vec::new();
    let mut said = Vec::new();
    let installs: Vec<&Install> = py.installs_in(src).collect();

    // Dev dependencies.
    let ctx = facts.context.map(|c| c.python());
    for i in installs.iter().filter(|i| i.dev == Dev::Included) {
        let Some(ctx) = ctx.filter(|c| c.pyproject || i.tool == Tool::Pipenv) else {
            return Err(Outcome::refuse(format!(
                "no pyproject.toml was read: dfslim cannot tell whether {} on {} installs dev dependencies; pass --context",
                i.tool.name(),
                Loc::at(doc, i.ins)
            )));
        };
        let has_dev = match i.tool {
            Tool::Uv => ctx.dev_groups.iter().any(|g| g == "dev"),
            Tool::Poetry => !ctx.dev_groups.is_empty(),
            Tool::Pipenv => true,
            Tool::Pip => false,
        };
        if !has_dev {
            continue;
        }
        if let Some(why) = dev_needed(cx, st, i, &ctx.dev_dependencies) {
            return Err(Outcome::refuse(why));
        }
        let verb = i.verb_word();
        match i.tool {
            Tool::Uv => {
                edits.push(Edit::insert(verb.span.end, " --no-dev"));
                said.push(format!(
                    "uv sync --no-dev on {}: the dev group ({}) left out",
                    Loc::at(doc, i.ins),
                    listing(&ctx.dev_dependencies, ", ")
                ));
            }
            Tool::Poetry => {
                let flag = if poetry_before(cx, src, (1, 2, 0)) {
                    "--no-dev"
                } else {
                    "--only main"
                };
                edits.push(Edit::insert(verb.span.end, format!(" {flag}")));
                said.push(format!(
                    "poetry install {flag} on {}: the groups {} left out",
                    Loc::at(doc, i.ins),
                    listing(&ctx.dev_groups, ", ")
                ));
            }
            Tool::Pipenv => {
                if let Some(w) = i
                    .words
                    .iter()
                    .find(|w| w.value == "--dev" || w.value == "-d")
                {
                    let text = doc.text();
                    let start = text[..w.span.start].trim_end_matches([' ', '\t']).len();
                    edits.push(Edit::delete(Span::new(start, w.span.end)));
                    said.push(format!(
                        "pipenv install without --dev on {}: the [dev-packages] left out",
                        Loc::at(doc, i.ins)
                    ));
                }
            }
            Tool::Pip => {}
        }
    }

    if edits.is_empty() {
        return Err(Outcome::not_applicable(
            "no dev dependencies are installed (installer caches are pip-no-cache's)",
        ));
    }
    Ok(Outcome::apply(edits, said.join("; ")))
}

/// Why the dev dependencies are needed after install `i`, if they are: a
/// later RUN of the stage or the image's command uses one.
fn dev_needed(cx: &Cx, st: &StageFacts, i: &Install, dev: &[String]) -> Option<String> {
    let doc = cx.doc;
    let is_dev = |w: &str| {
        let n = cmd::normalize(w.rsplit('/').next().unwrap_or(w));
        dev.contains(&n)
    };
    for &r in st.runs.iter().filter(|&&r| r > i.ins) {
        for l in cx.facts.lines(r) {
            let words: Vec<&str> = l.args.iter().map(|a| a.value.as_str()).collect();
            let used = match words.as_slice() {
                [first, ..] if is_dev(first) => Some(first.to_string()),
                ["uv" | "poetry" | "pipenv", "run", rest @ ..] => rest
                    .iter()
                    .find(|w| !w.starts_with('-'))
                    .filter(|w| is_dev(w))
                    .map(|w| w.to_string()),
                [p, "-m", m, ..] if cmd::is_python(p) && is_dev(m) => Some(m.to_string()),
                _ => None,
            };
            if let Some(u) = used {
                return Some(format!(
                    "{} runs {u}, a dev dependency, after the install: it needs them",
                    Loc::at(doc, r)
                ));
            }
        }
    }
    let rt = cx.facts.runtime()?;
    for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
        if let Some(argv) = &p.argv
            && let Some(d) = argv.iter().find(|a| is_dev(a))
        {
            return Some(format!(
                "the command on {} uses {d}, a dev dependency",
                Loc::at(doc, p.ins)
            ));
        }
    }
    None
}

/// True when the stage pip-installs poetry at a version before `v`.
fn poetry_before(cx: &Cx, s: usize, v: (u32, u32, u32)) -> bool {
    cx.python().installs_in(s).any(|i| {
        i.words.iter().any(|w| {
            let Some(ver) = w.value.strip_prefix("poetry==") else {
                return false;
            };
            let mut it = ver.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
            let got = (
                it.next().unwrap_or(0),
                it.next().unwrap_or(0),
                it.next().unwrap_or(0),
            );
            got < v
        })
    })
}
