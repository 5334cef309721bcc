//! Compose files (`docker-compose.yml`, `compose.yaml`, …): which build
//! context each service's Dockerfile is built with, and which stage
//! (`target`). Only `services.*.build` is read: `build: ./dir`, or
//! `build: { context: dir, dockerfile: name, target: stage }`. Bake files
//! ([`crate::bake`]) give the same facts and are read alongside.

use crate::analysis::Target;
use crate::walk;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    services: Option<BTreeMap<String, Option<Service>>>,
}

#[derive(Deserialize)]
struct Service {
    #[serde(default)]
    build: Option<Build>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Build {
    Dir(String),
    Full {
        #[serde(default)]
        context: Option<String>,
        #[serde(default)]
        dockerfile: Option<String>,
        #[serde(default)]
        target: Option<String>,
    },
}

/// One Dockerfile's build context as a compose file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Absolute and normalised.
    pub dockerfile: PathBuf,
    /// Absolute and normalised.
    pub context: PathBuf,
    /// `compose service api (docker-compose.yml)`, for messages.
    pub source: String,
    /// The stage it builds (`build.target`), when not the last one.
    pub target: Option<String>,
}

/// What the compose and bake files say about each Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Builds {
    /// The build context, by Dockerfile (absolute, normalised); the first
    /// file to give one wins.
    pub contexts: HashMap<PathBuf, Mapping>,
    /// The stages built as targets, by Dockerfile, with who builds each.
    pub targets: HashMap<PathBuf, Vec<Target>>,
}

/// The build mappings of the compose file at `path` (shown as `display`).
/// Contexts that are not local directories (a Git URL, `${VAR}`) and
/// inline Dockerfiles are left out: there is nothing on disk to map.
pub fn mappings(path: &Path, display: &str, cwd: &Path) -> Result<Vec<Mapping>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let file: File = serde_saphyr::from_str(&text).map_err(|e| {
        let e = e.to_string();
        format!("not a compose file dfslim can read: {}", first_line(&e))
    })?;
    let dir = walk::absolute_in(cwd, path.parent().unwrap_or(Path::new(".")));
    let mut out = Vec::new();
    for (name, service) in file.services.unwrap_or_default() {
        let Some(build) = service.and_then(|s| s.build) else {
            continue;
        };
        let (context, dockerfile, target) = match build {
            Build::Dir(c) => (c, None, None),
            Build::Full {
                context,
                dockerfile,
                target,
            } => (
                context.unwrap_or_else(|| ".".to_string()),
                dockerfile,
                target,
            ),
        };
        let dockerfile = dockerfile.unwrap_or_else(|| "Dockerfile".to_string());
        if !local(&context) || !local(&dockerfile) {
            continue;
        }
        let context = walk::normalize(&dir.join(&context));
        out.push(Mapping {
            dockerfile: walk::normalize(&context.join(&dockerfile)),
            context,
            source: format!("compose service {name} ({display})"),
            target: target.filter(|t| !t.is_empty() && !t.contains('$')),
        });
    }
    Ok(out)
}

/// Every mapping of the compose and bake files at `paths` (each shown
/// relative to `cwd` when below it), by Dockerfile; the first one wins when
/// two give one Dockerfile different contexts, and every target is kept.
/// Files that cannot be read, and such conflicts, come back as warnings:
/// (path shown, message).
pub fn map_all(paths: &[PathBuf], cwd: &Path) -> (Builds, Vec<(String, String)>) {
    let mut builds = Builds::default();
    let map = &mut builds.contexts;
    let mut warnings = Vec::new();
    for path in paths {
        let shown = match walk::relative_to(cwd, &walk::absolute_in(cwd, path)) {
            Some(rel) if !rel.is_empty() => rel,
            _ => walk::display(path),
        };
        let bake = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(crate::bake::is_bake_name);
        let read = if bake {
            crate::bake::mappings(path, &shown, cwd)
        } else {
            mappings(path, &shown, cwd)
        };
        match read {
            Ok(ms) => {
                for m in ms {
                    if let Some(t) = &m.target {
                        let list = builds.targets.entry(m.dockerfile.clone()).or_default();
                        if !list.iter().any(|x| x.by == m.source) {
                            list.push(Target {
                                stage: t.clone(),
                                by: m.source.clone(),
                            });
                        }
                    }
                    match map.get(&m.dockerfile) {
                        Some(first) if first.context != m.context => warnings.push((
                            shown.clone(),
                            format!(
                                "warning: {} builds {} with another context than {}; using the first",
                                m.source,
                                m.dockerfile.display(),
                                first.source
                            ),
                        )),
                        Some(_) => {}
                        None => {
                            map.insert(m.dockerfile.clone(), m);
                        }
                    }
                }
            }
            Err(e) => warnings.push((
                shown,
                format!("warning: {e}; its Dockerfiles get their own directory as build context"),
            )),
        }
    }
    (builds, warnings)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// A path on disk (not a URL, not interpolated).
fn local(s: &str) -> bool {
    !s.is_empty() && !s.contains('$') && !s.contains("://") && !s.starts_with("git@")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(yaml: &str) -> Result<Vec<(String, String)>, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("compose.yaml");
        std::fs::write(&p, yaml).unwrap();
        mappings(&p, "compose.yaml", Path::new("/")).map(|v| {
            v.into_iter()
                .map(|m| {
                    (
                        walk::relative_to(dir.path(), &m.dockerfile).unwrap(),
                        walk::relative_to(dir.path(), &m.context).unwrap(),
                    )
                })
                .collect()
        })
    }

    #[test]
    fn reads_both_build_forms() {
        let got = map(concat!(
            "x-common: &common\n  restart: always\n",
            "services:\n",
            "  api:\n    <<: *common\n    build: ./services/api\n",
            "  web:\n    build:\n      context: .\n      dockerfile: services/web/Dockerfile.prod\n",
            "  db:\n    image: postgres\n",
            "  remote:\n    build: https://github.com/x/y.git\n",
            "  env:\n    build:\n      context: ${DIR}\n",
            "  bare:\n",
        ))
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("services/api/Dockerfile".into(), "services/api".into()),
                ("services/web/Dockerfile.prod".into(), "".into()),
            ]
        );
    }

    #[test]
    fn a_broken_file_is_an_error() {
        assert!(map("services: [\n").is_err());
        assert_eq!(map("version: '3'\n").unwrap(), vec![]);
    }
}
