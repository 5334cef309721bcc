//! Building and running rewrites for the end-to-end tests: the engine,
//! builds through `dfslim::verify::docker` with a janitor that removes
//! every image and container (also when a test panics), and the checks an
//! app's container must answer (tests/e2e/apps/checks.tsv).
#![allow(dead_code)]

use super::{docker_engine, repo, skip};
use dfslim::verify::cleanup::Janitor;
use dfslim::verify::docker::Docker;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a container may take to answer (a JVM on 2 busy cores is slow).
pub const READY: Duration = Duration::from_secs(90);

/// The engine's client, or `None` after reporting a skip (a failure on CI).
pub fn engine(what: &str) -> Option<Docker> {
    if let Err(why) = docker_engine() {
        skip(what, &why);
        return None;
    }
    Some(Docker::probe().unwrap_or_else(|e| panic!("the engine was started but: {e}")))
}

pub fn app_dir(app: &str) -> PathBuf {
    repo().join("tests/e2e/apps").join(app)
}

pub fn dockerfile(app: &str) -> String {
    std::fs::read_to_string(app_dir(app).join("Dockerfile")).unwrap()
}

/// What a working image of `app` answers: its port and (path, body part)
/// pairs, from apps/checks.tsv.
pub fn checks(app: &str) -> (u16, Vec<(String, String)>) {
    let tsv = std::fs::read_to_string(repo().join("tests/e2e/apps/checks.tsv")).unwrap();
    let mut port = 0;
    let mut out = Vec::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() == 4 && f[0] == app {
            port = f[1].parse().unwrap();
            out.push((f[2].to_string(), f[3].to_string()));
        }
    }
    assert!(!out.is_empty(), "no checks for {app} in checks.tsv");
    (port, out)
}

/// A name no other test or run uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("run docker")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A built image: its tag and how long the build took.
pub struct Built {
    pub tag: String,
    pub seconds: f64,
}

/// Builds `text` with the app's directory as context.
pub fn build(d: &Docker, janitor: &Mutex<Janitor>, app: &str, text: &str) -> Result<Built, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, text).unwrap();
    let tag = format!("{}:e2e", unique(&format!("dfslim-e2e-{app}")));
    janitor.lock().unwrap().image(&tag);
    d.build(&file, &app_dir(app), &tag, "dfslim.e2e.test=1", &mut |id| {
        janitor.lock().unwrap().intermediate(id)
    })
    .map(|b| Built {
        tag: tag.clone(),
        seconds: b.seconds,
    })
    .map_err(|f| {
        format!(
            "build failed after {:.1} s:\n{}\n--- Dockerfile:\n{text}",
            f.seconds, f.log_tail
        )
    })
}

/// `GET path` on `addr`: the status and body, or `None` when nothing answered.
pub fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let code = text.strip_prefix("HTTP/")?.split_whitespace().nth(1)?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((code.parse().ok()?, body.to_string()))
}

/// Runs `tag` and checks every (path, body part) answers 200 with it; how
/// long `docker stop` then took, in seconds.
pub fn serves(
    janitor: &Mutex<Janitor>,
    tag: &str,
    port: u16,
    want: &[(String, String)],
) -> Result<f64, String> {
    let name = unique("dfslim-e2e-run");
    janitor.lock().unwrap().container(&name);
    let publish = format!("127.0.0.1::{port}");
    let run = docker(&["run", "-d", "--name", &name, "-p", &publish, tag]);
    let result = (|| {
        if !run.status.success() {
            return Err(format!(
                "docker run: {}",
                String::from_utf8_lossy(&run.stderr)
            ));
        }
        let start = Instant::now();
        for (path, part) in want {
            loop {
                let addr = stdout(&docker(&["port", &name, &format!("{port}/tcp")]))
                    .lines()
                    .find_map(|l| l.parse::<SocketAddr>().ok());
                if let Some((code, body)) = addr.and_then(|a| http_get(a, path)) {
                    if code == 200 && body.contains(part.as_str()) {
                        break;
                    }
                    return Err(format!(
                        "GET {path}: want 200 with {part:?}, got {code} {body:?}"
                    ));
                }
                let running = stdout(&docker(&["inspect", "-f", "{{.State.Running}}", &name]));
                if running != "true" || start.elapsed() > READY {
                    return Err(format!("GET {path}: no answer (running: {running})"));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        let stop = Instant::now();
        docker(&["stop", &name]);
        Ok(stop.elapsed().as_secs_f64())
    })();
    let result = result.map_err(|e| {
        let logs = docker(&["logs", "--tail", "20", &name]);
        format!(
            "{tag}: {e}\ncontainer log:\n{}{}",
            String::from_utf8_lossy(&logs.stdout),
            String::from_utf8_lossy(&logs.stderr)
        )
    });
    docker(&["rm", "-f", &name]);
    result
}

pub fn size_of(tag: &str) -> u64 {
    stdout(&docker(&["image", "inspect", "-f", "{{.Size}}", tag]))
        .parse()
        .unwrap()
}
