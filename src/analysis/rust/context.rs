//! What the build context says about a Rust project: each Cargo.toml
//! (package, binaries, workspace members, release profile, direct
//! dependencies), Cargo.lock (every crate the build resolves) and
//! `.cargo/config.toml` (target dir, target, profile). Read only and
//! bounded: the context root, its workspace members, and directories two
//! levels down that hold a Cargo.toml (a monorepo's `backend/`).

use std::collections::BTreeMap;
use std::path::Path;

/// How much of the tree is looked at for Cargo.toml files.
const MAX_MANIFESTS: usize = 200;

/// A `strip` or `debug` setting of a profile, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl Setting {
    fn of(v: &toml::Value) -> Option<Setting> {
        match v {
            toml::Value::Boolean(b) => Some(Setting::Bool(*b)),
            toml::Value::Integer(i) => Some(Setting::Int(*i)),
            toml::Value::String(s) => Some(Setting::Str(s.clone())),
            _ => None,
        }
    }

    /// As it would be written in Cargo.toml.
    pub fn written(&self) -> String {
        match self {
            Setting::Bool(b) => b.to_string(),
            Setting::Int(i) => i.to_string(),
            Setting::Str(s) => format!("{s:?}"),
        }
    }
}

/// One `[profile.<name>]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub strip: Option<Setting>,
    pub debug: Option<Setting>,
    pub inherits: Option<String>,
}

/// One Cargo.toml.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// Its directory, relative to the context ("" for the root).
    pub dir: String,
    /// `[package] name`; `None` for a virtual workspace.
    pub package: Option<String>,
    pub default_run: Option<String>,
    /// The binaries it builds: `[[bin]]` names and the ones Cargo finds
    /// (src/main.rs as the package name, src/bin/*.rs, src/bin/*/main.rs).
    pub bins: Vec<String>,
    /// `[workspace]` members, as directories relative to the context.
    pub members: Option<Vec<String>>,
    pub default_members: Vec<String>,
    /// The workspace root it belongs to (itself when it is one), relative
    /// to the context; `None` when it is a lone package.
    pub workspace: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
    /// Direct dependencies (every table, target-specific ones included),
    /// with the features named for each.
    pub dependencies: Vec<(String, Vec<String>)>,
    /// For a workspace root or a lone package: entries of its directory the
    /// program may read at run time (relative to it), each with why.
    pub reads: Vec<(String, String)>,
}

/// A crate of Cargo.lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockPackage {
    pub name: String,
    pub version: String,
    /// `registry+...`, `git+...`; `None` for the workspace's own packages.
    pub source: Option<String>,
    /// Names of the crates it depends on.
    pub dependencies: Vec<String>,
}

/// `.cargo/config.toml` (or `.cargo/config`) of a directory.
#[derive(Clone, Debug, Default)]
pub struct CargoConfig {
    pub target_dir: Option<String>,
    pub target: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
    pub rustflags: Vec<String>,
}

/// The Rust part of a build context.
#[derive(Clone, Debug, Default)]
pub struct RustContext {
    /// Every Cargo.toml read, by directory ("" for the root).
    pub manifests: BTreeMap<String, Manifest>,
    /// Cargo.lock files, by directory.
    pub locks: BTreeMap<String, Vec<LockPackage>>,
    /// `.cargo/config.toml` files, by directory.
    pub configs: BTreeMap<String, CargoConfig>,
}

impl RustContext {
    pub fn load(dir: &Path) -> RustContext {
        let mut ctx = RustContext::default();
        let mut todo = vec![String::new()];
        // Two levels of directories that hold a Cargo.toml.
        for d in subdirs(dir, "") {
            todo.push(d.clone());
            todo.extend(subdirs(dir, &d));
        }
        let mut seen = 0;
        while let Some(rel) = todo.pop() {
            if ctx.manifests.contains_key(&rel) || seen >= MAX_MANIFESTS {
                continue;
            }
            let Some(m) = manifest(dir, &rel) else {
                continue;
            };
            seen += 1;
            if let Some(members) = &m.members {
                todo.extend(members.iter().cloned());
            }
            ctx.manifests.insert(rel.clone(), m);
            if let Some(lock) = lock(dir, &rel) {
                ctx.locks.insert(rel.clone(), lock);
            }
            if let Some(c) = config(dir, &rel) {
                ctx.configs.insert(rel, c);
            }
        }
        // Files read at run time, for each root.
        let roots: Vec<String> = ctx
            .manifests
            .values()
            .filter(|m| m.workspace.is_none() || m.workspace.as_deref() == Some(m.dir.as_str()))
            .map(|m| m.dir.clone())
            .collect();
        for r in roots {
            let reads = reads(dir, &ctx, &r);
            if let Some(m) = ctx.manifests.get_mut(&r) {
                m.reads = reads;
            }
        }
        // Members know their workspace.
        let roots: Vec<(String, Vec<String>)> = ctx
            .manifests
            .iter()
            .filter_map(|(d, m)| m.members.clone().map(|ms| (d.clone(), ms)))
            .collect();
        for (root, members) in roots {
            for m in members.iter().chain([&root]) {
                if let Some(man) = ctx.manifests.get_mut(m) {
                    man.workspace = Some(root.clone());
                }
            }
        }
        ctx
    }

    /// True when some Cargo.toml was read.
    pub fn any(&self) -> bool {
        !self.manifests.is_empty()
    }

    /// The manifest of the directory `rel` (relative to the context).
    pub fn manifest(&self, rel: &str) -> Option<&Manifest> {
        self.manifests.get(rel)
    }

    /// The workspace root of the project in `rel`: where `target/` and
    /// Cargo.lock are.
    pub fn root_of(&self, rel: &str) -> String {
        self.manifest(rel)
            .and_then(|m| m.workspace.clone())
            .unwrap_or_else(|| rel.to_string())
    }

    /// The lock file the project in `rel` builds with.
    pub fn lock_of(&self, rel: &str) -> Option<&[LockPackage]> {
        self.locks.get(&self.root_of(rel)).map(Vec::as_slice)
    }

    /// The packages a build in `rel` compiles: the package there, or the
    /// workspace's default members (all members when none are named).
    pub fn packages_at(&self, rel: &str) -> Vec<&Manifest> {
        let Some(m) = self.manifest(rel) else {
            return Vec::new();
        };
        if m.package.is_some() {
            return vec![m];
        }
        let list = if m.default_members.is_empty() {
            m.members.clone().unwrap_or_default()
        } else {
            m.default_members.clone()
        };
        list.iter().filter_map(|d| self.manifest(d)).collect()
    }

    /// The member of the workspace of `rel` whose package is `name`.
    pub fn package_named(&self, rel: &str, name: &str) -> Option<&Manifest> {
        let root = self.root_of(rel);
        self.manifests.values().find(|m| {
            m.package.as_deref() == Some(name)
                && (m.workspace.as_deref() == Some(root.as_str()) || m.dir == root)
        })
    }

    /// Every manifest of the workspace of `rel` (the root and its members).
    pub fn workspace_manifests(&self, rel: &str) -> Vec<&Manifest> {
        let root = self.root_of(rel);
        self.manifests
            .values()
            .filter(|m| m.dir == root || m.workspace.as_deref() == Some(root.as_str()))
            .collect()
    }

    /// The profile `name` as the workspace of `rel` sets it: the root's
    /// Cargo.toml, then `.cargo/config.toml`, following `inherits`.
    pub fn profile(&self, rel: &str, name: &str) -> Profile {
        let root = self.root_of(rel);
        let mut out = Profile::default();
        let mut at = name.to_string();
        for _ in 0..4 {
            let from_manifest = self.manifest(&root).and_then(|m| m.profiles.get(&at));
            let from_config = self
                .configs
                .get(&root)
                .or_else(|| self.configs.get(""))
                .and_then(|c| c.profiles.get(&at));
            for p in [from_config, from_manifest].into_iter().flatten() {
                if out.strip.is_none() {
                    out.strip = p.strip.clone();
                }
                if out.debug.is_none() {
                    out.debug = p.debug.clone();
                }
            }
            let inherits = from_manifest
                .and_then(|p| p.inherits.clone())
                .or_else(|| from_config.and_then(|p| p.inherits.clone()));
            match inherits {
                Some(i) if i != at => at = i,
                _ => break,
            }
        }
        out
    }

    /// The `.cargo/config.toml` that applies in `rel` (its own, else the
    /// workspace root's, else the context root's).
    pub fn config_of(&self, rel: &str) -> Option<&CargoConfig> {
        self.configs
            .get(rel)
            .or_else(|| self.configs.get(&self.root_of(rel)))
            .or_else(|| self.configs.get(""))
    }
}

/// At most this many source files are read for paths opened at run time.
const MAX_SOURCES: usize = 2_000;

/// Entries of a project root that are never read at run time.
const NOT_DATA: &[&str] = &[
    "src",
    "target",
    "tests",
    "benches",
    "examples",
    "build.rs",
    "Cargo.toml",
    "Cargo.lock",
    ".cargo",
    ".git",
    ".github",
    ".gitignore",
    ".dockerignore",
    "Dockerfile",
    "README.md",
    "rust-toolchain",
    "rust-toolchain.toml",
    "rustfmt.toml",
    ".rustfmt.toml",
    "clippy.toml",
    "deny.toml",
    "Makefile",
    "justfile",
    "docs",
    ".vscode",
    ".idea",
    "LICENSE",
    "CHANGELOG.md",
];

/// Macros and attributes that read a path at compile time.
const COMPILE_TIME: &[&str] = &[
    "include_str!",
    "include_bytes!",
    "include_dir!",
    "embed_migrations!",
    "migrate!",
    "#[folder",
    "#[template",
    "#[path",
    "include!",
    "sqlx::query_file",
    "query_file!",
];

/// Entries of the project at `root` the program may read at run time: ones
/// its sources name in a string literal (not inside a compile-time
/// include), directories that hold run-time files by convention, and
/// Rocket.toml for a Rocket app.
fn reads(dir: &Path, ctx: &RustContext, root: &str) -> Vec<(String, String)> {
    let base = dir.join(root);
    let members: Vec<String> = ctx
        .manifests
        .values()
        .filter(|m| m.workspace.as_deref() == Some(root) && m.dir != root)
        .map(|m| m.dir.clone())
        .collect();
    let first_of = |m: &str| -> String {
        let rel = m.strip_prefix(root).unwrap_or(m).trim_start_matches('/');
        rel.split('/').next().unwrap_or("").to_string()
    };
    let member_tops: Vec<String> = members.iter().map(|m| first_of(m)).collect();
    let entries: Vec<String> = std::fs::read_dir(&base)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| {
                    !NOT_DATA.contains(&n.as_str())
                        && !n.starts_with("Dockerfile")
                        && !n.ends_with(".md")
                        && !n.ends_with(".rs")
                        && !n.starts_with("LICENSE")
                        && !n.starts_with("docker-compose")
                        && !n.starts_with("compose.")
                        && !member_tops.contains(n)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    if entries.is_empty() {
        return out;
    }
    let mut src_dirs = vec![base.join("src")];
    src_dirs.extend(members.iter().map(|m| dir.join(m).join("src")));
    let lit = regex::Regex::new(r#""([^"\\\n]{1,200})""#).expect("a valid pattern");
    let mut seen = 0;
    for sd in src_dirs {
        for e in ignore::WalkBuilder::new(&sd)
            .hidden(true)
            .git_ignore(false)
            .parents(false)
            .build()
            .flatten()
        {
            let p = e.path();
            if p.extension().and_then(|x| x.to_str()) != Some("rs") {
                continue;
            }
            seen += 1;
            if seen > MAX_SOURCES || e.metadata().map_or(true, |m| m.len() > 1 << 20) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            let shown = p
                .strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned();
            for (n, line) in text.lines().enumerate() {
                if COMPILE_TIME.iter().any(|m| line.contains(m))
                    || line.trim_start().starts_with("//")
                {
                    continue;
                }
                for c in lit.captures_iter(line) {
                    let v = &c[1];
                    let v = v.trim_start_matches("./");
                    let item = v.split('/').next().unwrap_or("");
                    if entries.iter().any(|e| e == item) && !out.iter().any(|(x, _)| x == item) {
                        out.push((item.to_string(), format!("{shown}:{} names \"{v}\"", n + 1)));
                    }
                }
            }
        }
    }
    for d in &crate::catalog::tables().runtime.dirs {
        if entries.contains(d) && base.join(d).is_dir() && !out.iter().any(|(x, _)| x == d) {
            out.push((d.clone(), "a run-time directory by convention".to_string()));
        }
    }
    let rocket = ctx
        .manifests
        .values()
        .filter(|m| m.dir == root || m.workspace.as_deref() == Some(root))
        .any(|m| m.dependencies.iter().any(|(d, _)| d == "rocket"));
    if rocket
        && entries.iter().any(|e| e == "Rocket.toml")
        && !out.iter().any(|(x, _)| x == "Rocket.toml")
    {
        out.push((
            "Rocket.toml".to_string(),
            "Rocket reads it from the working directory".to_string(),
        ));
    }
    out
}

/// Directories under `rel` (one level) that hold a Cargo.toml.
fn subdirs(dir: &Path, rel: &str) -> Vec<String> {
    let base = dir.join(rel);
    let Ok(rd) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.') && n != "target" && n != "node_modules")
        .filter(|n| base.join(n).join("Cargo.toml").is_file() || rel.is_empty())
        .map(|n| join(rel, &n))
        .collect();
    out.sort();
    out.truncate(50);
    out
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}/{b}")
    }
}

/// `a/./b/../c` -> `a/c`, relative paths only.
pub fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

fn read_toml(path: &Path) -> Option<toml::Table> {
    let text = std::fs::read_to_string(path).ok()?;
    text.parse::<toml::Table>().ok()
}

fn profiles(t: Option<&toml::Value>) -> BTreeMap<String, Profile> {
    let mut out = BTreeMap::new();
    if let Some(toml::Value::Table(ps)) = t {
        for (name, p) in ps {
            let Some(p) = p.as_table() else { continue };
            out.insert(
                name.clone(),
                Profile {
                    strip: p.get("strip").and_then(Setting::of),
                    debug: p.get("debug").and_then(Setting::of),
                    inherits: p
                        .get("inherits")
                        .and_then(|v| v.as_str())
                        .map(str::to_string),
                },
            );
        }
    }
    out
}

fn manifest(dir: &Path, rel: &str) -> Option<Manifest> {
    let root = dir.join(rel);
    let t = read_toml(&root.join("Cargo.toml"))?;
    let mut m = Manifest {
        dir: rel.to_string(),
        profiles: profiles(t.get("profile")),
        ..Manifest::default()
    };
    let package = t.get("package").and_then(|p| p.as_table());
    m.package = package
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    m.default_run = package
        .and_then(|p| p.get("default-run"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    if let Some(w) = t.get("workspace").and_then(|w| w.as_table()) {
        let list = |k: &str| -> Vec<String> {
            w.get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let exclude: Vec<String> = list("exclude")
            .iter()
            .map(|e| normalize(&join(rel, e)))
            .collect();
        let mut members = Vec::new();
        for pat in list("members") {
            for d in expand_member(dir, rel, &pat) {
                if !exclude.contains(&d) && !members.contains(&d) && d != rel {
                    members.push(d);
                }
            }
        }
        m.default_members = list("default-members")
            .iter()
            .flat_map(|p| expand_member(dir, rel, p))
            .collect();
        m.members = Some(members);
        m.workspace = Some(rel.to_string());
    }
    // Dependencies: [dependencies], [build-dependencies] are not linked in,
    // [target.'cfg(..)'.dependencies] are.
    let mut deps: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |table: Option<&toml::Value>| {
        if let Some(toml::Value::Table(d)) = table {
            for (name, spec) in d {
                let real = spec
                    .get("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(name)
                    .to_string();
                let features = spec
                    .get("features")
                    .and_then(|f| f.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                deps.push((real, features));
            }
        }
    };
    add(t.get("dependencies"));
    add(t.get("workspace").and_then(|w| w.get("dependencies")));
    if let Some(toml::Value::Table(targets)) = t.get("target") {
        for spec in targets.values() {
            add(spec.get("dependencies"));
        }
    }
    m.dependencies = deps;
    if m.package.is_some() {
        m.bins = bins(&root, &t, m.package.as_deref().unwrap_or(""));
    }
    Some(m)
}

/// Members named by a `members` entry: a directory, or a `dir/*` glob.
fn expand_member(dir: &Path, rel: &str, pat: &str) -> Vec<String> {
    let full = normalize(&join(rel, pat));
    if let Some(parent) = full.strip_suffix("/*").or_else(|| full.strip_suffix("/**")) {
        let mut out: Vec<String> = std::fs::read_dir(dir.join(parent))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().join("Cargo.toml").is_file())
                    .filter_map(|e| e.file_name().to_str().map(|n| join(parent, n)))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out.truncate(MAX_MANIFESTS);
        return out;
    }
    if full.contains(['*', '?', '[']) {
        return Vec::new();
    }
    vec![full]
}

/// The binaries of a package: `[[bin]]` targets and the ones Cargo
/// discovers (unless `autobins = false`).
fn bins(root: &Path, t: &toml::Table, package: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    if let Some(list) = t.get("bin").and_then(|b| b.as_array()) {
        for b in list {
            let name = b.get("name").and_then(|n| n.as_str()).unwrap_or(package);
            let path = b.get("path").and_then(|p| p.as_str()).map_or_else(
                || {
                    if name == package {
                        "src/main.rs".to_string()
                    } else {
                        format!("src/bin/{name}.rs")
                    }
                },
                normalize,
            );
            names.push(name.to_string());
            paths.push(path);
        }
    }
    let autobins = t
        .get("package")
        .and_then(|p| p.get("autobins"))
        .and_then(|a| a.as_bool())
        .unwrap_or(true);
    if autobins {
        if root.join("src/main.rs").is_file()
            && !paths.iter().any(|p| p == "src/main.rs")
            && !names.iter().any(|n| n == package)
        {
            names.insert(0, package.to_string());
        }
        if let Ok(rd) = std::fs::read_dir(root.join("src/bin")) {
            let mut found: Vec<(String, String)> = rd
                .flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_str()?.to_string();
                    let p = e.path();
                    if p.is_file() && n.ends_with(".rs") {
                        Some((
                            n.trim_end_matches(".rs").to_string(),
                            format!("src/bin/{n}"),
                        ))
                    } else if p.join("main.rs").is_file() {
                        Some((n.clone(), format!("src/bin/{n}/main.rs")))
                    } else {
                        None
                    }
                })
                .collect();
            found.sort();
            for (n, p) in found {
                if !paths.contains(&p) && !names.contains(&n) {
                    names.push(n);
                }
            }
        }
    }
    names
}

/// Cargo.lock of a directory: its packages.
fn lock(dir: &Path, rel: &str) -> Option<Vec<LockPackage>> {
    let t = read_toml(&dir.join(rel).join("Cargo.lock"))?;
    let list = t.get("package")?.as_array()?;
    let mut out = Vec::new();
    for p in list {
        let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let Some(name) = s("name") else { continue };
        out.push(LockPackage {
            name,
            version: s("version").unwrap_or_default(),
            source: s("source"),
            dependencies: p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .filter_map(|x| x.split_whitespace().next())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Some(out)
}

fn config(dir: &Path, rel: &str) -> Option<CargoConfig> {
    let base = dir.join(rel).join(".cargo");
    let t = read_toml(&base.join("config.toml")).or_else(|| read_toml(&base.join("config")))?;
    let build = t.get("build");
    let s = |k: &str| {
        build
            .and_then(|b| b.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let rustflags = match build.and_then(|b| b.get("rustflags")) {
        Some(toml::Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    Some(CargoConfig {
        target_dir: s("target-dir"),
        target: s("target"),
        profiles: profiles(t.get("profile")),
        rustflags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn reads_workspaces_bins_profiles_and_locks() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nserde = \"1\"\n[profile.release]\nstrip = true\n[profile.dist]\ninherits = \"release\"\n",
                ),
                (
                    "crates/server/Cargo.toml",
                    "[package]\nname = \"ws-server\"\n[[bin]]\nname = \"server\"\npath = \"src/main.rs\"\n[dependencies]\nrusqlite = { version = \"0.31\", features = [\"bundled\"] }\n",
                ),
                ("crates/server/src/main.rs", ""),
                ("crates/server/src/bin/admin.rs", ""),
                ("crates/lib/Cargo.toml", "[package]\nname = \"lib\"\n"),
                ("crates/lib/src/lib.rs", ""),
                (
                    "Cargo.lock",
                    "version = 3\n[[package]]\nname = \"openssl-sys\"\nversion = \"0.9.1\"\nsource = \"registry+x\"\ndependencies = [\"cc\", \"libc 0.2.1\"]\n",
                ),
            ],
        );
        let c = RustContext::load(dir.path());
        let server = c.manifest("crates/server").unwrap();
        assert_eq!(server.bins, ["server", "admin"]);
        assert_eq!(server.workspace.as_deref(), Some(""));
        assert_eq!(c.root_of("crates/server"), "");
        assert_eq!(
            c.lock_of("crates/server").unwrap()[0].dependencies,
            ["cc", "libc"]
        );
        assert_eq!(c.packages_at("").len(), 2);
        assert_eq!(
            c.package_named("", "ws-server").map(|m| m.dir.as_str()),
            Some("crates/server")
        );
        assert_eq!(
            c.profile("crates/server", "dist").strip,
            Some(Setting::Bool(true))
        );
        assert!(c.manifest("crates/lib").unwrap().bins.is_empty());
        assert_eq!(
            server.dependencies[0],
            ("rusqlite".into(), vec!["bundled".into()])
        );
    }
}
