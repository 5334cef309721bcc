//! The smoke test: does a container of the image start, stay up and serve?
//!
//! It passes when the container is still running after a settle time (or
//! has exited 0: a one-shot program) and every exposed TCP port, published
//! on a loopback port of the engine's host, accepts a connection; a port
//! that speaks HTTP must answer a `GET /` with a status below 500 (any
//! page, even a 404, shows the program serves; a 5xx is a broken service,
//! e.g. a template file the rewrite forgot). The proof of "accepts" is an
//! answer or a connection held open: Docker's userland proxy accepts on the
//! published port even when nothing listens behind it, then closes at once.

use super::docker::Docker;
use serde::Serialize;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The verdict, as the JSON report spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Smoke {
    Pass,
    Fail,
    Skipped,
}

impl Smoke {
    pub fn as_str(self) -> &'static str {
        match self {
            Smoke::Pass => "pass",
            Smoke::Fail => "fail",
            Smoke::Skipped => "skipped",
        }
    }
}

/// How long to wait.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// A container must still run (or have exited 0) this long after its start.
    pub settle: Duration,
    /// How long a port may take to answer.
    pub ready: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            settle: Duration::from_secs(3),
            ready: Duration::from_secs(30),
        }
    }
}

/// What the smoke test of one image found.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub smoke: Smoke,
    /// What was seen, e.g. `HTTP 200 on :8089 after 0.4 s; running after 3 s`.
    pub detail: String,
    /// The container's last log lines, when it failed.
    pub logs: Option<String>,
}

/// Lines of a failing container's log to show.
const LOG_LINES: &str = "30";

/// Runs `image` as container `name` (which the caller has registered for
/// cleanup), probes `ports`, and removes the container.
pub fn run(docker: &Docker, image: &str, name: &str, ports: &[u16], timing: Timing) -> Outcome {
    let mut cmd = docker.command();
    cmd.args(["run", "--detach", "--name", name]);
    for p in ports {
        cmd.args(["--publish", &format!("127.0.0.1::{p}")]);
    }
    let started = cmd.arg(image).output();
    let start = Instant::now();
    let mut outcome = match started {
        Ok(o) if o.status.success() => watch(docker, name, ports, timing, start),
        Ok(o) => fail(format!(
            "docker run failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => fail(format!("cannot run docker: {e}")),
    };
    if outcome.smoke == Smoke::Fail {
        outcome.logs = logs(docker, name);
    }
    let _ = docker
        .command()
        .args(["rm", "--force", name])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    outcome
}

fn fail(detail: String) -> Outcome {
    Outcome {
        smoke: Smoke::Fail,
        detail,
        logs: None,
    }
}

fn watch(docker: &Docker, name: &str, ports: &[u16], timing: Timing, start: Instant) -> Outcome {
    let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    let mut seen = Vec::new();
    for &port in ports {
        let deadline = start + timing.ready;
        let mut addr = None;
        loop {
            if addr.is_none() {
                addr = published(docker, name, port);
            }
            let last = addr.map_or(Answer::Nothing, probe);
            match last {
                Answer::Http(code) if code < 500 => {
                    seen.push(format!(
                        "HTTP {code} on :{port} after {}",
                        secs(start.elapsed())
                    ));
                    break;
                }
                Answer::Tcp => {
                    seen.push(format!(":{port} accepts connections (not HTTP)"));
                    break;
                }
                _ => {}
            }
            if let State::Exited(code) = state(docker, name) {
                return fail(format!(
                    "exited with code {code} after {}, before :{port} answered",
                    secs(start.elapsed())
                ));
            }
            if Instant::now() >= deadline {
                let what = match last {
                    Answer::Http(code) => format!("answered HTTP {code}"),
                    _ => "accepted no connection".to_string(),
                };
                return fail(format!(
                    ":{port} {what} within {}{}",
                    secs(timing.ready),
                    remote_hint(docker)
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // Still up after the settle time, or done with exit code 0.
    loop {
        match state(docker, name) {
            State::Exited(0) => {
                seen.push(format!("exited 0 after {}", secs(start.elapsed())));
                break;
            }
            State::Exited(code) => {
                seen.push(format!(
                    "exited with code {code} after {}",
                    secs(start.elapsed())
                ));
                return fail(seen.join("; "));
            }
            State::Running if start.elapsed() >= timing.settle => {
                seen.push(format!("running after {}", secs(timing.settle)));
                break;
            }
            State::Running => std::thread::sleep(Duration::from_millis(200)),
            State::Unknown(why) => return fail(format!("cannot inspect the container: {why}")),
        }
    }
    Outcome {
        smoke: Smoke::Pass,
        detail: seen.join("; "),
        logs: None,
    }
}

enum State {
    Running,
    Exited(i64),
    Unknown(String),
}

fn state(docker: &Docker, name: &str) -> State {
    let out = docker
        .command()
        .args([
            "container",
            "inspect",
            "--format",
            "{{.State.Running}} {{.State.ExitCode}}",
            name,
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut it = text.split_whitespace();
            match (it.next(), it.next().and_then(|c| c.parse().ok())) {
                (Some("true"), _) => State::Running,
                (Some("false"), Some(code)) => State::Exited(code),
                _ => State::Unknown(text.trim().to_string()),
            }
        }
        Ok(o) => State::Unknown(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => State::Unknown(e.to_string()),
    }
}

/// The host address Docker published container port `port` on.
fn published(docker: &Docker, name: &str, port: u16) -> Option<SocketAddr> {
    let out = docker
        .command()
        .args(["port", name, &format!("{port}/tcp")])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.trim().parse().ok())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// An HTTP response with this status.
    Http(u16),
    /// Bytes that are not HTTP, or a connection held open in silence.
    Tcp,
    /// Refused, or closed without a byte (the proxy found no listener).
    Nothing,
}

/// Connects, sends `GET /`, and reads the start of the answer.
fn probe(addr: SocketAddr) -> Answer {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return Answer::Nothing;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(1)));
    let request = "GET / HTTP/1.0\r\nHost: localhost\r\nUser-Agent: dfslim-verify\r\n\r\n";
    if s.write_all(request.as_bytes()).is_err() {
        return Answer::Nothing;
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64];
    while buf.len() < 12 {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if buf.is_empty()
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
            {
                return Answer::Tcp;
            }
            Err(_) => break,
        }
    }
    read_answer(&buf)
}

fn read_answer(buf: &[u8]) -> Answer {
    if buf.is_empty() {
        return Answer::Nothing;
    }
    let text = String::from_utf8_lossy(buf);
    let code = text
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok());
    code.map_or(Answer::Tcp, Answer::Http)
}

/// The last log lines of container `name`.
fn logs(docker: &Docker, name: &str) -> Option<String> {
    let out = docker
        .command()
        .args(["logs", "--tail", LOG_LINES, name])
        .output()
        .ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let text = text.trim_end().to_string();
    (!text.is_empty()).then_some(text)
}

/// Why a port may be out of reach: the engine is on another machine and the
/// port is published on its loopback.
fn remote_hint(docker: &Docker) -> String {
    if let super::docker::Endpoint::Context(c) = &docker.endpoint {
        return format!(
            " (if context {c} is an engine on another machine, it publishes on its own \
             loopback, out of reach from here)"
        );
    }
    let host = docker.endpoint.host().unwrap_or_default();
    let local = host.is_empty()
        || host.starts_with("unix://")
        || host.starts_with("npipe://")
        || ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .any(|h| host.contains(&format!("://{h}")));
    if local {
        String::new()
    } else {
        format!(" (the engine at {host} publishes on its own loopback, out of reach from here)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(read_answer(b"HTTP/1.0 200 OK\r\n"), Answer::Http(200));
        assert_eq!(read_answer(b"HTTP/1.1 404 Not Found"), Answer::Http(404));
        assert_eq!(read_answer(b"-ERR unknown command"), Answer::Tcp);
        assert_eq!(read_answer(b""), Answer::Nothing);
    }

    #[test]
    fn a_closed_port_is_nothing_and_a_silent_one_is_tcp() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap();
        let held = std::thread::spawn(move || silent.accept().map(|(s, _)| s));
        assert_eq!(probe(addr), Answer::Tcp);
        drop(held.join());

        let closing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = closing.local_addr().unwrap();
        let t = std::thread::spawn(move || drop(closing.accept()));
        assert_eq!(probe(addr), Answer::Nothing);
        t.join().unwrap();
    }
}
