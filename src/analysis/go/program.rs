//! The program the image runs, as the build context shows it: which Go
//! packages the shipped builds compile, and what those need at run time
//! (cgo, the zone database, files read from disk).

use super::Facts;
use super::context::BuildContext;
use super::env::join_path;
use super::gobuild::GoBuild;
use super::stages::Source;
use crate::catalog;

/// What the shipped program needs that the Dockerfile does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Evidence of cgo (a file with `import "C"`, a cgo module).
    pub cgo: Vec<String>,
    /// Evidence it loads time zones (`main.go:12 calls time.LoadLocation`), when the
    /// zone database is not already in the binary.
    pub zones: Option<String>,
    /// Context-relative files and directories read at run time, each with why.
    pub data: Vec<(String, String)>,
    /// What could not be checked.
    pub unchecked: Vec<String>,
}

/// Works out [`Program`] from the shipped builds and the context.
pub fn program(
    facts: &Facts,
    ctx: Option<&BuildContext>,
    doc: &crate::syntax::Document,
) -> Program {
    let shipped = facts.shipped_builds();
    let tz_env = facts.stages.iter().find_map(|s| {
        s.end
            .env
            .known("TZ")
            .filter(|v| !v.is_empty())
            .map(|v| format!("ENV TZ={v}"))
    });
    let tagged = shipped.iter().any(|b| {
        b.cmd
            .flag("tags")
            .and_then(|f| f.value.as_deref())
            .is_some_and(|v| v.split([',', ' ']).any(|t| t == "timetzdata"))
    });
    let Some(ctx) = ctx else {
        return Program {
            zones: tz_env.filter(|_| !tagged),
            unchecked: vec!["no build context was read: cgo in the sources, time-zone use and files read at run time were not checked".to_string()],
            ..Program::default()
        };
    };
    let dirs = package_dirs(facts, ctx, &shipped);
    let files = ctx.program_files(dirs.as_deref());
    let mut p = Program {
        cgo: ctx.cgo_evidence(dirs.as_deref()),
        ..Program::default()
    };
    if ctx.truncated {
        p.unchecked
            .push("the build context has too many Go files; only some were read".to_string());
    }
    let embedded = tagged || files.iter().any(|f| f.embeds_tzdata);
    if !embedded {
        p.zones = files
            .iter()
            .find_map(|f| {
                f.loads_zones
                    .first()
                    .map(|l| format!("{}:{l} loads time zones", f.path))
            })
            .or(tz_env);
    }
    // Files read at run time that are in the context and not embedded.
    let embeds: Vec<String> = files
        .iter()
        .flat_map(|f| f.embeds.iter().map(|e| first(e)))
        .collect();
    let exists =
        |rel: &str| ctx.dir.join(rel).exists() && !ctx.ignored(rel, ctx.dir.join(rel).is_dir());
    for f in &files {
        for (line, call, path) in &f.reads {
            if path.starts_with('/') {
                continue;
            }
            let item = first(path);
            if item.is_empty() || embeds.contains(&item) || p.data.iter().any(|(d, _)| *d == item) {
                continue;
            }
            if exists(&item) {
                p.data
                    .push((item, format!("{}:{line} {call}(\"{path}\")", f.path)));
            }
        }
    }
    for d in &catalog::tables().runtime.dirs {
        if ctx.top_dirs.contains(d)
            && !embeds.contains(d)
            && !p.data.iter().any(|(x, _)| x == d)
            && exists(d)
        {
            p.data
                .push((d.clone(), "a run-time directory by convention".to_string()));
        }
    }
    let dynamic: Vec<String> = files
        .iter()
        .flat_map(|f| {
            f.dynamic_reads
                .iter()
                .map(move |(l, c)| format!("{}:{l} {c}", f.path))
        })
        .collect();
    if let Some(first) = dynamic.first() {
        p.unchecked.push(format!(
            "{} read{} of paths computed at run time ({first}{}) could not be checked",
            dynamic.len(),
            if dynamic.len() == 1 { "" } else { "s" },
            if dynamic.len() > 1 { ", ..." } else { "" }
        ));
    }
    let _ = doc;
    p
}

/// The first element of a relative path: `templates` for `./templates/*.html`.
fn first(path: &str) -> String {
    path.trim_start_matches("./")
        .split('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(['*', '?'])
        .to_string()
}

/// The context directories (relative, "" for the root) of the packages the
/// shipped builds compile, when they can be placed.
fn package_dirs(facts: &Facts, ctx: &BuildContext, shipped: &[&GoBuild]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for b in shipped {
        // Where the context root landed in the build's stage: `COPY . DEST`.
        let dest = facts.stages[b.stage].copies.iter().rev().find_map(|c| {
            (c.source == Source::Context && c.sources.iter().any(|s| s == "." || s == "./"))
                .then(|| c.dest.clone())
                .flatten()
        })?;
        let cwd = b.cwd.as_deref()?;
        let rel_cwd = cwd.strip_prefix(dest.as_str())?.trim_start_matches('/');
        let pkgs = b.cmd.packages();
        if pkgs.is_empty() {
            out.push(rel_cwd.to_string());
        }
        for a in pkgs {
            let v = a.value.as_str();
            let rel = if let Some(m) = ctx.module.as_deref().filter(|m| v.starts_with(*m)) {
                v[m.len()..].trim_start_matches('/').to_string()
            } else if v.ends_with(".go") {
                let dir = v.rsplit_once('/').map_or("", |(d, _)| d);
                join_path(&format!("/{rel_cwd}"), dir)
                    .trim_start_matches('/')
                    .to_string()
            } else if v.starts_with('.') {
                join_path(&format!("/{rel_cwd}"), v)
                    .trim_start_matches('/')
                    .to_string()
            } else {
                return None;
            };
            if rel.contains("...") {
                return None;
            }
            out.push(rel);
        }
    }
    (!out.is_empty()).then_some(out)
}
