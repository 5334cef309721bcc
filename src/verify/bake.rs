//! `--emit-bake FILE`: the comparison as a `docker buildx bake` file (JSON)
//! for those who build on their own farm. Each Dockerfile gets two targets,
//! `NAME-original` (its file) and `NAME-rewritten` (dfslim's rewrite, as
//! `dockerfile-inline`), with the same context and stage; groups `original`,
//! `rewritten` and `default` (both) hold them.
//!
//! Attributes are the bake file reference's: `context` (a path relative to
//! where bake runs: the directory dfslim ran in), `dockerfile` (relative to
//! `context`, as bake resolves it, or absolute when the file is outside the
//! context), `dockerfile-inline`, `target`, `tags`, `labels`, `no-cache`.
//! Target names keep to `[a-zA-Z0-9_-]`, the only characters bake accepts.

use super::Prepared;
use crate::walk;
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::path::Path;

/// Label every target carries: which side of which Dockerfile it is.
pub const LABEL: &str = "dfslim.verify";

/// The bake file for `files`; `cwd` is where bake is meant to run.
pub fn file(files: &[Prepared], cache: bool, cwd: &Path) -> Value {
    let mut targets = Map::new();
    let (mut originals, mut rewrites) = (Vec::new(), Vec::new());
    let mut taken = HashSet::new();
    for p in files {
        let name = unique(&mut taken, &target_name(&p.shown));
        let context = p.context.display().to_string();
        let ctx_abs = walk::absolute_in(cwd, &p.context);
        let file_abs = walk::absolute_in(cwd, &p.dockerfile);
        let dockerfile = walk::relative_to(&ctx_abs, &file_abs)
            .unwrap_or_else(|| file_abs.display().to_string());
        for side in ["original", "rewritten"] {
            let mut t = Map::new();
            t.insert("context".into(), json!(context));
            if side == "original" {
                t.insert("dockerfile".into(), json!(dockerfile));
            } else {
                t.insert("dockerfile-inline".into(), json!(p.rewrite));
            }
            if let Some(stage) = &p.target {
                t.insert("target".into(), json!(stage));
            }
            t.insert(
                "tags".into(),
                json!([format!(
                    "dfslim-verify/{}:{side}",
                    name.to_ascii_lowercase()
                )]),
            );
            t.insert(
                "labels".into(),
                json!({ LABEL: side, "dfslim.dockerfile": p.shown }),
            );
            if !cache {
                t.insert("no-cache".into(), json!(true));
            }
            let target = format!("{name}-{side}");
            if side == "original" {
                originals.push(target.clone());
            } else {
                rewrites.push(target.clone());
            }
            targets.insert(target, Value::Object(t));
        }
    }
    let all: Vec<String> = originals
        .iter()
        .zip(&rewrites)
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    json!({
        "group": {
            "default": { "targets": all },
            "original": { "targets": originals },
            "rewritten": { "targets": rewrites },
        },
        "target": targets,
    })
}

/// `services/api/Dockerfile.prod` -> `services-api-Dockerfile-prod`.
pub fn target_name(shown: &str) -> String {
    let mut out = String::new();
    for c in shown.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "dockerfile".to_string()
    } else {
        out
    }
}

fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_to_what_bake_accepts() {
        assert_eq!(
            target_name("services/api/Dockerfile.prod"),
            "services-api-Dockerfile-prod"
        );
        assert_eq!(target_name("./a b/Dockerfile"), "a-b-Dockerfile");
        assert_eq!(target_name("../x/Dockerfile"), "x-Dockerfile");
        assert_eq!(target_name("..."), "dockerfile");
        let mut taken = HashSet::new();
        assert_eq!(unique(&mut taken, "a"), "a");
        assert_eq!(unique(&mut taken, "a"), "a-2");
    }
}
