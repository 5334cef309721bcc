//! The build context: the files sent to the builder, read only and never
//! written. The directory listing and `.dockerignore` are read at once;
//! what each ecosystem needs (go.mod and sources, package.json, ...) is read
//! the first time a transform asks for it, so a Python service never pays
//! for a walk over Go files.

use super::go::context::GoContext;
use super::java::context::JavaContext;
use super::node::context::NodeContext;
use super::python::context::PythonContext;
use super::rust::context::RustContext;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Facts read from a build context directory.
#[derive(Debug, Default)]
pub struct BuildContext {
    pub dir: PathBuf,
    /// The directory could be listed (it exists and is readable).
    pub readable: bool,
    /// Top-level entries (names) that are directories.
    pub top_dirs: Vec<String>,
    /// `.dockerignore` patterns (files they match are not in the image).
    pub(crate) dockerignore: Option<ignore::gitignore::Gitignore>,
    go: OnceLock<GoContext>,
    node: OnceLock<NodeContext>,
    rust: OnceLock<RustContext>,
    python: OnceLock<PythonContext>,
    java: OnceLock<JavaContext>,
}

impl BuildContext {
    /// Reads `dir`. A missing or unreadable directory gives an empty context.
    pub fn load(dir: &Path) -> BuildContext {
        let dockerignore = std::fs::read_to_string(dir.join(".dockerignore"))
            .ok()
            .map(|t| dockerignore(dir, &t));
        let listing = std::fs::read_dir(dir);
        let readable = listing.is_ok();
        let top_dirs = listing
            .map(|rd| {
                let mut v: Vec<String> = rd
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect();
                v.sort();
                v
            })
            .unwrap_or_default();
        BuildContext {
            dir: dir.to_path_buf(),
            readable,
            top_dirs,
            dockerignore,
            go: OnceLock::new(),
            node: OnceLock::new(),
            rust: OnceLock::new(),
            python: OnceLock::new(),
            java: OnceLock::new(),
        }
    }

    /// A context whose Go facts are given, not read (tests, tools).
    pub fn with_go(dir: &Path, go: GoContext) -> BuildContext {
        let ctx = BuildContext {
            dir: dir.to_path_buf(),
            readable: true,
            ..BuildContext::default()
        };
        let _ = ctx.go.set(go);
        ctx
    }

    /// The Go facts of the context, read on first use.
    pub fn go(&self) -> &GoContext {
        self.go.get_or_init(|| GoContext::load(&self.dir))
    }

    /// The Node.js facts of the context, read on first use.
    pub fn node(&self) -> &NodeContext {
        self.node.get_or_init(|| NodeContext::load(&self.dir))
    }

    /// The Rust facts of the context, read on first use.
    pub fn rust(&self) -> &RustContext {
        self.rust.get_or_init(|| RustContext::load(&self.dir))
    }

    /// The Python facts of the context, read on first use.
    pub fn python(&self) -> &PythonContext {
        self.python.get_or_init(|| PythonContext::load(&self.dir))
    }

    /// The Java facts of the context, read on first use.
    pub fn java(&self) -> &JavaContext {
        self.java.get_or_init(|| JavaContext::load(&self.dir))
    }

    /// True when `.dockerignore` keeps `rel` out of the build context.
    pub fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        self.dockerignore
            .as_ref()
            .is_some_and(|g| g.matched_path_or_any_parents(rel, is_dir).is_ignore())
    }

    /// True when `rel` (relative to the context) exists and reaches the builder.
    pub fn sends(&self, rel: &str) -> bool {
        let p = self.dir.join(rel);
        p.exists() && !self.ignored(rel, p.is_dir())
    }
}

fn dockerignore(dir: &Path, text: &str) -> ignore::gitignore::Gitignore {
    let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // .dockerignore patterns are anchored at the context root.
        let (neg, pat) = t.strip_prefix('!').map_or(("", t), |p| ("!", p));
        let pat = pat.trim_start_matches("./");
        let anchored = if pat.starts_with('/') || pat.starts_with("**") {
            pat.to_string()
        } else {
            format!("/{pat}")
        };
        let _ = b.add_line(None, &format!("{neg}{anchored}"));
    }
    b.build()
        .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty())
}

/// The files below `dir` whose names `want` accepts, in a plain
/// depth-first walk: hidden entries and the directories `skip` names are
/// left out, links are not followed, and the walk stops after `max` files
/// (the second value says it did). No ignore files are read: what the build
/// sees is the context minus .dockerignore, which callers check apart.
pub fn files_below(
    dir: &Path,
    skip: &[&str],
    max: usize,
    want: &dyn Fn(&str) -> bool,
) -> (Vec<PathBuf>, bool) {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut subdirs = Vec::new();
        for e in rd.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !skip.contains(&name) {
                    subdirs.push(e.path());
                }
            } else if ft.is_file() && want(name) {
                if out.len() >= max {
                    return (out, true);
                }
                out.push(e.path());
            }
        }
        subdirs.sort();
        todo.extend(subdirs.into_iter().rev());
    }
    (out, false)
}
