//! `docker buildx bake` files (`docker-bake.hcl`, `docker-bake.json`, and
//! their `.override` variants): which Dockerfile each target builds, with
//! which context, and which stage (`target = "..."`). Only literal strings
//! are read; a value made of variables or functions is left out, since only
//! bake can evaluate it. `inherits` is followed.

use crate::compose::Mapping;
use crate::walk;
use std::collections::BTreeMap;
use std::path::Path;

/// True for bake file names.
pub fn is_bake_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "docker-bake.hcl"
            | "docker-bake.json"
            | "docker-bake.override.hcl"
            | "docker-bake.override.json"
    )
}

/// The literal attributes of one target block.
#[derive(Clone, Debug, Default)]
struct Attrs {
    context: Option<String>,
    dockerfile: Option<String>,
    target: Option<String>,
    inherits: Vec<String>,
    /// A context, dockerfile or target only bake can evaluate.
    computed: bool,
}

/// The build mappings of the bake file at `path` (shown as `display`).
pub fn mappings(path: &Path, display: &str, cwd: &Path) -> Result<Vec<Mapping>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let targets = if json {
        read_json(&text)?
    } else {
        read_hcl(&text)?
    };
    let dir = walk::absolute_in(cwd, path.parent().unwrap_or(Path::new(".")));
    let mut out = Vec::new();
    for name in targets.keys() {
        let a = resolve(&targets, name, 0);
        if a.computed {
            continue;
        }
        let context = a.context.unwrap_or_else(|| ".".to_string());
        let dockerfile = a.dockerfile.unwrap_or_else(|| "Dockerfile".to_string());
        if !local(&context) || !local(&dockerfile) {
            continue;
        }
        let context = walk::normalize(&dir.join(&context));
        out.push(Mapping {
            dockerfile: walk::normalize(&context.join(&dockerfile)),
            context,
            source: format!("bake target {name} ({display})"),
            target: a.target,
        });
    }
    Ok(out)
}

/// A target's attributes with what it inherits filled in (its own win).
fn resolve(all: &BTreeMap<String, Attrs>, name: &str, depth: usize) -> Attrs {
    let Some(own) = all.get(name) else {
        return Attrs::default();
    };
    let mut a = own.clone();
    if depth < 8 {
        for parent in &own.inherits {
            let p = resolve(all, parent, depth + 1);
            a.context = a.context.or(p.context);
            a.dockerfile = a.dockerfile.or(p.dockerfile);
            a.target = a.target.or(p.target);
            a.computed |= p.computed;
        }
    }
    a
}

fn read_hcl(text: &str) -> Result<BTreeMap<String, Attrs>, String> {
    let body = hcl::parse(text).map_err(|e| {
        let e = e.to_string();
        format!(
            "not a bake file dfslim can read: {}",
            e.lines().next().unwrap_or("")
        )
    })?;
    let mut out = BTreeMap::new();
    for block in body.blocks().filter(|b| b.identifier() == "target") {
        let Some(name) = block.labels().first() else {
            continue;
        };
        let mut a = Attrs::default();
        for attr in block.body().attributes() {
            let literal = match attr.expr() {
                hcl::Expression::String(s) => Some(s.clone()),
                _ => None,
            };
            if matches!(attr.key(), "context" | "dockerfile" | "target") && literal.is_none() {
                a.computed = true;
            }
            match attr.key() {
                "context" => a.context = literal,
                "dockerfile" => a.dockerfile = literal,
                "target" => a.target = literal,
                "inherits" => {
                    if let hcl::Expression::Array(items) = attr.expr() {
                        a.inherits = items
                            .iter()
                            .filter_map(|i| match i {
                                hcl::Expression::String(s) => Some(s.clone()),
                                _ => None,
                            })
                            .collect();
                    }
                }
                _ => {}
            }
        }
        out.insert(name.as_str().to_string(), a);
    }
    Ok(out)
}

fn read_json(text: &str) -> Result<BTreeMap<String, Attrs>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a bake file dfslim can read: {e}"))?;
    let mut out = BTreeMap::new();
    let Some(targets) = v.get("target").and_then(|t| t.as_object()) else {
        return Ok(out);
    };
    for (name, t) in targets {
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        out.insert(
            name.clone(),
            Attrs {
                context: s("context"),
                dockerfile: s("dockerfile"),
                target: s("target"),
                computed: false,
                inherits: t
                    .get("inherits")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

/// A path on disk (not a URL, not interpolated, not another target's output).
fn local(s: &str) -> bool {
    !s.is_empty()
        && !s.contains('$')
        && !s.contains("://")
        && !s.starts_with("git@")
        && !s.starts_with("target:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(name: &str, text: &str) -> Vec<(String, String, Option<String>, String)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        mappings(&p, name, Path::new("/"))
            .unwrap()
            .into_iter()
            .map(|m| {
                (
                    walk::relative_to(dir.path(), &m.dockerfile).unwrap(),
                    walk::relative_to(dir.path(), &m.context).unwrap(),
                    m.target,
                    m.source,
                )
            })
            .collect()
    }

    #[test]
    fn reads_hcl_targets() {
        let got = map(
            "docker-bake.hcl",
            r#"
variable "TAG" { default = "latest" }
group "default" { targets = ["api", "api-dev"] }
target "_common" {
  context = "services/api"
}
target "api" {
  inherits = ["_common"]
  tags = ["example/api:${TAG}"]
}
target "api-dev" {
  inherits = ["_common"]
  dockerfile = "Dockerfile.dev"
  target = "development"
}
target "remote" {
  context = "https://github.com/x/y.git"
}
target "computed" {
  context = "${TAG}"
}
"#,
        );
        assert_eq!(
            got,
            vec![
                (
                    "services/api/Dockerfile".into(),
                    "services/api".into(),
                    None,
                    "bake target _common (docker-bake.hcl)".into()
                ),
                (
                    "services/api/Dockerfile".into(),
                    "services/api".into(),
                    None,
                    "bake target api (docker-bake.hcl)".into()
                ),
                (
                    "services/api/Dockerfile.dev".into(),
                    "services/api".into(),
                    Some("development".into()),
                    "bake target api-dev (docker-bake.hcl)".into()
                ),
            ]
        );
    }

    #[test]
    fn reads_json_targets() {
        let got = map(
            "docker-bake.json",
            r#"{"target": {"web": {"context": "web", "target": "prod"}}}"#,
        );
        assert_eq!(got[0].2.as_deref(), Some("prod"));
        assert_eq!(got[0].0, "web/Dockerfile");
    }

    #[test]
    fn names() {
        assert!(is_bake_name("docker-bake.hcl"));
        assert!(is_bake_name("Docker-Bake.override.json"));
        assert!(!is_bake_name("bake.hcl"));
    }
}
