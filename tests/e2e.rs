//! End-to-end: dfslim's rewrites built and run on a real Docker engine, and
//! `dfslim verify` run for real (tests/e2e/README.md says what is there).
//!
//! The tests make the engine and the stand-in base images themselves
//! (tests/e2e/engine.sh, base-images.sh); when that is impossible they print
//! SKIPPED and the reason, except on CI (`CI` set) where they fail. Builds
//! run side by side and go through `dfslim::verify::docker`, whose janitor
//! removes every image and container made, even when a test panics.

mod common;

use common::e2e::{
    Built, app_dir, build, checks, docker, dockerfile, engine, serves, size_of, stdout, unique,
};

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::verify::cleanup::Janitor;
use dfslim::verify::docker::Docker;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Instant;

// ---- set-up ----------------------------------------------------------------

/// dfslim's rewrite of an app's Dockerfile at `level`, its context read.
fn rewrite(app: &str, level: u8) -> pipeline::Run {
    let selection = Selection {
        level,
        ..Selection::default()
    };
    let ctx = BuildContext::load(&app_dir(app));
    pipeline::run(&dockerfile(app), &selection, Some(&ctx)).expect("the app's Dockerfile parses")
}

// ---- building and serving ---------------------------------------------------

/// The level-5 rewrite of `app` builds and answers what checks.tsv wants.
fn level5_serves(d: &Docker, app: &str) {
    level_serves(d, app, 5);
}

/// The rewrite of `app` at `level` builds and answers what checks.tsv wants.
fn level_serves(d: &Docker, app: &str, level: u8) {
    let start = Instant::now();
    let run = rewrite(app, level);
    let janitor = Mutex::new(Janitor::start(&d.program, false));
    let built = build(d, &janitor, app, &run.output).unwrap_or_else(|e| {
        panic!(
            "{app}: dfslim's level-{level} output does not build: {e}\nsteps: {:#?}",
            run.steps
        )
    });
    let (port, want) = checks(app);
    if let Err(e) = serves(&janitor, &built.tag, port, &want) {
        panic!(
            "{app}: dfslim's level-{level} output builds but does not work: {e}\n--- Dockerfile:\n{}",
            run.output
        );
    }
    eprintln!(
        "e2e: {app} level {level}: {} bytes, built in {:.1} s, serves; test took {:.1} s",
        size_of(&built.tag),
        built.seconds,
        start.elapsed().as_secs_f64()
    );
}

// ---- the binary a scratch image runs ------------------------------------------

/// Copies `path` out of image `tag` (docker create + docker cp).
fn copy_out(janitor: &Mutex<Janitor>, tag: &str, path: &str, to: &Path) -> Vec<u8> {
    let name = unique("dfslim-e2e-cp");
    janitor.lock().unwrap().container(&name);
    let created = docker(&["create", "--name", &name, tag]);
    assert!(created.status.success(), "docker create: {created:?}");
    let cp = docker(&["cp", &format!("{name}:{path}"), &to.display().to_string()]);
    docker(&["rm", "-f", &name]);
    assert!(cp.status.success(), "docker cp {path}: {cp:?}");
    std::fs::read(to).unwrap()
}

/// The absolute path of the program an image runs.
fn program_of(tag: &str) -> String {
    let cfg: Value = serde_json::from_str(&stdout(&docker(&[
        "image",
        "inspect",
        "-f",
        "{{json .Config}}",
        tag,
    ])))
    .unwrap();
    let argv = cfg["Entrypoint"]
        .as_array()
        .filter(|a| !a.is_empty())
        .or(cfg["Cmd"].as_array())
        .expect("the image runs something");
    let prog = argv[0].as_str().unwrap();
    if prog.starts_with('/') {
        prog.to_string()
    } else {
        format!("{}/{prog}", cfg["WorkingDir"].as_str().unwrap_or(""))
    }
}

/// The section names of an ELF64 little-endian file.
fn elf_sections(b: &[u8]) -> Vec<String> {
    assert_eq!(&b[..4], b"\x7fELF", "not an ELF file");
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let header = |i: usize| shoff + i * shentsize;
    let strtab = u64_at(header(shstrndx) + 0x18);
    (0..shnum)
        .map(|i| {
            let at = strtab + u32_at(header(i));
            let end = b[at..].iter().position(|&c| c == 0).unwrap();
            String::from_utf8_lossy(&b[at..at + end]).into_owned()
        })
        .collect()
}

// ---- the tests ---------------------------------------------------------------

/// The seed-shaped service: the original and every level build and serve,
/// sizes never grow from one level to the next, and level 5 is at most
/// 1.1 × its stripped binary plus the CA bundle.
#[test]
fn seed_service_every_level_builds_serves_and_shrinks() {
    let Some(d) = engine("e2e: seed-service at every level") else {
        return;
    };
    let start = Instant::now();
    let app = "seed-service";
    let texts: Vec<String> = (0..=5u8)
        .map(|l| {
            if l == 0 {
                dockerfile(app)
            } else {
                rewrite(app, l).output
            }
        })
        .collect();
    let janitor = Mutex::new(Janitor::start(&d.program, false));
    let (port, want) = checks(app);
    // All six side by side: each result is (tag, build seconds) or why not.
    let results: Vec<Result<Built, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|text| {
                let (d, janitor, want) = (&d, &janitor, &want);
                s.spawn(move || {
                    let built = build(d, janitor, app, text)?;
                    serves(janitor, &built.tag, port, want)?;
                    Ok(built)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sizes = Vec::new();
    let mut problems = Vec::new();
    for (level, r) in results.iter().enumerate() {
        match r {
            Ok(b) => {
                let size = size_of(&b.tag);
                eprintln!(
                    "e2e: seed-service level {level}: {size:>11} bytes, built in {:5.1} s (6 builds side by side), answers HTTP",
                    b.seconds
                );
                sizes.push(size);
            }
            Err(e) => problems.push(format!("level {level}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    for l in 1..sizes.len() {
        assert!(
            sizes[l] <= sizes[l - 1],
            "the level-{l} image ({} bytes) is bigger than level {} ({} bytes)\n--- level {l}:\n{}",
            sizes[l],
            l - 1,
            sizes[l - 1],
            texts[l]
        );
    }

    let top = results[5].as_ref().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let program = program_of(&top.tag);
    let binary = copy_out(&janitor, &top.tag, &program, &dir.path().join("bin"));
    let ca = copy_out(
        &janitor,
        &top.tag,
        "/etc/ssl/certs/ca-certificates.crt",
        &dir.path().join("ca.crt"),
    );
    let sections = elf_sections(&binary);
    assert!(
        !sections
            .iter()
            .any(|s| s == ".symtab" || s.starts_with(".debug") || s.starts_with(".zdebug")),
        "the level-5 binary {program} is not stripped: {sections:?}"
    );
    let bound = (binary.len() + ca.len()) as f64 * 1.1;
    assert!(
        sizes[5] as f64 <= bound,
        "the level-5 image is {} bytes, more than 1.1 × (binary {} + CA bundle {}) = {bound:.0}",
        sizes[5],
        binary.len(),
        ca.len()
    );
    eprintln!(
        "e2e: seed-service level 5: image {} bytes = {:.3} × (stripped binary {} + CA bundle {}); test took {:.1} s",
        sizes[5],
        sizes[5] as f64 / (binary.len() + ca.len()) as f64,
        binary.len(),
        ca.len(),
        start.elapsed().as_secs_f64()
    );
}

/// A cgo program: cgo-off and scratch-runtime are refused, and what dfslim
/// emits at level 5 still builds and serves the answer computed in C.
#[test]
fn cgo_service_is_not_made_static_and_still_works() {
    let run = rewrite("cgo-service", 5);
    let status = |id: &str| {
        run.steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.status.clone())
    };
    assert!(
        matches!(status("cgo-off"), Some(Status::Refused(_))),
        "cgo-off must be refused for a program that imports \"C\": {:?}\n--- output:\n{}",
        status("cgo-off"),
        run.output
    );
    assert!(
        matches!(
            status("scratch-runtime"),
            Some(Status::Refused(_) | Status::Skipped(_))
        ),
        "scratch-runtime must be refused for a cgo binary: {:?}\n--- output:\n{}",
        status("scratch-runtime"),
        run.output
    );
    let Some(d) = engine("e2e: cgo-service at level 5") else {
        return;
    };
    level5_serves(&d, "cgo-service");
}

/// A service that reads templates/ and static/ at run time still serves them.
#[test]
fn static_service_still_serves_its_files_after_level_5() {
    let Some(d) = engine("e2e: static-service at level 5") else {
        return;
    };
    // Level 2 is where the files must follow the binary to a new stage.
    level_serves(&d, "static-service", 2);
    level5_serves(&d, "static-service");
}

/// A program that loads Europe/Berlin still can after level 5.
#[test]
fn tz_service_still_loads_its_time_zone_after_level_5() {
    let Some(d) = engine("e2e: tz-service at level 5") else {
        return;
    };
    // Level 2 splits with cgo still on: the zone database must come along
    // without a build tag (old Go would rebuild its std lib with cgo).
    level_serves(&d, "tz-service", 2);
    level5_serves(&d, "tz-service");
}

// ---- dfslim verify ---------------------------------------------------------------

fn dfslim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dfslim"));
    c.args(args).current_dir(common::repo());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run dfslim")
}

fn exists(kind: &str, name: &str) -> bool {
    docker(&[kind, "inspect", name]).status.success()
}

/// `dfslim verify --smoke --format json` on the seed-shaped service: both
/// build and pass, the numbers are the engine's, the user's Dockerfile is
/// untouched, and kept images are there (and removed when not kept).
fn verify_seed(d: &Docker, env: &[(&str, &str)], builder: &str) {
    let start = Instant::now();
    let file = "tests/e2e/apps/seed-service/Dockerfile";
    let before = std::fs::read(common::repo().join(file)).unwrap();
    let out = dfslim(
        &[
            "verify",
            "--smoke",
            "--format",
            "json",
            "--keep-images",
            "--level",
            "5",
            file,
        ],
        env,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify JSON: {e}\nstdout: {}\nstderr: {stderr}",
            stdout(&out)
        )
    });
    let mut janitor = Janitor::start(&d.program, false);
    let tags: Vec<String> = ["original", "rewritten"]
        .iter()
        .map(|w| v[w]["image"].as_str().unwrap().to_string())
        .collect();
    for t in &tags {
        janitor.image(t);
    }
    assert_eq!(out.status.code(), Some(0), "verify failed: {stderr}\n{v:#}");
    assert_eq!(
        std::fs::read(common::repo().join(file)).unwrap(),
        before,
        "verify changed the Dockerfile"
    );
    assert_eq!(v["dockerfile"], file);
    assert_eq!(v["level"], 5);
    assert_eq!(v["builder"], builder, "{v:#}");
    assert_eq!(v["error"], Value::Null);
    let mut sizes = Vec::new();
    for (which, tag) in ["original", "rewritten"].iter().zip(&tags) {
        let i = &v[which];
        assert_eq!(i["built"], true, "{which}: {v:#}");
        assert_eq!(i["smoke"], "pass", "{which}: {v:#}");
        assert!(
            i["detail"].as_str().unwrap().contains("HTTP 200 on :8089"),
            "{which}: {v:#}"
        );
        assert!(i["build_seconds"].as_f64().unwrap() > 0.0);
        assert!(exists("image", tag), "--keep-images did not keep {tag}");
        assert_eq!(
            i["size_bytes"].as_u64().unwrap(),
            size_of(tag),
            "{which} size"
        );
        let layers = stdout(&docker(&[
            "image",
            "inspect",
            "-f",
            "{{len .RootFS.Layers}}",
            tag,
        ]));
        assert_eq!(
            i["layers"].as_u64().unwrap().to_string(),
            layers,
            "{which} layers"
        );
        sizes.push(i["size_bytes"].as_i64().unwrap());
        let container = tag.replacen(':', "-", 1);
        assert!(
            !exists("container", &container),
            "{container} was left behind"
        );
    }
    assert!(
        sizes[1] * 20 < sizes[0],
        "level 5 is not much smaller: {sizes:?}"
    );
    assert_eq!(v["saving_bytes"].as_i64().unwrap(), sizes[0] - sizes[1]);
    let ratio = v["ratio"].as_f64().unwrap();
    assert!(
        (ratio - sizes[0] as f64 / sizes[1] as f64).abs() < 0.01,
        "ratio {ratio}"
    );
    janitor.finish();
    for t in &tags {
        assert!(!exists("image", t), "{t} was not removed");
    }
    eprintln!(
        "e2e: dfslim verify ({builder}) on seed-service: {} -> {} bytes, smoke pass; {:.1} s",
        sizes[0],
        sizes[1],
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn verify_seed_service_smoke_json() {
    let Some(d) = engine("e2e: dfslim verify on seed-service") else {
        return;
    };
    let builder = d.builder.as_str();
    verify_seed(&d, &[], builder);
}

/// The BuildKit path, when this machine has a client that drives it
/// (Debian's 20.10 client does, with DOCKER_BUILDKIT=1).
#[test]
fn verify_seed_service_with_buildkit() {
    let Some(d) = engine("e2e: dfslim verify with BuildKit") else {
        return;
    };
    let client = "/usr/bin/docker";
    let version = Command::new(client)
        .args(["version", "--format", "{{.Client.Version}}"])
        .output();
    let major: u32 = version
        .as_ref()
        .map(stdout)
        .unwrap_or_default()
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !(1..23).contains(&major) {
        eprintln!("SKIPPED e2e: dfslim verify with BuildKit: no pre-23 client at {client}");
        return;
    }
    verify_seed(
        &d,
        &[("DFSLIM_DOCKER", client), ("DOCKER_BUILDKIT", "1")],
        "buildkit",
    );
}

/// A container that fails is reported with its log and exit 1; a one-shot
/// program that exits 0 passes; a Dockerfile that does not build is exit 2
/// with its log; nothing is left behind.
#[test]
fn verify_reports_failures_and_cleans_up() {
    let Some(_d) = engine("e2e: dfslim verify failures") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let broken = write(
        "broken.Dockerfile",
        "FROM alpine:latest\nEXPOSE 8080\nCMD [\"sh\", \"-c\", \"echo dfslim-e2e: broken on purpose >&2; exit 3\"]\n",
    );
    let once = write("once.Dockerfile", "FROM alpine:latest\nCMD [\"true\"]\n");
    let fails = write(
        "fails.Dockerfile",
        "FROM alpine:latest\nRUN echo dfslim-e2e-marker && exit 7\n",
    );

    let out = dfslim(&["verify", "--smoke", &broken], &[]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("smoke fail: exited with code 3"), "{text}");
    assert!(
        text.contains("| dfslim-e2e: broken on purpose"),
        "the log is not shown: {text}"
    );
    let tag = text
        .split_whitespace()
        .find(|w| w.starts_with("dfslim-verify:") && w.ends_with("-original"))
        .expect("the table names the image");
    assert!(!exists("image", tag), "{tag} was left behind");
    assert!(!exists("container", &tag.replacen(':', "-", 1)));

    let out = dfslim(&["verify", "--smoke", "--format", "json", &once], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    for which in ["original", "rewritten"] {
        assert_eq!(v[which]["smoke"], "pass", "{v:#}");
        assert!(
            v[which]["detail"].as_str().unwrap().contains("exited 0"),
            "{v:#}"
        );
    }
    assert_eq!(v["changed"], false);

    let out = dfslim(&["verify", &fails], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("does not build"), "{err}");
    assert!(
        err.contains("dfslim-e2e-marker"),
        "the build log is not shown: {err}"
    );
    assert!(!err.contains("dfslim bug"), "{err}");
}

/// Clear errors, exit 2: no client, no engine, a file that does not parse.
#[test]
fn verify_errors_exit_2() {
    let seed = "tests/e2e/apps/seed-service/Dockerfile";
    let out = dfslim(
        &["verify", seed],
        &[("DFSLIM_DOCKER", "/nonexistent/docker")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot run the Docker client"), "{err}");
    let out = dfslim(
        &["verify", seed],
        &[("PATH", "/nonexistent"), ("DFSLIM_DOCKER", "")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot run the Docker client `docker`"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Dockerfile");
    std::fs::write(&bad, "FROM alpine\nRUN <<EOF\nno end\n").unwrap();
    let out = dfslim(&["verify", &bad.display().to_string()], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unterminated heredoc"), "{err}");

    // Needs the client, not the engine: the engine is then made unreachable.
    if engine("e2e: dfslim verify without an engine").is_none() {
        return;
    }
    let out = dfslim(
        &["verify", seed],
        &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no Docker engine answers"), "{err}");
    assert!(
        err.contains("DOCKER_HOST=unix:///nonexistent/docker.sock"),
        "{err}"
    );
}

// ---- a runtime made by RUN lines, and the distroless choice (issue 15) ---------

/// dfslim's rewrite of an app's Dockerfile with `selection`, its context read.
fn rewrite_with(app: &str, selection: &Selection) -> pipeline::Run {
    let ctx = BuildContext::load(&app_dir(app));
    pipeline::run(&dockerfile(app), selection, Some(&ctx)).expect("the app's Dockerfile parses")
}

/// go-runtime-cmds: its alpine runtime installs ca-certificates and tzdata,
/// creates a user with addgroup/adduser and chmods the binary, and the
/// program exits at start-up without zone data or CA certificates. The
/// original and every level build and answer (zones, CA pool, and the uid
/// it runs as: still alpine's 100 on scratch) and never grow; levels 4 and
/// 5 are scratch with every RUN replaced. With `runtime = distroless`,
/// levels 4 and 5 build and answer on distroless static as its nonroot user
/// (65532), no bigger than level 3.
#[test]
fn go_runtime_cmds_every_level_and_the_distroless_choice() {
    let Some(d) = engine("e2e: go-runtime-cmds at every level, scratch and distroless") else {
        return;
    };
    let start = Instant::now();
    let app = "go-runtime-cmds";
    let mut variants: Vec<(String, String, &str)> =
        vec![("original".to_string(), dockerfile(app), "uid=100")];
    for level in 1..=5u8 {
        let run = rewrite(app, level);
        if level >= 4 {
            assert!(
                matches!(
                    run.steps
                        .iter()
                        .find(|s| s.id == "scratch-runtime")
                        .map(|s| &s.status),
                    Some(Status::Applied { .. })
                ),
                "scratch-runtime did not apply at level {level}: {:#?}",
                run.steps
            );
            assert!(
                run.output.contains("FROM scratch") && !run.output.contains("RUN apk"),
                "level {level}:\n{}",
                run.output
            );
        }
        variants.push((format!("level {level}"), run.output, "uid=100"));
    }
    for level in 4..=5u8 {
        let selection = Selection {
            level,
            runtime: pipeline::Runtime::Distroless,
            ..Selection::default()
        };
        let run = rewrite_with(app, &selection);
        assert!(
            run.output
                .contains("FROM gcr.io/distroless/static-debian12:nonroot"),
            "distroless level {level}:\n{}",
            run.output
        );
        variants.push((format!("distroless level {level}"), run.output, "uid=65532"));
    }
    let janitor = Mutex::new(Janitor::start(&d.program, false));
    let (port, want) = checks(app);
    let results: Vec<Result<Built, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = variants
            .iter()
            .map(|(_, text, uid)| {
                let (d, janitor) = (&d, &janitor);
                let mut want = want.clone();
                want.push(("/".to_string(), (*uid).to_string()));
                s.spawn(move || {
                    let built = build(d, janitor, app, text)?;
                    serves(janitor, &built.tag, port, &want)?;
                    Ok(built)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sizes = Vec::new();
    let mut problems = Vec::new();
    for ((name, text, _), r) in variants.iter().zip(&results) {
        match r {
            Ok(b) => {
                let size = size_of(&b.tag);
                eprintln!(
                    "e2e: {app} {name}: {size:>11} bytes, built in {:5.1} s ({} builds side by side), answers",
                    b.seconds,
                    variants.len()
                );
                sizes.push(size);
            }
            Err(e) => problems.push(format!("{name}: {e}\n--- Dockerfile:\n{text}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // original, levels 1..5 never grow; distroless 4 <= level 3, 5 <= 4.
    let order: Vec<(usize, usize)> = (1..=5)
        .map(|l| (l - 1, l))
        .chain([(3, 6), (6, 7)])
        .collect();
    for (a, b) in order {
        assert!(
            sizes[b] <= sizes[a],
            "{} ({} bytes) is bigger than {} ({} bytes)\n--- {}:\n{}",
            variants[b].0,
            sizes[b],
            variants[a].0,
            sizes[a],
            variants[b].0,
            variants[b].1
        );
    }
    eprintln!(
        "e2e: {app}: every level and the distroless choice answer; test took {:.1} s",
        start.elapsed().as_secs_f64()
    );
}
