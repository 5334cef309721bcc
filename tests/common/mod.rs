//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod e2e;
pub mod steps;

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus of real Dockerfiles, when this checkout has it.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("DFSLIM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

/// Every `*.Dockerfile` under `dir`, sorted.
pub fn dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "Dockerfile") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// True on CI, where a missing tool is a failure, never a skip.
pub fn on_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Reports a part skipped because shared data (../shared) is not in this
/// checkout: said out loud, never silent, and not a failure even on CI,
/// where the folder may not exist.
pub fn skip_without_data(what: &str, why: &str) {
    eprintln!("SKIPPED {what}: {why}");
}

/// Reports a skipped part loudly (and fails on CI).
pub fn skip(what: &str, why: &str) {
    if on_ci() {
        panic!("{what} cannot run on CI: {why}");
    }
    eprintln!("SKIPPED {what}: {why}");
}

/// The python of the virtualenv with BuildKit's parser, made on first use.
pub fn buildkit_python() -> Result<PathBuf, String> {
    let out = Command::new("bash")
        .arg(repo().join("tests/buildkit/setup.sh"))
        .output()
        .map_err(|e| format!("cannot run tests/buildkit/setup.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tests/buildkit/setup.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let py = stdout.lines().last().unwrap_or("").trim().to_string();
    Ok(PathBuf::from(py))
}

/// BuildKit's reading of `files`, one JSON object per file (see tests/buildkit/dump.py).
pub fn buildkit_dump(py: &Path, files: &[PathBuf]) -> Vec<serde_json::Value> {
    let out = Command::new(py)
        .arg(repo().join("tests/buildkit/dump.py"))
        .args(files)
        .output()
        .expect("run dump.py");
    assert!(
        out.status.success(),
        "dump.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("dump.py JSON")
}

/// The hadolint binary of the test virtualenv, made on first use.
pub fn hadolint() -> Result<PathBuf, String> {
    let out = Command::new("bash")
        .arg(repo().join("tests/hadolint/setup.sh"))
        .output()
        .map_err(|e| format!("cannot run tests/hadolint/setup.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tests/hadolint/setup.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    Ok(PathBuf::from(stdout.lines().last().unwrap_or("").trim()))
}

/// A Docker engine with the stand-in base images, made on first use by
/// tests/e2e/engine.sh (only when `docker info` fails),
/// tests/e2e/mirror.sh (the package-registry mirrors builds install from) and
/// tests/e2e/base-images.sh (a no-op when the images exist). `Err` says why
/// there is none; callers [`skip`] with it, which fails on CI.
pub fn docker_engine() -> Result<(), String> {
    static READY: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let start = std::time::Instant::now();
            let up = || {
                Command::new("docker")
                    .arg("info")
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            let script = |name: &str| -> Result<(), String> {
                let out = Command::new("bash")
                    .arg(repo().join("tests/e2e").join(name))
                    .output()
                    .map_err(|e| format!("cannot run tests/e2e/{name}: {e}"))?;
                if out.status.success() {
                    return Ok(());
                }
                let err = String::from_utf8_lossy(&out.stderr);
                let tail: Vec<&str> = err.lines().rev().take(15).collect();
                Err(format!(
                    "tests/e2e/{name} failed ({}):\n{}",
                    out.status,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ))
            };
            if !up() {
                script("engine.sh")?;
            }
            // The registry mirrors first: stand-ins may fill them as they are made.
            script("mirror.sh")?;
            script("base-images.sh")?;
            eprintln!(
                "e2e: Docker engine and stand-in base images ready in {:.1} s",
                start.elapsed().as_secs_f64()
            );
            Ok(())
        })
        .clone()
}

pub type RealRun = (
    PathBuf,
    String,
    String,
    dfslim::analysis::Targets,
    Option<dfslim::analysis::BuildContext>,
);

/// Every Dockerfile under `root` rewritten at level 5 the way `dfslim fix`
/// does it (compose contexts and targets, dfslim.toml), as (path, input,
/// output, targets, context).
pub fn realworld_runs(root: &Path) -> Vec<RealRun> {
    let cwd = std::env::current_dir().unwrap();
    let found = dfslim::walk::discover(&[root.to_path_buf()], &dfslim::walk::Filter::default());
    let (builds, _) = dfslim::compose::map_all(&found.composes, &cwd);
    let plan = dfslim::fix::Plan {
        compose: builds,
        cwd: cwd.clone(),
        ..dfslim::fix::Plan::default()
    };
    let mut out = Vec::new();
    for f in found.files.iter().flatten() {
        let job = plan.job(f);
        let ctx = job
            .context
            .as_deref()
            .map(dfslim::analysis::BuildContext::load);
        let report = job.run(
            dfslim::fix::Mode::DryRun,
            ctx.as_ref(),
            &dfslim::digest::None,
        );
        if let dfslim::report::FileOutcome::Done(r) = report.outcome {
            out.push((f.clone(), r.original, r.output, job.targets.clone(), ctx));
        }
    }
    out
}
