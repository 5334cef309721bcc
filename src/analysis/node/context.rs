//! What the build context says about a Node.js app: package.json (scripts,
//! dependencies, workspaces, the package manager), which lock file, the
//! native addons it installs, and whether the code handles SIGTERM. Read
//! only, bounded (a few files; sources sampled for signal handlers).

use crate::catalog;
use std::collections::BTreeMap;
use std::path::Path;

/// The lock file the context holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// package-lock.json (or npm-shrinkwrap.json), with its lockfileVersion.
    Npm(u32),
    /// yarn.lock: classic (v1) or berry (`__metadata`).
    YarnClassic,
    YarnBerry,
    Pnpm,
}

/// The Node.js part of a build context.
#[derive(Clone, Debug, Default)]
pub struct NodeContext {
    /// package.json was found and parsed.
    pub manifest: bool,
    pub name: Option<String>,
    pub main: Option<String>,
    pub scripts: BTreeMap<String, String>,
    pub dependencies: Vec<String>,
    pub dev_dependencies: Vec<String>,
    /// `workspaces` (npm/yarn) or pnpm-workspace.yaml.
    pub workspaces: bool,
    /// `packageManager` (`pnpm@9.15.9`).
    pub package_manager: Option<String>,
    pub lock: Option<Lock>,
    /// Installed packages with native code (an install script, binding.gyp,
    /// or a known addon), each with why.
    pub native: Vec<(String, String)>,
    /// Dependencies fetched from git (need git at install time).
    pub git_deps: Vec<String>,
    /// tsconfig.json's `compilerOptions.outDir`.
    pub ts_out_dir: Option<String>,
    /// `server.js` exists at the root (npm's default start script).
    pub server_js: bool,
    /// A source file that registers a SIGTERM handler, when one was seen.
    pub sigterm: Option<String>,
    /// The sources were looked at for a SIGTERM handler.
    pub sources_scanned: bool,
}

/// At most this many source files are read for a SIGTERM handler.
const MAX_SOURCES: usize = 2_000;

impl NodeContext {
    pub fn load(dir: &Path) -> NodeContext {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let mut ctx = NodeContext::default();
        if let Some(text) = read("package.json")
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        {
            ctx.manifest = true;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            ctx.name = s("name");
            ctx.main = s("main");
            ctx.package_manager = s("packageManager");
            if let Some(o) = v.get("scripts").and_then(|x| x.as_object()) {
                for (k, val) in o {
                    if let Some(t) = val.as_str() {
                        ctx.scripts.insert(k.clone(), t.to_string());
                    }
                }
            }
            let names = |k: &str| -> Vec<String> {
                v.get(k)
                    .and_then(|x| x.as_object())
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            };
            ctx.dependencies = names("dependencies");
            ctx.dependencies.extend(names("optionalDependencies"));
            ctx.dev_dependencies = names("devDependencies");
            ctx.workspaces = v.get("workspaces").is_some();
            for k in ["dependencies", "devDependencies", "optionalDependencies"] {
                if let Some(o) = v.get(k).and_then(|x| x.as_object()) {
                    for (name, spec) in o {
                        if spec.as_str().is_some_and(is_git_spec) {
                            ctx.git_deps.push(name.clone());
                        }
                    }
                }
            }
        }
        ctx.workspaces |= dir.join("pnpm-workspace.yaml").is_file();
        if ctx.workspaces {
            members(dir, &mut ctx);
        }
        ctx.server_js = dir.join("server.js").is_file();
        ctx.lock = lock(dir);
        let known = &catalog::tables().node.native_addons;
        match ctx.lock {
            Some(Lock::Npm(_)) => {
                let text = read("package-lock.json").or_else(|| read("npm-shrinkwrap.json"));
                if let Some(v) =
                    text.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                {
                    npm_lock_facts(&v, known, &mut ctx);
                }
            }
            Some(_) => {
                // yarn.lock / pnpm-lock.yaml: names only, against the table.
                let text = read("yarn.lock")
                    .or_else(|| read("pnpm-lock.yaml"))
                    .unwrap_or_default();
                for k in known {
                    if text.contains(&format!("\n{k}@"))
                        || text.contains(&format!("\n  {k}@"))
                        || text.contains(&format!("\"{k}@"))
                        || text.contains(&format!("/{k}@"))
                        || text.contains(&format!("  {k}:"))
                    {
                        ctx.native
                            .push((k.clone(), "a package with native code (known addon)".into()));
                    }
                }
            }
            None => {}
        }
        for d in ctx.dependencies.clone() {
            if known.contains(&d) && !ctx.native.iter().any(|(n, _)| *n == d) {
                ctx.native
                    .push((d, "a package with native code (known addon)".into()));
            }
        }
        if dir.join("binding.gyp").is_file() {
            ctx.native
                .push((".".into(), "the app itself has a binding.gyp".into()));
        }
        ctx.ts_out_dir = read("tsconfig.json").and_then(|t| ts_out_dir(&t));
        (ctx.sigterm, ctx.sources_scanned) = sigterm(dir);
        ctx
    }

    /// The lockfileVersion of an npm lock, when it is one.
    pub fn npm_lock_version(&self) -> Option<u32> {
        match self.lock {
            Some(Lock::Npm(v)) => Some(v),
            _ => None,
        }
    }
}

/// The workspace members' dependencies count too: their package.json files
/// (npm/yarn `workspaces`, pnpm-workspace.yaml `packages`), one level of `*`.
fn members(dir: &Path, ctx: &mut NodeContext) {
    let mut patterns: Vec<String> = Vec::new();
    if let Some(v) = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        let list = v
            .get("workspaces")
            .and_then(|w| w.as_array().or_else(|| w.get("packages")?.as_array()));
        for p in list.into_iter().flatten() {
            if let Some(p) = p.as_str() {
                patterns.push(p.to_string());
            }
        }
    }
    if let Ok(t) = std::fs::read_to_string(dir.join("pnpm-workspace.yaml")) {
        for line in t.lines() {
            let l = line.trim();
            if let Some(item) = l.strip_prefix("- ") {
                patterns.push(item.trim().trim_matches(['"', '\'']).to_string());
            }
        }
    }
    let mut dirs = Vec::new();
    for p in patterns.iter().filter(|p| !p.starts_with('!')) {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        match p.strip_suffix("/*").or_else(|| p.strip_suffix("/**")) {
            Some(parent) => {
                if let Ok(rd) = std::fs::read_dir(dir.join(parent)) {
                    dirs.extend(rd.flatten().map(|e| e.path()));
                }
            }
            None => dirs.push(dir.join(p)),
        }
    }
    dirs.sort();
    for d in dirs.iter().take(500) {
        let Some(v) = std::fs::read_to_string(d.join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        let names = |k: &str| -> Vec<String> {
            v.get(k)
                .and_then(|x| x.as_object())
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        for n in names("dependencies") {
            if !ctx.dependencies.contains(&n) {
                ctx.dependencies.push(n);
            }
        }
        for n in names("devDependencies") {
            if !ctx.dev_dependencies.contains(&n) {
                ctx.dev_dependencies.push(n);
            }
        }
    }
}

fn lock(dir: &Path) -> Option<Lock> {
    if dir.join("pnpm-lock.yaml").is_file() {
        return Some(Lock::Pnpm);
    }
    if let Ok(t) = std::fs::read_to_string(dir.join("yarn.lock")) {
        return Some(if t.contains("__metadata:") {
            Lock::YarnBerry
        } else {
            Lock::YarnClassic
        });
    }
    for name in ["package-lock.json", "npm-shrinkwrap.json"] {
        if let Ok(t) = std::fs::read_to_string(dir.join(name)) {
            let v = serde_json::from_str::<serde_json::Value>(&t)
                .ok()
                .and_then(|v| v.get("lockfileVersion").and_then(|x| x.as_u64()))
                .unwrap_or(1);
            return Some(Lock::Npm(v as u32));
        }
    }
    None
}

/// Native packages and git dependencies from package-lock.json (v1: nested
/// `dependencies`; v2/v3: flat `packages` with `hasInstallScript`).
fn npm_lock_facts(v: &serde_json::Value, known: &[String], ctx: &mut NodeContext) {
    if let Some(pkgs) = v.get("packages").and_then(|x| x.as_object()) {
        for (path, p) in pkgs {
            let Some(name) = path
                .rsplit("node_modules/")
                .next()
                .filter(|n| !n.is_empty())
            else {
                continue;
            };
            if path.is_empty() {
                continue;
            }
            let dev = p.get("dev").and_then(|x| x.as_bool()).unwrap_or(false);
            let why = if p.get("hasInstallScript").and_then(|x| x.as_bool()) == Some(true) {
                Some("an install script (native build or download)")
            } else if known.iter().any(|k| k == name) {
                Some("a package with native code (known addon)")
            } else {
                None
            };
            if let Some(w) = why
                && !dev
                && !ctx.native.iter().any(|(n, _)| n == name)
            {
                ctx.native.push((name.to_string(), w.to_string()));
            }
            if p.get("resolved")
                .and_then(|x| x.as_str())
                .is_some_and(|r| r.starts_with("git"))
                && !ctx.git_deps.iter().any(|g| g == name)
            {
                ctx.git_deps.push(name.to_string());
            }
        }
    } else if let Some(deps) = v.get("dependencies").and_then(|x| x.as_object()) {
        for (name, p) in deps {
            let dev = p.get("dev").and_then(|x| x.as_bool()).unwrap_or(false);
            if known.iter().any(|k| k == name) && !dev {
                ctx.native.push((
                    name.clone(),
                    "a package with native code (known addon)".into(),
                ));
            }
            if p.get("version")
                .and_then(|x| x.as_str())
                .is_some_and(|r| r.starts_with("git"))
            {
                ctx.git_deps.push(name.clone());
            }
        }
    }
}

fn is_git_spec(spec: &str) -> bool {
    spec.starts_with("git")
        || spec.starts_with("github:")
        || spec.starts_with("gitlab:")
        || spec.starts_with("bitbucket:")
        || (spec.contains('/')
            && !spec.contains(':')
            && !spec.starts_with('.')
            && !spec.starts_with('@'))
}

/// `compilerOptions.outDir` of a tsconfig.json (comments and trailing
/// commas allowed, as TypeScript allows them).
fn ts_out_dir(text: &str) -> Option<String> {
    let cleaned: String = strip_json_comments(text);
    let v: serde_json::Value = serde_json::from_str(&cleaned).ok()?;
    let out = v.get("compilerOptions")?.get("outDir")?.as_str()?;
    Some(
        out.trim_start_matches("./")
            .trim_end_matches('/')
            .to_string(),
    )
}

fn strip_json_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c as char);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1] as char);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match (c, b.get(i + 1)) {
            (b'"', _) => {
                in_str = true;
                out.push('"');
                i += 1;
            }
            (b'/', Some(b'/')) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            (b',', _) => {
                // A trailing comma before } or ].
                let rest = text[i + 1..].trim_start();
                if !(rest.starts_with('}') || rest.starts_with(']')) {
                    out.push(',');
                }
                i += 1;
            }
            _ => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// The first source file that registers a SIGTERM handler, and whether
/// sources were looked at at all.
fn sigterm(dir: &Path) -> (Option<String>, bool) {
    let (paths, _) = crate::analysis::context::files_below(
        dir,
        &["node_modules", "dist", "build", "coverage", ".next"],
        MAX_SOURCES,
        &|name| {
            [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
                .iter()
                .any(|x| name.ends_with(x))
        },
    );
    for p in &paths {
        if p.metadata().map_or(true, |m| m.len() > 1 << 20) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        if text.contains("'SIGTERM'") || text.contains("\"SIGTERM\"") || text.contains("`SIGTERM`")
        {
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned();
            return (Some(rel), true);
        }
    }
    (None, !paths.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_json_and_locks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"name":"a","main":"server.js","scripts":{"start":"node server.js","build":"tsc"},
               "dependencies":{"express":"^4","bcrypt":"^5","lib":"github:me/lib"},
               "devDependencies":{"typescript":"^5"}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/bcrypt":{"hasInstallScript":true},
               "node_modules/fsevents":{"hasInstallScript":true,"dev":true}}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("tsconfig.json"),
            "{\n // built here\n \"compilerOptions\": {\"outDir\": \"./dist/\",},\n}\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/index.ts"),
            "process.on('SIGTERM', () => server.close());\n",
        )
        .unwrap();
        let c = NodeContext::load(dir.path());
        assert!(c.manifest);
        assert_eq!(c.scripts["start"], "node server.js");
        assert_eq!(c.lock, Some(Lock::Npm(3)));
        assert_eq!(c.native.len(), 1, "{:?}", c.native);
        assert_eq!(c.native[0].0, "bcrypt");
        assert_eq!(c.git_deps, ["lib"]);
        assert_eq!(c.dev_dependencies, ["typescript"]);
        assert_eq!(c.ts_out_dir.as_deref(), Some("dist"));
        assert_eq!(c.sigterm.as_deref(), Some("src/index.ts"));
    }
}
