//! Suppression comments: `# dfslim: ignore` and `# dfslim: ignore=ID[,ID]`.

/// True when a `# dfslim: ignore` comment (without ids) comes before the
/// first instruction: the file is left alone.
pub fn ignores_file(text: &str) -> bool {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some(comment) = t.strip_prefix('#') else {
            return false;
        };
        if parse(comment).is_some_and(|ids| ids.is_empty()) {
            return true;
        }
    }
    false
}

/// Reads a comment's text (after `#`): `None` when it is not a dfslim
/// suppression, else the ids it names (empty: all).
pub fn parse(comment: &str) -> Option<Vec<String>> {
    let rest = comment.trim().strip_prefix("dfslim:")?.trim();
    let rest = rest.strip_prefix("ignore")?.trim();
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let ids = rest.strip_prefix('=')?;
    Some(
        ids.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_suppressions() {
        assert_eq!(parse(" dfslim: ignore"), Some(vec![]));
        assert_eq!(
            parse(" dfslim: ignore=cgo-off, strip-flags"),
            Some(vec!["cgo-off".into(), "strip-flags".into()])
        );
        assert_eq!(parse(" just a comment"), None);
        assert!(ignores_file(
            "# syntax=docker/dockerfile:1\n# dfslim: ignore\nFROM a\n"
        ));
        assert!(!ignores_file("FROM a\n# dfslim: ignore\n"));
        assert!(!ignores_file("# dfslim: ignore=cgo-off\nFROM a\n"));
    }
}
