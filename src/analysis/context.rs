//! The build context: what dfslim can learn from the files next to the
//! Dockerfile (go.mod, the Go sources). Read only, never written.

use std::path::{Path, PathBuf};

/// Facts read from a build context directory.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    pub dir: PathBuf,
    /// The module path in go.mod at the context root.
    pub module: Option<String>,
    /// Evidence that the program uses cgo, each naming its file or module.
    pub cgo: Vec<String>,
}

impl BuildContext {
    pub fn load(dir: &Path) -> BuildContext {
        let module = std::fs::read_to_string(dir.join("go.mod"))
            .ok()
            .and_then(|t| module_path(&t));
        BuildContext {
            dir: dir.to_path_buf(),
            module,
            cgo: Vec::new(),
        }
    }
}

/// The `module` line of a go.mod.
pub fn module_path(gomod: &str) -> Option<String> {
    gomod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        let m = rest.trim().trim_matches('"');
        (!m.is_empty() && rest.starts_with([' ', '\t', '"'])).then(|| m.to_string())
    })
}
