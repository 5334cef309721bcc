//! Tags of the python image: `3.12`, `3.12.1-bookworm`, `3.12-slim-bookworm`,
//! `3.11-alpine3.19`, `3`, `slim`, `latest`... read into version, Debian
//! release and variant, and written back as their slim counterpart
//! (`3.12-bookworm` -> `3.12-slim-bookworm`: python puts `slim` before the
//! release, node after it).

use crate::catalog;

/// The flavour of a python tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The full Debian image (buildpack-deps: gcc, headers, libpq-dev, git...).
    Full,
    Slim,
    /// `-alpine`, `-alpine3.19`: musl.
    Alpine,
    /// `windowsservercore-*`, `nanoserver-*`: Windows.
    Windows,
}

/// A python tag, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyTag {
    /// `3.12`, `3.12.1`, `3`, `3.13-rc`, or empty (`latest`, `slim`, `bookworm`).
    pub version: String,
    /// The Debian release named in the tag (`bookworm`), if any.
    pub release: Option<String>,
    pub variant: Variant,
}

const RELEASES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie", "wheezy",
];

impl PyTag {
    pub fn parse(tag: &str) -> PyTag {
        let lower = tag.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('-').collect();
        let mut variant = Variant::Full;
        let mut release = None;
        if parts
            .iter()
            .any(|p| p.starts_with("windowsservercore") || p.starts_with("nanoserver"))
        {
            return PyTag {
                version: parts[0].to_string(),
                release: None,
                variant: Variant::Windows,
            };
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
        if parts.last().is_some_and(|p| *p == "slim") {
            variant = Variant::Slim;
            parts.pop();
        }
        let version = parts.join("-");
        let version = if version == "latest" {
            String::new()
        } else {
            version
        };
        PyTag {
            version,
            release,
            variant,
        }
    }

    /// The same version and release, slim.
    pub fn slim(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.version.is_empty() {
            parts.push(&self.version);
        }
        parts.push("slim");
        if let Some(r) = &self.release {
            parts.push(r);
        }
        parts.join("-")
    }

    /// The minor version, when the tag names one (`3.12.1` -> `3.12`).
    pub fn minor(&self) -> Option<String> {
        let mut it = self.version.split(['.', '-']);
        let major = it.next()?;
        let minor = it.next()?;
        (major.parse::<u32>().is_ok() && minor.parse::<u32>().is_ok())
            .then(|| format!("{major}.{minor}"))
    }

    /// The Debian release the image is built on: the one the tag names,
    /// else today's default (transforms/tables/python.toml).
    pub fn debian_release(&self) -> Option<String> {
        match self.variant {
            Variant::Alpine | Variant::Windows => None,
            _ => Some(
                self.release
                    .clone()
                    .unwrap_or_else(|| catalog::tables().python.default_release.clone()),
            ),
        }
    }
}

/// `a` is older than `b` (minor versions `3.7`, `3.12`).
pub fn minor_below(a: &str, b: &str) -> bool {
    let n = |s: &str| -> (u32, u32) {
        let mut it = s.split('.').map(|x| x.parse().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    };
    n(a) < n(b)
}

/// Debian release `a` is newer than `b` (unknown releases are not).
pub fn release_newer(a: &str, b: &str) -> bool {
    let order = &catalog::tables().python.releases;
    match (
        order.iter().position(|r| r == a),
        order.iter().position(|r| r == b),
    ) {
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_tags() {
        let t = PyTag::parse("3.12");
        assert_eq!(
            (t.version.as_str(), t.variant.clone()),
            ("3.12", Variant::Full)
        );
        assert_eq!(t.slim(), "3.12-slim");
        assert_eq!(t.minor().as_deref(), Some("3.12"));
        assert_eq!(PyTag::parse("3.12-bookworm").slim(), "3.12-slim-bookworm");
        assert_eq!(
            PyTag::parse("3.11.12-bookworm").slim(),
            "3.11.12-slim-bookworm"
        );
        assert_eq!(
            PyTag::parse("3.11.12-bookworm").minor().as_deref(),
            Some("3.11")
        );
        assert_eq!(PyTag::parse("3").minor(), None);
        assert_eq!(PyTag::parse("3").slim(), "3-slim");
        assert_eq!(PyTag::parse("").slim(), "slim");
        assert_eq!(PyTag::parse("latest").slim(), "slim");
        assert_eq!(PyTag::parse("bookworm").slim(), "slim-bookworm");
        let t = PyTag::parse("3.9.10-slim-buster");
        assert_eq!(
            (
                t.variant.clone(),
                t.release.as_deref(),
                t.minor().as_deref()
            ),
            (Variant::Slim, Some("buster"), Some("3.9"))
        );
        assert_eq!(PyTag::parse("3.11-alpine3.19").variant, Variant::Alpine);
        assert_eq!(
            PyTag::parse("3.13-rc-slim").minor().as_deref(),
            Some("3.13")
        );
        assert_eq!(
            PyTag::parse("3.12-windowsservercore-ltsc2022").variant,
            Variant::Windows
        );
        assert_eq!(
            PyTag::parse("3.12").debian_release().as_deref(),
            Some("trixie")
        );
        assert!(minor_below("3.6", "3.7") && !minor_below("3.10", "3.7"));
        assert!(release_newer("trixie", "bookworm") && !release_newer("bullseye", "bookworm"));
    }
}
