//! What a Dockerfile does with Python: which stages are Python stages,
//! their package installs and virtual environments (with spans, for exact
//! edits), what the image's command starts, and, with the build context's
//! requirement files and locks ([`context`]), which packages an install
//! brings: the ones built from source (they need a compiler and headers)
//! and the run-time libraries those need.

pub mod cmd;
pub mod context;

use super::Facts;
use super::base::Family;
use super::stages::{Base, Source};
use crate::catalog;
use crate::syntax::Document;
use cmd::{Install, Step, Tool, Venv, What};

/// The Python facts of one Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct PythonFacts {
    /// Per stage: it is a Python stage (python image, or Python installs and runs there).
    pub python_stage: Vec<bool>,
    /// Package installs, in file order, with their stage.
    pub installs: Vec<(usize, Install)>,
    /// Virtual environments made, with their stage.
    pub venvs: Vec<(usize, Venv)>,
    /// `pip wheel` / `pip download`: (stage, instruction).
    pub wheels: Vec<(usize, usize)>,
    /// `poetry config virtualenvs.create false`: (stage, instruction).
    pub poetry_no_venv: Vec<(usize, usize)>,
    /// `poetry export`: (stage, instruction).
    pub exports: Vec<(usize, usize)>,
    /// RUN instructions that run something (`python manage.py ...`, `uv run`): (stage, instruction).
    pub runs: Vec<(usize, usize)>,
}

impl PythonFacts {
    pub fn of(doc: &Document, facts: &Facts) -> PythonFacts {
        let mut p = PythonFacts {
            python_stage: vec![false; facts.stages.len()],
            ..PythonFacts::default()
        };
        for st in &facts.stages {
            let distroless = matches!(&st.base, Base::Image(b)
                if b.repository.starts_with("gcr.io/distroless/python"));
            // A stage of another ecosystem may install python3 (node-gyp) or pip-install a tool.
            let other = st.family == Family::Node || st.family == Family::Golang;
            let mut python = st.family == Family::Python || distroless;
            let mut uses = false;
            for &r in &st.runs {
                for line in facts.lines(r) {
                    match cmd::step(r, line) {
                        Step::Install(i) => {
                            uses |= i.what != What::Tools;
                            p.installs.push((st.index, *i));
                        }
                        Step::Venv(mut v) => {
                            uses = true;
                            // `python -m venv $VIRTUAL_ENV` with the ENV set above.
                            if v.path.contains('$')
                                && let Some(path) =
                                    st.at(doc, r).env.expand_strict(&v.path, doc.escape())
                            {
                                v.path = path;
                            }
                            p.venvs.push((st.index, v));
                        }
                        Step::Wheels => {
                            uses = true;
                            p.wheels.push((st.index, r));
                        }
                        Step::PoetryNoVenv => p.poetry_no_venv.push((st.index, r)),
                        Step::Export => p.exports.push((st.index, r)),
                        Step::Runs => p.runs.push((st.index, r)),
                        Step::Other => {}
                    }
                }
            }
            for proc in [&st.cmd, &st.entrypoint].into_iter().flatten() {
                if let Some(argv) = &proc.argv
                    && cmd::starts(argv) != cmd::Starts::Other
                {
                    uses = true;
                }
            }
            python |= uses && !other;
            if let Base::Stage(b) = st.base {
                python |= p.python_stage[b];
            }
            p.python_stage[st.index] = python;
        }
        p
    }

    pub fn any(&self) -> bool {
        self.python_stage.iter().any(|&b| b)
    }

    /// The installs of `stage`.
    pub fn installs_in(&self, stage: usize) -> impl Iterator<Item = &Install> {
        self.installs
            .iter()
            .filter(move |(s, _)| *s == stage)
            .map(|(_, i)| i)
    }

    /// The installs of `stage` that install the app's packages (not only tools).
    pub fn app_installs_in(&self, stage: usize) -> impl Iterator<Item = &Install> {
        self.installs_in(stage).filter(|i| i.what != What::Tools)
    }

    pub fn venvs_in(&self, stage: usize) -> impl Iterator<Item = &Venv> {
        self.venvs
            .iter()
            .filter(move |(s, _)| *s == stage)
            .map(|(_, v)| v)
    }
}

/// What the packages an install brings need, as far as the context tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Packages built from source (C code): name and why.
    pub source_builds: Vec<(String, String)>,
    /// Debian packages a source build needs (gcc, libpq-dev...), per package.
    pub build: Vec<(String, Vec<String>)>,
    /// Debian packages the installed modules need at run time, with the
    /// package that needs each.
    pub runtime: Vec<(String, String)>,
    /// Packages fetched from git (git is needed to install them).
    pub git: Vec<String>,
    /// What was read (`requirements.txt`, `uv.lock`...).
    pub read: Vec<String>,
    /// What could not be checked, in words.
    pub unchecked: Vec<String>,
}

impl Needs {
    fn add_native(&mut self, name: &str, why: &str, build: bool) {
        let t = &catalog::tables().python;
        let table = if build {
            &t.source_builds
        } else {
            &t.wheel_runtime
        };
        if let Some(n) = table.iter().find(|n| n.package == name) {
            if build && !self.source_builds.iter().any(|(p, _)| p == name) {
                self.source_builds.push((name.to_string(), why.to_string()));
                self.build.push((name.to_string(), n.build.clone()));
            }
            for lib in &n.runtime {
                if !self.runtime.iter().any(|(l, _)| l == lib) {
                    self.runtime.push((lib.clone(), name.to_string()));
                }
            }
        }
    }

    fn no_binary(&mut self, name: &str) {
        let t = &catalog::tables().python;
        if let Some(n) = t.no_binary_runtime.iter().find(|n| n.package == name) {
            if !self.source_builds.iter().any(|(p, _)| p == name) {
                self.source_builds.push((
                    name.to_string(),
                    "is built from source (--no-binary)".into(),
                ));
                self.build.push((name.to_string(), n.build.clone()));
            }
            for lib in &n.runtime {
                if !self.runtime.iter().any(|(l, _)| l == lib) {
                    self.runtime.push((lib.clone(), name.to_string()));
                }
            }
        }
    }

    /// Takes `names` (with the file they came from) into account.
    fn names(&mut self, names: &[String]) {
        for n in names {
            self.add_native(
                n,
                "has no wheel for Linux, so pip builds it from source",
                true,
            );
            self.add_native(n, "", false);
        }
    }
}

/// The context-relative path of the file that is at `abs` in stage `s`
/// when instruction `ins` runs: what the last COPY from the build context
/// that put it there copied.
pub fn context_path(
    doc: &Document,
    facts: &Facts,
    s: usize,
    ins: usize,
    abs: &str,
) -> Option<String> {
    let st = &facts.stages[s];
    let _ = doc;
    for c in st.copies.iter().rev().filter(|c| c.ins < ins) {
        let Some(dest) = &c.dest else { continue };
        if c.source != Source::Context {
            continue;
        }
        for src in &c.sources {
            let src_clean = context::clean(src);
            let is_dir_like =
                src == "." || src == "./" || src.ends_with('/') || !src_clean.contains('.');
            let single_file =
                c.sources.len() == 1 && !c.dest_is_dir && !is_dir_like && !src.contains('*');
            if single_file {
                let base = src_clean.rsplit('/').next().unwrap_or(&src_clean);
                // `COPY req.txt .`: into the directory that is there.
                if dest == abs || crate::analysis::env::join_path(dest, base) == abs {
                    return Some(src_clean);
                }
                continue;
            }
            // A directory (or several files) lands under dest.
            let Some(rest) = abs
                .strip_prefix(dest.trim_end_matches('/'))
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            let name = rest.rsplit('/').next().unwrap_or(rest);
            if src.contains('*') {
                let pat = src_clean.rsplit('/').next().unwrap_or(&src_clean);
                if !rest.contains('/') && glob(pat, name) {
                    let dir = src_clean.rsplit_once('/').map_or("", |(d, _)| d);
                    return Some(context::clean(&format!("{dir}/{name}")));
                }
                continue;
            }
            if is_dir_like {
                return Some(context::clean(&format!("{src_clean}/{rest}")));
            }
            // One file of several, copied into a directory.
            if !rest.contains('/') && src_clean.rsplit('/').next() == Some(name) {
                return Some(src_clean);
            }
        }
    }
    None
}

fn glob(pat: &str, s: &str) -> bool {
    globset::Glob::new(pat)
        .map(|g| g.compile_matcher().is_match(s))
        .unwrap_or(false)
}

/// What the install `i` in stage `s` brings, from its words and the build
/// context (requirement files it names, the project's pyproject and lock).
pub fn needs(doc: &Document, facts: &Facts, s: usize, i: &Install) -> Needs {
    let mut n = Needs::default();
    let ctx = facts.context.map(|c| c.python());
    // Packages named on the line.
    let named: Vec<String> = i.packages.clone();
    n.names(&named);
    if i.git {
        n.git
            .push(named.first().cloned().unwrap_or_else(|| "a package".into()));
    }
    for nb in &i.no_binary {
        if nb == ":all:" {
            for p in &named {
                n.no_binary(p);
            }
        } else {
            n.no_binary(nb);
        }
    }
    let at = facts.stages[s].at(doc, i.ins);
    let workdir = at.workdir.clone().unwrap_or_else(|| "/".into());
    let Some(ctx) = ctx else {
        if i.what == What::Project {
            n.unchecked.push(
                "no build context was read: packages built from source (they need gcc and headers) and the run-time libraries they load were not checked"
                    .to_string(),
            );
        }
        return n;
    };
    // Requirement files.
    let mut complete = true;
    for r in &i.requirements {
        let abs = crate::analysis::env::join_path(&workdir, r);
        let rel = context_path(doc, facts, s, i.ins, &abs).unwrap_or_else(|| context::clean(r));
        let files = ctx.requirement_files(&rel);
        if files.is_empty() {
            n.unchecked.push(format!(
                "{r} was not found in the build context: packages built from source and the libraries they load were not checked"
            ));
            continue;
        }
        for (path, req) in files {
            n.read.push(path.to_string());
            let names: Vec<String> = req.names.iter().map(|(x, _)| x.clone()).collect();
            n.names(&names);
            n.git.extend(req.git.iter().cloned());
            for nb in &req.no_binary {
                if nb == ":all:" {
                    for p in &names {
                        n.no_binary(p);
                    }
                } else {
                    n.no_binary(nb);
                }
            }
            complete &= req.complete;
        }
    }
    // The project: pyproject and its lock.
    let uses_project = match i.tool {
        Tool::Pip => i.project,
        _ => i.what == What::Project,
    };
    if uses_project {
        let lock_fits = matches!(
            (i.tool, ctx.lock),
            (Tool::Uv, Some(context::LockKind::Uv))
                | (Tool::Poetry, Some(context::LockKind::Poetry))
                | (Tool::Pipenv, Some(context::LockKind::Pipenv))
        );
        if lock_fits {
            let kind = ctx.lock.expect("a lock");
            n.read.push(kind.file().to_string());
            for l in &ctx.locked {
                if l.git {
                    n.git.push(l.name.clone());
                }
                if l.sdist_only && !l.git {
                    let why = format!(
                        "has no wheel in {}, so it is built from source",
                        kind.file()
                    );
                    if !n.source_builds.iter().any(|(p, _)| *p == l.name) {
                        n.source_builds.push((l.name.clone(), why.clone()));
                        let build = catalog::tables()
                            .python
                            .source_builds
                            .iter()
                            .find(|x| x.package == l.name)
                            .map_or_else(|| vec!["gcc".to_string()], |x| x.build.clone());
                        n.build.push((l.name.clone(), build));
                    }
                    n.add_native(&l.name, &why, true);
                }
                n.add_native(&l.name, "", false);
            }
        } else if ctx.pyproject {
            n.read.push("pyproject.toml".into());
            n.names(&ctx.dependencies.clone());
            complete = false;
        } else if i.tool == Tool::Pipenv {
            n.unchecked.push(
                "no Pipfile.lock was read: the packages pipenv installs were not checked".into(),
            );
        } else {
            n.unchecked.push(
                "no pyproject.toml or lock file was read: the packages the project installs were not checked"
                    .into(),
            );
        }
    }
    if !complete {
        n.unchecked.push(format!(
            "{} does not pin every package (no lock file): the dependencies pip resolves from it were not checked for packages built from source",
            crate::transforms::text::listing(&n.read, ", ")
        ));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_copied_file_in_the_context() {
        let doc = Document::parse(
            "FROM python:3.11\nWORKDIR /app\nCOPY ./django/requirements.txt .\nCOPY reqs/ /r/\nCOPY requirements*.txt ./\nCOPY . .\nRUN pip install -r requirements.txt\n",
        )
        .unwrap();
        let f = Facts::of(&doc, None);
        assert_eq!(
            context_path(&doc, &f, 0, 6, "/app/requirements.txt").as_deref(),
            Some("requirements.txt")
        );
        assert_eq!(
            context_path(&doc, &f, 0, 4, "/app/requirements.txt").as_deref(),
            Some("django/requirements.txt")
        );
        assert_eq!(
            context_path(&doc, &f, 0, 5, "/r/base.txt").as_deref(),
            Some("reqs/base.txt")
        );
        assert_eq!(
            context_path(&doc, &f, 0, 5, "/app/requirements-dev.txt").as_deref(),
            Some("requirements-dev.txt")
        );
        let p = PythonFacts::of(&doc, &f);
        assert_eq!(p.python_stage, [true]);
        assert_eq!(p.app_installs_in(0).count(), 1);
    }
}
