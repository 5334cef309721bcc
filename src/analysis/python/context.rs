//! What the build context says about a Python app: its requirement files
//! (with their `-r` includes), pyproject.toml (PEP 621 dependencies,
//! dependency groups, poetry's groups), the lock file (uv.lock, poetry.lock,
//! Pipfile.lock) and which locked packages have no wheel, and
//! `.python-version`. Read only and bounded: a walk of at most a few
//! thousand entries, three directories deep, for requirement files.

use super::cmd::{Spec, normalize, spec};
use std::collections::BTreeMap;
use std::path::Path;

/// A requirements file, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Projects it names (PEP 503), with whether each is pinned (`==`).
    pub names: Vec<(String, bool)>,
    /// `-r` and `-c` files it includes, relative to the context.
    pub includes: Vec<String>,
    /// `--no-binary` values.
    pub no_binary: Vec<String>,
    /// It installs a local path (`.`, `-e ./lib`).
    pub local: bool,
    /// Packages from git (`git+https://...`), by name when known.
    pub git: Vec<String>,
    /// Written by pip-compile / `uv pip compile` / `pip freeze` (every
    /// package pinned): the full list of what pip installs.
    pub complete: bool,
}

/// Which lock file the context holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockKind {
    Uv,
    Poetry,
    Pipenv,
}

impl LockKind {
    pub fn file(self) -> &'static str {
        match self {
            LockKind::Uv => "uv.lock",
            LockKind::Poetry => "poetry.lock",
            LockKind::Pipenv => "Pipfile.lock",
        }
    }
}

/// A locked package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locked {
    pub name: String,
    /// The lock lists an sdist and no wheel: it is built from source.
    pub sdist_only: bool,
    pub git: bool,
}

/// The Python part of a build context.
#[derive(Clone, Debug, Default)]
pub struct PythonContext {
    /// Requirement files by path relative to the context (`requirements.txt`,
    /// `requirements/base.txt`).
    pub requirements: BTreeMap<String, Requirements>,
    /// pyproject.toml at the root was read.
    pub pyproject: bool,
    /// `[project] dependencies` or poetry's main dependencies (PEP 503 names).
    pub dependencies: Vec<String>,
    /// Dev dependency groups: `[dependency-groups]` (uv, PEP 735), uv's
    /// `dev-dependencies`, poetry's `dev-dependencies` and `group.*`: their names, and the packages in them.
    pub dev_groups: Vec<String>,
    pub dev_dependencies: Vec<String>,
    /// `[tool.poetry]` is there.
    pub poetry: bool,
    /// `requires-python` (or poetry's `python`).
    pub requires_python: Option<String>,
    pub lock: Option<LockKind>,
    pub locked: Vec<Locked>,
    /// `.python-version`'s first line.
    pub python_version: Option<String>,
    /// The walk stopped early (a huge context): not every requirement file was seen.
    pub truncated: bool,
}

/// At most this many directory entries are looked at for requirement files.
const MAX_ENTRIES: usize = 5_000;

impl PythonContext {
    pub fn load(dir: &Path) -> PythonContext {
        let mut ctx = PythonContext::default();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let walker = ignore::WalkBuilder::new(dir)
            .hidden(true)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .follow_links(false)
            .max_depth(Some(3))
            .filter_entry(|e| {
                let n = e.file_name().to_str().unwrap_or("");
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && matches!(
                        n,
                        "node_modules"
                            | ".venv"
                            | "venv"
                            | "__pycache__"
                            | "site-packages"
                            | ".tox"
                            | "dist"
                            | "build"
                    ))
            })
            .build();
        let mut seen = 0;
        for e in walker.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                ctx.truncated = true;
                break;
            }
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/");
            let in_req_dir = rel
                .split('/')
                .rev()
                .nth(1)
                .is_some_and(|d| d.starts_with("requirements"));
            let looks = name.ends_with(".txt")
                && (name.contains("requirements") || name.contains("constraints") || in_req_dir)
                || name.ends_with(".in") && name.contains("requirements");
            if looks && e.file_type().is_some_and(|t| t.is_file()) {
                if e.metadata().map_or(true, |m| m.len() > 1 << 20) {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(p) {
                    let base = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                    ctx.requirements
                        .insert(rel.clone(), parse_requirements(&text, &base));
                }
            }
        }
        if let Some(text) = read("pyproject.toml")
            && let Ok(v) = toml::from_str::<toml::Value>(&text)
        {
            ctx.pyproject = true;
            pyproject(&v, &mut ctx);
        }
        ctx.python_version = read(".python-version").and_then(|t| {
            t.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
        });
        if let Some(text) = read("uv.lock") {
            ctx.lock = Some(LockKind::Uv);
            ctx.locked = uv_lock(&text);
        } else if let Some(text) = read("poetry.lock") {
            ctx.lock = Some(LockKind::Poetry);
            ctx.locked = poetry_lock(&text);
        } else if let Some(text) = read("Pipfile.lock") {
            ctx.lock = Some(LockKind::Pipenv);
            ctx.locked = pipfile_lock(&text);
        }
        ctx
    }

    /// The requirement file at `rel` and every file it includes, once each.
    pub fn requirement_files(&self, rel: &str) -> Vec<(&str, &Requirements)> {
        let mut out: Vec<(&str, &Requirements)> = Vec::new();
        let mut todo = vec![clean(rel)];
        while let Some(r) = todo.pop() {
            if out.iter().any(|(p, _)| *p == r) {
                continue;
            }
            if let Some((p, req)) = self.requirements.get_key_value(&r) {
                out.push((p.as_str(), req));
                todo.extend(req.includes.iter().cloned());
            }
        }
        out
    }
}

/// `a/./b/../c` -> `a/c`, without a leading `./`.
pub fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

/// Reads a requirements file whose directory (relative to the context) is `base`.
pub fn parse_requirements(text: &str, base: &str) -> Requirements {
    let mut r = Requirements::default();
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let header = joined.lines().take(8).any(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("pip-compile")
            || l.contains("uv pip compile")
            || l.contains("uv export")
            || l.contains("poetry export")
    });
    let mut all_pinned = true;
    for line in joined.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        let value =
            |first: &str, flag: &str, words: &mut std::str::SplitWhitespace| -> Option<String> {
                if let Some(v) = first.strip_prefix(&format!("{flag}=")) {
                    return Some(v.to_string());
                }
                if first == flag {
                    return words.next().map(str::to_string);
                }
                None
            };
        let mut w2 = words.clone();
        if let Some(f) = value(first, "-r", &mut w2)
            .or_else(|| value(first, "--requirement", &mut words.clone()))
            .or_else(|| value(first, "-c", &mut words.clone()))
            .or_else(|| value(first, "--constraint", &mut words.clone()))
        {
            r.includes.push(clean(&format!("{base}/{f}")));
            continue;
        }
        if let Some(v) = value(first, "--no-binary", &mut words.clone()) {
            r.no_binary.extend(v.split(',').map(|s| {
                if s.starts_with(':') {
                    s.to_string()
                } else {
                    normalize(s)
                }
            }));
            continue;
        }
        let spec_text = match value(first, "-e", &mut words.clone())
            .or_else(|| value(first, "--editable", &mut words.clone()))
        {
            Some(v) => v,
            None if first.starts_with('-') => continue,
            None => line
                .split(';')
                .next()
                .unwrap_or(line)
                .split(" --")
                .next()
                .unwrap_or(line)
                .to_string(),
        };
        match spec(&spec_text) {
            Spec::Name(n, pinned) => {
                all_pinned &= pinned;
                r.names.push((n, pinned));
            }
            Spec::Path => r.local = true,
            Spec::Git(n) => {
                all_pinned = false;
                r.git.push(n.unwrap_or_else(|| spec_text.clone()));
            }
            Spec::Url => {}
        }
    }
    r.complete = header || (all_pinned && !r.names.is_empty());
    r
}

fn names_of(list: Option<&toml::Value>) -> Vec<String> {
    list.and_then(|l| l.as_array())
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str())
        .filter_map(|d| match spec(d) {
            Spec::Name(n, _) => Some(n),
            Spec::Git(n) => n,
            _ => None,
        })
        .collect()
}

fn pyproject(v: &toml::Value, ctx: &mut PythonContext) {
    let project = v.get("project");
    ctx.dependencies = names_of(project.and_then(|p| p.get("dependencies")));
    ctx.requires_python = project
        .and_then(|p| p.get("requires-python"))
        .and_then(|x| x.as_str())
        .map(str::to_string);
    if let Some(groups) = v.get("dependency-groups").and_then(|g| g.as_table()) {
        for (g, list) in groups {
            ctx.dev_groups.push(g.clone());
            ctx.dev_dependencies.extend(names_of(Some(list)));
        }
    }
    if let Some(dev) = v
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("dev-dependencies"))
    {
        if !ctx.dev_groups.iter().any(|g| g == "dev") {
            ctx.dev_groups.push("dev".into());
        }
        ctx.dev_dependencies.extend(names_of(Some(dev)));
    }
    if let Some(poetry) = v.get("tool").and_then(|t| t.get("poetry")) {
        ctx.poetry = true;
        let keys = |t: Option<&toml::Value>| -> Vec<String> {
            t.and_then(|x| x.as_table())
                .map(|t| {
                    t.keys()
                        .filter(|k| *k != "python")
                        .map(|k| normalize(k))
                        .collect()
                })
                .unwrap_or_default()
        };
        if ctx.dependencies.is_empty() {
            ctx.dependencies = keys(poetry.get("dependencies"));
        }
        if ctx.requires_python.is_none() {
            ctx.requires_python = poetry
                .get("dependencies")
                .and_then(|d| d.get("python"))
                .and_then(|p| p.as_str())
                .map(str::to_string);
        }
        let dev = keys(poetry.get("dev-dependencies"));
        if !dev.is_empty() {
            ctx.dev_groups.push("dev".into());
            ctx.dev_dependencies.extend(dev);
        }
        if let Some(groups) = poetry.get("group").and_then(|g| g.as_table()) {
            for (g, body) in groups {
                if !ctx.dev_groups.contains(g) {
                    ctx.dev_groups.push(g.clone());
                }
                ctx.dev_dependencies.extend(keys(body.get("dependencies")));
            }
        }
    }
}

/// uv.lock: `[[package]]` tables with `sdist` and `wheels`; a registry
/// package with an sdist and no wheel is built from source.
fn uv_lock(text: &str) -> Vec<Locked> {
    let Ok(v) = toml::from_str::<toml::Value>(text) else {
        return Vec::new();
    };
    v.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = normalize(p.get("name")?.as_str()?);
            let source = p.get("source");
            let git = source.and_then(|s| s.get("git")).is_some();
            let editable = source
                .and_then(|s| s.get("editable").or_else(|| s.get("virtual")))
                .is_some();
            if editable {
                return None;
            }
            let wheels = p
                .get("wheels")
                .and_then(|w| w.as_array())
                .is_some_and(|w| !w.is_empty());
            let sdist = p.get("sdist").is_some();
            Some(Locked {
                name,
                sdist_only: (sdist && !wheels) || git,
                git,
            })
        })
        .collect()
}

/// poetry.lock: `[[package]]` with `files = [{file = "x.whl"}, ...]`.
fn poetry_lock(text: &str) -> Vec<Locked> {
    let Ok(v) = toml::from_str::<toml::Value>(text) else {
        return Vec::new();
    };
    v.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = normalize(p.get("name")?.as_str()?);
            let files: Vec<&str> = p
                .get("files")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
                .filter_map(|f| f.get("file").and_then(|x| x.as_str()))
                .collect();
            let git = p
                .get("source")
                .and_then(|s| s.get("type"))
                .and_then(|t| t.as_str())
                == Some("git");
            let wheel = files.iter().any(|f| {
                f.ends_with(".whl") && (f.contains("manylinux") || f.ends_with("-none-any.whl"))
            });
            Some(Locked {
                name,
                sdist_only: git || (!files.is_empty() && !wheel),
                git,
            })
        })
        .collect()
}

/// Pipfile.lock: names only (`default` and `develop`); git sources flagged.
fn pipfile_lock(text: &str) -> Vec<Locked> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    v.get("default")
        .and_then(|d| d.as_object())
        .into_iter()
        .flatten()
        .map(|(name, p)| Locked {
            name: normalize(name),
            sdist_only: false,
            git: p.get("git").is_some(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requirements_with_includes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("requirements")).unwrap();
        std::fs::write(
            dir.path().join("requirements/base.txt"),
            "# app\nFlask==3.0.0  # web\npsycopg2>=2.9\n--no-binary lxml\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("requirements.txt"),
            "-r requirements/base.txt\n-e git+https://x/y.git#egg=lib\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname='a'\nrequires-python='>=3.11'\ndependencies=['fastapi>=0.1','uvicorn[standard]']\n[dependency-groups]\ndev=['pytest>=8']\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("uv.lock"),
            "version = 1\n[[package]]\nname = \"psycopg2\"\nsource = { registry = \"x\" }\nsdist = { url = \"u\" }\n[[package]]\nname = \"Fast_API\"\nsdist = { url = \"u\" }\nwheels = [{ url = \"w\" }]\n[[package]]\nname = \"a\"\nsource = { virtual = \".\" }\n",
        )
        .unwrap();
        std::fs::write(dir.path().join(".python-version"), "3.11\n").unwrap();
        let c = PythonContext::load(dir.path());
        let files = c.requirement_files("./requirements.txt");
        assert_eq!(files.len(), 2, "{:?}", c.requirements);
        let base = &c.requirements["requirements/base.txt"];
        assert_eq!(
            base.names,
            [("flask".into(), true), ("psycopg2".into(), false)]
        );
        assert_eq!(base.no_binary, ["lxml"]);
        assert!(!base.complete);
        assert_eq!(c.requirements["requirements.txt"].git, ["lib"]);
        assert_eq!(c.dependencies, ["fastapi", "uvicorn"]);
        assert_eq!(c.dev_dependencies, ["pytest"]);
        assert_eq!(c.lock, Some(LockKind::Uv));
        assert_eq!(
            c.locked,
            [
                Locked {
                    name: "psycopg2".into(),
                    sdist_only: true,
                    git: false
                },
                Locked {
                    name: "fast-api".into(),
                    sdist_only: false,
                    git: false
                }
            ]
        );
        assert_eq!(c.python_version.as_deref(), Some("3.11"));
    }

    #[test]
    fn a_frozen_file_is_complete() {
        let r = parse_requirements("a==1\nb==2 \\\n    --hash=sha256:x\n", "");
        assert!(r.complete);
        assert!(!parse_requirements("a==1\nb\n", "").complete);
    }
}
