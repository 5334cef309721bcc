//! End-to-end truth for the hygiene steps (ecosystem `any`): each app's
//! naive Dockerfile and dfslim's rewrites with one hygiene step at a time,
//! then all of them (`--only any`), built with a real engine and run: each
//! still answers what tests/e2e/apps/checks.tsv wants, and each step makes
//! the image smaller; at a level where only hygiene steps change the file,
//! `dfslim verify --smoke` passes too. Prints the bytes each step saves
//! (docs/hygiene.md has the numbers).
//!
//! Like tests/e2e.rs it sets up the engine and the stand-in images itself
//! (`common::docker_engine`), and without one prints SKIPPED and the
//! reason, except on CI where it fails. Images and containers are removed
//! by the janitor, also when a test panics.

mod common;

use common::e2e::{app_dir, build, checks, dockerfile, engine, serves, size_of};
use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::verify::cleanup::Janitor;
use dfslim::verify::docker::Docker;
use std::sync::Mutex;
use std::time::Instant;

/// dfslim's rewrite of `app` with only `only` (a step id, or `any`).
fn rewrite(app: &str, only: &str) -> pipeline::Run {
    let selection = Selection {
        only: Some(vec![only.to_string()]),
        ..Selection::default()
    };
    let ctx = BuildContext::load(&app_dir(app));
    pipeline::run(&dockerfile(app), &selection, Some(&ctx)).unwrap()
}

/// Builds and runs `app`'s naive Dockerfile, each of `steps` alone, and all
/// hygiene steps together; every image must answer, and every step must
/// make it smaller. At `verify` (a level where only hygiene steps change
/// the file), `dfslim verify --smoke` must pass too. Returns (variant,
/// bytes) for the report.
fn measure(d: &Docker, app: &str, steps: &[&str], verify: Option<u8>) -> Vec<(String, u64)> {
    // One app at a time (its variants side by side): the machine is small.
    static ONE: Mutex<()> = Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let start = Instant::now();
    let mut variants = vec![("naive".to_string(), dockerfile(app))];
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
                    let built = build(d, janitor, app, text)?;
                    serves(janitor, &built.tag, port, want)?;
                    Ok(size_of(&built.tag))
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
    if let Some(level) = verify {
        verify_smoke(app, level, &variants.last().unwrap().1);
    }
    eprintln!(
        "e2e hygiene: {app} took {:.1} s",
        start.elapsed().as_secs_f64()
    );
    sizes
}

/// `dfslim verify --smoke` at `level`, whose rewrite must be `hygiene`
/// (only hygiene steps change the file there): both images build and
/// run, and the rewrite is smaller.
fn verify_smoke(app: &str, level: u8, hygiene: &str) {
    let selection = Selection {
        level,
        ..Selection::default()
    };
    let ctx = BuildContext::load(&app_dir(app));
    let at_level = pipeline::run(&dockerfile(app), &selection, Some(&ctx)).unwrap();
    assert_eq!(
        at_level.output, hygiene,
        "{app}: level {level} is not only hygiene"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dfslim"))
        .args(["verify", "--smoke", "--format", "json", "--level"])
        .arg(level.to_string())
        .arg(app_dir(app).join("Dockerfile"))
        .output()
        .expect("run dfslim verify");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{app}: dfslim verify printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{app}: dfslim verify --smoke: {v:#}"
    );
    assert_eq!(v["original"]["smoke"], "pass", "{v:#}");
    assert_eq!(v["rewritten"]["smoke"], "pass", "{v:#}");
    assert!(v["saving_bytes"].as_i64().unwrap() > 0, "{v:#}");
    eprintln!(
        "e2e hygiene: {app} dfslim verify --smoke --level {level}: pass, saves {} bytes",
        v["saving_bytes"]
    );
}

/// Debian + `apt-get update && apt-get install -y curl libsqlite3-0`, whose
/// HEALTHCHECK runs curl: the lists go, the recommends go but
/// ca-certificates (added back for curl), and the server still answers.
#[test]
fn hygiene_apt_lists_and_recommends() {
    let Some(d) = engine("e2e: hygiene-apt") else {
        return;
    };
    let sizes = measure(
        &d,
        "hygiene-apt",
        &["apt-lists", "apt-no-recommends"],
        Some(3),
    );
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
    measure(&d, "hygiene-apk", &["apk-no-cache"], Some(1));
}

/// python slim + `pip install -r requirements.txt` (numpy, aiohttp).
#[test]
fn hygiene_pip_no_cache() {
    let Some(d) = engine("e2e: hygiene-pip") else {
        return;
    };
    measure(&d, "hygiene-pip", &["pip-no-cache"], Some(1));
}

/// node + `npm install` (express): npm's cache goes in the same RUN.
#[test]
fn hygiene_npm_cache() {
    let Some(d) = engine("e2e: node-express hygiene") else {
        return;
    };
    // Level 1 also moves node-express to node:20-slim: no verify here.
    measure(&d, "node-express", &["npm-cache"], None);
}
