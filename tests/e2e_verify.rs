//! `dfslim verify` over a small monorepo of the e2e apps, spread over TWO
//! real Docker engines: the one tests/e2e/engine.sh runs and a second one
//! started here by tests/e2e/engine2.sh (own socket, data root, exec root,
//! pidfile and bridge), loaded with the stand-in base images the files
//! need (`docker save | docker load`, the tar cached).
//!
//! It checks every file's result, that both engines are used, that an
//! engine stopped halfway has its files finished on the other, and that
//! nothing is left behind on either. The second engine is stopped at the
//! end, also when the test fails.
//!
//! `DFSLIM_E2E_VERIFY_TIMINGS=1` (test `monorepo_timings`) times the monorepo with one engine
//! and two, `--jobs` 1 and 2, into target/e2e/verify-timings.md (the
//! numbers of docs/verify.md).

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The monorepo: the Go apps dfslim rewrites today, and apps of other
/// ecosystems it leaves alone for now (verified with --all). Apps that
/// install from the internet at build time are left out: the second engine
/// has no NAT, only the host's registry mirror.
const APPS: &[&str] = &[
    "seed-service",
    "static-service",
    "tz-service",
    "go-runtime-cmds",
    "cgo-service",
    "hygiene-apk",
    "python-flask",
];

/// The seed-shaped apps: level 5 takes them from ~890 MB to a few MB.
const STORY: &[&str] = &["seed-service", "static-service", "tz-service"];

fn script() -> PathBuf {
    common::repo().join("tests/e2e/engine2.sh")
}

fn run_script(args: &[&str]) -> Result<String, String> {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run engine2.sh: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "engine2.sh {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The second engine; stopped when dropped (a failing test unwinds
/// through here too).
struct Engine2 {
    host: String,
}

impl Engine2 {
    fn start() -> Result<Engine2, String> {
        let host = run_script(&["start"])?;
        Ok(Engine2 {
            host: host.lines().last().unwrap_or("").to_string(),
        })
    }

    fn restart(&self) {
        run_script(&["start"]).expect("restart the second engine");
    }

    fn stop(&self) {
        if let Err(e) = run_script(&["stop"]) {
            eprintln!("e2e_verify: {e}");
        }
    }

    fn docker(&self, args: &[&str]) -> Output {
        docker(Some(&self.host), args)
    }
}

impl Drop for Engine2 {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `docker ARGS` on the engine at `host` (None: the first one).
fn docker(host: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new("docker");
    if let Some(h) = host {
        c.env("DOCKER_HOST", h).env_remove("DOCKER_CONTEXT");
    }
    c.args(args).output().expect("run docker")
}

fn lines(o: &Output) -> BTreeSet<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every image (intermediate ones too) and container of an engine.
fn inventory(host: Option<&str>) -> (BTreeSet<String>, BTreeSet<String>) {
    (
        lines(&docker(host, &["images", "-a", "-q", "--no-trunc"])),
        lines(&docker(host, &["ps", "-a", "-q", "--no-trunc"])),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// services/<app> for every app, a dfslim.toml, and a vendored Dockerfile
/// it excludes (dfslim would rewrite it: it must not be verified). Every
/// context holds a file of this run's own, so no `COPY . .` (and no step
/// after it) is taken from a layer cache an earlier run or test left on an
/// engine: with `--cache`, only the original's build feeds the rewrite's.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let apps = common::repo().join("tests/e2e/apps");
    let stamp = format!(
        "{} {:?}\n",
        std::process::id(),
        std::time::SystemTime::now()
    );
    for app in APPS {
        let to = dir.path().join("services").join(app);
        copy_dir(&apps.join(app), &to);
        std::fs::write(to.join(".e2e-run"), &stamp).unwrap();
    }
    copy_dir(
        &apps.join("seed-service"),
        &dir.path().join("vendor/thirdparty"),
    );
    std::fs::write(dir.path().join("dfslim.toml"), "exclude = [\"vendor\"]\n").unwrap();
    dir
}

fn dfslim(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dfslim"));
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn file_of(app: &str) -> String {
    format!("services/{app}/Dockerfile")
}

/// The base images every original and rewrite starts FROM, read from the
/// bake file dfslim emits (so a rewrite that moves to another base next
/// month is still covered).
fn base_images(repo: &Path) -> Vec<String> {
    let out = dfslim(repo, &["verify", "--all", "--emit-bake", "-", "."], &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bake: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut images = BTreeSet::new();
    for t in bake["target"].as_object().unwrap().values() {
        let text = match t["dockerfile-inline"].as_str() {
            Some(s) => s.to_string(),
            None => std::fs::read_to_string(
                repo.join(t["context"].as_str().unwrap())
                    .join(t["dockerfile"].as_str().unwrap()),
            )
            .unwrap(),
        };
        let mut stages = Vec::new();
        for l in text.lines() {
            let w: Vec<&str> = l.split_whitespace().collect();
            if w.first().is_some_and(|k| k.eq_ignore_ascii_case("from")) {
                let args: Vec<&str> = w[1..]
                    .iter()
                    .copied()
                    .filter(|x| !x.starts_with("--"))
                    .collect();
                let Some(image) = args.first() else { continue };
                if *image != "scratch" && !image.contains('$') && !stages.contains(image) {
                    images.insert(image.to_string());
                }
                if args.len() >= 3 && args[1].eq_ignore_ascii_case("as") {
                    stages.push(args[2]);
                }
            }
        }
    }
    images.into_iter().collect()
}

/// Runs `dfslim verify` with its JSON on stdout; returns the JSON, the exit
/// code, stderr and the wall time. `on_line` sees every stderr line as it
/// comes (the progress: `dfslim: FILE: building on ENGINE`, ...).
fn verify(cmd: &mut Command, on_line: &mut dyn FnMut(&str)) -> (Value, Option<i32>, String, f64) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dfslim");
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut { out }, &mut s).unwrap();
        s
    });
    let mut err = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        eprintln!("  {line}");
        on_line(&line);
        err.push_str(&line);
        err.push('\n');
    }
    let status = child.wait().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let stdout = reader.join().unwrap();
    let v: Value = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "verify JSON: {e}\n{}\nstderr:\n{err}",
            String::from_utf8_lossy(&stdout)
        )
    });
    (v, status.code(), err, secs)
}

fn report<'a>(v: &'a Value, app: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["dockerfile"] == file_of(app))
        .unwrap_or_else(|| panic!("no report of {app}: {v:#}"))
}

/// Every file built on both sides and passed its smoke test; what dfslim
/// changes shrank, what it leaves alone was built once.
fn check_results(v: &Value, changed: &BTreeSet<String>) {
    let files = v["files"].as_array().unwrap();
    let shown: Vec<&str> = files
        .iter()
        .map(|f| f["dockerfile"].as_str().unwrap())
        .collect();
    let want: Vec<String> = APPS.iter().map(|a| file_of(a)).collect();
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(
        shown, sorted,
        "every file of the monorepo, nothing vendored"
    );
    for app in APPS {
        let r = report(v, app);
        assert_eq!(r["error"], Value::Null, "{app}: {r:#}");
        for side in ["original", "rewritten"] {
            assert_eq!(r[side]["built"], true, "{app} {side}: {r:#}");
            assert_eq!(r[side]["smoke"], "pass", "{app} {side}: {r:#}");
        }
        let saving = r["saving_bytes"].as_i64().unwrap();
        let original = r["original"]["size_bytes"].as_i64().unwrap();
        if changed.contains(&file_of(app)) {
            assert_eq!(r["changed"], true, "{app}");
            assert!(saving > 0, "{app}: the rewrite is not smaller: {r:#}");
            if STORY.contains(app) {
                assert!(saving * 10 > original * 9, "{app}: saved only {saving}");
            }
        } else {
            assert_eq!(r["changed"], false, "{app}");
            assert_eq!(saving, 0, "{app}");
            assert_eq!(
                r["original"]["image"], r["rewritten"]["image"],
                "built once"
            );
        }
    }
    let t = &v["totals"];
    assert_eq!(t["files"], APPS.len());
    assert_eq!(t["built"], APPS.len());
    assert_eq!(t["errors"], 0);
    assert_eq!(t["smoke_failed"], 0);
}

/// Nothing of the run (process `pid`) is on the first engine: no tag, no
/// container, no labelled image. (That engine is shared with other tests,
/// so its whole inventory cannot be compared.)
fn nothing_left_on_first(v: &Value, pid: u32) {
    for f in v["files"].as_array().unwrap() {
        for side in ["original", "rewritten"] {
            let tag = f[side]["image"].as_str().unwrap();
            if f["engine_name"] != "e2e-one" || tag.is_empty() {
                continue;
            }
            assert!(
                !docker(None, &["image", "inspect", tag]).status.success(),
                "{tag} left on the first engine"
            );
        }
    }
    let ours = format!("dfslim-verify-{pid}-");
    let containers = lines(&docker(None, &["ps", "-a", "--format", "{{.Names}}"]));
    assert!(
        !containers.iter().any(|c| c.starts_with(&ours)),
        "containers left: {containers:?}"
    );
    let labelled = lines(&docker(
        None,
        &[
            "images",
            "-a",
            "--filter",
            "label=dfslim.verify",
            "--format",
            "{{.ID}} {{.Repository}}:{{.Tag}}",
        ],
    ));
    let mine: Vec<&String> = labelled
        .iter()
        .filter(|l| l.contains(&format!("dfslim-verify:{pid}-")))
        .collect();
    assert!(mine.is_empty(), "images left: {mine:?}");
}

/// A private docker config with a context per engine, so the test names
/// them like a user would (and leaves the user's contexts alone).
fn contexts(dir: &Path, second: &str) -> String {
    let config = dir.join("docker-config");
    std::fs::create_dir_all(&config).unwrap();
    let first = String::from_utf8_lossy(
        &docker(
            None,
            &[
                "context",
                "inspect",
                "--format",
                "{{.Endpoints.docker.Host}}",
            ],
        )
        .stdout,
    )
    .trim()
    .to_string();
    for (name, host) in [("e2e-one", first.as_str()), ("e2e-two", second)] {
        let out = Command::new("docker")
            .env("DOCKER_CONFIG", &config)
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .args([
                "context",
                "create",
                name,
                "--docker",
                &format!("host={host}"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "docker context create {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    config.display().to_string()
}

/// The two tests share the second engine: one at a time.
static ENGINE2: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What both tests start from: the second engine up with the base images,
/// the monorepo, a docker config with a context per engine.
struct Setup {
    engine2: Engine2,
    repo: tempfile::TempDir,
    config: String,
    t0: Instant,
}

fn setup(what: &str) -> Option<Setup> {
    if let Err(why) = common::docker_engine() {
        common::skip(what, &why);
        return None;
    }
    let t0 = Instant::now();
    let engine2 = match Engine2::start() {
        Ok(e) => e,
        Err(why) => {
            common::skip(what, &why);
            return None;
        }
    };
    let repo = monorepo();
    let images = base_images(repo.path());
    let mut load = vec!["load"];
    load.extend(images.iter().map(String::as_str));
    run_script(&load).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "e2e_verify: second engine {} up with {} base images in {:.1} s",
        engine2.host,
        images.len(),
        t0.elapsed().as_secs_f64()
    );
    let config = contexts(repo.path(), &engine2.host);
    Some(Setup {
        engine2,
        repo,
        config,
        t0,
    })
}

#[test]
fn monorepo_over_two_engines() {
    let _one = ENGINE2.lock().unwrap_or_else(|e| e.into_inner());
    let Some(Setup {
        engine2,
        repo,
        config,
        t0,
    }) = setup("e2e: verify over two engines")
    else {
        return;
    };
    let env = [("DOCKER_CONFIG", config.as_str())];

    // What dfslim changes here, as `fix --check` says.
    let check = dfslim(repo.path(), &["fix", "--check", "."], &[])
        .output()
        .unwrap();
    let changed: BTreeSet<String> = String::from_utf8_lossy(&check.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    for app in STORY {
        assert!(changed.contains(&file_of(app)), "{changed:?}");
    }

    // ---- A: both engines, the layer cache, smoke tests.
    let before2 = inventory(Some(&engine2.host));
    let mut cmd = dfslim(
        repo.path(),
        &[
            "verify",
            "--all",
            "--smoke",
            "--cache",
            "--jobs",
            "2",
            "--engine",
            "e2e-one,e2e-two",
            "--format",
            "json",
            ".",
        ],
        &env,
    );
    let (v, code, err, secs) = verify(&mut cmd, &mut |_| {});
    assert_eq!(code, Some(0), "{err}\n{v:#}");
    check_results(&v, &changed);
    let engines = v["engines"].as_array().unwrap();
    for (e, name) in engines.iter().zip(["e2e-one", "e2e-two"]) {
        assert_eq!(e["name"], name);
        assert!(
            e["jobs"].as_u64().unwrap() > 0,
            "{name} unused: {engines:?}"
        );
        assert_eq!(e["failed"], Value::Null);
    }
    // The cache: the rewrite of cgo-service (only its go build line
    // changes) took the original's steps up to it (WORKDIR, COPY . .) from
    // the cache and counts what they cost there.
    let cgo = report(&v, "cgo-service");
    let reused = cgo["rewritten"]["reused_seconds"].as_f64().unwrap_or(0.0);
    assert!(reused > 0.0, "{cgo:#}");
    for f in v["files"].as_array().unwrap() {
        let r = &f["rewritten"];
        let reused = r["reused_seconds"].as_f64().unwrap_or(0.0);
        assert!(r["build_seconds"].as_f64().unwrap() >= reused, "{f:#}");
    }
    // Nothing left behind on either engine.
    let pid_a = pid_of(&v);
    nothing_left_on_first(&v, pid_a);
    assert_eq!(
        inventory(Some(&engine2.host)),
        before2,
        "the second engine holds images or containers it did not hold before"
    );
    eprintln!("e2e_verify: A (two engines, --cache, --jobs 2) took {secs:.1} s");

    // ---- B: the second engine is stopped halfway.
    let before2 = inventory(Some(&engine2.host));
    let host2 = engine2.host.clone();
    let mut cmd = dfslim(
        repo.path(),
        &[
            "verify", "--all", "--smoke", "--jobs", "2", "--engine", "e2e-one", "--engine", &host2,
            "--format", "json", ".",
        ],
        &env,
    );
    // Stopped while it builds: its second file, or its first one if the
    // first engine has meanwhile done three (a slow second engine).
    let (mut done_there, mut done_first, mut busy_there, mut stopped) = (0, 0, false, false);
    let on = format!("on {host2}");
    let (v, code, err, secs) = verify(&mut cmd, &mut |line| {
        let finished = line.contains("] ");
        if line.ends_with(&format!(" {on}")) {
            busy_there = !finished;
            done_there += usize::from(finished);
        } else if finished && line.ends_with(" on e2e-one") {
            done_first += 1;
        }
        if !stopped && busy_there && (done_there > 0 || done_first >= 3) {
            std::thread::sleep(Duration::from_secs(2));
            engine2.stop();
            stopped = true;
            eprintln!("e2e_verify: stopped the second engine");
        }
    });
    assert!(stopped, "the second engine was never stopped:\n{err}");
    assert_eq!(code, Some(0), "{err}\n{v:#}");
    check_results(&v, &changed);
    let engines = v["engines"].as_array().unwrap();
    assert_eq!(engines[1]["name"], host2.as_str());
    assert!(
        engines[1]["failed"]
            .as_str()
            .is_some_and(|w| w.contains("stopped answering")),
        "{engines:?}"
    );
    assert!(err.contains(&format!("engine {host2} FAILED")), "{err}");
    let retried: Vec<&Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["retried_after"].is_string())
        .collect();
    assert!(!retried.is_empty(), "no file was retried: {v:#}");
    for f in &retried {
        assert_eq!(f["engine_name"], "e2e-one", "{f:#}");
        assert!(
            f["retried_after"]
                .as_str()
                .unwrap()
                .contains(&format!("the engine {host2} stopped answering")),
            "{f:#}"
        );
    }
    let pid_b = pid_of(&v);
    nothing_left_on_first(&v, pid_b);
    // The stopped engine keeps what the interrupted file had made there: the
    // tags dfslim listed, their layers, the build's container. Once it is
    // back they are removed, and nothing else of the run is there.
    engine2.restart();
    let (images_after, containers_after) = inventory(Some(&engine2.host));
    let may_remain: Vec<&str> = engines[1]["may_remain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let tags = lines(&engine2.docker(&[
        "images",
        "--format",
        "{{.Repository}}:{{.Tag}}",
        "--filter",
        "reference=dfslim-verify",
    ]));
    for t in &tags {
        assert!(
            t.starts_with(&format!("dfslim-verify:{pid_b}-")) && may_remain.contains(&t.as_str()),
            "{t} is on the stopped engine and dfslim did not say so: {may_remain:?}"
        );
    }
    for t in &tags {
        engine2.docker(&["rmi", "-f", t]);
    }
    // A restarted engine restores the interrupted build's step container
    // in its own time (it was seen to appear after the first listing):
    // what is new is removed until nothing new is left.
    let mut left = (images_after, containers_after);
    for _ in 0..40 {
        for c in left.1.difference(&before2.1) {
            engine2.docker(&["rm", "-f", c]);
        }
        for i in left.0.difference(&before2.0) {
            engine2.docker(&["rmi", "-f", i]);
        }
        left = inventory(Some(&engine2.host));
        if left == before2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let states: Vec<String> = left
        .1
        .difference(&before2.1)
        .map(|c| {
            let o = engine2.docker(&["inspect", "-f", "{{.State.Status}} {{.Config.Image}}", c]);
            format!("{c}: {}", String::from_utf8_lossy(&o.stdout).trim())
        })
        .collect();
    assert_eq!(left, before2, "left on the second engine: {states:?}");
    eprintln!(
        "e2e_verify: B (second engine stopped halfway, {} file(s) retried) took {secs:.1} s; \
         it kept {} tag(s) of the interrupted file",
        retried.len(),
        tags.len()
    );

    interrupted(repo.path(), &env, &engine2);
    eprintln!("e2e_verify: done in {:.1} s", t0.elapsed().as_secs_f64());
}

/// `DFSLIM_E2E_VERIFY_TIMINGS=1`: the wall times of docs/verify.md (not a
/// check; off by default, and on CI, because it takes a quarter of an hour).
#[test]
fn monorepo_timings() {
    if std::env::var_os("DFSLIM_E2E_VERIFY_TIMINGS").is_none() {
        eprintln!("e2e_verify: timings not asked for (DFSLIM_E2E_VERIFY_TIMINGS=1)");
        return;
    }
    let _one = ENGINE2.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = setup("e2e: verify timings") else {
        return;
    };
    let env = [("DOCKER_CONFIG", s.config.as_str())];
    timings(s.repo.path(), &env);
    eprintln!(
        "e2e_verify: timings done in {:.1} s",
        s.t0.elapsed().as_secs_f64()
    );
}

/// ---- C: Ctrl-C while both engines build. dfslim runs in a process group
/// of its own, as a shell runs a foreground job, and the whole group gets
/// SIGINT, as from a terminal. Each engine's janitor (in a group of its
/// own) must then remove what was made there.
fn interrupted(repo: &Path, env: &[(&str, &str)], engine2: &Engine2) {
    use std::os::unix::process::CommandExt;
    let before2 = inventory(Some(&engine2.host));
    let mut cmd = dfslim(
        repo,
        &[
            "verify",
            "--all",
            "--smoke",
            "--jobs",
            "2",
            "--engine",
            "e2e-one,e2e-two",
            ".",
        ],
        env,
    );
    cmd.process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run dfslim");
    let pid = child.id();
    let mut building = BTreeSet::new();
    let mut sent = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        eprintln!("  {line}");
        for e in ["e2e-one", "e2e-two"] {
            if line.ends_with(&format!(": building on {e}")) {
                building.insert(e);
            }
        }
        if !sent && building.len() == 2 {
            std::thread::sleep(Duration::from_secs(4));
            let kill = Command::new("kill")
                .args(["-INT", "--", &format!("-{pid}")])
                .status()
                .unwrap();
            assert!(kill.success());
            sent = true;
            eprintln!("e2e_verify: Ctrl-C (SIGINT to the process group {pid})");
        }
    }
    let status = child.wait().unwrap();
    assert!(sent, "both engines never built at once");
    assert!(!status.success(), "dfslim was not interrupted: {status:?}");
    // The janitors outlive dfslim: give them the time to finish.
    let start = Instant::now();
    let ours = format!("dfslim-verify-{pid}-");
    let tagged = format!("dfslim-verify:{pid}-");
    let leftovers = |host: Option<&str>| -> Vec<String> {
        let mut left: Vec<String> = lines(&docker(host, &["ps", "-a", "--format", "{{.Names}}"]))
            .into_iter()
            .filter(|c| c.starts_with(&ours))
            .collect();
        left.extend(
            lines(&docker(
                host,
                &["images", "--format", "{{.Repository}}:{{.Tag}}"],
            ))
            .into_iter()
            .filter(|t| t.starts_with(&tagged)),
        );
        left
    };
    loop {
        let first = leftovers(None);
        let second = inventory(Some(&engine2.host));
        if first.is_empty() && second == before2 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "left behind after Ctrl-C: first engine {first:?}; second engine: images {:?}, \
             containers {:?}",
            second.0.difference(&before2.0).collect::<Vec<_>>(),
            second.1.difference(&before2.1).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    eprintln!(
        "e2e_verify: C (Ctrl-C over both engines): all removed {:.1} s after dfslim stopped",
        start.elapsed().as_secs_f64()
    );
}

/// The dfslim process of a run, from its tags (`dfslim-verify:PID-...`).
fn pid_of(v: &Value) -> u32 {
    let tag = v["files"][0]["original"]["image"].as_str().unwrap();
    tag.trim_start_matches("dfslim-verify:")
        .split('-')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {tag}"))
}

/// The monorepo with one engine and with two, `--jobs` 1 and 2, without the
/// cache: the table of docs/verify.md, in target/e2e/verify-timings.md.
fn timings(repo: &Path, env: &[(&str, &str)]) {
    let runs: [(&str, &[&str]); 5] = [
        (
            "one engine, --jobs 1",
            &["--engine", "e2e-one", "--jobs", "1"],
        ),
        (
            "one engine, --jobs 2",
            &["--engine", "e2e-one", "--jobs", "2"],
        ),
        (
            "two engines, --jobs 1",
            &["--engine", "e2e-one,e2e-two", "--jobs", "1"],
        ),
        (
            "two engines, --jobs 2",
            &["--engine", "e2e-one,e2e-two", "--jobs", "2"],
        ),
        (
            "two engines, default --jobs",
            &["--engine", "e2e-one,e2e-two"],
        ),
    ];
    let mut table = String::from(
        "| run | wall time | builds summed | load average (1 min) before |\n|---|--:|--:|--:|\n",
    );
    for (what, args) in runs {
        let load = std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
            .to_string();
        let mut all = vec!["verify", "--all", "--smoke", "--format", "json"];
        all.extend_from_slice(args);
        all.push(".");
        let (v, code, err, secs) = verify(&mut dfslim(repo, &all, env), &mut |_| {});
        assert_eq!(code, Some(0), "{what}: {err}");
        let builds: f64 = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let o = f["original"]["build_seconds"].as_f64().unwrap_or(0.0);
                let r = f["rewritten"]["build_seconds"].as_f64().unwrap_or(0.0);
                if f["changed"] == true { o + r } else { o }
            })
            .sum();
        let row = format!("| {what} | {secs:.0} s | {builds:.0} s | {load} |\n");
        eprint!("e2e_verify timings: {row}");
        table.push_str(&row);
    }
    let out = common::repo().join("target/e2e/verify-timings.md");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, table).unwrap();
}
