//! The Docker engine, driven through the `docker` CLI as a subprocess.
//!
//! Why the CLI and not an API crate such as `bollard`: the CLI is the
//! engine as the user has configured it. It honours `DOCKER_HOST`,
//! `docker context use`, TLS and ssh settings, and a buildx builder on
//! another machine exactly as their own `docker build` would; an API crate
//! would have to re-implement that resolution and cannot drive buildx at
//! all. It also adds no dependency. The cost is reading a little output,
//! kept to `--format '{{json .}}'`, `--iidfile` and the legacy builder's
//! step lines.

use serde::Serialize;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Names the client to run instead of `docker` on PATH (e.g. another
/// version of the client).
pub const PROGRAM_ENV: &str = "DFSLIM_DOCKER";

/// Lines of a failed build's log that a report shows.
const LOG_TAIL: usize = 25;

/// How images get built: what the client and engine offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    /// `docker buildx build --load`: BuildKit through the user's current
    /// buildx builder (which may be remote).
    Buildx,
    /// `DOCKER_BUILDKIT=1 docker build` with a client older than 23 that
    /// still speaks BuildKit itself.
    Buildkit,
    /// The classic builder (`DOCKER_BUILDKIT=0`): what a client without
    /// buildx has. It leaves an image per step, which cleanup must remove.
    Legacy,
}

impl Builder {
    pub fn as_str(self) -> &'static str {
        match self {
            Builder::Buildx => "buildx",
            Builder::Buildkit => "buildkit",
            Builder::Legacy => "legacy",
        }
    }
}

/// Why there is no engine to work with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// The client is not installed (or `DFSLIM_DOCKER` names nothing).
    NoCli(String),
    /// The client runs but no engine answers it.
    NoEngine(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::NoCli(m) | ProbeError::NoEngine(m) => f.write_str(m),
        }
    }
}

/// Where the client is pointed: what `--engine` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Whatever the user's environment says (`DOCKER_HOST`, `DOCKER_CONTEXT`,
    /// the current `docker context`).
    Default,
    /// A docker context, by name (`docker context ls`).
    Context(String),
    /// A `DOCKER_HOST` value: `unix://`, `tcp://`, `ssh://`, `npipe://`.
    Host(String),
}

impl Endpoint {
    /// A value with `://` is a `DOCKER_HOST`; anything else names a context.
    pub fn parse(value: &str) -> Endpoint {
        if value.contains("://") {
            Endpoint::Host(value.to_string())
        } else {
            Endpoint::Context(value.to_string())
        }
    }

    /// How reports name it: the `--engine` value, or `default`.
    pub fn name(&self) -> &str {
        match self {
            Endpoint::Default => "default",
            Endpoint::Context(c) => c,
            Endpoint::Host(h) => h,
        }
    }

    /// Points `cmd` (a client command) at this engine. A context wins over
    /// `DOCKER_HOST` only when `DOCKER_HOST` is unset, so it is removed.
    pub fn apply(&self, cmd: &mut Command) {
        match self {
            Endpoint::Default => {}
            Endpoint::Context(c) => {
                cmd.env_remove("DOCKER_HOST").env("DOCKER_CONTEXT", c);
            }
            Endpoint::Host(h) => {
                cmd.env("DOCKER_HOST", h).env_remove("DOCKER_CONTEXT");
            }
        }
    }

    /// The `DOCKER_HOST` this points at, when it is known without asking.
    pub fn host(&self) -> Option<String> {
        match self {
            Endpoint::Default => std::env::var("DOCKER_HOST").ok(),
            Endpoint::Context(_) => None,
            Endpoint::Host(h) => Some(h.clone()),
        }
    }
}

/// A client that reaches an engine, and the builder chosen for it.
#[derive(Clone, Debug)]
pub struct Docker {
    pub program: PathBuf,
    /// The engine the client is pointed at.
    pub endpoint: Endpoint,
    /// `--builder NAME`: the buildx builder that builds (with `--load`).
    pub buildx_builder: Option<String>,
    pub client_version: String,
    pub server_version: String,
    /// The docker context the client uses (`default` unless switched).
    pub context: String,
    pub builder: Builder,
    /// Things the user should know about the choice of builder.
    pub notes: Vec<String>,
}

/// A successful build.
#[derive(Clone, Debug)]
pub struct Built {
    pub id: String,
    pub seconds: f64,
    /// Its steps as the client's log showed them (for the time a step
    /// taken from the layer cache cost the build that made it).
    pub steps: Vec<Step>,
}

/// One step of a build, read from its log.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What identifies the step's result across builds: the image id the
    /// legacy builder committed, or BuildKit's step name without its
    /// `k/n` position. Empty when the log does not say.
    pub key: String,
    /// Taken from the layer cache.
    pub cached: bool,
    /// How long it took, as the log's timing shows.
    pub seconds: f64,
}

/// The time `build` saved by taking steps from the cache that `other` (the
/// other build of the same comparison) had made: each such step counts
/// what `other` paid for it.
pub fn reused_seconds(build: &[Step], other: &[Step]) -> f64 {
    build
        .iter()
        .filter(|s| s.cached && !s.key.is_empty())
        .filter_map(|s| other.iter().find(|o| !o.cached && o.key == s.key))
        .map(|o| o.seconds)
        .sum()
}

/// Something a build makes that cleanup must know of, as soon as it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made<'a> {
    /// An image the legacy builder committed for a step.
    Image(&'a str),
    /// The container the legacy builder runs a step in (removed by the
    /// engine when the step ends; still running when the client is stopped).
    Container(&'a str),
}

/// What to build, and how.
#[derive(Clone, Copy, Debug)]
pub struct BuildSpec<'a> {
    pub dockerfile: &'a Path,
    pub context: &'a Path,
    pub tag: &'a str,
    pub label: &'a str,
    /// `--target STAGE`.
    pub target: Option<&'a str>,
    /// Use the layer cache (else `--no-cache`).
    pub cache: bool,
}

/// A failed build: how long it ran and the end of its log.
#[derive(Clone, Debug)]
pub struct BuildFailure {
    pub seconds: f64,
    pub log_tail: String,
    /// Stopped by a signal (Ctrl-C): nobody's fault but the user's wish.
    pub interrupted: bool,
}

/// What `docker image inspect` says of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub size: u64,
    pub layers: usize,
    /// TCP ports in the image config's ExposedPorts.
    pub exposed_tcp: Vec<u16>,
}

impl Docker {
    /// Finds the client and checks an engine answers it; picks the builder.
    pub fn probe() -> Result<Docker, ProbeError> {
        Docker::probe_at(&Endpoint::Default, None)
    }

    /// [`Docker::probe`] for the engine at `endpoint`, building with the
    /// buildx builder `builder` when one is named.
    pub fn probe_at(endpoint: &Endpoint, builder: Option<&str>) -> Result<Docker, ProbeError> {
        let program = program();
        let mut cmd = Command::new(&program);
        endpoint.apply(&mut cmd);
        let out = cmd
            .args(["version", "--format", "{{json .}}"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                ProbeError::NoCli(format!(
                    "cannot run the Docker client `{}`: {e}; install Docker (the client is \
                     enough for a remote engine) or set {PROGRAM_ENV} to the client's path",
                    program.display()
                ))
            })?;
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let text = |v: &Value| v.as_str().unwrap_or("").to_string();
        let server = &json["Server"];
        if !out.status.success() || server.is_null() {
            let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let host = match endpoint {
                Endpoint::Default => std::env::var("DOCKER_HOST")
                    .map(|h| format!("DOCKER_HOST={h}"))
                    .unwrap_or_else(|_| format!("context {:?}", text(&json["Client"]["Context"]))),
                Endpoint::Context(c) => format!("context {c:?}"),
                Endpoint::Host(h) => format!("DOCKER_HOST={h}"),
            };
            return Err(ProbeError::NoEngine(format!(
                "no Docker engine answers the client ({host}): {}; start one (e.g. `dockerd`) \
                 or point DOCKER_HOST / `docker context use` at one",
                if why.is_empty() { "no answer" } else { &why }
            )));
        }
        let client_version = text(&json["Client"]["Version"]);
        let mut docker = Docker {
            program,
            endpoint: endpoint.clone(),
            buildx_builder: builder.map(str::to_string),
            server_version: text(&server["Version"]),
            context: text(&json["Client"]["Context"]),
            client_version,
            builder: Builder::Legacy,
            notes: Vec::new(),
        };
        docker.builder = match builder {
            Some(name) => docker.check_buildx_builder(name)?,
            None => docker.pick_builder(),
        };
        Ok(docker)
    }

    /// `--builder NAME` needs buildx and a builder of that name.
    fn check_buildx_builder(&self, name: &str) -> Result<Builder, ProbeError> {
        let version = self.command().args(["buildx", "version"]).output();
        if !version.as_ref().is_ok_and(|o| o.status.success()) {
            return Err(ProbeError::NoEngine(format!(
                "--builder {name} needs buildx, and client {} at {} has none \
                 (install the docker-buildx plugin)",
                self.client_version,
                self.program.display()
            )));
        }
        let inspect = self
            .command()
            .args(["buildx", "inspect", name])
            .output()
            .map_err(|e| ProbeError::NoEngine(format!("docker buildx inspect {name}: {e}")))?;
        if !inspect.status.success() {
            return Err(ProbeError::NoEngine(format!(
                "no buildx builder {name:?}: {} (`docker buildx ls` lists them)",
                String::from_utf8_lossy(&inspect.stderr).trim()
            )));
        }
        Ok(Builder::Buildx)
    }

    /// How reports describe the engine: `client X, engine Y, context Z`
    /// (or `host H` for a `DOCKER_HOST` given with `--engine`).
    pub fn describe(&self) -> String {
        let mut s = format!(
            "client {}, engine {}, ",
            self.client_version, self.server_version
        );
        match &self.endpoint {
            Endpoint::Host(h) => s.push_str(&format!("host {h}")),
            _ => s.push_str(&format!("context {}", self.context)),
        }
        if let Some(b) = &self.buildx_builder {
            s.push_str(&format!(", buildx builder {b}"));
        }
        s
    }

    /// The engine's CPU count (`docker info`), or `None` when it does not say.
    pub fn ncpu(&self) -> Option<usize> {
        let out = self
            .command()
            .args(["info", "--format", "{{.NCPU}}"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// True when the engine still answers within `wait` (a build or a run
    /// that failed may have lost it).
    pub fn answers(&self, wait: std::time::Duration) -> bool {
        let child = self
            .command()
            .args(["version", "--format", "{{.Server.Version}}"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else { return false };
        let deadline = Instant::now() + wait;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return false;
                }
            }
        }
    }

    /// BuildKit when the user asks for it (or the client defaults to it)
    /// and something here can drive it; else the legacy builder.
    fn pick_builder(&mut self) -> Builder {
        let major: u32 = self
            .client_version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        let asked = std::env::var("DOCKER_BUILDKIT").ok();
        let want = match asked.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("0" | "false") => false,
            Some("1" | "true") => true,
            // Clients from 23 on build with BuildKit by default.
            _ => major >= 23,
        };
        if !want {
            return Builder::Legacy;
        }
        let buildx = self
            .command()
            .args(["buildx", "version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if buildx {
            Builder::Buildx
        } else if (1..23).contains(&major) {
            Builder::Buildkit
        } else {
            if asked.is_some() {
                self.notes.push(format!(
                    "DOCKER_BUILDKIT asks for BuildKit but client {} has no buildx: \
                     building with the legacy builder",
                    self.client_version
                ));
            }
            Builder::Legacy
        }
    }

    /// A `docker` command with the user's environment, pointed at the engine.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        self.endpoint.apply(&mut c);
        c.stdin(Stdio::null());
        c
    }

    /// Builds `dockerfile` with `context` as `tag`, without the layer cache
    /// (so both builds of a comparison start equal and every image made is
    /// this run's own, safe to remove). `made` hears of every intermediate
    /// image the legacy builder leaves, as soon as it exists.
    pub fn build(
        &self,
        dockerfile: &Path,
        context: &Path,
        tag: &str,
        label: &str,
        made: &mut dyn FnMut(&str),
    ) -> Result<Built, BuildFailure> {
        let spec = BuildSpec {
            dockerfile,
            context,
            tag,
            label,
            target: None,
            cache: false,
        };
        self.build_spec(&spec, &mut |m| {
            if let Made::Image(id) = m {
                made(id);
            }
        })
    }

    /// Builds as `spec` says. `made` hears of every image and step
    /// container the legacy builder makes; with the cache, only of the
    /// images this build committed, never of cached ones (which belong to
    /// whoever made them).
    pub fn build_spec(
        &self,
        spec: &BuildSpec,
        made: &mut dyn FnMut(Made),
    ) -> Result<Built, BuildFailure> {
        let BuildSpec {
            dockerfile,
            context,
            tag,
            label,
            ..
        } = *spec;
        let iid_dir = tempfile::tempdir().map_err(|e| BuildFailure {
            seconds: 0.0,
            log_tail: format!("cannot make a temporary directory: {e}"),
            interrupted: false,
        })?;
        let iidfile = iid_dir.path().join("iid");
        let mut cmd = self.command();
        match self.builder {
            Builder::Buildx => {
                cmd.args(["buildx", "build", "--load", "--progress=plain"]);
                if let Some(b) = &self.buildx_builder {
                    cmd.args(["--builder", b]);
                }
            }
            Builder::Buildkit => {
                cmd.env("DOCKER_BUILDKIT", "1")
                    .args(["build", "--progress=plain"]);
            }
            Builder::Legacy => {
                cmd.env("DOCKER_BUILDKIT", "0")
                    .args(["build", "--force-rm"]);
            }
        }
        if !spec.cache {
            cmd.arg("--no-cache");
        }
        if let Some(stage) = spec.target {
            cmd.args(["--target", stage]);
        }
        cmd.args(["--tag", tag, "--label", label, "--iidfile"])
            .arg(&iidfile)
            .arg("--file")
            .arg(dockerfile)
            .arg(context)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let fail = |log: &str, interrupted: bool| BuildFailure {
            seconds: start.elapsed().as_secs_f64(),
            log_tail: tail(log, LOG_TAIL),
            interrupted,
        };
        let mut child = cmd.spawn().map_err(|e| {
            fail(
                &format!("cannot run {}: {e}", self.program.display()),
                false,
            )
        })?;
        let log = Arc::new(Mutex::new(String::new()));
        // BuildKit writes its progress to stderr, the legacy builder to stdout.
        let stderr = child.stderr.take().map(|err| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut steps = BuildkitSteps::default();
                collect(err, &log, &mut |line| steps.read(line));
                steps.finish()
            })
        });
        let mut legacy = LegacySteps::default();
        if let Some(out) = child.stdout.take() {
            let mut images = StepImages::default();
            collect(out, &log, &mut |line| {
                legacy.read(line, start.elapsed().as_secs_f64());
                match images.read(line) {
                    Some((true, id)) => made(Made::Container(&id)),
                    Some((false, id)) => made(Made::Image(&id)),
                    None => {}
                }
            });
        }
        let mut steps = legacy.finish(start.elapsed().as_secs_f64());
        if let Some(t) = stderr {
            steps.extend(t.join().unwrap_or_default());
        }
        let status = child.wait();
        let log = log.lock().map(|l| l.clone()).unwrap_or_default();
        match status {
            Ok(s) if s.success() => {
                let id = std::fs::read_to_string(&iidfile).unwrap_or_default();
                Ok(Built {
                    id: id.trim().to_string(),
                    seconds: start.elapsed().as_secs_f64(),
                    steps,
                })
            }
            Ok(s) => Err(fail(&log, interrupted(s))),
            Err(e) => Err(fail(&format!("{log}\nwaiting for the build: {e}"), false)),
        }
    }

    /// Size, layer count and exposed TCP ports of `image`.
    pub fn inspect_image(&self, image: &str) -> Result<ImageInfo, String> {
        let out = self
            .command()
            .args(["image", "inspect", "--format", "{{json .}}", image])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "docker image inspect {image}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let v: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("docker image inspect {image}: {e}"))?;
        let exposed_tcp = v["Config"]["ExposedPorts"]
            .as_object()
            .map(|ports| {
                ports
                    .keys()
                    .filter_map(|k| k.strip_suffix("/tcp")?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(ImageInfo {
            size: v["Size"].as_u64().unwrap_or(0),
            layers: v["RootFS"]["Layers"].as_array().map_or(0, Vec::len),
            exposed_tcp,
        })
    }
}

/// The client was stopped by a signal, or says so (130: it caught SIGINT).
fn interrupted(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal().is_some() {
            return true;
        }
    }
    status.code() == Some(130)
}

/// Appends every line of `from` to `log`, handing each to `each`.
fn collect(from: impl Read, log: &Mutex<String>, each: &mut dyn FnMut(&str)) {
    for line in BufReader::new(from).lines() {
        let Ok(line) = line else { break };
        each(&line);
        if let Ok(mut l) = log.lock() {
            l.push_str(&line);
            l.push('\n');
        }
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Reads the legacy builder's output for the images it commits: ` ---> ID`
/// after every step but FROM (whose ID is the base image, not ours) and
/// but a step taken from the cache (whose image is someone else's).
#[derive(Default)]
struct StepImages {
    /// The ID that ends this step is not this build's.
    not_ours: bool,
}

impl StepImages {
    /// `(true, id)` for a step's container, `(false, id)` for an image.
    fn read(&mut self, line: &str) -> Option<(bool, String)> {
        if let Some(step) = line.strip_prefix("Step ") {
            let instruction = step.split_once(" : ").map_or("", |(_, i)| i);
            self.not_ours = instruction
                .get(..5)
                .is_some_and(|k| k.eq_ignore_ascii_case("from "));
            return None;
        }
        let id = line.strip_prefix(" ---> ")?.trim();
        if id == "Using cache" {
            self.not_ours = true;
            return None;
        }
        if let Some(c) = id.strip_prefix("Running in ") {
            return is_short_id(c).then(|| (true, c.to_string()));
        }
        if !is_short_id(id) || std::mem::take(&mut self.not_ours) {
            return None;
        }
        Some((false, id.to_string()))
    }
}

fn is_short_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The legacy builder's steps: each from its `Step k/n : ...` line to the
/// next, keyed by the image id it ends with (` ---> ID`).
#[derive(Default)]
struct LegacySteps {
    steps: Vec<Step>,
    /// When the current step started.
    started: Option<f64>,
}

impl LegacySteps {
    fn read(&mut self, line: &str, now: f64) {
        if line.starts_with("Step ") {
            self.close(now);
            self.started = Some(now);
            self.steps.push(Step {
                key: String::new(),
                cached: false,
                seconds: 0.0,
            });
            return;
        }
        if line.starts_with("Successfully built ") {
            self.close(now);
            return;
        }
        let (Some(_), Some(step)) = (self.started, self.steps.last_mut()) else {
            return;
        };
        match line.strip_prefix(" ---> ").map(str::trim) {
            Some("Using cache") => step.cached = true,
            Some(id) if is_short_id(id) => step.key = id.to_string(),
            _ => {}
        }
    }

    fn close(&mut self, now: f64) {
        if let (Some(t), Some(step)) = (self.started.take(), self.steps.last_mut()) {
            step.seconds = now - t;
        }
    }

    fn finish(mut self, now: f64) -> Vec<Step> {
        self.close(now);
        self.steps
    }
}

/// BuildKit's `--progress=plain` steps: `#7 [build 3/5] RUN go build`, then
/// `#7 DONE 12.3s` or `#7 CACHED`. The key is the step's name without its
/// `k/n` (an inserted step shifts the numbers of the ones after it).
#[derive(Default)]
struct BuildkitSteps {
    /// By vertex number: (key, cached, seconds).
    vertices: Vec<(u32, Step)>,
}

impl BuildkitSteps {
    fn read(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix('#') else {
            return;
        };
        let Some((num, what)) = rest.split_once(' ') else {
            return;
        };
        let Ok(num) = num.parse::<u32>() else { return };
        let known = self.vertices.iter().position(|(n, _)| *n == num);
        match (known, what.trim_end()) {
            (Some(i), "CACHED") => self.vertices[i].1.cached = true,
            (Some(i), done) if done.starts_with("DONE ") => {
                let secs = done[5..].trim_end_matches('s').parse().unwrap_or(0.0);
                self.vertices[i].1.seconds = secs;
            }
            (None, name) if name.starts_with('[') => self.vertices.push((
                num,
                Step {
                    key: buildkit_key(name),
                    cached: false,
                    seconds: 0.0,
                },
            )),
            _ => {}
        }
    }

    fn finish(self) -> Vec<Step> {
        self.vertices.into_iter().map(|(_, s)| s).collect()
    }
}

/// `[build 3/5] RUN go build` -> `[build] RUN go build`.
fn buildkit_key(name: &str) -> String {
    let Some((bracket, rest)) = name.strip_prefix('[').and_then(|n| n.split_once(']')) else {
        return name.to_string();
    };
    let stage: Vec<&str> = bracket
        .split_whitespace()
        .filter(|w| {
            !w.split_once('/').is_some_and(|(a, b)| {
                a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
            })
        })
        .collect();
    format!("[{}]{rest}", stage.join(" "))
}

/// The client: `DFSLIM_DOCKER`, else `docker` on PATH.
fn program() -> PathBuf {
    std::env::var_os(PROGRAM_ENV)
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("docker"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_images_skip_the_base_and_containers() {
        let log = "Step 1/4 : FROM golang:1.16 AS builder\n ---> d79959033798\n\
                   Step 2/4 : RUN go build .\n ---> Running in 0fad2a787e2b\n\
                   Removing intermediate container 0fad2a787e2b\n ---> 69b871365b48\n\
                   Step 3/4 : from alpine\n ---> 245758622250\n\
                   Step 4/4 : COPY --from=builder /x /x\n ---> Using cache\n ---> c2fbb0905a87\n\
                   Step 5/5 : USER app\n ---> Running in 1fad2a787e2b\n ---> d2fbb0905a87\n\
                   Successfully built d2fbb0905a87\n";
        let mut s = StepImages::default();
        let ids: Vec<(bool, String)> = log.lines().filter_map(|l| s.read(l)).collect();
        let ids: Vec<String> = ids.into_iter().filter(|x| !x.0).map(|x| x.1).collect();
        // The cached step's image is whoever made it: not ours to remove.
        assert_eq!(ids, ["69b871365b48", "d2fbb0905a87"]);
    }

    #[test]
    fn step_containers_are_reported() {
        let mut s = StepImages::default();
        let got: Vec<_> = [
            "Step 2/4 : RUN go build .",
            " ---> Running in 0fad2a787e2b",
            "Removing intermediate container 0fad2a787e2b",
            " ---> 69b871365b48",
        ]
        .iter()
        .filter_map(|l| s.read(l))
        .collect();
        assert_eq!(
            got,
            [
                (true, "0fad2a787e2b".to_string()),
                (false, "69b871365b48".to_string())
            ]
        );
    }

    #[test]
    fn step_images_skip_cached_steps() {
        let log = "Step 1/3 : FROM alpine\n ---> 245758622250\n\
                   Step 2/3 : WORKDIR /src\n ---> Using cache\n ---> 1111aaaa2222\n\
                   Step 3/3 : COPY . .\n ---> 3333bbbb4444\n";
        let mut s = StepImages::default();
        let ids: Vec<(bool, String)> = log.lines().filter_map(|l| s.read(l)).collect();
        assert_eq!(ids, [(false, "3333bbbb4444".to_string())]);
    }

    #[test]
    fn legacy_steps_are_timed_and_keyed() {
        let mut s = LegacySteps::default();
        let lines = [
            (0.0, "Step 1/3 : FROM alpine"),
            (0.1, " ---> 245758622250"),
            (0.2, "Step 2/3 : WORKDIR /src"),
            (0.3, " ---> Using cache"),
            (0.3, " ---> 1111aaaa2222"),
            (0.5, "Step 3/3 : RUN make"),
            (2.0, " ---> Running in 0fad2a787e2b"),
            (2.4, " ---> 3333bbbb4444"),
            (2.5, "Successfully built 3333bbbb4444"),
        ];
        for (t, l) in lines {
            s.read(l, t);
        }
        let steps = s.finish(3.0);
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[1].key, "1111aaaa2222");
        assert!(steps[1].cached && !steps[2].cached);
        assert!((steps[2].seconds - 2.0).abs() < 1e-9, "{steps:?}");
    }

    #[test]
    fn buildkit_steps_are_keyed_without_their_position() {
        let mut s = BuildkitSteps::default();
        for l in [
            "#1 [internal] load build definition from Dockerfile",
            "#1 DONE 0.0s",
            "#5 [build 2/5] WORKDIR /src",
            "#5 CACHED",
            "#7 [build 3/5] RUN go build -o /app .",
            "#7 0.512 compiling",
            "#7 DONE 12.3s",
        ] {
            s.read(l);
        }
        let steps = s.finish();
        assert_eq!(steps[1].key, "[build] WORKDIR /src");
        assert!(steps[1].cached);
        assert_eq!(steps[2].key, "[build] RUN go build -o /app .");
        assert!((steps[2].seconds - 12.3).abs() < 1e-9);
        assert_eq!(buildkit_key("[stage-1 4/4] COPY x y"), "[stage-1] COPY x y");
    }

    #[test]
    fn reused_steps_cost_what_the_other_build_paid() {
        let step = |key: &str, cached, seconds| Step {
            key: key.to_string(),
            cached,
            seconds,
        };
        let original = [
            step("a", false, 1.5),
            step("b", false, 4.0),
            step("c", false, 9.0),
        ];
        let rewrite = [
            step("a", true, 0.0),
            step("b", true, 0.1),
            step("d", false, 3.0),
        ];
        assert!((reused_seconds(&rewrite, &original) - 5.5).abs() < 1e-9);
        assert_eq!(reused_seconds(&original, &rewrite), 0.0);
        // A step cached from before the run costs nothing.
        assert_eq!(reused_seconds(&[step("z", true, 0.0)], &original), 0.0);
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("ssh://me@build-1"),
            Endpoint::Host("ssh://me@build-1".into())
        );
        assert_eq!(
            Endpoint::parse("unix:///run/d2.sock"),
            Endpoint::Host("unix:///run/d2.sock".into())
        );
        assert_eq!(
            Endpoint::parse("farm-2"),
            Endpoint::Context("farm-2".into())
        );
        assert_eq!(Endpoint::Default.name(), "default");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
