//! Finding Dockerfiles: explicit paths as given, directories walked the way
//! git sees them (`.gitignore`, `.ignore`, global excludes; hidden entries
//! skipped; symlinks never followed out of the root).

use globset::{Glob, GlobSet, GlobSetBuilder};
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

/// `--include` / `--exclude` globs, matched against paths relative to the walked root.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, String> {
        let set = |globs: &[String]| -> Result<Option<GlobSet>, String> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).map_err(|e| format!("bad glob {g:?}: {e}"))?);
                // `dir` also means everything below it.
                let below = format!("{}/**", g.trim_end_matches('/'));
                b.add(Glob::new(&below).map_err(|e| format!("bad glob {g:?}: {e}"))?);
            }
            b.build().map(Some).map_err(|e| e.to_string())
        };
        Ok(Filter {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    fn excluded(&self, rel: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
    }

    fn included(&self, rel: &Path) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(rel))
    }
}

/// A path found, or why a given path could not be used.
pub type Found = Result<PathBuf, (PathBuf, String)>;

/// Every Dockerfile under `roots`: a file root is taken as it is (whatever
/// its name); a directory is walked. Sorted by path within each root.
pub fn discover(roots: &[PathBuf], filter: &Filter) -> Vec<Found> {
    let mut out = Vec::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(_) if root.symlink_metadata().is_ok() => {
                out.push(Err((root.clone(), "broken symlink".to_string())));
                continue;
            }
            Err(_) => {
                out.push(Err((root.clone(), "no such file or directory".to_string())));
                continue;
            }
        };
        if !meta.is_dir() {
            out.push(Ok(root.clone()));
            continue;
        }
        let mut found = walk_dir(root, filter);
        found.sort_by(|a, b| key(a).cmp(key(b)));
        out.extend(found);
    }
    out
}

fn key(f: &Found) -> &Path {
    match f {
        Ok(p) => p,
        Err((p, _)) => p,
    }
}

fn walk_dir(root: &Path, filter: &Filter) -> Vec<Found> {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let root_for_filter = root.to_path_buf();
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
            rel.as_os_str().is_empty() || !filter_dirs.excluded(rel)
        })
        .build();
    let mut out = Vec::new();
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
        if ft.is_dir() || !is_dockerfile_name(name) {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if !filter.included(rel) {
            continue;
        }
        if ft.is_symlink() {
            // A link is taken only when what it points to is inside the root.
            match std::fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canon_root) && target.is_file() => {}
                _ => continue,
            }
        }
        out.push(Ok(path.to_path_buf()));
    }
    out
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
}
