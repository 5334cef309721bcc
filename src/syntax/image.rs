//! Image references: `[registry/]path[:tag][@digest]`, with a span for each part.

use super::{Logical, Span, Word};

/// An image reference as written in FROM (or `COPY --from=image`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The whole reference.
    pub span: Span,
    pub text: String,
    /// Registry host (`docker.io`, `localhost:5000`, `mirror.example.com`), if written.
    pub registry: Option<Part>,
    /// The repository path after the registry: `library/golang`, `golang`.
    pub path: Part,
    /// The tag without its `:`.
    pub tag: Option<Part>,
    /// The digest without its `@`: `sha256:...`.
    pub digest: Option<Part>,
}

/// A part of a reference: its text and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub span: Span,
    pub text: String,
}

impl ImageRef {
    /// Splits `word` (a word of `logical`) into its parts. `${...}` are
    /// opaque: a `:` or `/` inside one separates nothing.
    pub fn parse(word: &Word, logical: &Logical) -> ImageRef {
        let s = word.text.as_str();
        let part = |a: usize, b: usize| Part {
            span: logical.span(word.lstart + a, word.lstart + b),
            text: s[a..b].to_string(),
        };
        let top = top_level_positions(s);
        let at = top.iter().rev().find(|&&(_, c)| c == b'@').map(|&(i, _)| i);
        let name_end = at.unwrap_or(s.len());
        let last_slash = top
            .iter()
            .filter(|&&(i, c)| c == b'/' && i < name_end)
            .map(|&(i, _)| i)
            .next_back();
        let colon = top
            .iter()
            .filter(|&&(i, c)| c == b':' && i < name_end && last_slash.is_none_or(|sl| i > sl))
            .map(|&(i, _)| i)
            .next_back();
        let repo_end = colon.unwrap_or(name_end);
        let first_slash = top
            .iter()
            .find(|&&(i, c)| c == b'/' && i < repo_end)
            .map(|&(i, _)| i);
        let registry = first_slash.filter(|&i| {
            let host = &s[..i];
            host.contains('.') || host.contains(':') || host == "localhost"
        });
        let path_start = registry.map_or(0, |i| i + 1);
        ImageRef {
            span: word.span,
            text: s.to_string(),
            registry: registry.map(|i| part(0, i)),
            path: part(path_start, repo_end),
            tag: colon.map(|c| part(c + 1, name_end)),
            digest: at.map(|a| part(a + 1, s.len())),
        }
    }

    /// The repository in Docker Hub's short form: `golang` for
    /// `docker.io/library/golang`, `gcr.io/distroless/static` kept whole.
    pub fn repository(&self) -> String {
        let path = self.path.text.as_str();
        match self.registry.as_ref().map(|r| r.text.as_str()) {
            None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io") => {
                path.strip_prefix("library/").unwrap_or(path).to_string()
            }
            Some(host) => format!("{host}/{path}"),
        }
    }

    /// The last path component: `golang` for `mirror.example.com/library/golang`.
    pub fn short_name(&self) -> &str {
        self.path.text.rsplit('/').next().unwrap_or("")
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_ref().map(|t| t.text.as_str())
    }

    /// True for `scratch`, the empty image.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.path.text.eq_ignore_ascii_case("scratch")
    }
}

/// Positions of `@`, `:` and `/` that are not inside `${...}`.
fn top_level_positions(s: &str) -> Vec<(usize, u8)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            c @ (b'@' | b':' | b'/') if depth == 0 => out.push((i, c)),
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> ImageRef {
        let mut l = Logical::default();
        l.push(100, s);
        let w = Word {
            span: Span::new(100, 100 + s.len()),
            text: s.to_string(),
            lstart: 0,
        };
        ImageRef::parse(&w, &l)
    }

    fn parts(r: &ImageRef) -> (Option<&str>, &str, Option<&str>, Option<&str>) {
        (
            r.registry.as_ref().map(|p| p.text.as_str()),
            r.path.text.as_str(),
            r.tag(),
            r.digest.as_ref().map(|p| p.text.as_str()),
        )
    }

    #[test]
    fn splits_references() {
        assert_eq!(parts(&image("golang")), (None, "golang", None, None));
        assert_eq!(
            parts(&image("golang:1.16")),
            (None, "golang", Some("1.16"), None)
        );
        assert_eq!(
            parts(&image("docker.io/library/golang:1.21@sha256:ab")),
            (
                Some("docker.io"),
                "library/golang",
                Some("1.21"),
                Some("sha256:ab")
            )
        );
        assert_eq!(
            parts(&image("localhost:5000/go")),
            (Some("localhost:5000"), "go", None, None)
        );
        assert_eq!(parts(&image("my/golang")), (None, "my/golang", None, None));
        assert_eq!(
            parts(&image("golang:${GO_VERSION:-1.21}-alpine")),
            (None, "golang", Some("${GO_VERSION:-1.21}-alpine"), None)
        );
        assert_eq!(
            parts(&image("${REGISTRY}/golang:1.22")),
            (None, "${REGISTRY}/golang", Some("1.22"), None)
        );
        let r = image("golang:1.16");
        assert_eq!(r.tag.unwrap().span, Span::new(107, 111));
        assert_eq!(image("docker.io/library/golang").repository(), "golang");
        assert_eq!(
            image("gcr.io/distroless/static").repository(),
            "gcr.io/distroless/static"
        );
        assert!(image("scratch").is_scratch());
    }
}
