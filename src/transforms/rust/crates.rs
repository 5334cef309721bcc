//! What the crates of a build need beyond Rust: C libraries to build and
//! link (from `-sys` crates in Cargo.lock, with transforms/tables/rust.toml),
//! C code that a musl build would have to compile, and the system's CA
//! certificates. Every Rust transform decides from this.

use crate::analysis::rust::context::{LockPackage, RustContext};
use crate::catalog::{self, RustLibrary};
use crate::transforms::Cx;

/// A C library a crate of the build links or builds.
#[derive(Clone, Debug)]
pub struct Library {
    pub krate: String,
    pub table: &'static RustLibrary,
    /// A feature of a dependency makes it build its own copy (`rusqlite/bundled`).
    pub bundled_by: Option<String>,
    /// OpenSSL built from source (openssl-src: the `vendored` feature).
    pub vendored: bool,
}

impl Library {
    /// True when the binary links the system's library (dynamically) in a
    /// builder that has the packages `has` says it has.
    pub fn links_system(&self, has: &dyn Fn(&str) -> bool) -> bool {
        if self.vendored || self.bundled_by.is_some() || self.table.runtime.is_empty() {
            return false;
        }
        if self.table.bundled {
            return has("pkg-config") && self.table.system_dev.as_deref().is_some_and(has);
        }
        true
    }

    /// The Debian packages its build needs that `has` says are missing.
    pub fn missing_to_build(&self, has: &dyn Fn(&str) -> bool) -> Vec<String> {
        if self.bundled_by.is_some() || (self.vendored && self.krate == "openssl-sys") {
            return Vec::new();
        }
        self.table
            .build
            .iter()
            .filter(|p| !has(p))
            .cloned()
            .collect()
    }
}

/// What the crates of one project need.
#[derive(Clone, Debug, Default)]
pub struct Crates {
    /// Cargo.lock was read; else only Cargo.toml's direct dependencies.
    pub locked: bool,
    pub libraries: Vec<Library>,
    /// `-sys` crates dfslim does not know what they link.
    pub unknown_sys: Vec<String>,
    /// Crates whose build compiles C code.
    pub c_code: Vec<String>,
    /// A crate that reads the system's CA certificates.
    pub ca: Option<String>,
}

impl Crates {
    /// Libraries the binary links from the system, given the builder's packages.
    pub fn linked(&self, has: &dyn Fn(&str) -> bool) -> Vec<&Library> {
        self.libraries
            .iter()
            .filter(|l| l.links_system(has))
            .collect()
    }
}

/// Direct dependencies that pull a C library, for a context without Cargo.lock.
const IMPLIES: &[(&str, &str)] = &[
    ("openssl", "openssl-sys"),
    ("native-tls", "openssl-sys"),
    ("tokio-native-tls", "openssl-sys"),
    ("hyper-tls", "openssl-sys"),
    ("postgres-openssl", "openssl-sys"),
    ("reqwest", "openssl-sys"),
    ("git2", "libgit2-sys"),
    ("rusqlite", "libsqlite3-sys"),
    ("curl", "curl-sys"),
    ("rdkafka", "rdkafka-sys"),
    ("zstd", "zstd-sys"),
    ("ring", "ring"),
    ("rustls", "ring"),
];

/// The crates of the project in `project` (a context directory), when the
/// context holds its Cargo.toml.
pub fn of(ctx: &RustContext, project: &str) -> Option<Crates> {
    ctx.manifest(project)?;
    let table = &catalog::tables().rust;
    let known = |n: &str| table.libraries.iter().find(|l| l.name == n);
    let pure = |n: &str| {
        table.pure_sys.iter().any(|p| p == n)
            || n.starts_with("windows")
            || n.starts_with("winapi")
            || n.starts_with("wasm-bindgen")
    };
    let manifests = ctx.workspace_manifests(project);
    let feature_on = |dep: &str, feature: &str| {
        manifests.iter().any(|m| {
            m.dependencies
                .iter()
                .any(|(d, fs)| d == dep && fs.iter().any(|f| f == feature))
        })
    };
    let mut c = Crates::default();
    let names: Vec<String>;
    let lock: Option<&[LockPackage]> = ctx.lock_of(project);
    match lock {
        Some(pkgs) => {
            c.locked = true;
            names = pkgs.iter().map(|p| p.name.clone()).collect();
            for p in pkgs {
                if pure(&p.name) {
                    continue;
                }
                if p.dependencies
                    .iter()
                    .any(|d| table.c_build_tools.contains(d))
                    && !c.c_code.contains(&p.name)
                {
                    c.c_code.push(p.name.clone());
                }
            }
        }
        None => {
            let mut v: Vec<String> = Vec::new();
            for m in &manifests {
                for (d, _) in &m.dependencies {
                    v.push(d.clone());
                    if let Some((_, s)) = IMPLIES.iter().find(|(a, _)| a == d) {
                        v.push(s.to_string());
                    }
                }
            }
            names = v;
        }
    }
    let vendored = names.iter().any(|n| n == "openssl-src");
    for n in &names {
        if c.libraries.iter().any(|l| &l.krate == n) || c.unknown_sys.contains(n) {
            continue;
        }
        if let Some(t) = known(n) {
            let bundled_by = t
                .bundled_with
                .iter()
                .find(|(dep, f)| feature_on(dep, f))
                .map(|(dep, f)| format!("{dep}/{f}"));
            c.libraries.push(Library {
                krate: n.clone(),
                table: t,
                bundled_by,
                vendored: vendored && n == "openssl-sys",
            });
            if !c.locked && !c.c_code.contains(n) {
                c.c_code.push(n.clone());
            }
        } else if n.ends_with("-sys") && !pure(n) {
            c.unknown_sys.push(n.clone());
            if !c.c_code.contains(n) {
                c.c_code.push(n.clone());
            }
        }
    }
    c.ca = table
        .ca_readers
        .iter()
        .find(|r| names.contains(r))
        .cloned()
        .or_else(|| {
            (!c.locked)
                .then(|| {
                    ["reqwest", "rustls-native-certs", "ureq", "native-tls"]
                        .iter()
                        .find(|r| names.iter().any(|n| n == *r))
                        .map(|s| s.to_string())
                })
                .flatten()
        });
    Some(c)
}

/// The project the builds of a stage compile: the first build's, else the
/// context root's when it holds a Cargo.toml.
pub fn project(cx: &Cx, stage: usize) -> Option<String> {
    let ctx = cx.facts.context.map(|c| c.rust())?;
    cx.rust()
        .builds_reaching(cx.facts, stage)
        .iter()
        .find_map(|b| b.project.clone())
        .or_else(|| ctx.manifest("").map(|_| String::new()))
}

/// The crates of what `stage` builds, when the context says.
pub fn of_stage(cx: &Cx, stage: usize) -> Option<Crates> {
    let ctx = cx.facts.context.map(|c| c.rust())?;
    of(ctx, &project(cx, stage)?)
}

/// The packages a stage on the rust image has: the full image's -dev
/// packages and pkg-config (when `full`), and what the stage and the
/// stages it is built FROM install.
pub fn packages(cx: &Cx, stage: usize, full: bool) -> Vec<String> {
    let table = &catalog::tables().rust;
    let mut out: Vec<String> = Vec::new();
    if full {
        out.push("pkg-config".into());
        out.push("make".into());
        out.extend(table.full_dev_packages.iter().cloned());
    }
    for s in crate::analysis::rust::chain(cx.facts, stage) {
        for i in &cx.facts.stages[s].installs {
            out.extend(i.packages.iter().cloned());
            if i.packages.iter().any(|p| p == "build-essential") {
                out.push("make".into());
            }
        }
    }
    out
}

/// What a glibc binary built in `stage` needs from its runtime.
#[derive(Clone, Debug, Default)]
pub struct RuntimeNeeds {
    /// Libraries it links from the system: (crate, Debian run-time package).
    pub linked: Vec<(String, String)>,
    /// A crate that reads the system's CA certificates.
    pub ca: Option<String>,
    /// `-sys` crates whose library dfslim does not know.
    pub unknown: Vec<String>,
    /// What could not be checked.
    pub unchecked: Vec<String>,
}

/// What the binary of `stage` (on the rust image, `full` or slim) needs
/// at run time on Debian `release`.
pub fn runtime_needs(cx: &Cx, stage: usize, full: bool, release: &str) -> RuntimeNeeds {
    let installed = packages(cx, stage, full);
    let has = |p: &str| installed.iter().any(|i| i == p);
    let mut n = RuntimeNeeds::default();
    match of_stage(cx, stage) {
        Some(c) => {
            for l in c.linked(&has) {
                n.linked
                    .push((l.krate.clone(), l.table.runtime_on(release).to_string()));
            }
            n.ca = c.ca.clone();
            n.unknown = c.unknown_sys.clone();
            if !c.locked {
                n.unchecked.push(
                    "no Cargo.lock was read: only Cargo.toml's direct dependencies were checked for C libraries the binary links"
                        .to_string(),
                );
            }
        }
        None => {
            // The -dev packages the stage installs say what it links.
            let own = packages(cx, stage, false);
            for l in &catalog::tables().rust.libraries {
                if !l.runtime.is_empty()
                    && l.build
                        .iter()
                        .any(|b| b.ends_with("-dev") && own.iter().any(|o| o == b))
                {
                    n.linked
                        .push((l.name.clone(), l.runtime_on(release).to_string()));
                    if l.in_cc || l.name == "openssl-sys" {
                        n.ca.get_or_insert_with(|| l.name.clone());
                    }
                }
            }
            n.unchecked.push(
                "no Cargo.toml and Cargo.lock were read: the C libraries the binary links (libssl3 for openssl-sys...) and whether it reads CA certificates were not checked"
                    .to_string(),
            );
        }
    }
    n
}

/// The musl target a static build uses.
pub const MUSL: &str = "x86_64-unknown-linux-musl";

/// Why the project `stage` builds cannot simply be built for musl (static),
/// or `Ok` when Cargo.lock shows no crate that compiles or links C code.
pub fn static_blocker(cx: &Cx, stage: usize) -> Result<(), String> {
    let c = of_stage(cx, stage).ok_or(
        "no Cargo.lock was read, so dfslim cannot vouch that no crate compiles or links C code (a musl build of C needs a musl C toolchain)",
    )?;
    if !c.locked {
        return Err(
            "no Cargo.lock was read (only Cargo.toml), so dfslim cannot vouch that no crate compiles or links C code"
                .to_string(),
        );
    }
    if let Some(l) = c.libraries.iter().find(|l| {
        !l.table.runtime.is_empty() && !l.vendored && l.bundled_by.is_none() && !l.table.bundled
    }) {
        return Err(format!(
            "{} links the system's {} (a glibc library)",
            l.krate, l.table.runtime
        ));
    }
    if let Some(u) = c.unknown_sys.first() {
        return Err(format!("{u} is a -sys crate: it links a C library"));
    }
    if let Some(x) = c.c_code.first() {
        return Err(format!(
            "{x} compiles C code (it depends on {} in Cargo.lock): a musl build would need a musl C compiler (musl-tools)",
            c_tool_of(cx, stage, x).unwrap_or_else(|| "cc".into())
        ));
    }
    Ok(())
}

fn c_tool_of(cx: &Cx, stage: usize, krate: &str) -> Option<String> {
    let ctx = cx.facts.context.map(|c| c.rust())?;
    let lock = ctx.lock_of(&project(cx, stage)?)?;
    let p = lock.iter().find(|p| p.name == krate)?;
    p.dependencies
        .iter()
        .find(|d| catalog::tables().rust.c_build_tools.contains(d))
        .cloned()
}
