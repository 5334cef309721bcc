//! The transform catalog, kept as data in `transforms/*.toml` and compiled
//! in (build.rs turns the TOML into JSON, which is quicker to read).
//!
//! Each transform's id, level, title, what it changes, why, when it refuses
//! and an example live in its TOML file, so `dfslim explain` and the docs
//! read the same text; `transforms/tables/*.toml` holds the knowledge the
//! transforms consult (image families, cgo modules, tool lists).

use crate::ecosystem::Ecosystem;
use serde::Deserialize;
use std::sync::OnceLock;

/// One transform's entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    /// The folder it lives in (`transforms/<ecosystem>/<id>.toml`).
    #[serde(skip)]
    pub ecosystem: Ecosystem,
    pub level: u8,
    pub title: String,
    pub changes: String,
    pub why: String,
    pub refuses: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Outside the levels: runs only when named (`--only`) or enabled in dfslim.toml.
    #[serde(default)]
    pub opt_in: bool,
    /// The lint rules (hadolint's) a file no longer breaks where it applies.
    #[serde(default)]
    pub settles: Vec<String>,
    pub example: Example,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub before: String,
    pub after: String,
}

/// Every entry, in pipeline order, with the folder it is in.
const ENTRIES: &[(Ecosystem, &str, &str)] = &[
    (
        Ecosystem::Go,
        "alpine-base",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/alpine-base.json")),
    ),
    (
        Ecosystem::Go,
        "cmd-binary",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/cmd-binary.json")),
    ),
    (
        Ecosystem::Go,
        "multi-stage",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/multi-stage.json")),
    ),
    (
        Ecosystem::Go,
        "cgo-off",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/cgo-off.json")),
    ),
    (
        Ecosystem::Go,
        "scratch-runtime",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/go/scratch-runtime.json"
        )),
    ),
    (
        Ecosystem::Go,
        "strip-flags",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/strip-flags.json")),
    ),
    (
        Ecosystem::Go,
        "nonroot-user",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/go/nonroot-user.json")),
    ),
    (
        Ecosystem::Node,
        "node-slim-base",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/node/node-slim-base.json"
        )),
    ),
    (
        Ecosystem::Node,
        "node-cmd",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/node/node-cmd.json")),
    ),
    (
        Ecosystem::Node,
        "node-multi-stage",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/node/node-multi-stage.json"
        )),
    ),
    (
        Ecosystem::Node,
        "node-prod-deps",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/node/node-prod-deps.json"
        )),
    ),
    (
        Ecosystem::Node,
        "node-distroless",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/node/node-distroless.json"
        )),
    ),
    (
        Ecosystem::Node,
        "node-strip",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/node/node-strip.json")),
    ),
    (
        Ecosystem::Any,
        "apt-lists",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/any/apt-lists.json")),
    ),
    (
        Ecosystem::Any,
        "apk-no-cache",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/any/apk-no-cache.json"
        )),
    ),
    (
        Ecosystem::Any,
        "pip-no-cache",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/any/pip-no-cache.json"
        )),
    ),
    (
        Ecosystem::Any,
        "npm-cache",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/any/npm-cache.json")),
    ),
    (
        Ecosystem::Any,
        "apt-no-recommends",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/any/apt-no-recommends.json"
        )),
    ),
    (
        Ecosystem::Rust,
        "rust-slim-base",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/rust/rust-slim-base.json"
        )),
    ),
    (
        Ecosystem::Rust,
        "rust-cmd",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/rust/rust-cmd.json")),
    ),
    (
        Ecosystem::Rust,
        "rust-multi-stage",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/rust/rust-multi-stage.json"
        )),
    ),
    (
        Ecosystem::Rust,
        "rust-static",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/rust/rust-static.json"
        )),
    ),
    (
        Ecosystem::Rust,
        "rust-distroless",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/rust/rust-distroless.json"
        )),
    ),
    (
        Ecosystem::Rust,
        "rust-strip",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/rust/rust-strip.json")),
    ),
    (
        Ecosystem::Python,
        "python-slim-base",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/python/python-slim-base.json"
        )),
    ),
    (
        Ecosystem::Python,
        "python-multi-stage",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/python/python-multi-stage.json"
        )),
    ),
    (
        Ecosystem::Python,
        "python-prod-deps",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/python/python-prod-deps.json"
        )),
    ),
    (
        Ecosystem::Python,
        "python-distroless",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/python/python-distroless.json"
        )),
    ),
    (
        Ecosystem::Python,
        "python-strip",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/python/python-strip.json"
        )),
    ),
    (
        Ecosystem::Java,
        "java-jre-base",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/java/java-jre-base.json"
        )),
    ),
    (
        Ecosystem::Java,
        "java-multi-stage",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/java/java-multi-stage.json"
        )),
    ),
    (
        Ecosystem::Java,
        "java-layers",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/java/java-layers.json"
        )),
    ),
    (
        Ecosystem::Java,
        "java-jlink",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/java/java-jlink.json")),
    ),
    (
        Ecosystem::Java,
        "java-distroless",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/transforms/java/java-distroless.json"
        )),
    ),
    (
        Ecosystem::Java,
        "java-strip",
        include_str!(concat!(env!("OUT_DIR"), "/transforms/java/java-strip.json")),
    ),
];

/// Every entry, in pipeline order (level, then the order above).
pub fn entries() -> &'static [Entry] {
    static E: OnceLock<Vec<Entry>> = OnceLock::new();
    E.get_or_init(|| {
        let mut v: Vec<Entry> = ENTRIES
            .iter()
            .map(|&(eco, file, text)| {
                let mut e: Entry = serde_json::from_str(text)
                    .unwrap_or_else(|err| panic!("transforms/{eco}/{file}.toml: {err}"));
                assert_eq!(&e.id, file, "transforms/{eco}/{file}.toml names another id");
                e.ecosystem = eco;
                e
            })
            .collect();
        v.sort_by_key(|e| e.level);
        v
    })
}

pub fn entry(id: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| e.id == id)
}

/// Knowledge the transforms consult, from `transforms/tables/`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tables {
    pub images: Images,
    pub dev: Dev,
    pub node: Node,
    pub rust: Rust,
    pub cgo: Cgo,
    pub tools: Tools,
    pub runtime: Runtime,
    pub runtime_runs: RuntimeRuns,
    pub hygiene: Hygiene,
    pub python: Python,
    pub cgo_runtime: CgoRuntime,
    pub java: Java,
}

/// A cgo program's runtime: Debian releases, libraries, static archives
/// (transforms/tables/cgo-runtime.toml).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CgoRuntime {
    /// `golang:<major.minor>` -> the Debian release it is built on today.
    pub golang_releases: Vec<(String, String)>,
    /// The release of `golang` / `golang:latest`.
    pub golang_latest: String,
    /// Debian release name -> number.
    pub debian_numbers: Vec<(String, String)>,
    /// Debian release -> distroless suffix (`debian12`).
    pub distroless: Vec<(String, String)>,
    /// (-dev package, run-time packages, releases ("" = all)).
    pub debian_libraries: Vec<(String, String, String)>,
    /// Packages that mean C++: distroless cc.
    pub cxx_packages: Vec<String>,
    /// (module, bundled|dev|refuse, why or -dev package).
    pub modules: Vec<(String, String, String)>,
    /// Alpine packages that give libc.a.
    pub alpine_static_libc: Vec<String>,
    /// Alpine toolchain packages that add no library.
    pub alpine_toolchain: Vec<String>,
    /// Alpine -dev package -> the package with its static archive.
    pub alpine_static: Vec<(String, String)>,
    /// Without the sources: the commands a Debian builder's RUN lines may run.
    pub no_context_commands: Vec<String>,
    /// Without the sources: where a copy may put a C library.
    pub no_context_system_dirs: Vec<String>,
    /// Without the sources: variables that bring other C libraries.
    pub no_context_env: Vec<String>,
}

/// What the RUN lines of a runtime stage do (transforms/tables/runtime-runs.toml).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeRuns {
    pub print_only: Vec<String>,
    pub caches: Vec<String>,
    pub ca_packages: Vec<String>,
    pub tz_packages: Vec<String>,
    pub libc_packages: Vec<String>,
    pub http_clients: Vec<String>,
    pub inits: Vec<Init>,
    pub alpine_accounts: Accounts,
}

/// An init program run as PID 1, per package manager (`apk`, `apt`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Init {
    pub name: String,
    pub packages: Vec<String>,
    pub paths: std::collections::BTreeMap<String, String>,
    /// A static build: (package, path) installed in a builder.
    pub r#static: std::collections::BTreeMap<String, (String, String)>,
    pub options_with_value: Vec<String>,
}

/// Users and groups of a base image, by name and id.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    pub users: Vec<(String, u32)>,
    pub groups: Vec<(String, u32)>,
}

/// What the hygiene steps (`transforms/any/`) know of package managers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hygiene {
    /// Per package manager, parts of a cache-mount target that mean the
    /// mount holds its files (`/var/lib/apt`, `.cache/pip`...).
    pub mounts: Vec<(String, Vec<String>)>,
    /// Ends of mount targets that hold every per-user cache (`/.cache`).
    pub covering: Vec<String>,
    /// apt recommends an image may rely on: added explicitly when
    /// `--no-install-recommends` drops them.
    pub recommends: Vec<Recommend>,
    /// apt packages whose dependencies (not recommends) bring these.
    pub provides: Vec<(String, Vec<String>)>,
}

/// A recommend that is load-bearing.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommend {
    /// Packages that recommend it (directly or through a dependency).
    pub packages: Vec<String>,
    /// The package they recommend.
    pub needs: String,
    /// What breaks without it.
    pub why: String,
    /// Only when the Dockerfile's text holds one of these (empty: always).
    #[serde(default)]
    pub when: Vec<String>,
}

/// Java facts: JRE and distroless images, jlink, what jdeps cannot see.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Java {
    pub temurin_jre: Vec<u32>,
    pub distroless: Vec<(u32, String)>,
    pub jlink_base: String,
    pub jlink_min: u32,
    pub always_modules: Vec<String>,
    pub missing_on_jre: Vec<String>,
    pub build_only_packages: Vec<String>,
    pub build_env: Vec<String>,
    pub run_files: Vec<String>,
    pub source_hints: Vec<SourceHint>,
    pub flag_modules: Vec<(String, String)>,
}

/// Text in a source file that means a module jdeps does not report, or
/// code loaded by name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceHint {
    pub text: String,
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub refuse: Option<String>,
}

/// Node.js facts: native addons, what slim lacks, distroless majors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub native_addons: Vec<String>,
    pub build_tools: Vec<String>,
    pub missing_on_slim: Vec<String>,
    pub build_only_packages: Vec<String>,
    pub distroless_majors: Vec<u32>,
    pub default_release: Vec<(u32, String)>,
}

/// Rust facts: the rust image, what slim lacks, the C libraries crates link.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rust {
    pub image_env: Vec<(String, String)>,
    pub default_release: Vec<(String, String)>,
    pub latest_release: String,
    pub strip_since: String,
    pub missing_on_slim: Vec<String>,
    pub build_only_packages: Vec<String>,
    pub pure_sys: Vec<String>,
    pub c_build_tools: Vec<String>,
    pub ca_readers: Vec<String>,
    pub in_cc: Vec<String>,
    pub full_dev_packages: Vec<String>,
    pub in_debian_slim: Vec<String>,
    pub libraries: Vec<RustLibrary>,
}

/// A C library a crate links (or builds), and what that takes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RustLibrary {
    #[serde(rename = "crate")]
    pub name: String,
    #[serde(default)]
    pub build: Vec<String>,
    pub runtime: String,
    #[serde(default)]
    pub runtime_by_release: Vec<(String, String)>,
    #[serde(default)]
    pub in_cc: bool,
    #[serde(default)]
    pub bundled: bool,
    #[serde(default)]
    pub system_dev: Option<String>,
    #[serde(default)]
    pub bundled_with: Vec<(String, String)>,
    #[serde(default)]
    pub vendored_by: Option<String>,
}

impl RustLibrary {
    /// The run-time package on Debian `release`.
    pub fn runtime_on(&self, release: &str) -> &str {
        self.runtime_by_release
            .iter()
            .find(|(r, _)| r == release)
            .map_or(self.runtime.as_str(), |(_, p)| p.as_str())
    }
}

/// Python facts: packages built from source and the libraries they need,
/// what slim lacks, distroless's Python (`transforms/tables/python.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Python {
    pub source_builds: Vec<Native>,
    pub no_binary_runtime: Vec<Native>,
    pub wheel_runtime: Vec<Native>,
    pub dev_runtime: Vec<(String, Vec<String>)>,
    pub build_only_packages: Vec<String>,
    pub tools: Vec<String>,
    pub missing_on_slim: Vec<String>,
    pub build_commands: Vec<String>,
    pub distroless: Vec<PythonDistroless>,
    pub releases: Vec<String>,
    pub default_release: String,
    pub pip_python_since: String,
}

/// A Python package with native needs: the Debian packages its build needs,
/// and the ones the built module needs at run time.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Native {
    pub package: String,
    pub build: Vec<String>,
    pub runtime: Vec<String>,
}

/// A distroless python image: its Python minor, Debian release and interpreter.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonDistroless {
    pub image: String,
    pub minor: String,
    pub release: String,
    pub python: String,
}

/// Development stages, which are never slimmed.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dev {
    /// Stage names, lower case.
    pub names: Vec<String>,
    /// Commands that start a development server.
    pub commands: Vec<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Runtime {
    /// Directories that usually hold files a program reads at run time.
    pub dirs: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// The alpine release a new runtime stage is pinned to when the builder names none.
    pub default_alpine: String,
    /// Repositories of the Docker Official golang image (and its mirrors).
    pub golang: Vec<String>,
    /// Debian release names used as golang tag variants.
    pub debian_variants: Vec<String>,
    /// Runtime bases scratch may replace, by repository prefix.
    pub scratch_replaceable: Vec<String>,
    /// Runtime bases that are already as small as scratch plus certificates.
    pub already_minimal: Vec<String>,
    /// Environment of the golang image, which analysis needs to resolve paths.
    pub golang_env: Vec<(String, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cgo {
    /// Go modules that need cgo (a C compiler and libc at run time).
    pub modules: Vec<String>,
    /// Packages whose install means a C toolchain or C libraries for the build.
    pub c_packages: Vec<String>,
    /// Package-name patterns (suffixes) that mean C development libraries.
    pub c_package_suffixes: Vec<String>,
    /// Run-time packages of C libraries linked through cgo, with the module
    /// that usually links each.
    pub runtime_libraries: Vec<(String, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tools {
    /// Commands the golang Debian image has and golang:alpine lacks.
    pub missing_on_alpine: Vec<String>,
    /// Packages installed only to build; a runtime does not need them.
    pub build_only_packages: Vec<String>,
    /// Commands a RUN may use in a builder without the runtime needing anything.
    pub build_commands: Vec<String>,
}

pub fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // build.rs reads transforms/tables/*.toml into one JSON document.
        let text = include_str!(concat!(env!("OUT_DIR"), "/tables.json"));
        serde_json::from_str(text).unwrap_or_else(|e| panic!("transforms/tables: {e}"))
    })
}
