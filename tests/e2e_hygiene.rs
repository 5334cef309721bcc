//! End-to-end truth for the hygiene steps (ecosystem `any`): each app's
//! naive Dockerfile and dfslim's rewrites with one hygiene step at a time,
//! then all of them (`--only any`), built with a real engine and run: each
//! still answers what tests/e2e/apps/checks.tsv wants, and each step makes
//! the image smaller. Prints the bytes each step saves (docs/hygiene.md
//! has the numbers).
//!
//! Like tests/e2e.rs it sets up the engine and the stand-in images itself
//! (`common::docker_engine`), and without one prints SKIPPED and the
//! reason, except on CI where it fails. Images and containers are removed
//! by the janitor, also when a test panics.

mod common;

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::verify::cleanup::Janitor;
use dfslim::verify::docker::Docker;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a container may take to answer.
const READY: Duration = Duration::from_secs(60);

fn engine(what: &str) -> Option<Docker> {
    if let Err(why) = common::docker_engine() {
        common::skip(what, &why);
        return None;
    }
    Some(Docker::probe().unwrap_or_else(|e| panic!("the engine was started but: {e}")))
}

fn app_dir(app: &str) -> PathBuf {
    common::repo().join("tests/e2e/apps").join(app)
}

/// dfslim's rewrite of `app` with only `only` (a step id, or `any`).
fn rewrite(app: &str, only: &str) -> pipeline::Run {
    let text = std::fs::read_to_string(app_dir(app).join("Dockerfile")).unwrap();
    let selection = Selection {
        only: Some(vec![only.to_string()]),
        ..Selection::default()
    };
    let ctx = BuildContext::load(&app_dir(app));
    pipeline::run(&text, &selection, Some(&ctx)).unwrap()
}

fn checks(app: &str) -> (u16, Vec<(String, String)>) {
    let tsv = std::fs::read_to_string(common::repo().join("tests/e2e/apps/checks.tsv")).unwrap();
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

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("run docker")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Builds `text` with the app's directory as context: the image's tag.
fn build(d: &Docker, janitor: &Mutex<Janitor>, app: &str, text: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, text).unwrap();
    let tag = format!("{}:e2e", unique(&format!("dfslim-e2e-{app}")));
    janitor.lock().unwrap().image(&tag);
    d.build(&file, &app_dir(app), &tag, "dfslim.e2e.test=1", &mut |id| {
        janitor.lock().unwrap().intermediate(id)
    })
    .map(|_| tag.clone())
    .map_err(|f| {
        format!(
            "build failed after {:.1} s:\n{}\n--- Dockerfile:\n{text}",
            f.seconds, f.log_tail
        )
    })
}

fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let code = text.strip_prefix("HTTP/")?.split_whitespace().nth(1)?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((code.parse().ok()?, body.to_string()))
}

/// Runs `tag` and checks every (path, body part) answers 200 with it.
fn serves(
    janitor: &Mutex<Janitor>,
    tag: &str,
    port: u16,
    want: &[(String, String)],
) -> Result<(), String> {
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
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
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

fn size_of(tag: &str) -> u64 {
    stdout(&docker(&["image", "inspect", "-f", "{{.Size}}", tag]))
        .parse()
        .unwrap()
}

/// Builds and runs `app`'s naive Dockerfile, each of `steps` alone, and all
/// hygiene steps together; every image must answer, and every step must
/// make it smaller. Returns (variant, bytes) for the report.
fn measure(d: &Docker, app: &str, steps: &[&str]) -> Vec<(String, u64)> {
    // One app at a time (its variants side by side): the machine is small.
    static ONE: Mutex<()> = Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let start = Instant::now();
    let naive = std::fs::read_to_string(app_dir(app).join("Dockerfile")).unwrap();
    let mut variants = vec![("naive".to_string(), naive)];
    for only in steps.iter().copied().chain(["any"]) {
        let run = rewrite(app, only);
        for id in steps.iter().filter(|id| only == "any" || **id == only) {
            let s = run.steps.iter().find(|s| s.id == *id).unwrap();
            assert!(
                matches!(s.status, Status::Applied { .. }),
                "{app}: {id} did not apply: {:?}",
                s.status
            );
        }
        variants.push((only.to_string(), run.output));
    }
    let janitor = Mutex::new(Janitor::start(&d.program, false));
    let (port, want) = checks(app);
    // Side by side: each result is the image's size or why not.
    let results: Vec<Result<u64, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = variants
            .iter()
            .map(|(_, text)| {
                let (janitor, want) = (&janitor, &want);
                s.spawn(move || {
                    let tag = build(d, janitor, app, text)?;
                    serves(janitor, &tag, port, want)?;
                    Ok(size_of(&tag))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sizes = Vec::new();
    let mut problems = Vec::new();
    for ((name, _), r) in variants.iter().zip(results) {
        match r {
            Ok(size) => sizes.push((name.clone(), size)),
            Err(e) => problems.push(format!("{app} {name}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    let before = sizes[0].1;
    for (name, size) in &sizes {
        let saved = before as i64 - *size as i64;
        eprintln!("e2e hygiene: {app:<13} {name:<18} {size:>13} bytes, saves {saved:>11} bytes");
    }
    for (name, size) in &sizes[1..] {
        assert!(
            *size < before,
            "{app}: {name} does not make the image smaller: {size} >= {before}"
        );
    }
    eprintln!(
        "e2e hygiene: {app} took {:.1} s",
        start.elapsed().as_secs_f64()
    );
    sizes
}

/// Debian + `apt-get update && apt-get install -y curl libsqlite3-0`, whose
/// HEALTHCHECK runs curl: the lists go, the recommends go but
/// ca-certificates (added back for curl), and the server still answers.
#[test]
fn hygiene_apt_lists_and_recommends() {
    let Some(d) = engine("e2e: hygiene-apt") else {
        return;
    };
    let sizes = measure(&d, "hygiene-apt", &["apt-lists", "apt-no-recommends"]);
    // Both together save more than either alone.
    let any = sizes.iter().find(|s| s.0 == "any").unwrap().1;
    assert!(sizes[1..3].iter().all(|s| any < s.1), "{sizes:?}");
    // The health check still finds curl.
    let run = rewrite("hygiene-apt", "any");
    assert!(run.output.contains("curl"), "{}", run.output);
}

/// Alpine + `apk update && apk add ca-certificates tzdata`.
#[test]
fn hygiene_apk_no_cache() {
    let Some(d) = engine("e2e: hygiene-apk") else {
        return;
    };
    measure(&d, "hygiene-apk", &["apk-no-cache"]);
}

/// python slim + `pip install -r requirements.txt` (numpy, aiohttp).
#[test]
fn hygiene_pip_no_cache() {
    let Some(d) = engine("e2e: hygiene-pip") else {
        return;
    };
    measure(&d, "hygiene-pip", &["pip-no-cache"]);
}

/// node + `npm install` (express): npm's cache goes in the same RUN.
#[test]
fn hygiene_npm_cache() {
    let Some(d) = engine("e2e: node-express hygiene") else {
        return;
    };
    measure(&d, "node-express", &["npm-cache"]);
}
