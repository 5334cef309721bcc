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

/// A client that reaches an engine, and the builder chosen for it.
#[derive(Clone, Debug)]
pub struct Docker {
    pub program: PathBuf,
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
        let program = std::env::var_os(PROGRAM_ENV)
            .filter(|p| !p.is_empty())
            .map_or_else(|| PathBuf::from("docker"), PathBuf::from);
        let out = Command::new(&program)
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
            let host = std::env::var("DOCKER_HOST")
                .map(|h| format!("DOCKER_HOST={h}"))
                .unwrap_or_else(|_| format!("context {:?}", text(&json["Client"]["Context"])));
            return Err(ProbeError::NoEngine(format!(
                "no Docker engine answers the client ({host}): {}; start one (e.g. `dockerd`) \
                 or point DOCKER_HOST / `docker context use` at one",
                if why.is_empty() { "no answer" } else { &why }
            )));
        }
        let client_version = text(&json["Client"]["Version"]);
        let mut docker = Docker {
            program,
            server_version: text(&server["Version"]),
            context: text(&json["Client"]["Context"]),
            client_version,
            builder: Builder::Legacy,
            notes: Vec::new(),
        };
        docker.builder = docker.pick_builder();
        Ok(docker)
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

    /// A `docker` command with the user's environment.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
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
        cmd.arg("--no-cache")
            .args(["--tag", tag, "--label", label, "--iidfile"])
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
        let stderr = child.stderr.take().map(|err| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || collect(err, &log, &mut |_| {}))
        });
        if let Some(out) = child.stdout.take() {
            let mut steps = StepImages::default();
            collect(out, &log, &mut |line| {
                if let Some(id) = steps.read(line) {
                    made(&id);
                }
            });
        }
        if let Some(t) = stderr {
            let _ = t.join();
        }
        let status = child.wait();
        let log = log.lock().map(|l| l.clone()).unwrap_or_default();
        match status {
            Ok(s) if s.success() => {
                let id = std::fs::read_to_string(&iidfile).unwrap_or_default();
                Ok(Built {
                    id: id.trim().to_string(),
                    seconds: start.elapsed().as_secs_f64(),
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
/// after every step but FROM (whose ID is the base image, not ours).
#[derive(Default)]
struct StepImages {
    after_from: bool,
}

impl StepImages {
    fn read(&mut self, line: &str) -> Option<String> {
        if let Some(step) = line.strip_prefix("Step ") {
            let instruction = step.split_once(" : ").map_or("", |(_, i)| i);
            self.after_from = instruction
                .get(..5)
                .is_some_and(|k| k.eq_ignore_ascii_case("from "));
            return None;
        }
        let id = line.strip_prefix(" ---> ")?.trim();
        let is_id = id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_id || std::mem::take(&mut self.after_from) {
            return None;
        }
        Some(id.to_string())
    }
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
                   Successfully built c2fbb0905a87\n";
        let mut s = StepImages::default();
        let ids: Vec<String> = log.lines().filter_map(|l| s.read(l)).collect();
        assert_eq!(ids, ["69b871365b48", "c2fbb0905a87"]);
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
