//! Finding Dockerfiles: explicit paths as given, directories walked the way
//! git sees them (`.gitignore`, `.ignore`, global excludes; hidden entries
//! skipped; symlinks never followed out of the root). Compose files met on
//! the way are collected too: they say which build context a Dockerfile has.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// True for names Docker tools use for Dockerfiles, in any case:
/// `Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`.
pub fn is_dockerfile_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    // Dockerfile.dockerignore is the per-Dockerfile ignore file, not a Dockerfile.
    if n.ends_with(".dockerignore") {
        return false;
    }
    n == "dockerfile"
        || n == "containerfile"
        || n.starts_with("dockerfile.")
        || n.starts_with("containerfile.")
        || n.ends_with(".dockerfile")
        || n.ends_with(".containerfile")
}

/// True for Compose file names: `docker-compose.yml`, `compose.yaml` (either
/// extension), and variants such as `docker-compose.prod.yml`.
pub fn is_compose_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let Some(stem) = n.strip_suffix(".yml").or_else(|| n.strip_suffix(".yaml")) else {
        return false;
    };
    ["docker-compose", "compose"]
        .iter()
        .any(|base| stem == *base || stem.starts_with(&format!("{base}.")))
}

/// Compiles path globs the way `.gitignore` reads them, matched against
/// `/`-separated paths relative to some base directory:
/// `*` stays within one path component and `**` crosses them; a pattern
/// with no `/` (a trailing one aside) matches at any depth; a leading `/`
/// anchors it to the base; a pattern that names a directory also matches
/// everything below it.
pub fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        for g in expand(p) {
            let glob = GlobBuilder::new(&g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad glob {p:?}: {}", e.kind()))?;
            b.add(glob);
        }
    }
    b.build().map_err(|e| e.to_string())
}

fn expand(pattern: &str) -> Vec<String> {
    let p = pattern.trim_end_matches('/');
    let anchored = p.starts_with('/') || p.contains('/');
    let p = p.trim_start_matches('/');
    let p = if anchored || p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    vec![format!("{p}/**"), p]
}

/// `--include` / `--exclude` globs (relative to a walked directory) and the
/// `exclude` globs of a config file (relative to the file's directory).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// (base directory, absolute and normalised; globs relative to it).
    based: Vec<(PathBuf, GlobSet)>,
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, String> {
        let set = |globs: &[String]| -> Result<Option<GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            glob_set(globs).map(Some)
        };
        Ok(Filter {
            include: set(include)?,
            exclude: set(exclude)?,
            based: Vec::new(),
        })
    }

    /// Also excludes what `globs` match relative to `base` (absolute).
    pub fn exclude_under(mut self, base: &Path, globs: &[String]) -> Result<Filter, String> {
        if !globs.is_empty() {
            self.based.push((normalize(base), glob_set(globs)?));
        }
        Ok(self)
    }

    /// `rel` is relative to the walked root, `abs` the same path absolute.
    fn excluded(&self, rel: &Path, abs: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
            || self.based.iter().any(|(base, set)| {
                abs.strip_prefix(base)
                    .is_ok_and(|r| !r.as_os_str().is_empty() && set.is_match(r))
            })
    }

    fn included(&self, rel: &Path) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(rel))
    }
}

/// A path found, or why a given path could not be used.
pub type Found = Result<PathBuf, (PathBuf, String)>;

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Dockerfiles (and the roots that could not be used), each once.
    pub files: Vec<Found>,
    /// Compose and bake files met in the walked directories (and above
    /// them, up to the repository root), sorted.
    pub composes: Vec<PathBuf>,
}

/// Every Dockerfile under `roots`: a file root is taken as it is (whatever
/// its name); a directory is walked. Sorted by path within each root; a
/// file reached twice (`. services/`, or a link to a file also found) is
/// listed once.
pub fn discover(roots: &[PathBuf], filter: &Filter) -> Discovery {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut out = Discovery::default();
    let mut seen = HashSet::new();
    // Where the repository top is looked for from (a directory root, or a
    // file root's directory), and the root's absolute path.
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    // One lstat for a plain file (the common case, thousands of them named
    // by a shell glob); a link is followed with a second call. A long list
    // is spread over the cores: the batch has not started yet.
    let look = |root: &PathBuf| match std::fs::symlink_metadata(root) {
        Ok(m) if m.is_symlink() => std::fs::metadata(root)
            .map(|m| (m, true))
            .map_err(|_| "broken symlink"),
        Ok(m) => Ok((m, false)),
        Err(_) => Err("no such file or directory"),
    };
    let metas: Vec<Result<(std::fs::Metadata, bool), &str>> = if roots.len() < 64 {
        roots.iter().map(look).collect()
    } else {
        use rayon::prelude::*;
        roots.par_iter().map(look).collect()
    };
    for (root, meta) in roots.iter().zip(metas) {
        let (meta, linked) = match meta {
            Ok(m) => m,
            Err(why) => {
                out.files.push(Err((root.clone(), why.to_string())));
                continue;
            }
        };
        // Named like a Dockerfile, a directory is a mistake, not a tree to walk.
        let dockerfile_named = root
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_dockerfile_name);
        if meta.is_dir() && dockerfile_named {
            out.files.push(Err((
                root.clone(),
                "is a directory, not a Dockerfile".to_string(),
            )));
            continue;
        }
        if !meta.is_dir() {
            let abs = absolute_in(&cwd, root);
            if let Some(dir) = abs.parent() {
                dirs.push((dir.to_path_buf(), abs.clone()));
            }
            if seen.insert(if linked {
                identity(&cwd, root, true)
            } else {
                abs
            }) {
                out.files.push(Ok(root.clone()));
            }
            continue;
        }
        let abs = absolute_in(&cwd, root);
        let (mut found, composes) = walk_dir(root, &abs, filter);
        dirs.push((abs.clone(), abs));
        found.sort_by(|a, b| key(a).cmp(key(b)));
        for f in found {
            let linked = || key(&f).symlink_metadata().is_ok_and(|m| m.is_symlink());
            if f.is_err() || seen.insert(identity(&cwd, key(&f), linked())) {
                out.files.push(f);
            }
        }
        out.composes.extend(composes);
    }
    // Compose files of the directories above the roots, up to the
    // repository root: `dfslim fix services/api/Dockerfile` sees the
    // compose file at the top as `dfslim fix .` does.
    let mut looked = HashSet::new();
    let mut tops = HashMap::new();
    for (from, abs) in dirs {
        let Some(top) = repository_top(&from, &mut tops) else {
            continue;
        };
        // A directory root's own compose files are met in its walk.
        for dir in abs.parent().into_iter().flat_map(Path::ancestors) {
            if !dir.starts_with(&top) || !looked.insert(dir.to_path_buf()) {
                break;
            }
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.flatten() {
                    if e.file_type().is_ok_and(|t| t.is_file())
                        && e.file_name()
                            .to_str()
                            .is_some_and(|n| is_compose_name(n) || crate::bake::is_bake_name(n))
                    {
                        out.composes.push(e.path());
                    }
                }
            }
        }
    }
    out.composes.sort();
    out.composes.dedup();
    out
}

/// The nearest directory at or above `path` holding `.git`, remembered for
/// every directory looked at: thousands of files named on the command
/// line share a few directories.
fn repository_top(path: &Path, memo: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut seen = Vec::new();
    let mut found = None;
    for dir in path.ancestors() {
        if let Some(known) = memo.get(dir) {
            found = known.clone();
            break;
        }
        seen.push(dir.to_path_buf());
        if dir.join(".git").exists() {
            found = Some(dir.to_path_buf());
            break;
        }
    }
    for dir in seen {
        memo.insert(dir, found.clone());
    }
    found
}

/// What makes two paths the same file here: a link is its target (a link
/// to a Dockerfile next to it must not be rewritten twice at once).
fn identity(cwd: &Path, path: &Path, linked: bool) -> PathBuf {
    if linked && let Ok(target) = std::fs::canonicalize(path) {
        return target;
    }
    absolute_in(cwd, path)
}

fn key(f: &Found) -> &Path {
    match f {
        Ok(p) => p,
        Err((p, _)) => p,
    }
}

fn walk_dir(root: &Path, abs_root: &Path, filter: &Filter) -> (Vec<Found>, Vec<PathBuf>) {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let root_for_filter = root.to_path_buf();
    let abs_for_filter = abs_root.to_path_buf();
    let filter_dirs = filter.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let rel = e.path().strip_prefix(&root_for_filter).unwrap_or(e.path());
            rel.as_os_str().is_empty() || !filter_dirs.excluded(rel, &abs_for_filter.join(rel))
        })
        .build();
    let mut out = Vec::new();
    let mut composes = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                out.push(Err((root.to_path_buf(), err.to_string())));
                continue;
            }
        };
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_dir() {
            continue;
        }
        let dockerfile = is_dockerfile_name(name);
        let compose = !dockerfile && (is_compose_name(name) || crate::bake::is_bake_name(name));
        if !dockerfile && !compose {
            continue;
        }
        if ft.is_symlink() {
            // A link is taken only when what it points to is inside the root.
            match std::fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canon_root) && target.is_file() => {}
                _ => continue,
            }
        }
        if compose {
            composes.push(path.to_path_buf());
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if filter.included(rel) {
            out.push(Ok(path.to_path_buf()));
        }
    }
    (out, composes)
}

/// `path` made absolute against `cwd` and normalised lexically (`.` and
/// `..` resolved without touching the file system, links kept).
pub fn absolute_in(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&cwd.join(path))
    }
}

/// Resolves `.` and `..` components lexically. A `..` never climbs out of
/// the root, nor cancels another `..` of a relative path.
#[cfg(unix)]
pub fn normalize(path: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    // Bytes, not `Path::components`: run for every file of a batch.
    let bytes = path.as_os_str().as_bytes();
    let absolute = bytes.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::with_capacity(16);
    for seg in bytes.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(&last) if last != b".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(seg),
            },
            _ => parts.push(seg),
        }
    }
    let mut out = Vec::with_capacity(bytes.len());
    if absolute {
        out.push(b'/');
    }
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(p);
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Resolves `.` and `..` components lexically.
#[cfg(not(unix))]
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How a path is shown: as given, without a leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.strip_prefix(".").unwrap_or(path);
    if s.as_os_str().is_empty() {
        ".".to_string()
    } else {
        s.display().to_string()
    }
}

/// `path` relative to `base` with `/` separators, when it is below it.
pub fn relative_to(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_dockerfile_names() {
        for n in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "x.dockerfile",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in [
            "Dockerfile.dockerignore",
            "README.md",
            "Dockerfilex",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(n), "{n}");
        }
    }

    #[test]
    fn recognises_compose_names() {
        for n in [
            "docker-compose.yml",
            "docker-compose.yaml",
            "compose.yaml",
            "compose.yml",
            "docker-compose.prod.yml",
            "Docker-Compose.YML",
        ] {
            assert!(is_compose_name(n), "{n}");
        }
        for n in ["compose.json", "my-compose.yml", "docker-compose", "x.yml"] {
            assert!(!is_compose_name(n), "{n}");
        }
    }

    #[test]
    fn globs_read_like_gitignore() {
        let set = glob_set(&["vendor".into(), "services/*/Dockerfile".into()]).unwrap();
        assert!(set.is_match("vendor"));
        assert!(set.is_match("vendor/x/Dockerfile"));
        assert!(set.is_match("third/vendor/Dockerfile"));
        assert!(set.is_match("services/api/Dockerfile"));
        // `*` does not cross a directory.
        assert!(!set.is_match("services/api/v2/Dockerfile"));
        let anchored = glob_set(&["/build".into()]).unwrap();
        assert!(anchored.is_match("build/Dockerfile"));
        assert!(!anchored.is_match("x/build/Dockerfile"));
        assert!(glob_set(&["a[".into()]).unwrap_err().contains("a["));
    }

    #[test]
    fn normalises_lexically() {
        assert_eq!(
            absolute_in(Path::new("/r/x"), Path::new("./a/../b/./c")),
            PathBuf::from("/r/x/b/c")
        );
        assert_eq!(normalize(Path::new("/a//b/./c/")), PathBuf::from("/a/b/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../../a/..")), PathBuf::from("../.."));
        assert_eq!(normalize(Path::new("a/./..")), PathBuf::from(""));
        assert_eq!(display(Path::new("./a/Dockerfile")), "a/Dockerfile");
        assert_eq!(display(Path::new("a/Dockerfile")), "a/Dockerfile");
        assert_eq!(
            relative_to(Path::new("/r"), Path::new("/r/a/b")).as_deref(),
            Some("a/b")
        );
        assert_eq!(relative_to(Path::new("/r"), Path::new("/s/a")), None);
    }
}
