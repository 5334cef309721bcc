//! The build context: what dfslim can learn from the files next to the
//! Dockerfile (go.mod, the Go sources). Read only, never written.

use std::path::{Path, PathBuf};

/// Facts read from a build context directory.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    pub dir: PathBuf,
}

impl BuildContext {
    pub fn load(dir: &Path) -> BuildContext {
        BuildContext {
            dir: dir.to_path_buf(),
        }
    }
}
