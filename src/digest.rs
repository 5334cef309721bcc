//! Digests for images a rewrite introduces, so a file that pins its images
//! by digest (`image:tag@sha256:...`) stays pinned.
//!
//! Transforms never do I/O: they ask a [`Digests`] the caller hands the
//! pipeline. [`Engine`] asks the Docker engine the `docker` CLI points at,
//! first for an image it has (`docker image inspect`: the repo digest it was
//! pulled by, offline), then the registry (`docker buildx imagetools
//! inspect`), each with a timeout; answers are cached for the run.
//! [`None`] knows nothing (tests, `--no-resolve`): a pinned image then
//! needs `--allow-unpinned`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where a digest for an image comes from.
pub trait Digests: Sync {
    /// `sha256:...` for `image` (`name:tag`), if it can be had.
    fn digest(&self, image: &str) -> Option<String>;
}

/// Knows no digest.
pub struct None;

impl Digests for None {
    fn digest(&self, _: &str) -> Option<String> {
        Option::None
    }
}

/// A fixed table (tests; a lock file of digests).
pub struct Table(pub HashMap<String, String>);

impl Digests for Table {
    fn digest(&self, image: &str) -> Option<String> {
        self.0.get(image).cloned()
    }
}

/// The command that gives the digest to pin `image` to, for messages.
pub fn how_to_pin(image: &str) -> String {
    format!("docker buildx imagetools inspect {image} --format '{{{{json .Manifest.Digest}}}}'")
}

/// The [`Engine`] of [`Engine::from_env`], looked for on the first question:
/// most runs ask none, and the search walks every directory of PATH.
#[derive(Default)]
pub struct OnDemand(std::sync::OnceLock<Option<Engine>>);

impl Digests for OnDemand {
    fn digest(&self, image: &str) -> Option<String> {
        self.0.get_or_init(Engine::from_env).as_ref()?.digest(image)
    }
}

/// Asks a Docker engine.
pub struct Engine {
    client: PathBuf,
    timeout: Duration,
    cache: Mutex<HashMap<String, Option<String>>>,
}

impl Engine {
    /// The client `DFSLIM_DOCKER` names, else `docker` on PATH; `None`
    /// without one.
    pub fn from_env() -> Option<Engine> {
        let client = match std::env::var_os("DFSLIM_DOCKER") {
            Some(c) => PathBuf::from(c),
            Option::None => {
                let path = std::env::var_os("PATH")?;
                std::env::split_paths(&path)
                    .map(|d| d.join("docker"))
                    .find(|p| p.is_file())?
            }
        };
        Some(Engine {
            client,
            timeout: Duration::from_secs(10),
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn ask(&self, image: &str) -> Option<String> {
        // An image the engine has, pulled by digest: no network needed.
        let out = run(
            &self.client,
            &[
                "image",
                "inspect",
                "--format",
                "{{json .RepoDigests}}",
                image,
            ],
            self.timeout,
        )?;
        let repo = image.rsplit_once(':').map_or(image, |(r, _)| r);
        let digests: Vec<String> = serde_json::from_str(out.trim()).unwrap_or_default();
        if let Some(d) = digests
            .iter()
            .find(|d| d.split('@').next().is_some_and(|r| r.ends_with(repo)))
            .and_then(|d| d.split_once('@'))
        {
            return Some(d.1.to_string());
        }
        // The registry, through buildx.
        let out = run(
            &self.client,
            &[
                "buildx",
                "imagetools",
                "inspect",
                image,
                "--format",
                "{{json .Manifest.Digest}}",
            ],
            self.timeout,
        )?;
        let d: String = serde_json::from_str(out.trim()).ok()?;
        d.starts_with("sha256:").then_some(d)
    }
}

impl Digests for Engine {
    fn digest(&self, image: &str) -> Option<String> {
        if let Some(known) = self.cache.lock().ok()?.get(image) {
            return known.clone();
        }
        let found = self.ask(image);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(image.to_string(), found.clone());
        }
        found
    }
}

/// Runs `client args`, its stdout when it succeeds within `timeout`.
fn run(client: &PathBuf, args: &[&str], timeout: Duration) -> Option<String> {
    let mut child = Command::new(client)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait().ok()? {
            Some(status) if status.success() => {
                let out = child.wait_with_output().ok()?;
                return String::from_utf8(out.stdout).ok();
            }
            Some(_) => return Option::None,
            Option::None if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Option::None;
            }
            Option::None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}
