//! `dfslim.toml`: the settings of a repository.
//!
//! ```toml
//! level = 4
//! exclude = ["vendor", "testdata/**"]
//!
//! [transforms.strip-flags]
//! enabled = false
//!
//! [[override]]
//! paths = ["legacy/**"]
//! level = 2
//! transforms.cmd-binary.enabled = false
//!
//! [ecosystems.python]             # every Python transform off
//! enabled = false
//!
//! [[context]]
//! dockerfile = "services/*/Dockerfile"
//! context = "."
//! target = "dev"                   # this build targets stage `dev` (a product of its own)
//! ```
//!
//! The file is found in the current directory or the nearest parent, the
//! search stopping at the repository root (the directory holding `.git`);
//! `--config` names one. Globs are relative to the file's directory and read
//! like `.gitignore` ([`crate::walk::glob_set`]). Unknown keys and bad values
//! are errors that name the key, the file and the line. Command-line flags
//! win over the file.

use crate::ecosystem::Ecosystem;
use crate::pipeline::{MAX_LEVEL, Runtime, Selection};
use crate::transforms;
use crate::walk;
use globset::GlobSet;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "dfslim.toml";

/// A configuration error at a place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column, when the error has a place.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// `[transforms.ID] enabled = …` or `[ecosystems.NAME] enabled = …`, at a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toggle {
    /// A transform id or an ecosystem name.
    pub id: String,
    pub enabled: bool,
    pub line: usize,
}

impl Toggle {
    /// True when it toggles transform `id` (by its id or its ecosystem).
    fn covers(&self, id: &str) -> bool {
        self.id == id || crate::catalog::entry(id).is_some_and(|e| e.ecosystem.name() == self.id)
    }
}

/// An `[[override]]` table.
#[derive(Clone, Debug)]
pub struct Override {
    pub line: usize,
    pub paths: Vec<String>,
    set: GlobSet,
    pub level: Option<u8>,
    /// Transform and ecosystem toggles, in file order.
    pub transforms: Vec<Toggle>,
}

/// A `[[context]]` table: Dockerfiles matching `dockerfile` are built with `context`.
#[derive(Clone, Debug)]
pub struct ContextRule {
    pub line: usize,
    pub dockerfile: String,
    set: GlobSet,
    /// As written, relative to the config's directory.
    pub context: String,
    /// The stage this build targets (`docker build --target`), if any.
    pub target: Option<String>,
    /// The targeted stage is the image that ships: the levels apply to it.
    pub ship: bool,
}

/// A read configuration (the default one when there is no file).
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub file: Option<PathBuf>,
    /// The directory globs are relative to (absolute, normalised).
    pub dir: PathBuf,
    /// The level and the line that sets it.
    pub level: Option<(u8, usize)>,
    pub exclude: Vec<String>,
    /// Transform and ecosystem toggles, in file order.
    pub transforms: Vec<Toggle>,
    pub overrides: Vec<Override>,
    pub contexts: Vec<ContextRule>,
    /// `allow_unpinned = true`: a digest-pinned image may become unpinned.
    pub allow_unpinned: Option<(bool, usize)>,
    /// `runtime = "scratch" | "distroless"`: the minimal runtime of level 4.
    pub runtime: Option<(Runtime, usize)>,
}

/// The command-line settings that compete with the file's.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub level: Option<u8>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub allow_unpinned: bool,
    pub runtime: Option<Runtime>,
}

/// The settings in force for one Dockerfile, and where each came from.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub selection: Selection,
    /// Where the level came from: `--level`, `dfslim.toml:3`, `default`.
    pub level_from: String,
    /// Transforms that will not run, each with why.
    pub disabled: Vec<(String, String)>,
    /// Lines of the `[[override]]` tables that apply.
    pub overrides: Vec<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    level: Option<Spanned<i64>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    transforms: BTreeMap<Spanned<String>, RawToggle>,
    #[serde(default, rename = "override")]
    overrides: Vec<Spanned<RawOverride>>,
    #[serde(default, rename = "context")]
    contexts: Vec<Spanned<RawContext>>,
    #[serde(default)]
    ecosystems: BTreeMap<Spanned<String>, RawToggle>,
    allow_unpinned: Option<Spanned<bool>>,
    runtime: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToggle {
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    level: Option<Spanned<i64>>,
    #[serde(default)]
    transforms: BTreeMap<Spanned<String>, RawToggle>,
    #[serde(default)]
    ecosystems: BTreeMap<Spanned<String>, RawToggle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    dockerfile: Spanned<String>,
    context: Spanned<String>,
    target: Option<Spanned<String>>,
    #[serde(default)]
    ship: Option<Spanned<bool>>,
}

/// The nearest `dfslim.toml` from `start` upwards: `start` itself, then its
/// parents, the last one looked at being the repository root (the first
/// directory that holds `.git`).
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// The configuration in force in `cwd`: the file `explicit` names, else
/// the one [`find`] finds, else the defaults.
pub fn load_for(explicit: Option<&Path>, cwd: &Path) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match find(cwd) {
            // Shown relative to where the user is, when below it.
            Some(p) => walk::relative_to(cwd, &p).map_or(p, PathBuf::from),
            None => return Ok(Config::none(cwd)),
        },
    };
    Config::load(&path, cwd)
}

impl Config {
    /// No file: defaults, globs relative to `dir`.
    pub fn none(dir: &Path) -> Config {
        Config {
            dir: walk::normalize(dir),
            ..Config::default()
        }
    }

    /// Reads and checks the file at `path` (relative paths against `cwd`).
    pub fn load(path: &Path, cwd: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            at: None,
            message: format!("cannot read: {e}"),
        })?;
        let abs = walk::absolute_in(cwd, path);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(&text, path, &dir)
    }

    /// Parses `text`, the contents of `file`, whose globs are relative to `dir`.
    pub fn parse(text: &str, file: &Path, dir: &Path) -> Result<Config, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            file: file.to_path_buf(),
            at: span.map(|s| line_col(text, s.start)),
            message,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let span = e.span();
            let mut message = e.message().trim_end().to_string();
            if let Some(key) = span.as_ref().and_then(|s| key_at(text, s.start))
                && !message.contains(&format!("`{key}`"))
            {
                message = format!("`{key}`: {message}");
            }
            err(span, message)
        })?;
        let line = |s: std::ops::Range<usize>| line_col(text, s.start).0;
        let level = |v: &Spanned<i64>, key: &str| -> Result<u8, ConfigError> {
            let n = *v.get_ref();
            if (0..=i64::from(MAX_LEVEL)).contains(&n) {
                Ok(n as u8)
            } else {
                Err(err(
                    Some(v.span()),
                    format!("`{key}` must be a level from 0 to {MAX_LEVEL}, not {n}"),
                ))
            }
        };
        let toggles = |map: &BTreeMap<Spanned<String>, RawToggle>,
                       ecos: &BTreeMap<Spanned<String>, RawToggle>,
                       table: &str|
         -> Result<Vec<Toggle>, ConfigError> {
            for name in ecos.keys() {
                if Ecosystem::parse(name.get_ref()).is_none() {
                    let known: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.name()).collect();
                    return Err(err(
                        Some(name.span()),
                        format!(
                            "unknown ecosystem `{}`; the ecosystems are {}",
                            name.get_ref(),
                            known.join(", ")
                        ),
                    ));
                }
            }
            let mut out: Vec<Toggle> = map
                .iter()
                .chain(ecos)
                .map(|(id, t)| {
                    let known = transforms::by_id(id.get_ref()).is_some()
                        || Ecosystem::parse(id.get_ref()).is_some();
                    if !known {
                        return Err(err(
                            Some(id.span()),
                            format!(
                                "unknown transform `{}` in `{table}`; `dfslim transforms` lists them",
                                id.get_ref()
                            ),
                        ));
                    }
                    Ok(Toggle {
                        id: id.get_ref().clone(),
                        enabled: t.enabled,
                        line: line(id.span()),
                    })
                })
                .collect::<Result<_, _>>()?;
            out.sort_by_key(|t| t.line);
            Ok(out)
        };
        let globs = |patterns: &[Spanned<String>], key: &str| -> Result<GlobSet, ConfigError> {
            for p in patterns {
                walk::glob_set(std::slice::from_ref(p.get_ref()))
                    .map_err(|e| err(Some(p.span()), format!("`{key}`: {e}")))?;
            }
            let all: Vec<String> = patterns.iter().map(|p| p.get_ref().clone()).collect();
            walk::glob_set(&all).map_err(|e| err(None, format!("`{key}`: {e}")))
        };

        let mut config = Config {
            file: Some(file.to_path_buf()),
            dir: walk::normalize(dir),
            ..Config::default()
        };
        if let Some(v) = &raw.level {
            config.level = Some((level(v, "level")?, line(v.span())));
        }
        globs(&raw.exclude, "exclude")?;
        config.exclude = raw.exclude.iter().map(|p| p.get_ref().clone()).collect();
        config.transforms = toggles(&raw.transforms, &raw.ecosystems, "transforms")?;
        if let Some(v) = &raw.allow_unpinned {
            config.allow_unpinned = Some((*v.get_ref(), line(v.span())));
        }
        if let Some(v) = &raw.runtime {
            let r = Runtime::parse(v.get_ref()).ok_or_else(|| {
                err(
                    Some(v.span()),
                    format!(
                        "`runtime` must be \"scratch\" or \"distroless\", not {:?}",
                        v.get_ref()
                    ),
                )
            })?;
            config.runtime = Some((r, line(v.span())));
        }
        for o in &raw.overrides {
            let span = o.span();
            let o = o.get_ref();
            if o.paths.is_empty() {
                return Err(err(
                    Some(span),
                    "`paths` of an [[override]] must name at least one glob".to_string(),
                ));
            }
            config.overrides.push(Override {
                line: line(span),
                paths: o.paths.iter().map(|p| p.get_ref().clone()).collect(),
                set: globs(&o.paths, "paths")?,
                level: o.level.as_ref().map(|v| level(v, "level")).transpose()?,
                transforms: toggles(&o.transforms, &o.ecosystems, "override.transforms")?,
            });
        }
        for c in &raw.contexts {
            let span = c.span();
            let c = c.get_ref();
            let ship = c.ship.as_ref().is_some_and(|s| *s.get_ref());
            if ship && c.target.is_none() {
                return Err(err(
                    Some(span),
                    "`ship = true` in a [[context]] needs the `target` stage that ships"
                        .to_string(),
                ));
            }
            config.contexts.push(ContextRule {
                line: line(span),
                dockerfile: c.dockerfile.get_ref().clone(),
                set: globs(std::slice::from_ref(&c.dockerfile), "dockerfile")?,
                context: c.context.get_ref().clone(),
                target: c.target.as_ref().map(|t| t.get_ref().clone()),
                ship,
            });
        }
        Ok(config)
    }

    /// `file:line` for messages (or `line N` without a file).
    pub fn place(&self, line: usize) -> String {
        match &self.file {
            Some(f) => format!("{}:{line}", f.display()),
            None => format!("line {line}"),
        }
    }

    /// `abs` relative to the config's directory, when it is below it.
    fn rel(&self, abs: &Path) -> Option<String> {
        walk::relative_to(&self.dir, abs)
    }

    /// The settings for the Dockerfile at `abs` (absolute, normalised).
    pub fn resolve(&self, abs: &Path, flags: &Flags) -> Resolved {
        let rel = self.rel(abs);
        let matching: Vec<&Override> = self
            .overrides
            .iter()
            .filter(|o| rel.as_deref().is_some_and(|r| o.set.is_match(r)))
            .collect();
        let (level, level_from) = if let Some(l) = flags.level {
            (l, "--level".to_string())
        } else if let Some(o) = matching.iter().rev().find(|o| o.level.is_some()) {
            (
                o.level.unwrap_or(MAX_LEVEL),
                format!("[[override]] at {}", self.place(o.line)),
            )
        } else if let Some((l, line)) = self.level {
            (l, self.place(line))
        } else {
            (MAX_LEVEL, "default".to_string())
        };
        // The last toggle that covers a transform wins: an override's over
        // the file's, a transform's own over its ecosystem's when later.
        let toggles: Vec<&Toggle> = self
            .transforms
            .iter()
            .chain(matching.iter().flat_map(|o| o.transforms.iter()))
            .collect();
        let named = |list: &[String], id: &str| {
            if list.is_empty() {
                return false;
            }
            let eco = crate::catalog::entry(id).map(|e| e.ecosystem.name());
            list.iter().any(|n| n == id || Some(n.as_str()) == eco)
        };
        let mut disabled: Vec<(String, String)> = Vec::new();
        let mut enabled: Vec<String> = Vec::new();
        for t in transforms::all() {
            let id = t.id();
            if named(&flags.only, id) {
                continue;
            }
            let toggle = toggles.iter().rev().find(|t| t.covers(id));
            if named(&flags.skip, id) {
                disabled.push((id.to_string(), "--skip".to_string()));
            } else if let Some(t) = toggle {
                let place = self.place(t.line);
                if t.enabled {
                    enabled.push(id.to_string());
                } else if t.id == id {
                    disabled.push((id.to_string(), format!("enabled = false at {place}")));
                } else {
                    disabled.push((
                        id.to_string(),
                        format!("[ecosystems.{}] enabled = false at {place}", t.id),
                    ));
                }
            }
        }
        let allow_unpinned = flags.allow_unpinned || self.allow_unpinned.is_some_and(|(a, _)| a);
        let runtime = flags
            .runtime
            .or(self.runtime.map(|(r, _)| r))
            .unwrap_or_default();
        Resolved {
            selection: Selection {
                level,
                only: (!flags.only.is_empty()).then(|| flags.only.clone()),
                skip: disabled.iter().map(|(id, _)| id.clone()).collect(),
                enable: enabled,
                allow_unpinned,
                runtime,
            },
            level_from,
            disabled,
            overrides: matching.iter().map(|o| o.line).collect(),
        }
    }

    /// The stages `[[context]]` tables say the Dockerfile at `abs` is built
    /// as (`target`), each with where it says so, and the one that ships.
    pub fn targets_for(&self, abs: &Path) -> (Vec<(String, String)>, Option<String>) {
        let Some(rel) = self.rel(abs) else {
            return (Vec::new(), None);
        };
        let mut targets = Vec::new();
        let mut ship = None;
        for c in self.contexts.iter().filter(|c| c.set.is_match(&rel)) {
            if let Some(t) = &c.target {
                targets.push((t.clone(), format!("[[context]] at {}", self.place(c.line))));
                if c.ship {
                    ship = Some(t.clone());
                }
            }
        }
        (targets, ship)
    }

    /// The build context a `[[context]]` table gives the Dockerfile at
    /// `abs`, and where it says so (the last matching table wins).
    pub fn context_for(&self, abs: &Path) -> Option<(PathBuf, String)> {
        let rel = self.rel(abs)?;
        self.contexts
            .iter()
            .rev()
            .find(|c| c.set.is_match(&rel))
            .map(|c| {
                (
                    walk::normalize(&self.dir.join(&c.context)),
                    format!("[[context]] at {}", self.place(c.line)),
                )
            })
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// The key of the `key = value` line holding `offset`, if it is one.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let (key, _) = text[start..end].split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("dfslim.toml"), Path::new("/repo")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_key() {
        let c = parse(concat!(
            "level = 4\n",
            "exclude = [\"vendor\"]\n",
            "[transforms.strip-flags]\n",
            "enabled = false\n",
            "[[override]]\n",
            "paths = [\"legacy/**\"]\n",
            "level = 2\n",
            "transforms.cmd-binary.enabled = false\n",
            "transforms.strip-flags.enabled = true\n",
            "[[context]]\n",
            "dockerfile = \"services/*/Dockerfile\"\n",
            "context = \".\"\n",
        ))
        .unwrap();
        assert_eq!(c.level, Some((4, 1)));
        assert_eq!(c.exclude, vec!["vendor"]);

        let r = c.resolve(Path::new("/repo/api/Dockerfile"), &Flags::default());
        assert_eq!(r.selection.level, 4);
        assert_eq!(r.level_from, "dfslim.toml:1");
        assert_eq!(r.selection.skip, vec!["strip-flags"]);
        assert!(r.overrides.is_empty());

        let r = c.resolve(Path::new("/repo/legacy/x/Dockerfile"), &Flags::default());
        assert_eq!(r.selection.level, 2);
        assert_eq!(r.level_from, "[[override]] at dfslim.toml:5");
        assert_eq!(r.selection.skip, vec!["cmd-binary"]);
        assert_eq!(r.overrides, vec![5]);

        // Flags win: --level everywhere, --only over `enabled = false`.
        let flags = Flags {
            level: Some(1),
            only: vec!["cmd-binary".into()],
            ..Flags::default()
        };
        let r = c.resolve(Path::new("/repo/legacy/x/Dockerfile"), &flags);
        assert_eq!(r.selection.level, 1);
        assert_eq!(r.selection.only, Some(vec!["cmd-binary".into()]));
        assert!(r.selection.skip.is_empty());

        assert_eq!(
            c.context_for(Path::new("/repo/services/api/Dockerfile")),
            Some((
                PathBuf::from("/repo"),
                "[[context]] at dfslim.toml:10".to_string()
            ))
        );
        assert_eq!(
            c.context_for(Path::new("/repo/services/a/b/Dockerfile")),
            None
        );
        assert_eq!(c.context_for(Path::new("/elsewhere/Dockerfile")), None);
    }

    #[test]
    fn errors_name_key_file_and_line() {
        let e = parse("level = 3\nlevle = 4\n").unwrap_err();
        assert!(e.starts_with("dfslim.toml:2:1: "), "{e}");
        assert!(e.contains("`levle`"), "{e}");

        let e = parse("level = 9\n").unwrap_err();
        assert_eq!(
            e,
            "dfslim.toml:1:9: `level` must be a level from 0 to 5, not 9"
        );

        let e = parse("\nlevel = \"high\"\n").unwrap_err();
        assert!(e.starts_with("dfslim.toml:2:9: `level`: "), "{e}");

        let e = parse("[transforms.strip-flag]\nenabled = false\n").unwrap_err();
        assert!(
            e.starts_with("dfslim.toml:1:13: unknown transform `strip-flag`"),
            "{e}"
        );

        let e = parse("[transforms.strip-flags]\nenabeld = false\n").unwrap_err();
        assert!(e.starts_with("dfslim.toml:2:1: "), "{e}");
        assert!(e.contains("`enabeld`"), "{e}");

        let e = parse("exclude = [\"ok\", \"a[\"]\n").unwrap_err();
        assert!(
            e.starts_with("dfslim.toml:1:18: `exclude`: bad glob"),
            "{e}"
        );

        let e = parse("[[override]]\npaths = [\"x\"]\nlevel = -1\n").unwrap_err();
        assert!(e.starts_with("dfslim.toml:3:9: `level` must be"), "{e}");

        let e = parse("[[context]]\ndockerfile = \"x\"\n").unwrap_err();
        assert!(e.contains("context"), "{e}");
    }

    #[test]
    fn found_up_to_the_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let deep = repo.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        // Above the repository root: not looked at.
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(repo.join(FILE_NAME)));
        std::fs::write(repo.join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(repo.join("a").join(FILE_NAME)));
    }
}
