//! Tags of the rust image: `1.80`, `1.80.1-bookworm`, `1-slim-bookworm`,
//! `slim`, `1.80-alpine3.20`... read into version, Debian release and
//! variant, and written back as their slim counterpart.

use crate::catalog;

/// The flavour of a rust tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The full Debian image (buildpack-deps: pkg-config, -dev packages, git, curl...).
    Full,
    Slim,
    /// `-alpine`, `-alpine3.20`: musl.
    Alpine,
}

/// A rust tag, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustTag {
    /// `1.80`, `1.80.1`, `1`, `latest` or empty.
    pub version: String,
    /// The Debian release named in the tag (`bookworm`), if any.
    pub release: Option<String>,
    pub variant: Variant,
    /// The alpine release an alpine tag names (`alpine3.20` -> 3.20).
    pub alpine: Option<String>,
    /// The tag as given.
    pub text: String,
}

const RELEASES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie",
];

/// `1.71.1` -> (1, 71, Some(1)).
fn numbers(v: &str) -> Option<(u32, u32, Option<u32>)> {
    let mut it = v.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    let patch = match it.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((major, minor, patch))
}

impl RustTag {
    pub fn parse(tag: &str) -> RustTag {
        let lower = tag.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('-').filter(|p| !p.is_empty()).collect();
        let mut variant = Variant::Full;
        let mut release = None;
        let mut alpine = None;
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
        if let Some(p) = parts.last().filter(|p| p.starts_with("alpine")) {
            let v = p.trim_start_matches("alpine");
            alpine = (!v.is_empty()).then(|| v.to_string());
            variant = Variant::Alpine;
            parts.pop();
        }
        RustTag {
            version: parts.join("-"),
            release,
            variant,
            alpine,
            text: tag.to_string(),
        }
    }

    /// The image with this tag, as a user would write it (`rust:1.80`, `rust`).
    pub fn image(&self) -> String {
        if self.text.is_empty() {
            "rust".to_string()
        } else {
            format!("rust:{}", self.text)
        }
    }

    /// The same version and release, slim (`1.80-slim`, `1.80-slim-bookworm`).
    pub fn slim(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if !self.version.is_empty() && self.version != "latest" {
            parts.push(&self.version);
        }
        parts.push("slim");
        if let Some(r) = &self.release {
            parts.push(r);
        }
        parts.join("-")
    }

    /// The Debian release the image is built on: the one the tag names,
    /// else the one its version defaulted to (transforms/tables/rust.toml).
    pub fn debian_release(&self) -> Option<String> {
        if self.variant == Variant::Alpine {
            return None;
        }
        if let Some(r) = &self.release {
            return Some(r.clone());
        }
        let table = &catalog::tables().rust;
        if self.version.is_empty() || self.version == "latest" || self.version == "1" {
            return Some(table.latest_release.clone());
        }
        let (maj, min, patch) = numbers(&self.version)?;
        let v = (maj, min, patch.unwrap_or(u32::MAX));
        table
            .default_release
            .iter()
            .rev()
            .find(|(from, _)| numbers(from).is_some_and(|(a, b, p)| (a, b, p.unwrap_or(0)) <= v))
            .map(|(_, r)| r.clone())
    }

    /// True when the tag's Rust is older than `version` (`1.59`); false
    /// when it is as new or the tag names none (latest).
    pub fn older_than(&self, version: &str) -> bool {
        match (numbers(&self.version), numbers(version)) {
            (Some((a, b, _)), Some((c, d, _))) => (a, b) < (c, d),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_tags() {
        let t = RustTag::parse("1.80");
        assert_eq!(t.variant, Variant::Full);
        assert_eq!(t.slim(), "1.80-slim");
        assert_eq!(t.debian_release().as_deref(), Some("bookworm"));
        assert_eq!(
            RustTag::parse("1.80.1-bookworm").slim(),
            "1.80.1-slim-bookworm"
        );
        assert_eq!(RustTag::parse("1-slim-bookworm").variant, Variant::Slim);
        assert_eq!(
            RustTag::parse("slim-buster").release.as_deref(),
            Some("buster")
        );
        assert_eq!(RustTag::parse("latest").slim(), "slim");
        assert_eq!(RustTag::parse("").slim(), "slim");
        assert_eq!(RustTag::parse("bookworm").slim(), "slim-bookworm");
        assert_eq!(RustTag::parse("1.80-alpine3.20").variant, Variant::Alpine);
        assert_eq!(
            RustTag::parse("1.80-alpine3.20").alpine.as_deref(),
            Some("3.20")
        );
        let rel = |t: &str| RustTag::parse(t).debian_release();
        assert_eq!(rel("1.70").as_deref(), Some("bullseye"));
        assert_eq!(rel("1.71.0").as_deref(), Some("bullseye"));
        assert_eq!(rel("1.71").as_deref(), Some("bookworm"));
        assert_eq!(rel("1.71.1").as_deref(), Some("bookworm"));
        assert_eq!(rel("1.88").as_deref(), Some("bookworm"));
        assert_eq!(rel("1.89").as_deref(), Some("trixie"));
        assert_eq!(rel("1.54").as_deref(), Some("buster"));
        assert_eq!(rel("1.36").as_deref(), Some("stretch"));
        assert_eq!(rel("latest").as_deref(), Some("trixie"));
        assert_eq!(rel("1").as_deref(), Some("trixie"));
        assert_eq!(rel("1.10"), None);
        assert!(RustTag::parse("1.37.0").older_than("1.59"));
        assert!(!RustTag::parse("1.80").older_than("1.59"));
        assert!(!RustTag::parse("latest").older_than("1.59"));
    }
}
