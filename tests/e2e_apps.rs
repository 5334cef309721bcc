//! End-to-end, per ecosystem: each app of tests/e2e/apps/ with the naive
//! Dockerfile people write is rewritten at every level with its build
//! context; every distinct output is built on the real engine with the
//! stand-in images, run, and must answer what checks.tsv says; sizes never
//! grow from one level to the next; the steps each app exists to exercise
//! (a refusal that keeps it working, a transform that must apply) are
//! checked; and the highest level goes through `dfslim verify --smoke` too.
//! Prints a table of sizes per level (the README's numbers).

mod common;

use common::e2e::{Built, app_dir, build, checks, dockerfile, engine, serves, size_of};
use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::verify::cleanup::Janitor;
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// What a step must have done at a level.
enum Want {
    Applied,
    /// Refused, skipped or not applicable, with this in the reason.
    Not(&'static str),
}

struct App {
    name: &'static str,
    /// (level, transform, what it must have done).
    steps: &'static [(u8, &'static str, Want)],
    /// Level `.1` at least `.2` times smaller than level `.0`.
    ratio: Option<(u8, u8, f64)>,
}

/// Sizes may differ by a few bytes between builds of the same thing
/// (timestamps in build outputs); a level "grows" beyond this.
const SLACK: u64 = 64 * 1024;

fn rewrite(app: &str, level: u8) -> pipeline::Run {
    let selection = Selection {
        level,
        ..Selection::default()
    };
    let ctx = BuildContext::load(&app_dir(app));
    pipeline::run(&dockerfile(app), &selection, Some(&ctx)).expect("the app's Dockerfile parses")
}

/// Builds and runs the app at every level; the image sizes by level 0..5
/// (none without an engine).
fn check_app(app: &App) -> Vec<u64> {
    let Some(d) = engine(&format!("e2e: {} at every level", app.name)) else {
        return Vec::new();
    };
    let start = Instant::now();
    let runs: Vec<Option<pipeline::Run>> = (0..=5u8)
        .map(|l| (l > 0).then(|| rewrite(app.name, l)))
        .collect();
    let texts: Vec<String> = runs
        .iter()
        .map(|r| {
            r.as_ref()
                .map_or_else(|| dockerfile(app.name), |r| r.output.clone())
        })
        .collect();
    // What each level must have done.
    for (level, id, want) in app.steps {
        let run = runs[*level as usize].as_ref().expect("a level above 0");
        let step = run
            .steps
            .iter()
            .find(|s| s.id == *id)
            .expect("a known transform");
        match (want, &step.status) {
            (Want::Applied, Status::Applied { .. }) => {}
            (
                Want::Not(why),
                Status::Refused(m) | Status::Skipped(m) | Status::NotApplicable(m),
            ) if m.to_string().contains(why) => {}
            (_, other) => panic!(
                "{}: level {level}: {id} should be {}: {other:?}\n--- output:\n{}",
                app.name,
                match want {
                    Want::Applied => "applied".to_string(),
                    Want::Not(w) => format!("left out with {w:?}"),
                },
                run.output
            ),
        }
    }
    // Build each distinct text once, side by side.
    let mut distinct: Vec<&String> = Vec::new();
    for t in &texts {
        if !distinct.contains(&t) {
            distinct.push(t);
        }
    }
    let janitor = Mutex::new(Janitor::start(&d.program, false));
    let (port, want) = checks(app.name);
    let results: Vec<Result<(Built, f64), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = distinct
            .iter()
            .map(|text| {
                let (d, janitor, want) = (&d, &janitor, &want);
                s.spawn(move || {
                    let built = build(d, janitor, app.name, text)?;
                    let stop = serves(janitor, &built.tag, port, want)?;
                    Ok((built, stop))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut problems = Vec::new();
    let mut sizes = Vec::new();
    for (level, t) in texts.iter().enumerate() {
        let k = distinct.iter().position(|d| *d == t).unwrap();
        match &results[k] {
            Ok((b, stop)) => {
                let size = size_of(&b.tag);
                eprintln!(
                    "e2e: {} level {level}: {size:>13} bytes, built in {:5.1} s, answers; docker stop {stop:.1} s",
                    app.name, b.seconds
                );
                sizes.push(size);
            }
            Err(e) => {
                problems.push(format!("level {level}: {e}"));
                sizes.push(0);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}: {}",
        app.name,
        problems.join("\n\n")
    );
    for l in 1..sizes.len() {
        assert!(
            sizes[l] <= sizes[l - 1] + SLACK,
            "{}: the level-{l} image ({} bytes) is bigger than level {} ({} bytes)\n--- level {l}:\n{}",
            app.name,
            sizes[l],
            l - 1,
            sizes[l - 1],
            texts[l]
        );
    }
    if let Some((a, b, ratio)) = app.ratio {
        let got = sizes[a as usize] as f64 / sizes[b as usize] as f64;
        assert!(
            got >= ratio,
            "{}: level {b} is {got:.2}x smaller than level {a}, the target is {ratio}x",
            app.name
        );
    }
    // The CLI's own proof at the highest level that changes something.
    let top = (1..=5u8).rev().find(|&l| texts[l as usize] != texts[0]);
    if let Some(level) = top {
        let out = Command::new(env!("CARGO_BIN_EXE_dfslim"))
            .args(["verify", "--smoke", "--format", "json", "--level"])
            .arg(level.to_string())
            .arg(app_dir(app.name).join("Dockerfile"))
            .output()
            .expect("run dfslim verify");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: dfslim verify printed no JSON ({e}): {}",
                app.name,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: dfslim verify --smoke at level {level}: {v:#}",
            app.name
        );
        assert_eq!(v["original"]["smoke"], "pass", "{v:#}");
        assert_eq!(v["rewritten"]["smoke"], "pass", "{v:#}");
    }
    eprintln!(
        "e2e: {} sizes by level 0..5: {}; test took {:.0} s",
        app.name,
        sizes
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" | "),
        start.elapsed().as_secs_f64()
    );
    sizes
}

// ---- Go: cgo on a Debian builder ---------------------------------------------

/// cgo calling glibc only: debian:bookworm-slim at level 2 (under 120 MB),
/// distroless base-debian12 at level 4 (under 40 MB).
#[test]
fn go_cgo_debian() {
    let sizes = check_app(&App {
        name: "go-cgo-debian",
        steps: &[
            (
                1,
                "alpine-base",
                Want::Not("golang:alpine has no C compiler"),
            ),
            (2, "multi-stage", Want::Applied),
            (3, "cgo-off", Want::Not("the program uses cgo")),
            (4, "scratch-runtime", Want::Applied),
        ],
        ratio: Some((0, 4, 20.0)),
    });
    if let [_, _, l2, _, l4, _] = sizes[..] {
        assert!(l2 < 120_000_000, "go-cgo-debian level 2: {l2} bytes");
        assert!(l4 < 40_000_000, "go-cgo-debian level 4: {l4} bytes");
    }
}

/// cgo + Debian's libsqlite3: debian:bookworm-slim with libsqlite3-0 at
/// level 2, and it stays there at level 4 (distroless cannot install it).
#[test]
fn go_cgo_sqlite() {
    let sizes = check_app(&App {
        name: "go-cgo-sqlite",
        steps: &[
            (2, "multi-stage", Want::Applied),
            (3, "cgo-off", Want::Not("libsqlite3-dev")),
            (
                4,
                "scratch-runtime",
                Want::Not("the runtime stays on debian:bookworm-slim"),
            ),
        ],
        ratio: Some((0, 2, 5.0)),
    });
    if let [_, _, l2, _, _, _] = sizes[..] {
        assert!(l2 < 120_000_000, "go-cgo-sqlite level 2: {l2} bytes");
    }
}

// ---- Node.js -----------------------------------------------------------------

#[test]
fn node_express() {
    check_app(&App {
        name: "node-express",
        steps: &[
            (1, "node-slim-base", Want::Applied),
            (2, "node-cmd", Want::Applied),
            (2, "node-multi-stage", Want::Applied),
            (3, "node-prod-deps", Want::Applied),
            (4, "node-distroless", Want::Applied),
            (5, "node-strip", Want::Not("nothing to strip")),
        ],
        ratio: Some((0, 4, 5.0)),
    });
}

#[test]
fn node_typescript() {
    check_app(&App {
        name: "node-typescript",
        steps: &[
            (2, "node-cmd", Want::Applied),
            (3, "node-prod-deps", Want::Applied),
            (4, "node-distroless", Want::Applied),
        ],
        ratio: None,
    });
}

/// A native addon compiled by node-gyp: slim is refused (no python3, make,
/// g++), and the split, a runtime on slim and distroless still load it.
#[test]
fn node_native() {
    check_app(&App {
        name: "node-native",
        steps: &[
            (
                1,
                "node-slim-base",
                Want::Not("node-gyp needs python3, make and g++"),
            ),
            (2, "node-multi-stage", Want::Applied),
            (4, "node-distroless", Want::Applied),
        ],
        ratio: None,
    });
}

#[test]
fn node_workspace() {
    check_app(&App {
        name: "node-workspace",
        steps: &[
            (2, "node-cmd", Want::Applied),
            (3, "node-prod-deps", Want::Applied),
        ],
        ratio: None,
    });
}

// ---- Rust --------------------------------------------------------------------

/// tiny_http + serde_json: slim builder, Debian slim runtime, then a static
/// musl binary on scratch (level 3 waits for it), stripped at level 5.
#[test]
fn rust_http() {
    check_app(&App {
        name: "rust-http",
        steps: &[
            (1, "rust-slim-base", Want::Applied),
            (2, "rust-multi-stage", Want::Applied),
            (3, "rust-static", Want::Not("done at level 4")),
            (4, "rust-distroless", Want::Applied),
            (5, "rust-strip", Want::Applied),
        ],
        ratio: Some((0, 5, 1000.0)),
    });
}

/// native-tls through openssl-sys: slim is refused (no pkg-config, no
/// libssl-dev), the runtime gets libssl3 and the CA bundle, the binary
/// stays glibc and runs on distroless cc, still doing TLS.
#[test]
fn rust_tls() {
    check_app(&App {
        name: "rust-tls",
        steps: &[
            (
                1,
                "rust-slim-base",
                Want::Not("openssl-sys needs pkg-config and libssl-dev"),
            ),
            (2, "rust-multi-stage", Want::Applied),
            (3, "rust-static", Want::Not("openssl-sys")),
            (4, "rust-distroless", Want::Applied),
            (5, "rust-strip", Want::Applied),
        ],
        ratio: Some((0, 4, 50.0)),
    });
}

/// A workspace built with `cargo build -p ws-server` (a debug build) whose
/// release profile strips: --release at level 2, nothing to strip at 5.
#[test]
fn rust_workspace() {
    check_app(&App {
        name: "rust-workspace",
        steps: &[
            (1, "rust-slim-base", Want::Applied),
            (2, "rust-cmd", Want::Applied),
            (2, "rust-multi-stage", Want::Applied),
            (4, "rust-distroless", Want::Applied),
            (5, "rust-strip", Want::Not("strip = true")),
        ],
        ratio: None,
    });
}

// ---- Python --------------------------------------------------------------------

/// Flask under gunicorn on python:3.12: slim, then a venv with no pip in a
/// slim runtime; distroless is refused (it ships 3.11, not 3.12).
#[test]
fn python_flask() {
    check_app(&App {
        name: "python-flask",
        steps: &[
            (1, "python-slim-base", Want::Applied),
            (2, "python-multi-stage", Want::Applied),
            (
                3,
                "python-prod-deps",
                Want::Not("no dev dependencies are installed"),
            ),
            (
                4,
                "python-distroless",
                Want::Not(
                    "the builder has Python 3.12, and gcr.io/distroless/python3-debian12 has Python 3.11",
                ),
            ),
            (5, "python-strip", Want::Not("nothing to strip")),
        ],
        ratio: Some((0, 3, 3.0)),
    });
}

/// psycopg2 built from source against libpq: slim is refused (no gcc, no
/// pg_config), the split keeps the full builder and installs libpq5 in the
/// slim runtime (without it: `ImportError: libpq.so.5`), distroless is
/// refused (no libpq5, no apt); every level still answers.
#[test]
fn python_psycopg() {
    check_app(&App {
        name: "python-psycopg",
        steps: &[
            (
                1,
                "python-slim-base",
                Want::Not("psycopg2 (in requirements.txt) has no wheel for Linux"),
            ),
            (2, "python-multi-stage", Want::Applied),
            (
                4,
                "python-distroless",
                Want::Not("psycopg2 needs libpq5 at run time"),
            ),
        ],
        ratio: Some((0, 2, 5.0)),
    });
}

/// A uv project (FastAPI): `uv run` leaves the command with uv, the dev
/// group leaves the environment, distroless python runs the venv.
#[test]
fn python_uv() {
    check_app(&App {
        name: "python-uv",
        steps: &[
            (1, "python-slim-base", Want::Applied),
            (2, "python-multi-stage", Want::Applied),
            (3, "python-prod-deps", Want::Applied),
            (4, "python-distroless", Want::Applied),
        ],
        ratio: Some((0, 4, 10.0)),
    });
}

/// aiohttp and numpy on python:3.11-slim (the hygiene app): already slim,
/// split into a venv, and on 3.11 distroless python runs the venv.
#[test]
fn python_hygiene_pip() {
    check_app(&App {
        name: "hygiene-pip",
        steps: &[
            (
                1,
                "python-slim-base",
                Want::Not("the python stage already uses a slim image"),
            ),
            (1, "pip-no-cache", Want::Applied),
            (2, "python-multi-stage", Want::Applied),
            (4, "python-distroless", Want::Applied),
        ],
        ratio: None,
    });
}

// ---- Java --------------------------------------------------------------------

/// Shape (a): Maven builds the jar in the image. JDK -> JRE is refused (the
/// image compiles) and the image still runs; the split, a jlink runtime (no
/// libraries, nothing loaded by name, so jdeps sees all) and its stripped
/// form. `/tls` proves jdk.crypto.ec made it in, `/jvm` that -Xmx256m did.
#[test]
fn java_maven() {
    check_app(&App {
        name: "java-maven",
        steps: &[
            (1, "java-jre-base", Want::Not("needs the JDK")),
            (2, "java-multi-stage", Want::Applied),
            (3, "java-layers", Want::Not("the jar is the app")),
            (4, "java-jlink", Want::Applied),
            (5, "java-strip", Want::Applied),
        ],
        ratio: Some((0, 4, 5.0)),
    });
}

/// Shape (b): a jar built elsewhere, run by the deprecated openjdk:17
/// (Oracle Linux): a Temurin JRE, then a jlink runtime made in a new stage
/// from the Temurin JDK with the jar copied from the context.
#[test]
fn java_jar() {
    check_app(&App {
        name: "java-jar",
        steps: &[
            (1, "java-jre-base", Want::Applied),
            (2, "java-multi-stage", Want::Not("builds no jar")),
            (4, "java-jlink", Want::Applied),
            (5, "java-strip", Want::Applied),
        ],
        ratio: Some((0, 4, 4.0)),
    });
}

/// A shaded jar with a library (commons-lang3) that reads config/ from its
/// working directory, started by a shell-form CMD with a JVM flag: jlink is
/// refused (a library may load classes by name, which jdeps cannot see), and
/// distroless java runs it with the flag in JDK_JAVA_OPTIONS and config/
/// carried into the runtime.
#[test]
fn java_shaded() {
    check_app(&App {
        name: "java-shaded",
        steps: &[
            (1, "java-jre-base", Want::Not("needs the JDK")),
            (2, "java-multi-stage", Want::Applied),
            (
                4,
                "java-jlink",
                Want::Not("depends on org.apache.commons:commons-lang3"),
            ),
            (4, "java-distroless", Want::Applied),
            (5, "java-strip", Want::Not("no jlink runtime")),
        ],
        ratio: None,
    });
}
