//! Each transform on the shapes real Go Dockerfiles take: what it writes,
//! and the reason it gives when it refuses or does nothing.

mod common;

use common::steps::{applied, held_back, not_applicable, notes, refused};

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Run, Selection, Status};

fn ctx(files: &[(&str, &str)]) -> (tempfile::TempDir, BuildContext) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let c = BuildContext::load(dir.path());
    (dir, c)
}

fn run_with(src: &str, level: u8, only: Option<&str>, context: Option<&BuildContext>) -> Run {
    let sel = Selection {
        level,
        only: only.map(|o| o.split(',').map(str::to_string).collect()),
        ..Selection::default()
    };
    let run = pipeline::run(src, &sel, context).unwrap();
    // Every result is a fixed point.
    let again = pipeline::run(&run.output, &sel, context).unwrap();
    assert_eq!(again.output, run.output, "not idempotent:\n{}", run.output);
    run
}

fn run(src: &str, level: u8) -> Run {
    run_with(src, level, None, None)
}

/// Only the Go steps: the hygiene steps (ecosystem `any`, tests/hygiene.rs)
/// also clean package caches in these files, which is not what is tested.
fn run_go(src: &str, level: u8) -> Run {
    let sel = Selection {
        level,
        skip: vec!["any".to_string()],
        ..Selection::default()
    };
    let run = pipeline::run(src, &sel, None).unwrap();
    let again = pipeline::run(&run.output, &sel, None).unwrap();
    assert_eq!(again.output, run.output, "not idempotent:\n{}", run.output);
    run
}

// ---- alpine-base ----

#[test]
fn alpine_base_keeps_version_registry_and_says_what_it_dropped() {
    for (from, to) in [
        ("golang:1.16", "golang:1.16-alpine"),
        ("golang:1.21.5-bookworm", "golang:1.21.5-alpine"),
        ("golang", "golang:alpine"),
        ("golang:latest", "golang:alpine"),
        (
            "docker.io/library/golang:1.22",
            "docker.io/library/golang:1.22-alpine",
        ),
        (
            "mirror.gcr.io/library/golang:1.20-bullseye",
            "mirror.gcr.io/library/golang:1.20-alpine",
        ),
        ("golang:${GO_VERSION}", "golang:${GO_VERSION}-alpine"),
    ] {
        // The builder is the image (a builder that only feeds COPY --from
        // keeps its base: see tests/churn.rs).
        let src = format!(
            "ARG GO_VERSION=1.22\nFROM {from} AS build\nRUN go build -o /app .\nCMD [\"/app\"]\n"
        );
        let r = run(&src, 1);
        assert!(
            r.output.contains(&format!("FROM {to} AS build")),
            "{from}:\n{}",
            r.output
        );
        assert!(applied(&r, "alpine-base").contains(to));
    }
    // A digest pin is kept or the step refused (tests/churn.rs has the rest).
    let r = run(
        "FROM golang:1.21@sha256:0123abcd AS b\nRUN go build -o /a .\nCMD [\"/a\"]\n",
        1,
    );
    assert!(
        r.output
            .starts_with("FROM golang:1.21@sha256:0123abcd AS b\n")
    );
    assert!(refused(&r, "alpine-base").contains("pinned to @sha256:0123abcd"));
}

#[test]
fn alpine_base_refuses_what_alpine_would_break() {
    let cases = [
        (
            "FROM golang:1.22-windowsservercore-ltsc2022\nRUN go build -o app.exe .\nCMD [\"app.exe\"]\n",
            "Windows image",
        ),
        (
            "FROM golang:1.22\nRUN apt-get update && apt-get install -y git\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "runs `apt-get`",
        ),
        (
            "FROM golang:1.22\nRUN make build\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "runs `make`",
        ),
        (
            "FROM golang:1.22\nENV CGO_ENABLED=1\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "needs cgo",
        ),
        (
            "FROM ubuntu:22.04\nRUN curl -L https://go.dev/dl/go1.22.0.linux-amd64.tar.gz | tar -C /usr/local -xz\nRUN /usr/local/go/bin/go build -o /app .\nCMD [\"/app\"]\n",
            "from a tarball",
        ),
        (
            "FROM alpine:3.19\nRUN apk add --no-cache go\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "installed with apk",
        ),
        (
            "ARG V=1.22-bookworm\nFROM golang:${V}\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "comes from a build argument",
        ),
    ];
    for (src, why) in cases {
        let r = run_go(src, 1);
        assert!(
            refused(&r, "alpine-base").contains(why),
            "{src}: {}",
            refused(&r, "alpine-base")
        );
        assert_eq!(r.output, src);
    }
}

#[test]
fn alpine_base_is_not_applicable_when_done_or_not_go() {
    let r = run(
        "FROM golang:1.22-alpine3.19\nRUN go build -o /app .\nCMD [\"/app\"]\n",
        1,
    );
    assert!(not_applicable(&r, "alpine-base").contains("already"));
    let r = run(
        "ARG V=1.22-alpine\nFROM golang:${V}\nRUN go build -o /app .\nCMD [\"/app\"]\n",
        1,
    );
    assert!(not_applicable(&r, "alpine-base").contains("already"));
    // A Node.js file gets no Go verdict (its own transforms are tested in tests/node.rs).
    let node = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let r = run_with(node, 5, Some("go"), None);
    assert_eq!(r.output, node);
    for s in &r.steps {
        assert!(
            matches!(s.status, Status::NotApplicable(_)),
            "{}: {:?}",
            s.id,
            s.status
        );
    }
    // A golang-based dev image that builds nothing of its own.
    let dev = "FROM golang:1.21\nRUN go install github.com/cosmtrek/air@v1.49.0\nWORKDIR /src\nCMD [\"air\"]\n";
    assert_eq!(run(dev, 5).output, dev);
    // An image that only copies a prebuilt binary.
    let prebuilt = "FROM alpine:3.19\nCOPY app /usr/local/bin/app\nCMD [\"app\"]\n";
    assert_eq!(run(prebuilt, 5).output, prebuilt);
}

// ---- cmd-binary ----

#[test]
fn cmd_binary_runs_the_built_binary_with_its_arguments() {
    let r = run_with(
        "FROM golang:1.21-alpine\nWORKDIR /src\nCOPY . .\nRUN go build -o server ./cmd/server\nCMD [\"go\", \"run\", \"./cmd/server\", \"-port\", \"80\"]\n",
        2,
        Some("cmd-binary"),
        None,
    );
    assert!(
        r.output
            .ends_with("CMD [\"/src/server\", \"-port\", \"80\"]\n"),
        "{}",
        r.output
    );
    // A relative shell-form command becomes exec form with an absolute path.
    let r = run_with(
        "FROM golang:1.21-alpine\nWORKDIR /app\nRUN go build -o main .\nCMD ./main --debug\n",
        2,
        Some("cmd-binary"),
        None,
    );
    assert!(r.output.ends_with("CMD [\"/app/main\", \"--debug\"]\n"));
    // Shell syntax around go run cannot be rewritten exactly.
    let r = run_with(
        "FROM golang:1.21\nCMD go run . --port $PORT\n",
        2,
        Some("cmd-binary"),
        None,
    );
    assert!(refused(&r, "cmd-binary").contains("shell syntax"));
    // A script is not a Go binary: left alone.
    let r = run_with(
        "FROM golang:1.21\nRUN go build -o /app .\nCMD [\"./start.sh\"]\n",
        2,
        Some("cmd-binary"),
        None,
    );
    assert!(not_applicable(&r, "cmd-binary").contains("not one built here"));
}

// ---- multi-stage ----

#[test]
fn multi_stage_carries_what_the_container_needs() {
    let src = "FROM golang:1.21-alpine3.18\nARG PORT=8080\nENV GOPROXY=https://proxy.golang.org GOFLAGS=-mod=vendor APP_ENV=prod\nENV LISTEN=:$PORT\nWORKDIR /src\nCOPY . .\nRUN go build -o /src/api ./cmd/api\nLABEL org.opencontainers.image.title=api\nEXPOSE 8080\nVOLUME /data\nUSER 1000:1000\nSTOPSIGNAL SIGINT\nENTRYPOINT [\"/src/api\"]\nCMD [\"--verbose\"]\n";
    let r = run(src, 2);
    let out = &r.output;
    let (builder, runtime) = out
        .split_once("\nFROM alpine:3.18\n")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(builder.starts_with("FROM golang:1.21-alpine3.18 AS builder\n"));
    for moved in [
        "LABEL",
        "EXPOSE",
        "VOLUME",
        "USER",
        "STOPSIGNAL",
        "ENTRYPOINT",
        "CMD",
    ] {
        assert!(
            !builder.contains(&format!("\n{moved} ")),
            "{moved} left in the builder:\n{out}"
        );
        assert!(
            runtime.contains(&format!("{moved} ")),
            "{moved} not in the runtime:\n{out}"
        );
    }
    assert!(runtime.contains("ENV APP_ENV=prod\n"), "{out}");
    assert!(!runtime.contains("GOPROXY") && !runtime.contains("GOFLAGS"));
    assert!(
        runtime.contains("ARG PORT=8080\n") && runtime.contains("ENV LISTEN=:$PORT\n"),
        "{out}"
    );
    assert!(runtime.contains("WORKDIR /src\n"));
    assert!(runtime.contains("COPY --from=builder /src/api /src/api\n"));
    assert!(applied(&r, "multi-stage").contains("/src/api"));
}

#[test]
fn multi_stage_writes_the_binary_where_go_build_puts_it() {
    // No -o: named after the first file, in the working directory ($GOPATH resolved).
    let r = run(
        "FROM golang:1.16-alpine\nCOPY . /$GOPATH/src/app/\nWORKDIR /$GOPATH/src/app/\nRUN go build ./cmd/main.go\nCMD [\"/go/src/app/main\"]\n",
        2,
    );
    assert!(
        r.output
            .contains("COPY --from=builder /go/src/app/main /go/src/app/main\n"),
        "{}",
        r.output
    );
    assert!(r.output.contains("WORKDIR /go/src/app\n"));
    // -o to a directory.
    let r = run(
        "FROM golang:1.22-alpine\nWORKDIR /w\nRUN go build -o bin/ ./cmd/tool\nCMD [\"/w/bin/tool\"]\n",
        2,
    );
    assert!(
        r.output
            .contains("COPY --from=builder /w/bin/tool /w/bin/tool\n"),
        "{}",
        r.output
    );
    // go install with GOBIN.
    let r = run(
        "FROM golang:1.22-alpine\nENV GOBIN=/usr/local/bin\nWORKDIR /w\nRUN go install ./cmd/api\nCMD [\"api\"]\n",
        2,
    );
    assert!(
        r.output
            .contains("COPY --from=builder /usr/local/bin/api /usr/local/bin/api\n"),
        "{}",
        r.output
    );
    assert!(r.output.contains("CMD [\"/usr/local/bin/api\"]"));
    // The name of `go build .` comes from go.mod; without it, -o is added.
    let (_d, c) = ctx(&[("go.mod", "module example.com/shop/v2\n")]);
    let r = run_with(
        "FROM golang:1.22-alpine\nWORKDIR /w\nCOPY . .\nRUN go build\nCMD [\"./shop\"]\n",
        2,
        None,
        Some(&c),
    );
    assert!(
        r.output.contains("COPY --from=builder /w/shop /w/shop\n"),
        "{}",
        r.output
    );
    let r = run(
        "FROM golang:1.22-alpine\nWORKDIR /w\nCOPY . .\nRUN go build\nCMD [\"./shop\"]\n",
        2,
    );
    assert!(
        r.output.contains("RUN go build -o /w/shop\n"),
        "{}",
        r.output
    );
}

#[test]
fn multi_stage_refuses_when_the_runtime_would_lack_something() {
    let cases = [
        (
            "FROM golang:1.22-alpine\nRUN apk add --no-cache ffmpeg\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "installs ffmpeg",
        ),
        (
            "FROM golang:1.22-alpine\nRUN go build -o /app .\nCMD [\"sh\", \"-c\", \"/app | tee log\"]\n",
            "runs sh",
        ),
        (
            "FROM golang:1.22-alpine\nRUN go build -o /app .\n",
            "no CMD or ENTRYPOINT",
        ),
        (
            "FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            "glibc",
        ),
        (
            "FROM golang:1.22-alpine\nRUN go build -o /app .\nCMD /app && echo done\n",
            "shell syntax",
        ),
    ];
    for (src, why) in cases {
        let r = run_with(src, 2, Some("multi-stage"), None);
        assert!(
            refused(&r, "multi-stage").contains(why),
            "{src}: {}",
            refused(&r, "multi-stage")
        );
        assert_eq!(r.output, src);
    }
    let r = run(
        "FROM golang:1.22 AS b\nRUN go build -o /a .\nFROM alpine:3.19\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        2,
    );
    assert!(not_applicable(&r, "multi-stage").contains("already multi-stage"));
}

#[test]
fn multi_stage_brings_files_read_at_run_time() {
    let (_d, c) = ctx(&[
        ("go.mod", "module example.com/site\n"),
        (
            "main.go",
            "package main\n\nfunc main() {\n\tt := template.Must(template.ParseGlob(\"templates/*.html\"))\n\thttp.Handle(\"/\", http.FileServer(http.Dir(\"./public\")))\n\t_ = t\n}\n",
        ),
        ("templates/index.html", "<h1>hi</h1>"),
        ("public/app.css", "body{}"),
        ("assets/logo.svg", "<svg/>"),
        ("embedded/x.txt", "x"),
    ]);
    let r = run_with(
        "FROM golang:1.22-alpine\nWORKDIR /srv\nCOPY . .\nRUN go build -o /srv/site .\nCMD [\"/srv/site\"]\n",
        2,
        None,
        Some(&c),
    );
    for d in ["templates", "public", "assets"] {
        assert!(
            r.output
                .contains(&format!("COPY --from=builder /srv/{d} /srv/{d}\n")),
            "{d}:\n{}",
            r.output
        );
    }
    assert!(!r.output.contains("embedded"));
    assert!(
        notes(&r, "multi-stage").contains("main.go:4 template.ParseGlob(\"templates/*.html\")")
    );
    // go:embed puts them in the binary: nothing to copy.
    let (_d, c) = ctx(&[
        ("go.mod", "module example.com/site\n"),
        (
            "main.go",
            "package main\n\n//go:embed templates\nvar fs embed.FS\n\nfunc main() { template.ParseFS(fs, \"templates/*\") }\n",
        ),
        ("templates/index.html", "<h1>hi</h1>"),
    ]);
    let r = run_with(
        "FROM golang:1.22-alpine\nWORKDIR /srv\nCOPY . .\nRUN go build -o /srv/site .\nCMD [\"/srv/site\"]\n",
        2,
        None,
        Some(&c),
    );
    assert!(!r.output.contains("templates"), "{}", r.output);
}

// ---- cgo-off ----

#[test]
fn cgo_off_sets_it_before_the_first_go_command() {
    let r = run(
        "FROM golang:1.22-alpine AS b\nWORKDIR /w\nCOPY . .\nRUN go mod download\nRUN go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        3,
    );
    assert!(
        r.output
            .contains("COPY . .\nENV CGO_ENABLED=0\nRUN go mod download\n"),
        "{}",
        r.output
    );
    assert!(notes(&r, "cgo-off").contains("no build context"));
    // Already off through an env prefix: nothing to do.
    let r = run(
        "FROM golang:1.22-alpine AS b\nRUN CGO_ENABLED=0 GOOS=linux go build -a -installsuffix cgo -o main .\nFROM scratch\nCOPY --from=b /go/main /main\nCMD [\"/main\"]\n",
        3,
    );
    assert!(not_applicable(&r, "cgo-off").contains("already off"));
}

#[test]
fn cgo_off_refuses_when_the_program_uses_c() {
    let base = |extra: &str| {
        format!(
            "FROM golang:1.22-alpine AS b\n{extra}RUN go build -o /a .\nFROM alpine:3.19\nCOPY --from=b /a /a\nCMD [\"/a\"]\n"
        )
    };
    // cgo that must stay on, with build-base (musl-dev's libc.a, gcc's
    // libgcc.a): linked statically against musl, then scratch.
    let r = run(&base("RUN apk add --no-cache build-base\n"), 5);
    assert!(applied(&r, "cgo-off").contains("linked statically against musl"));
    assert!(
        notes(&r, "cgo-off").contains("installs build-base"),
        "{}",
        notes(&r, "cgo-off")
    );
    assert!(r.output.contains(
        "RUN go build -ldflags=\"-s -w -linkmode=external -extldflags=-static\" -o /a .\nFROM scratch\n"
    ), "{}", r.output);
    for (extra, why) in [
        (
            "RUN apk add gcc musl-dev sqlite-dev\n",
            "installs gcc, musl-dev, sqlite-dev",
        ),
        ("RUN apk add gcc musl-dev sqlite-dev\n", "sqlite-static"),
        ("ENV CGO_ENABLED=1\n", "asks for cgo"),
        ("ENV CGO_ENABLED=1\n", "no musl-dev"),
        ("ARG CGO_ENABLED\n", "only known at build time"),
    ] {
        let r = run(&base(extra), 5);
        assert!(
            refused(&r, "cgo-off").contains(why),
            "{extra}: {}",
            refused(&r, "cgo-off")
        );
        // scratch needs a static binary: skipped with the reason.
        assert!(held_back(&r, "scratch-runtime").contains("cgo-off"));
    }
    let (_d, c) = ctx(&[
        ("go.mod", "module x\n"),
        (
            "main.go",
            "package main\n\n// #include <stdio.h>\nimport \"C\"\n\nfunc main() {}\n",
        ),
    ]);
    let r = run_with(&base(""), 5, None, Some(&c));
    assert!(refused(&r, "cgo-off").contains("main.go:4 imports \"C\""));
    let (_d, c) = ctx(&[
        (
            "go.mod",
            "module x\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n",
        ),
        ("main.go", "package main\nfunc main() {}\n"),
    ]);
    let r = run_with(&base(""), 5, None, Some(&c));
    assert!(refused(&r, "cgo-off").contains("github.com/mattn/go-sqlite3"));
}

// ---- scratch-runtime ----

#[test]
fn scratch_runtime_swaps_small_bases_and_keeps_tls_and_users() {
    for base in [
        "alpine:3.19",
        "debian:bookworm-slim",
        "ubuntu:24.04",
        "busybox:1.36",
        "gcr.io/distroless/base-debian12",
    ] {
        let src = format!(
            "FROM golang:1.22-alpine AS build\nENV CGO_ENABLED=0\nRUN go build -o /a .\nFROM {base} AS run\nCOPY --from=build /a /a\nUSER nobody\nENTRYPOINT [\"/a\"]\n"
        );
        let r = run(&src, 4);
        assert!(r.output.contains("FROM scratch AS run\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"), "{base}:\n{}", r.output);
        assert!(r.output.contains("USER 65534:65534\n"));
    }
    let r = run(
        "FROM golang:1.22-alpine AS b\nENV CGO_ENABLED=0\nRUN go build -o /a .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        4,
    );
    assert!(not_applicable(&r, "scratch-runtime").contains("already as small as scratch"));
    let r = run(
        "FROM golang:1.22-alpine AS b\nENV CGO_ENABLED=0\nRUN go build -o /a .\nFROM gcr.io/distroless/base-debian12:nonroot\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        4,
    );
    assert!(r.output.contains("FROM scratch\nCOPY --from=b /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nUSER 65532:65532\n"), "{}", r.output);
}

#[test]
fn scratch_runtime_refuses_a_runtime_that_needs_a_shell_or_files() {
    let base = |runtime: &str| {
        format!(
            "FROM golang:1.22-alpine AS b\nENV CGO_ENABLED=0\nRUN go build -o /a .\nFROM alpine:3.19\nCOPY --from=b /a /a\n{runtime}"
        )
    };
    for (runtime, why) in [
        (
            "RUN apk add --no-cache curl\nCMD [\"/a\"]\n",
            "runs a command",
        ),
        ("CMD /a --port $PORT\n", "shell form"),
        (
            "COPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
            "not copied from a builder",
        ),
        (
            "HEALTHCHECK CMD wget -q -O- localhost:80 || exit 1\nCMD [\"/a\"]\n",
            "HEALTHCHECK",
        ),
        ("USER app\nCMD [\"/a\"]\n", "USER app"),
        (
            "COPY --chown=app:app cfg /cfg\nCMD [\"/a\"]\n",
            "--chown=app:app",
        ),
        ("", "no CMD or ENTRYPOINT"),
    ] {
        let r = run(&base(runtime), 4);
        assert!(
            held_back(&r, "scratch-runtime").contains(why),
            "{runtime}: {}",
            held_back(&r, "scratch-runtime")
        );
    }
    // A dynamically linked binary cannot run there.
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nRUN go build -o /a .\nFROM alpine:3.19\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        4,
        Some("scratch-runtime"),
        None,
    );
    assert!(held_back(&r, "scratch-runtime").contains("cgo is not switched off"));
    // Single-stage: nothing to swap.
    let r = run_with(
        "FROM golang:1.22-alpine\nRUN go build -o /a .\nCMD [\"/a\"]\n",
        4,
        Some("scratch-runtime"),
        None,
    );
    assert!(not_applicable(&r, "scratch-runtime").contains("no separate runtime stage"));
}

#[test]
fn time_zones_travel_with_the_binary() {
    let (_d, c) = ctx(&[
        ("go.mod", "module x\n"),
        (
            "main.go",
            "package main\n\nfunc main() {\n\tloc, _ := time.LoadLocation(\"Europe/Berlin\")\n\t_ = loc\n}\n",
        ),
    ]);
    // cgo on at the split: the toolchain's zoneinfo.zip goes to the runtime
    // (a new build tag would rebuild old Go's standard library with cgo).
    let src = "FROM golang:1.22-alpine\nWORKDIR /w\nCOPY . .\nRUN go build -tags netgo -o /w/x .\nCMD [\"/w/x\"]\n";
    let r = run_with(src, 5, None, Some(&c));
    assert!(r.output.contains("COPY --from=builder /usr/local/go/lib/time/zoneinfo.zip /usr/local/go/lib/time/zoneinfo.zip\nENV ZONEINFO=/usr/local/go/lib/time/zoneinfo.zip\n"), "{}", r.output);
    assert!(notes(&r, "multi-stage").contains("main.go:4 loads time zones"));
    // cgo already off: the binary embeds the database.
    let off = src.replace("WORKDIR /w\n", "WORKDIR /w\nENV CGO_ENABLED=0\n");
    let r = run_with(&off, 5, None, Some(&c));
    assert!(
        r.output
            .contains("go build -ldflags=\"-s -w\" -tags netgo,timetzdata -o /w/x ."),
        "{}",
        r.output
    );
    // Embedded already: nothing added.
    let (_d, c) = ctx(&[
        ("go.mod", "module x\n"),
        (
            "main.go",
            "package main\n\nimport _ \"time/tzdata\"\n\nfunc main() { time.LoadLocation(\"UTC\") }\n",
        ),
    ]);
    let r = run_with(src, 5, None, Some(&c));
    assert!(!r.output.contains("timetzdata"));
}

// ---- strip-flags ----

#[test]
fn strip_flags_merges_into_every_quoting_style() {
    let cases = [
        ("go build -o /a .", "go build -ldflags=\"-s -w\" -o /a ."),
        (
            "go build -ldflags \"-X main.v=$V\" -o /a .",
            "go build -ldflags \"-s -w -X main.v=$V\" -o /a .",
        ),
        (
            "go build -ldflags='-X main.v=1' -o /a .",
            "go build -ldflags='-s -w -X main.v=1' -o /a .",
        ),
        (
            "go build -ldflags=-X=main.v=1 -o /a .",
            "go build -ldflags=\"-s -w -X=main.v=1\" -o /a .",
        ),
        (
            "go build \"-ldflags=-X main.v=1\" -o /a .",
            "go build \"-ldflags=-s -w -X main.v=1\" -o /a .",
        ),
        (
            "go build -ldflags \"-s\" -o /a .",
            "go build -ldflags \"-w -s\" -o /a .",
        ),
        (
            "go build -ldflags \"-w -s\" -o /a .",
            "go build -ldflags \"-w -s\" -o /a .",
        ),
        (
            "CGO_ENABLED=0 go build \\\n    -ldflags \"-X a=b\" \\\n    -o /a .",
            "CGO_ENABLED=0 go build \\\n    -ldflags \"-s -w -X a=b\" \\\n    -o /a .",
        ),
        (
            "go mod download && go build -o /a . && echo ok",
            "go mod download && go build -ldflags=\"-s -w\" -o /a . && echo ok",
        ),
    ];
    for (build, expected) in cases {
        let src = format!(
            "FROM golang:1.22-alpine AS b\nENV CGO_ENABLED=0\nRUN {build}\nFROM scratch\nCOPY --from=b /a /a\nCMD [\"/a\"]\n"
        );
        let r = run_with(&src, 5, Some("strip-flags"), None);
        assert!(
            r.output.contains(&format!("RUN {expected}\n")),
            "{build}:\n{}",
            r.output
        );
    }
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nRUN [\"go\", \"build\", \"-o\", \"/a\", \".\"]\nFROM scratch\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        5,
        Some("strip-flags"),
        None,
    );
    assert!(
        r.output
            .contains("RUN [\"go\", \"build\", \"-ldflags=-s -w\", \"-o\", \"/a\", \".\"]\n"),
        "{}",
        r.output
    );
    // Several binaries, all shipped: each gets the flags.
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nRUN go build -o /api ./cmd/api\nRUN go build -o /worker ./cmd/worker\nFROM scratch\nCOPY --from=b /api /api\nCOPY --from=b /worker /worker\nCMD [\"/api\"]\n",
        5,
        Some("strip-flags"),
        None,
    );
    assert_eq!(r.output.matches("-ldflags=\"-s -w\"").count(), 2);
}

#[test]
fn strip_flags_sees_through_make_only_when_it_can() {
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nRUN apk add make\nRUN make build LDFLAGS=\"-X main.v=1\"\nFROM scratch\nCOPY --from=b /src/bin/app /app\nCMD [\"/app\"]\n",
        5,
        Some("strip-flags"),
        None,
    );
    assert!(
        r.output
            .contains("RUN make build LDFLAGS=\"-s -w -X main.v=1\"\n"),
        "{}",
        r.output
    );
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nRUN make build\nFROM scratch\nCOPY --from=b /src/bin/app /app\nCMD [\"/app\"]\n",
        5,
        Some("strip-flags"),
        None,
    );
    assert!(refused(&r, "strip-flags").contains("goes through make"));
    let r = run_with(
        "FROM golang:1.22-alpine AS b\nENV GOFLAGS=\"-ldflags=-X=main.v=1\"\nRUN go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\nCMD [\"/a\"]\n",
        5,
        Some("strip-flags"),
        None,
    );
    assert!(refused(&r, "strip-flags").contains("GOFLAGS sets -ldflags"));
}

// ---- real-world shapes ----

#[test]
fn cross_compiling_builders_keep_their_platform() {
    let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/go-build \\\n    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app\nFROM alpine:3.19\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";
    let r = run(src, 5);
    assert!(
        r.output
            .starts_with("FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\n"),
        "{}",
        r.output
    );
    assert!(r.output.contains(
        "GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags=\"-s -w\" -o /out/app ./cmd/app\n"
    ));
    assert!(r.output.contains("\nFROM scratch\n"));
    assert!(!r.output.contains("FROM --platform=$BUILDPLATFORM scratch"));
}

#[test]
fn copies_from_stage_index_count_as_builders() {
    let src = "FROM golang:1.21\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nFROM debian:bookworm-slim\nCOPY --from=0 /app/server /server\nCMD [\"/server\"]\n";
    let r = run(src, 5);
    // Stage 0 only feeds COPY --from into a glibc runtime: its base stays.
    assert!(r.output.contains("FROM golang:1.21\n"));
    assert!(
        r.output
            .contains("ENV CGO_ENABLED=0\nRUN go build -ldflags=\"-s -w\" -o server .\n")
    );
    assert!(
        r.output.contains(
            "FROM scratch\nCOPY --from=0 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"
        ),
        "{}",
        r.output
    );
}

#[test]
fn go_on_another_base_still_gets_later_levels() {
    let src = "FROM alpine:3.19\nRUN apk add --no-cache go\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/svc .\nCMD [\"/app/svc\"]\n";
    let r = run(src, 5);
    // Refused at first (Go comes from apk); once split, the builder is
    // alpine already.
    assert!(not_applicable(&r, "alpine-base").contains("already uses an alpine image"));
    assert!(refused(&run(src, 1), "alpine-base").contains("installed with apk"));
    applied(&r, "multi-stage");
    applied(&r, "scratch-runtime");
    assert!(r.output.contains("FROM alpine:3.19 AS builder\n"));
}

#[test]
fn bytes_outside_the_edits_stay_as_they_were() {
    let src = "\u{feff}# syntax=docker/dockerfile:1\r\n# Service\r\nFROM\tgolang:1.21 AS b\r\nWORKDIR /w\r\nRUN go build \\\r\n\t-o /a . # build\r\n\r\nFROM alpine:3.19\r\nCOPY --from=b /a /a\r\nCMD [\"/a\"]\r\n";
    let r = run(src, 1);
    assert_eq!(r.output, src.replace("golang:1.21", "golang:1.21-alpine"));
    let r = run(src, 5);
    assert!(r.output.starts_with('\u{feff}'));
    assert!(
        !r.output.replace("\r\n", "").contains('\n'),
        "a bare LF was written:\n{:?}",
        r.output
    );
    assert!(r.output.contains("\tgolang:1.21-alpine AS b\r\n"));
    assert!(r.output.contains(
        "FROM scratch\r\nCOPY --from=b /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\r\n"
    ));
}

#[test]
fn only_and_skip_compose_by_hand() {
    let src =
        "FROM golang:1.21\nWORKDIR /w\nCOPY . .\nRUN go build -o /w/app .\nCMD [\"/w/app\"]\n";
    let r = run_with(src, 5, Some("strip-flags"), None);
    assert_eq!(r.steps.len(), 1);
    assert_eq!(
        r.output,
        src.replace("go build", "go build -ldflags=\"-s -w\"")
    );
    let sel = Selection {
        level: 5,
        skip: vec!["alpine-base".into()],
        ..Selection::default()
    };
    let r = pipeline::run(src, &sel, None).unwrap();
    // Without alpine-base, cgo-off makes the glibc builder safe to split.
    assert!(
        r.output.starts_with("FROM golang:1.21 AS builder\n"),
        "{}",
        r.output
    );
    assert!(r.steps.iter().all(|s| s.id != "alpine-base"));
}
