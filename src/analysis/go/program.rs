//! The program the image runs, as the build context shows it: which Go
//! packages the shipped builds compile, and what those need at run time
//! (cgo, the zone database, files read from disk), and what could not be
//! checked because the context did not hold it.

use super::GoFacts;
use super::build::GoBuild;
use super::context::GoContext;
use crate::analysis::Facts;
use crate::analysis::env::join_path;
use crate::analysis::stages::Source;
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
    /// The Go sources of the shipped packages were found and read: what
    /// they use (cgo, zones, files) is known, not guessed.
    pub sources_read: bool,
    /// What could not be checked, for the notes of the steps that rely on it.
    pub unchecked: Vec<String>,
    /// Literal paths it writes at run time: (path, `main.go:12 os.Create`).
    pub writes: Vec<(String, String)>,
    /// Writes to paths computed at run time: `main.go:30 os.WriteFile`.
    pub dynamic_writes: Vec<String>,
    /// TCP ports it listens on, from address literals: (port, `main.go:40`).
    pub listens: Vec<(u16, String)>,
    /// The argument that makes it check its own health, and where: (`healthcheck`, `main.go:20`).
    pub health: Option<(String, String)>,
}

/// What is not checked when the sources cannot be read.
const UNCHECKED: &str = "cgo in the sources (`import \"C\"`, cgo modules), time-zone use and files read at run time were not checked";

/// Works out [`Program`] from the shipped builds and the context.
pub fn program(facts: &Facts, go: &GoFacts) -> Program {
    let shipped = go.shipped_builds();
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
    let without_sources = |why: String| Program {
        zones: tz_env.clone().filter(|_| !tagged),
        unchecked: vec![format!("{why}: {UNCHECKED}")],
        ..Program::default()
    };
    if shipped.is_empty() {
        // Nothing of Go ships: nothing to look for in the sources.
        return Program::default();
    }
    let Some(ctx) = facts.context else {
        return without_sources("no build context was read".to_string());
    };
    let shown = ctx.dir.display();
    if !ctx.readable {
        return without_sources(format!("the build context {shown} could not be read"));
    }
    let gctx: &GoContext = ctx.go();
    if !gctx.has_go() {
        return without_sources(format!(
            "the build context {shown} has no go.mod and no Go sources"
        ));
    }
    let dirs = package_dirs(facts, gctx, &shipped);
    let files = gctx.program_files(dirs.as_deref());
    if files.is_empty() {
        let which = dirs.as_deref().map_or(String::new(), |d| {
            let d: Vec<String> = d
                .iter()
                .map(|x| {
                    if x.is_empty() {
                        ".".to_string()
                    } else {
                        x.clone()
                    }
                })
                .collect();
            format!(" ({})", d.join(", "))
        });
        let mut p = without_sources(format!(
            "the build context {shown} holds none of the Go packages the image builds{which}"
        ));
        // Modules known to need cgo are still evidence.
        p.cgo = gctx.cgo_evidence(Some(&[]));
        return p;
    }
    let mut p = Program {
        cgo: gctx.cgo_evidence(dirs.as_deref()),
        sources_read: true,
        ..Program::default()
    };
    if gctx.truncated {
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
    for f in &files {
        for (line, call, path) in &f.writes {
            p.writes
                .push((path.clone(), format!("{}:{line} {call}", f.path)));
        }
        for (line, call) in &f.dynamic_writes {
            p.dynamic_writes.push(format!("{}:{line} {call}", f.path));
        }
        for (line, port) in &f.listens {
            p.listens.push((*port, format!("{}:{line}", f.path)));
        }
        if p.health.is_none()
            && let Some((line, arg)) = &f.health
        {
            p.health = Some((arg.clone(), format!("{}:{line}", f.path)));
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
fn package_dirs(facts: &Facts, ctx: &GoContext, shipped: &[&GoBuild]) -> Option<Vec<String>> {
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
