//! What a base image is: the golang image, alpine, Debian, scratch... and
//! which C library its programs link against.

use crate::catalog;
use crate::syntax::ImageRef;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// The Docker Official golang image (or a mirror).
    Golang,
    Alpine,
    Debian,
    Ubuntu,
    Busybox,
    /// gcr.io/distroless/*; `static` has no C library.
    Distroless {
        static_only: bool,
    },
    Scratch,
    /// The Docker Official node image.
    Node,
    /// The Docker Official rust image.
    Rust,
    /// The Docker Official python image.
    Python,
    /// A Docker Official Java image: eclipse-temurin, openjdk, maven,
    /// gradle, amazoncorretto, ibm-semeru-runtimes, sapmachine, adoptopenjdk
    /// (what it holds: `analysis::java::image`).
    Java,
    /// Anything else (a vendor image, a variable, an unknown base).
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Musl,
    Glibc,
    /// scratch, distroless/static: no C library at all.
    None,
    Unknown,
}

/// A stage's base image, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseImage {
    /// Docker Hub short form: `golang`, `gcr.io/distroless/static`.
    pub repository: String,
    /// The tag with variables expanded where they could be.
    pub tag: Option<String>,
    /// The tag as written.
    pub tag_written: Option<String>,
    pub family: Family,
    pub libc: Libc,
}

/// True when `repository` is the golang image (`*/library/golang` counts as a mirror).
pub fn is_golang(repository: &str) -> bool {
    catalog::tables()
        .images
        .golang
        .iter()
        .any(|g| g == repository)
        || repository.ends_with("/library/golang")
}

/// True when `repository` is the Docker Official image `name` (Docker Hub's
/// short or long form, or any registry's `library/<name>` mirror).
pub fn is_official(repository: &str, name: &str) -> bool {
    // No allocation: asked for every stage of every file, per ecosystem.
    let Some(prefix) = repository.strip_suffix(name) else {
        return false;
    };
    prefix.is_empty()
        || prefix == "library/"
        || prefix.ends_with("/library/")
        || prefix == "mirror.gcr.io/"
}

/// Classifies `image`, whose tag expands to `tag` (when known).
pub fn classify(image: &ImageRef, tag: Option<String>) -> BaseImage {
    let repository = image.repository();
    let t = tag.clone().unwrap_or_default().to_ascii_lowercase();
    let last = repository.rsplit('/').next().unwrap_or("");
    let (family, libc) = if image.is_scratch() {
        (Family::Scratch, Libc::None)
    } else if is_golang(&repository) {
        let libc = if t.contains("alpine") {
            Libc::Musl
        } else if t.contains("windows") || t.contains("nanoserver") {
            Libc::Unknown
        } else {
            Libc::Glibc
        };
        (Family::Golang, libc)
    } else if repository.starts_with("gcr.io/distroless/") {
        let static_only = repository.starts_with("gcr.io/distroless/static");
        (
            Family::Distroless { static_only },
            if static_only { Libc::None } else { Libc::Glibc },
        )
    } else if is_official(&repository, "node") {
        let libc = if t.contains("alpine") {
            Libc::Musl
        } else {
            Libc::Glibc
        };
        (Family::Node, libc)
    } else if is_official(&repository, "rust") {
        let libc = if t.contains("alpine") {
            Libc::Musl
        } else {
            Libc::Glibc
        };
        (Family::Rust, libc)
    } else if is_official(&repository, "python") {
        let libc = if t.contains("alpine") {
            Libc::Musl
        } else if t.contains("windowsservercore") || t.contains("nanoserver") {
            Libc::Unknown
        } else {
            Libc::Glibc
        };
        (Family::Python, libc)
    } else if super::java::image::is_official_java(&repository) {
        let libc = if t.contains("alpine") {
            Libc::Musl
        } else if t.contains("windows") || t.contains("nanoserver") {
            Libc::Unknown
        } else {
            Libc::Glibc
        };
        (Family::Java, libc)
    } else {
        match last {
            "alpine" => (Family::Alpine, Libc::Musl),
            "debian" => (Family::Debian, Libc::Glibc),
            "ubuntu" => (Family::Ubuntu, Libc::Glibc),
            "busybox" => (
                Family::Busybox,
                if t.contains("musl") {
                    Libc::Musl
                } else if t.contains("glibc") {
                    Libc::Glibc
                } else {
                    Libc::Unknown
                },
            ),
            _ => (Family::Other, Libc::Unknown),
        }
    };
    BaseImage {
        repository,
        tag,
        tag_written: image.tag().map(str::to_string),
        family,
        libc,
    }
}

#[cfg(test)]
mod tests {
    use super::is_official;

    #[test]
    fn official_names_and_their_mirrors() {
        for r in [
            "node",
            "library/node",
            "docker.io/library/node",
            "mirror.gcr.io/node",
            "public.ecr.aws/docker/library/node",
        ] {
            assert!(is_official(r, "node"), "{r}");
        }
        for r in [
            "mynode",
            "bitnami/node",
            "mirror.gcr.io/x/node",
            "node2",
            "",
        ] {
            assert!(!is_official(r, "node"), "{r}");
        }
    }
}
