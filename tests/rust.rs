//! The Rust transforms on the shapes they must refuse or handle, each with
//! a build context written for the case (golden/rust-* has the full
//! rewrites at every level).

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Run, Runtime, Selection, Status};
use std::fs;
use std::path::Path;

/// A context directory with these files.
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

fn run_with(text: &str, sel: &Selection, dir: Option<&Path>) -> Run {
    let ctx = dir.map(BuildContext::load);
    let r = pipeline::run(text, sel, ctx.as_ref()).unwrap();
    let again = pipeline::run(&r.output, sel, ctx.as_ref()).unwrap();
    assert_eq!(again.output, r.output, "not a fixed point:\n{}", r.output);
    r
}

fn run(text: &str, level: u8, dir: &Path) -> Run {
    let sel = Selection {
        level,
        ..Selection::default()
    };
    run_with(text, &sel, Some(dir))
}

fn said(r: &Run, id: &str) -> (String, String) {
    let s = r.steps.iter().find(|s| s.id == id).unwrap();
    match &s.status {
        Status::Applied { message, .. } => ("applied".into(), message.to_string()),
        Status::Refused(m) => ("refused".into(), m.to_string()),
        Status::Skipped(m) => ("skipped".into(), m.to_string()),
        Status::NotApplicable(m) => ("n/a".into(), m.to_string()),
    }
}

const MANIFEST: &str = "[package]\nname = \"api\"\nversion = \"0.1.0\"\n";

/// A Cargo.lock with these crates (each `name` or `name:dep,dep`).
fn lock(crates: &[&str]) -> String {
    let mut out = String::from("version = 3\n\n[[package]]\nname = \"api\"\nversion = \"0.1.0\"\n");
    for c in crates {
        let (name, deps) = c.split_once(':').unwrap_or((c, ""));
        out.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
        if !deps.is_empty() {
            let list: Vec<String> = deps.split(',').map(|d| format!("\"{d}\"")).collect();
            out.push_str(&format!("dependencies = [{}]\n", list.join(", ")));
        }
    }
    out
}

fn app(crates: &[&str]) -> tempfile::TempDir {
    context(&[
        ("Cargo.toml", MANIFEST),
        ("Cargo.lock", &lock(crates)),
        ("src/main.rs", "fn main() {}"),
    ])
}

const SIMPLE: &str = "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nEXPOSE 8080\nCMD [\"./target/release/api\"]\n";

#[test]
fn slim_is_refused_for_what_only_the_full_image_has() {
    for (crates, why) in [
        (
            vec!["openssl-sys:cc,pkg-config", "cc", "pkg-config"],
            "openssl-sys needs pkg-config and libssl-dev",
        ),
        (vec!["pq-sys"], "pq-sys needs libpq-dev"),
        (
            vec!["mysqlclient-sys"],
            "mysqlclient-sys needs pkg-config and default-libmysqlclient-dev",
        ),
        (
            vec!["libsqlite3-sys"],
            "libsqlite3-sys needs libsqlite3-dev",
        ),
        (
            vec!["openssl-sys:openssl-src", "openssl-src:cc", "cc"],
            "OpenSSL built from source (openssl-src, the vendored feature) needs make",
        ),
        (vec!["librocksdb-sys"], "a -sys crate dfslim does not know"),
    ] {
        let dir = app(&crates);
        let (what, msg) = said(&run(SIMPLE, 1, dir.path()), "rust-slim-base");
        assert_eq!(what, "refused", "{crates:?}: {msg}");
        assert!(msg.contains(why), "{msg}");
    }
    // What builds a bundled copy with gcc, or only links on other systems, is fine.
    for crates in [
        vec!["libz-sys:cc", "cc"],
        vec!["ring:cc", "cc"],
        vec!["windows-sys", "core-foundation-sys", "linux-raw-sys"],
    ] {
        let dir = app(&crates);
        let r = run(SIMPLE, 1, dir.path());
        assert!(
            r.output.contains("FROM rust:1.80-slim\n"),
            "{crates:?}: {}",
            r.output
        );
    }
    // rusqlite's `bundled` builds SQLite with gcc.
    let dir = context(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\n[dependencies]\nrusqlite = { version = \"0.31\", features = [\"bundled\"] }\n",
        ),
        (
            "Cargo.lock",
            &lock(&["rusqlite:libsqlite3-sys", "libsqlite3-sys:cc", "cc"]),
        ),
        ("src/main.rs", ""),
    ]);
    assert_eq!(
        said(&run(SIMPLE, 1, dir.path()), "rust-slim-base").0,
        "applied"
    );
    // Installing what it needs in the stage is enough.
    let dir = app(&["openssl-sys:pkg-config", "pkg-config"]);
    let df = SIMPLE.replace(
        "COPY . .\n",
        "RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev && rm -rf /var/lib/apt/lists/*\nCOPY . .\n",
    );
    assert_eq!(
        said(&run(&df, 1, dir.path()), "rust-slim-base").0,
        "applied"
    );
    // A command slim lacks.
    let dir = app(&[]);
    let df = SIMPLE.replace("COPY . .\n", "COPY . .\nRUN git submodule update --init\n");
    let (what, msg) = said(&run(&df, 1, dir.path()), "rust-slim-base");
    assert_eq!(what, "refused");
    assert!(msg.contains("runs `git`"), "{msg}");
}

#[test]
fn cargo_run_becomes_the_binary() {
    // No context: nothing says which binary `cargo run` runs.
    let df = "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"cargo\", \"run\", \"--release\"]\n";
    let empty = context(&[]);
    let (what, msg) = said(&run(df, 2, empty.path()), "rust-cmd");
    assert_eq!(what, "refused");
    assert!(msg.contains("no Cargo.toml was read"), "{msg}");
    // `--bin` says it.
    let r = run(
        &df.replace(
            "\"--release\"]",
            "\"--release\", \"--bin\", \"srv\", \"--\", \"-v\"]",
        ),
        2,
        empty.path(),
    );
    assert!(
        r.output
            .contains(r#"CMD ["/app/target/release/srv", "-v"]"#),
        "{}",
        r.output
    );
    // Several binaries and no default-run.
    let dir = context(&[
        ("Cargo.toml", MANIFEST),
        ("src/main.rs", ""),
        ("src/bin/migrate.rs", ""),
    ]);
    let (what, msg) = said(&run(df, 2, dir.path()), "rust-cmd");
    assert_eq!(what, "refused");
    assert!(msg.contains("several binaries (api, migrate)"), "{msg}");
    // default-run picks one.
    let dir = context(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\ndefault-run = \"api\"\n",
        ),
        ("src/main.rs", ""),
        ("src/bin/migrate.rs", ""),
    ]);
    let r = run(df, 2, dir.path());
    assert!(r.output.contains("/app/target/release/api"), "{}", r.output);
    // No build at all: one is added; a debug `cargo run` runs the release binary.
    let dir = app(&[]);
    let r = run(
        "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nCMD cargo run\n",
        2,
        dir.path(),
    );
    assert!(
        r.output.contains("RUN cargo build --release\n"),
        "{}",
        r.output
    );
    assert!(
        r.output.contains(r#"CMD ["/app/target/release/api"]"#),
        "{}",
        r.output
    );
    // A debug build and a debug `cargo run`: the build becomes release.
    let r = run(
        "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build\nCMD [\"cargo\", \"run\"]\n",
        2,
        dir.path(),
    );
    assert!(
        r.output.contains("RUN cargo build --release\n"),
        "{}",
        r.output
    );
    // Flags with no `cargo build` equivalent.
    let (what, msg) = said(
        &run(
            "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nCMD [\"cargo\", \"run\", \"--example\", \"demo\"]\n",
            2,
            dir.path(),
        ),
        "rust-cmd",
    );
    assert_eq!(what, "refused");
    assert!(msg.contains("--example"), "{msg}");
}

#[test]
fn the_runtime_is_the_builders_debian_release() {
    let dir = app(&[]);
    for (tag, runtime) in [
        ("1.80", "debian:bookworm-slim"),
        ("1.70", "debian:bullseye-slim"),
        ("1.71.0", "debian:bullseye-slim"),
        ("1.71", "debian:bookworm-slim"),
        ("1.88-slim", "debian:bookworm-slim"),
        ("1.90", "debian:trixie-slim"),
        ("latest", "debian:trixie-slim"),
        ("1.80-slim-bullseye", "debian:bullseye-slim"),
        ("1.80-alpine3.20", "alpine:3.20"),
    ] {
        let r = run(
            &SIMPLE.replace("rust:1.80", &format!("rust:{tag}")),
            2,
            dir.path(),
        );
        assert!(
            r.output.contains(&format!("\nFROM {runtime}\n")),
            "{tag}: {}",
            r.output
        );
    }
    // The run-time package of a linked library has the release's name.
    let dir = app(&["openssl-sys:pkg-config", "pkg-config"]);
    for (tag, pkg) in [
        ("1.70", "libssl1.1"),
        ("1.80", "libssl3"),
        ("1.90", "libssl3t64"),
    ] {
        let r = run(
            &SIMPLE.replace("rust:1.80", &format!("rust:{tag}")),
            2,
            dir.path(),
        );
        assert!(
            r.output.contains(&format!(
                "apt-get install -y --no-install-recommends ca-certificates {pkg} &&"
            )),
            "{tag}: {}",
            r.output
        );
    }
    // A -sys crate whose library is unknown.
    let dir = app(&["libfoo-sys"]);
    let (what, msg) = said(&run(SIMPLE, 2, dir.path()), "rust-multi-stage");
    assert_eq!(what, "refused");
    assert!(msg.contains("libfoo-sys"), "{msg}");
    // Packages the program may use at run time.
    let dir = app(&[]);
    let df = SIMPLE.replace(
        "COPY . .\n",
        "RUN apt-get update && apt-get install -y ffmpeg && rm -rf /var/lib/apt/lists/*\nCOPY . .\n",
    );
    let (what, msg) = said(&run(&df, 2, dir.path()), "rust-multi-stage");
    assert_eq!(what, "refused");
    assert!(msg.contains("ffmpeg"), "{msg}");
}

#[test]
fn binaries_are_found_where_cargo_puts_them() {
    let dir = app(&[]);
    for (build, cmd, path) in [
        (
            "ENV CARGO_TARGET_DIR=/out\nRUN cargo build --release",
            "/out/release/api",
            "/out/release/api",
        ),
        (
            "RUN cargo build --release --target-dir build",
            "build/release/api",
            "/app/build/release/api",
        ),
        (
            "RUN cargo install --path . --root /opt/app",
            "/opt/app/bin/api",
            "/opt/app/bin/api",
        ),
        (
            "RUN cargo install --path .",
            "api",
            "/usr/local/cargo/bin/api",
        ),
    ] {
        let df = format!("FROM rust:1.80\nWORKDIR /app\nCOPY . .\n{build}\nCMD [\"{cmd}\"]\n");
        let r = run(&df, 2, dir.path());
        assert!(
            r.output
                .contains(&format!("COPY --from=builder {path} {path}\n")),
            "{build}: {}",
            r.output
        );
        assert!(
            r.output.contains(&format!("CMD [\"{path}\"]")),
            "{build}: {}",
            r.output
        );
    }
}

#[test]
fn the_minimal_runtime_fits_the_binary() {
    let split = "FROM rust:1.80 AS builder\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n\nFROM debian:bookworm-slim\nCOPY --from=builder /app/target/release/api /usr/local/bin/api\nEXPOSE 8080\nCMD [\"/usr/local/bin/api\"]\n";
    // Pure Rust: static on scratch; distroless static when asked for distroless.
    let dir = app(&[]);
    let r = run(split, 4, dir.path());
    assert!(r.output.contains("\nFROM scratch\n"), "{}", r.output);
    assert!(
        r.output.contains(
            "COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/api /usr/local/bin/api"
        ),
        "{}",
        r.output
    );
    let sel = Selection {
        level: 4,
        runtime: Runtime::Distroless,
        ..Selection::default()
    };
    let r = run_with(split, &sel, Some(dir.path()));
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/static-debian12:nonroot\n"),
        "{}",
        r.output
    );
    // TLS through rustls with the system's roots: the CA bundle comes along.
    let dir = app(&["rustls-native-certs:openssl-probe", "openssl-probe"]);
    let r = run(split, 4, dir.path());
    assert!(
        r.output.contains(
            "FROM scratch\nCOPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"
        ),
        "{}",
        r.output
    );
    // OpenSSL: glibc on distroless cc (bookworm), refused elsewhere.
    let dir = app(&["openssl-sys:pkg-config", "pkg-config"]);
    let r = run(split, 4, dir.path());
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/cc-debian12:nonroot\n"),
        "{}",
        r.output
    );
    let (what, msg) = said(
        &run(&split.replace("rust:1.80", "rust:latest"), 4, dir.path()),
        "rust-distroless",
    );
    assert_eq!(what, "refused");
    assert!(msg.contains("rust:latest (Debian trixie)"), "{msg}");
    // libpq is not in distroless cc.
    let dir = app(&["pq-sys"]);
    let (what, msg) = said(&run(split, 4, dir.path()), "rust-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("pq-sys links libpq5"), "{msg}");
    // The user's RUN in the runtime, a user scratch cannot resolve.
    let dir = app(&[]);
    let df = split.replace("COPY --from", "RUN mkdir /data\nCOPY --from");
    let (what, msg) = said(&run(&df, 4, dir.path()), "rust-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("runs a command in the runtime"), "{msg}");
    let df = split.replace("EXPOSE", "USER app\nEXPOSE");
    let (what, msg) = said(&run(&df, 4, dir.path()), "rust-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("USER app"), "{msg}");
}

#[test]
fn symbols_are_stripped_once() {
    let dir = app(&[]);
    let r = run(SIMPLE, 5, dir.path());
    assert_eq!(
        r.output
            .matches("ENV CARGO_PROFILE_RELEASE_STRIP=symbols\n")
            .count(),
        1,
        "{}",
        r.output
    );
    // Already stripped: the variable, RUSTFLAGS, the profile.
    for (df, files) in [
        (
            SIMPLE.replace(
                "RUN cargo",
                "ENV CARGO_PROFILE_RELEASE_STRIP=true\nRUN cargo",
            ),
            vec![],
        ),
        (
            SIMPLE.replace("RUN cargo", "ENV RUSTFLAGS=\"-C strip=symbols\"\nRUN cargo"),
            vec![],
        ),
        (
            SIMPLE.to_string(),
            vec![(
                "Cargo.toml",
                "[package]\nname = \"api\"\n[profile.release]\nstrip = \"symbols\"\n",
            )],
        ),
    ] {
        let mut all = vec![("src/main.rs", "")];
        all.extend(files.iter().copied());
        if files.is_empty() {
            all.push(("Cargo.toml", MANIFEST));
        }
        let dir = context(&all);
        let (what, msg) = said(&run(&df, 5, dir.path()), "rust-strip");
        assert_eq!(what, "n/a", "{df}: {msg}");
        assert!(msg.contains("stripped already"), "{msg}");
    }
    // Kept on purpose.
    let dir = context(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\n[profile.release]\nstrip = \"debuginfo\"\n",
        ),
        ("src/main.rs", ""),
    ]);
    let (what, msg) = said(&run(SIMPLE, 5, dir.path()), "rust-strip");
    assert_eq!(what, "refused");
    assert!(msg.contains("strip = \"debuginfo\""), "{msg}");
    // A custom profile has its own variable.
    let dir = context(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\n[profile.dist]\ninherits = \"release\"\n",
        ),
        ("src/main.rs", ""),
    ]);
    let df = "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --profile dist\nCMD [\"./target/dist/api\"]\n";
    let r = run(df, 5, dir.path());
    assert!(
        r.output.contains("ENV CARGO_PROFILE_DIST_STRIP=symbols\n"),
        "{}",
        r.output
    );
    // Cargo before 1.59 has no strip.
    let (what, msg) = said(
        &run(&SIMPLE.replace("rust:1.80", "rust:1.50"), 5, dir.path()),
        "rust-strip",
    );
    assert_eq!(what, "refused");
    assert!(msg.contains("older than 1.59"), "{msg}");
}

#[test]
fn level_three_says_why_static_waits() {
    let dir = app(&[]);
    let (what, msg) = said(&run(SIMPLE, 3, dir.path()), "rust-static");
    assert_eq!(what, "n/a");
    assert!(msg.contains("done at level 4"), "{msg}");
    let dir = app(&["ring:cc", "cc"]);
    let (_, msg) = said(&run(SIMPLE, 3, dir.path()), "rust-static");
    assert!(msg.contains("ring compiles C code"), "{msg}");
}
