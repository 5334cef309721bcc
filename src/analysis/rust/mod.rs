//! What a Dockerfile does with Rust: which stages are Rust stages, the
//! `cargo build|install` commands of each (with every word located, for
//! exact edits), where their binaries land, which of them reach the image,
//! and the `rustup target add` lines; with the build context's Cargo.toml,
//! Cargo.lock and .cargo/config.toml (see [`context`]).

pub mod cmd;
pub mod context;

use super::Facts;
use super::base::Family;
use super::env::{Env, Value, join_path};
use super::stages::{Base, Source};
use crate::syntax::Document;
use cmd::{Cargo, Verb};
use context::RustContext;

/// A `cargo build` or `cargo install` of the context's code, understood.
#[derive(Clone, Debug)]
pub struct CargoBuild {
    /// The RUN instruction.
    pub ins: usize,
    pub stage: usize,
    pub cmd: Cargo,
    /// The directory it runs in, when known.
    pub cwd: Option<String>,
    /// Variables in effect (ARG, ENV, `export`, `NAME=value` before it).
    pub env: Env,
    /// The project directory in the build context, when the context was
    /// read and the copies say where it went.
    pub project: Option<String>,
    /// The triple it builds for (`--target`, CARGO_BUILD_TARGET, config).
    pub target: Option<String>,
    /// The directory its binaries land in, or why it cannot be known.
    pub out_dir: Result<String, String>,
    /// The image path of the workspace root (where `target/` is by default).
    pub root: Option<String>,
}

impl CargoBuild {
    /// True for an optimised build (release or a profile named by the user).
    pub fn optimised(&self) -> bool {
        self.cmd.profile != cmd::Profile::Dev
    }

    /// The value of a variable for this build (inline, exported or ENV).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.known(name)
    }
}

/// The Rust facts of one Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct RustFacts {
    /// Per stage: a Rust stage (rust image, or cargo used in it).
    pub rust_stage: Vec<bool>,
    /// Builds of the context's code, in file order.
    pub builds: Vec<CargoBuild>,
    /// `cargo install <crate>` of tools from a registry: (stage, instruction).
    pub tools: Vec<(usize, usize)>,
    /// `rustup target add T`: (stage, instruction, triple).
    pub rustup_targets: Vec<(usize, usize, String)>,
}

/// The CARGO_HOME of a stage without one set: the rust image's, else root's.
const DEFAULT_CARGO_HOME: &str = "/root/.cargo";

impl RustFacts {
    pub fn of(doc: &Document, facts: &Facts) -> RustFacts {
        // The context's Cargo.toml files are read only for a cargo build:
        // every file is asked whether it has Rust.
        let ctx = || facts.context.map(|c| c.rust());
        let mut r = RustFacts {
            rust_stage: vec![false; facts.stages.len()],
            ..RustFacts::default()
        };
        for st in &facts.stages {
            let mut rust = st.family == Family::Rust;
            for &i in &st.runs {
                let at = st.at(doc, i);
                let mut cwd = at.workdir.clone();
                let mut env = at.env.clone();
                for line in facts.lines(i) {
                    match line.name.as_str() {
                        "cd" => {
                            cwd = match (cwd, line.args.get(1)) {
                                (Some(c), Some(a)) if !a.dynamic => Some(join_path(&c, &a.value)),
                                _ => None,
                            };
                            continue;
                        }
                        "export" => {
                            for a in &line.args[1..] {
                                if let Some((n, v)) = a.value.split_once('=') {
                                    let v = if a.dynamic {
                                        Value::Unknown
                                    } else {
                                        Value::Known(v.to_string())
                                    };
                                    env.set(n, v);
                                }
                            }
                            continue;
                        }
                        "rustup" => {
                            rust = true;
                            let words: Vec<&str> =
                                line.args.iter().map(|a| a.value.as_str()).collect();
                            if words.get(1) == Some(&"target") && words.get(2) == Some(&"add") {
                                for t in &words[3..] {
                                    if !t.starts_with('-') {
                                        r.rustup_targets.push((st.index, i, t.to_string()));
                                    }
                                }
                            }
                            continue;
                        }
                        _ => {}
                    }
                    let Some(c) = cmd::read(line) else {
                        if line.name == "cargo" || line.name == "rustc" {
                            rust = true;
                        }
                        continue;
                    };
                    rust = true;
                    if c.verb == Verb::Run {
                        continue;
                    }
                    if c.remote {
                        r.tools.push((st.index, i));
                        continue;
                    }
                    let mut benv = env.clone();
                    for (n, v, a) in &c.assignments {
                        let v = if a.dynamic {
                            Value::Unknown
                        } else {
                            Value::Known(v.clone())
                        };
                        benv.set(n, v);
                    }
                    r.builds
                        .push(build(doc, facts, ctx(), st.index, i, c, cwd.clone(), benv));
                }
            }
            for p in [&st.cmd, &st.entrypoint].into_iter().flatten() {
                if p.argv.as_ref().and_then(|a| cmd::read_argv(a)).is_some() {
                    rust = true;
                }
            }
            if let Base::Stage(b) = st.base {
                rust |= r.rust_stage[b];
            }
            r.rust_stage[st.index] = rust;
        }
        r
    }

    pub fn any(&self) -> bool {
        self.rust_stage.iter().any(|&b| b)
    }

    /// Builds in `stage` and the stages it is built FROM: what its
    /// filesystem holds.
    pub fn builds_reaching<'a>(&'a self, facts: &Facts, stage: usize) -> Vec<&'a CargoBuild> {
        let chain = chain(facts, stage);
        self.builds
            .iter()
            .filter(|b| chain.contains(&b.stage))
            .collect()
    }

    /// The build in `stage` (or a stage it is built FROM) that puts the
    /// binary at `path`: the last one whose output directory holds it.
    pub fn build_of<'a>(
        &'a self,
        facts: &Facts,
        stage: usize,
        path: &str,
    ) -> Option<&'a CargoBuild> {
        let (dir, name) = path.rsplit_once('/')?;
        let dir = if dir.is_empty() { "/" } else { dir };
        if name.is_empty() {
            return None;
        }
        self.builds_reaching(facts, stage)
            .into_iter()
            .rev()
            .find(|b| b.out_dir.as_deref() == Ok(dir))
    }

    /// The built binary a command's program is in `stage`, with its build.
    pub fn resolve<'a>(
        &'a self,
        facts: &Facts,
        stage: usize,
        prog: &str,
        workdir: Option<&str>,
        env: &Env,
    ) -> Option<(String, &'a CargoBuild)> {
        program_paths(prog, workdir, env)
            .into_iter()
            .find_map(|p| self.build_of(facts, stage, &p).map(|b| (p, b)))
    }

    /// The binaries that reach the image, each with the build that makes
    /// it: the command's program when the image's stage builds it, and
    /// what COPY --from takes out of a build's output directory.
    pub fn shipped<'a>(&'a self, doc: &Document, facts: &Facts) -> Vec<Shipped<'a>> {
        let Some(rt) = facts.runtime() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
            let Some(prog) = p.argv.as_ref().and_then(|a| a.first()) else {
                continue;
            };
            let at = rt.at(doc, p.ins);
            if let Some((path, b)) =
                self.resolve(facts, rt.index, prog, at.workdir.as_deref(), &at.env)
            {
                out.push(Shipped {
                    build: b,
                    built_at: path,
                    copy: None,
                });
            }
        }
        for &s in facts.image_stages() {
            for c in &facts.stages[s].copies {
                let Source::Stage(from) = c.source else {
                    continue;
                };
                for src in &c.sources {
                    let src = src.trim_end_matches('/');
                    if let Some(b) = self.build_of(facts, from, src) {
                        out.push(Shipped {
                            build: b,
                            built_at: src.to_string(),
                            copy: Some(c.ins),
                        });
                    }
                }
            }
        }
        out
    }
}

/// A binary that reaches the image.
#[derive(Clone, Debug)]
pub struct Shipped<'a> {
    pub build: &'a CargoBuild,
    /// Its path where it was built.
    pub built_at: String,
    /// The COPY --from that takes it into another stage, if one does.
    pub copy: Option<usize>,
}

/// `stage` and the stages it is built FROM.
pub fn chain(facts: &Facts, stage: usize) -> Vec<usize> {
    let mut out = vec![stage];
    let mut at = stage;
    while let Some(Base::Stage(b)) = facts.stages.get(at).map(|s| &s.base) {
        if *b >= at {
            break;
        }
        out.push(*b);
        at = *b;
    }
    out
}

/// Where a command's program may be: a path joined to the working
/// directory, or a bare name in each PATH directory (in PATH's order).
pub fn program_paths(prog: &str, workdir: Option<&str>, env: &Env) -> Vec<String> {
    if prog.starts_with('/') {
        return vec![join_path("/", prog)];
    }
    if prog.contains('/') {
        return workdir.map(|w| join_path(w, prog)).into_iter().collect();
    }
    env.known("PATH")
        .map(|path| {
            path.split(':')
                .filter(|d| d.starts_with('/'))
                .map(|d| join_path(d, prog))
                .collect()
        })
        .unwrap_or_default()
}

/// A cargo command of `stage` at instruction `ins`, understood: where it
/// runs, which project it builds, where its binaries land.
#[allow(clippy::too_many_arguments)]
pub fn build(
    doc: &Document,
    facts: &Facts,
    ctx: Option<&RustContext>,
    stage: usize,
    ins: usize,
    c: Cargo,
    cwd: Option<String>,
    env: Env,
) -> CargoBuild {
    let escape = doc.escape();
    let expand = |v: &str| env.expand(v, escape);
    let abs = |v: &str| -> Option<String> {
        let v = expand(v)?;
        if v.starts_with('/') {
            Some(join_path("/", &v))
        } else {
            cwd.as_ref().map(|c| join_path(c, &v))
        }
    };
    // The project directory in the image: --manifest-path's, --path's, or the cwd.
    let project_dir = match (&c.manifest_path, &c.path) {
        (Some(m), _) => abs(m).map(|p| {
            p.rsplit_once('/').map_or("/".into(), |(d, _)| {
                if d.is_empty() {
                    "/".to_string()
                } else {
                    d.to_string()
                }
            })
        }),
        (None, Some(p)) => abs(p),
        _ => cwd.clone(),
    };
    let project = match (ctx, &project_dir) {
        (Some(ctx), Some(dir)) => context_rel(doc, facts, stage, dir, ctx),
        _ => None,
    };
    // The workspace root in the image.
    let root = match (&project, &project_dir, ctx) {
        (Some(p), Some(dir), Some(ctx)) => {
            let r = ctx.root_of(p);
            let up = p.split('/').filter(|s| !s.is_empty()).count()
                - r.split('/').filter(|s| !s.is_empty()).count();
            let mut d = dir.clone();
            for _ in 0..up {
                d = d.rsplit_once('/').map_or("/".into(), |(a, _)| {
                    if a.is_empty() {
                        "/".into()
                    } else {
                        a.to_string()
                    }
                });
            }
            Some(d)
        }
        _ => project_dir.clone(),
    };
    let config = project
        .as_deref()
        .and_then(|p| ctx.and_then(|c| c.config_of(p)));
    let var = |n: &str| -> Result<Option<String>, String> {
        match env.get(n) {
            Some(Value::Known(v)) => Ok(Some(v.clone())),
            Some(Value::Unknown) => Err(format!("{n} is only known at build time")),
            None => Ok(None),
        }
    };
    let target = match (&c.target, var("CARGO_BUILD_TARGET")) {
        (Some(t), _) => expand(t),
        (None, Ok(Some(t))) => Some(t),
        _ => config.and_then(|c| c.target.clone()),
    };
    let out_dir = (|| -> Result<String, String> {
        if c.verb == Verb::Install {
            let root = match (&c.root, var("CARGO_INSTALL_ROOT")?, var("CARGO_HOME")?) {
                (Some(r), _, _) => {
                    abs(r).ok_or("the --root directory is only known at build time")?
                }
                (None, Some(r), _) => r,
                (None, None, Some(h)) => h,
                (None, None, None) => DEFAULT_CARGO_HOME.to_string(),
            };
            return Ok(join_path(&root, "bin"));
        }
        let tdir = match (
            &c.target_dir,
            var("CARGO_TARGET_DIR")?,
            var("CARGO_BUILD_TARGET_DIR")?,
        ) {
            (Some(t), _, _) => abs(t).ok_or("the --target-dir is only known at build time")?,
            (None, Some(t), _) | (None, None, Some(t)) => abs(&t)
                .ok_or("CARGO_TARGET_DIR is relative to a directory only known at build time")?,
            (None, None, None) => {
                let root = root
                    .clone()
                    .ok_or("the working directory is only known at build time")?;
                match config.and_then(|c| c.target_dir.clone()) {
                    Some(t) if t.starts_with('/') => t,
                    Some(t) => join_path(&root, &t),
                    None => join_path(&root, "target"),
                }
            }
        };
        let mut out = tdir;
        if let Some(t) = &target {
            out = join_path(&out, t);
        }
        Ok(join_path(&out, c.profile.dir()))
    })();
    CargoBuild {
        ins,
        stage,
        cmd: c,
        cwd,
        env,
        project,
        target,
        out_dir,
        root,
    }
}

/// Where the image directory `dir` of `stage` came from in the build
/// context: the directory (relative, "" for the root) whose Cargo.toml
/// the last COPY put at `dir/Cargo.toml`, when one did.
pub fn context_rel(
    doc: &Document,
    facts: &Facts,
    stage: usize,
    dir: &str,
    ctx: &RustContext,
) -> Option<String> {
    let _ = doc;
    let want = join_path(dir, "Cargo.toml");
    let mut copies: Vec<&crate::analysis::stages::Copy> = Vec::new();
    for s in chain(facts, stage).into_iter().rev() {
        copies.extend(facts.stages[s].copies.iter());
    }
    for c in copies.iter().rev() {
        if c.source != Source::Context {
            continue;
        }
        let Some(dest) = &c.dest else { continue };
        for src in &c.sources {
            let s = context::normalize(src);
            let as_dir = s.is_empty() || ctx.manifest(&s).is_some() || src.ends_with('/');
            if as_dir {
                let rel = if want == join_path(dest, "Cargo.toml") {
                    Some(String::new())
                } else {
                    want.strip_prefix(&format!("{}/", dest.trim_end_matches('/')))
                        .and_then(|r| {
                            r.strip_suffix("/Cargo.toml").or(if r == "Cargo.toml" {
                                Some("")
                            } else {
                                None
                            })
                        })
                        .map(str::to_string)
                };
                if let Some(r) = rel {
                    let full = context::normalize(&format!("{s}/{r}"));
                    if ctx.manifest(&full).is_some() {
                        return Some(full);
                    }
                }
            } else if s.ends_with("Cargo.toml") {
                let name = s.rsplit('/').next().unwrap_or(&s);
                let landing = if c.dest_is_dir || dest.ends_with('/') {
                    join_path(dest, name)
                } else {
                    dest.clone()
                };
                if landing == want {
                    let d = s
                        .rsplit_once('/')
                        .map_or(String::new(), |(d, _)| d.to_string());
                    return ctx.manifest(&d).map(|_| d);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::BuildContext;

    fn facts_in(src: &str, files: &[(&str, &str)]) -> (Document, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        (Document::parse(src).unwrap(), dir)
    }

    #[test]
    fn outputs_follow_flags_env_and_workspaces() {
        let (doc, dir) = facts_in(
            "FROM rust:1.80 AS b\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release -p ws-server\nRUN cd crates/cli && cargo build\nRUN CARGO_TARGET_DIR=/out cargo build --target x86_64-unknown-linux-musl -r\nRUN cargo install --path crates/cli\nFROM debian:bookworm-slim\nCOPY --from=b /usr/src/app/target/release/server /server\nCMD [\"/server\"]\n",
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
                (
                    "crates/server/Cargo.toml",
                    "[package]\nname = \"ws-server\"\n[[bin]]\nname = \"server\"\npath = \"src/main.rs\"\n",
                ),
                ("crates/cli/Cargo.toml", "[package]\nname = \"cli\"\n"),
                ("crates/cli/src/main.rs", ""),
            ],
        );
        let ctx = BuildContext::load(dir.path());
        let f = Facts::of(&doc, Some(&ctx));
        let r = RustFacts::of(&doc, &f);
        let outs: Vec<_> = r
            .builds
            .iter()
            .map(|b| b.out_dir.clone().unwrap())
            .collect();
        assert_eq!(
            outs,
            [
                "/usr/src/app/target/release",
                "/usr/src/app/target/debug",
                "/out/x86_64-unknown-linux-musl/release",
                "/usr/local/cargo/bin",
            ]
        );
        assert_eq!(r.builds[1].project.as_deref(), Some("crates/cli"));
        assert_eq!(r.builds[1].root.as_deref(), Some("/usr/src/app"));
        let shipped = r.shipped(&doc, &f);
        assert_eq!(shipped.len(), 1);
        assert_eq!(shipped[0].build.ins, 3);
        assert_eq!(r.rust_stage, [true, false]);
    }
}
