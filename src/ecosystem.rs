//! The ecosystems dfslim knows: a stage belongs to at most one, a file may
//! hold several. Transforms are grouped by ecosystem (their folder under
//! `src/transforms/` and `transforms/`), and users can name an ecosystem
//! wherever they name a transform (`--skip python`, `# dfslim: ignore=node`,
//! `[ecosystems.node] enabled = false`).

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    #[default]
    Go,
    Node,
    Python,
    Rust,
    Java,
    /// Size hygiene that fits any image (package-manager caches and extras).
    Any,
}

impl Ecosystem {
    /// Every ecosystem, in the order `dfslim transforms` lists them.
    pub const ALL: [Ecosystem; 6] = [
        Ecosystem::Go,
        Ecosystem::Node,
        Ecosystem::Python,
        Ecosystem::Rust,
        Ecosystem::Java,
        Ecosystem::Any,
    ];

    /// The name users write: `go`, `node`, `python`, `rust`, `java`, `any`.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Go => "go",
            Ecosystem::Node => "node",
            Ecosystem::Python => "python",
            Ecosystem::Rust => "rust",
            Ecosystem::Java => "java",
            Ecosystem::Any => "any",
        }
    }

    /// The name in prose: `Go`, `Node.js`, ...
    pub fn title(self) -> &'static str {
        match self {
            Ecosystem::Go => "Go",
            Ecosystem::Node => "Node.js",
            Ecosystem::Python => "Python",
            Ecosystem::Rust => "Rust",
            Ecosystem::Java => "Java",
            Ecosystem::Any => "Any image (hygiene)",
        }
    }

    pub fn parse(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
