//! Tags of the node image: `20`, `20.11.1-bookworm`, `lts-slim`,
//! `20-alpine3.19`, `iron`... read into version, Debian release and variant,
//! and written back as their slim counterpart.

use crate::catalog;

/// The flavour of a node tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The full Debian image (buildpack-deps: compilers, git, curl...).
    Full,
    Slim,
    /// `-alpine`, `-alpine3.19`: musl.
    Alpine,
}

/// A node tag, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeTag {
    /// `20`, `20.11.1`, `lts`, `iron`, `current`, `latest` or empty.
    pub version: String,
    /// The Debian release named in the tag (`bookworm`), if any.
    pub release: Option<String>,
    pub variant: Variant,
}

const RELEASES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie",
];

impl NodeTag {
    pub fn parse(tag: &str) -> NodeTag {
        let lower = tag.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('-').collect();
        let mut variant = Variant::Full;
        let mut release = None;
        if parts.last().is_some_and(|p| *p == "slim") {
            variant = Variant::Slim;
            parts.pop();
        }
        if parts.last().is_some_and(|p| p.starts_with("alpine")) {
            variant = Variant::Alpine;
            parts.pop();
        }
        if let Some(p) = parts.last()
            && RELEASES.contains(p)
        {
            release = Some(p.to_string());
            parts.pop();
        }
        // `slim`, `alpine`, `bookworm` alone are the latest version's.
        let version = parts.join("-");
        NodeTag {
            version,
            release,
            variant,
        }
    }

    /// The same version and release, slim.
    pub fn slim(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.version.is_empty() && self.version != "latest" {
            parts.push(&self.version);
        }
        if let Some(r) = &self.release {
            parts.push(r);
        }
        parts.push("slim");
        parts.join("-")
    }

    /// The major version, when the tag names one (`20.11.1` -> 20).
    pub fn major(&self) -> Option<u32> {
        self.version.split('.').next()?.parse().ok()
    }

    /// The Debian release the image is built on: the one the tag names,
    /// else the one the major defaulted to (transforms/tables/node.toml).
    pub fn debian_release(&self) -> Option<String> {
        if self.variant == Variant::Alpine {
            return None;
        }
        if let Some(r) = &self.release {
            return Some(r.clone());
        }
        let major = self.major()?;
        catalog::tables()
            .node
            .default_release
            .iter()
            .find(|(m, _)| *m == major)
            .map(|(_, r)| r.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_tags() {
        let t = NodeTag::parse("20");
        assert_eq!(
            (t.version.as_str(), t.variant.clone()),
            ("20", Variant::Full)
        );
        assert_eq!(t.slim(), "20-slim");
        assert_eq!(t.major(), Some(20));
        assert_eq!(t.debian_release().as_deref(), Some("bookworm"));
        assert_eq!(
            NodeTag::parse("20.11.1-bookworm").slim(),
            "20.11.1-bookworm-slim"
        );
        assert_eq!(NodeTag::parse("lts-buster").slim(), "lts-buster-slim");
        assert_eq!(NodeTag::parse("").slim(), "slim");
        assert_eq!(NodeTag::parse("latest").slim(), "slim");
        assert_eq!(NodeTag::parse("bookworm").slim(), "bookworm-slim");
        assert_eq!(NodeTag::parse("20-slim").variant, Variant::Slim);
        assert_eq!(
            NodeTag::parse("20-bookworm-slim").release.as_deref(),
            Some("bookworm")
        );
        assert_eq!(NodeTag::parse("20-alpine3.19").variant, Variant::Alpine);
        assert_eq!(NodeTag::parse("lts").major(), None);
        assert_eq!(
            NodeTag::parse("16-bullseye").debian_release().as_deref(),
            Some("bullseye")
        );
    }
}
