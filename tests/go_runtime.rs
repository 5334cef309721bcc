//! The minimal runtime of level 4 (issue 15): each RUN a runtime stage runs
//! that scratch cannot, and what scratch-runtime writes instead (or why it
//! refuses); the `runtime = "distroless"` choice; the opt-in nonroot-user.

mod common;

use common::steps::{applied, not_applicable, notes, refused};

use dfslim::analysis::BuildContext;
use dfslim::digest;
use dfslim::pipeline::{self, Input, Run, Runtime, Selection};
use std::collections::HashMap;

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

fn go_ctx(main: &str) -> (tempfile::TempDir, BuildContext) {
    ctx(&[("go.mod", "module example.com/app\n"), ("main.go", main)])
}

fn sel(level: u8, runtime: Runtime, only: Option<&str>) -> Selection {
    Selection {
        level,
        runtime,
        only: only.map(|o| o.split(',').map(str::to_string).collect()),
        ..Selection::default()
    }
}

fn run_sel(src: &str, s: &Selection, context: Option<&BuildContext>) -> Run {
    let run = pipeline::run(src, s, context).unwrap();
    // Every result is a fixed point.
    let again = pipeline::run(&run.output, s, context).unwrap();
    assert_eq!(again.output, run.output, "not idempotent:\n{}", run.output);
    run
}

/// Level 4, scratch.
fn l4(src: &str) -> Run {
    run_sel(src, &sel(4, Runtime::Scratch, None), None)
}

fn l4_in(src: &str, c: &BuildContext) -> Run {
    run_sel(src, &sel(4, Runtime::Scratch, None), Some(c))
}

/// Level 4, distroless.
fn l4d(src: &str) -> Run {
    run_sel(src, &sel(4, Runtime::Distroless, None), None)
}

/// A multi-stage Go file whose alpine runtime has `runtime` between its
/// FROM and its COPY of the binary, and `tail` after it.
fn file(runtime: &str, tail: &str) -> String {
    format!(
        "FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM alpine:3.20\n{runtime}COPY --from=build /out/app /usr/local/bin/app\n{tail}ENTRYPOINT [\"/usr/local/bin/app\"]\n"
    )
}

// ---- section 1: the runtime's RUN lines ----------------------------------------

/// ca-certificates (and update-ca-certificates): scratch gets the bundle
/// from the builder, as for any runtime.
#[test]
fn ca_certificates_become_the_copied_bundle() {
    for run in [
        "RUN apk add --no-cache ca-certificates\n",
        "RUN apk --no-cache add ca-certificates && update-ca-certificates\n",
        "RUN apk update && apk add ca-certificates && rm -rf /var/cache/apk/*\n",
    ] {
        let r = l4(&file(run, ""));
        assert!(
            r.output.contains("FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /out/app /usr/local/bin/app\n"),
            "{run}:\n{}",
            r.output
        );
        assert!(!r.output.contains("RUN apk"), "{}", r.output);
        let n = notes(&r, "scratch-runtime");
        assert!(
            n.contains(
                "line 7 installs ca-certificates: the CA bundle is copied from `build` instead"
            ),
            "{n}"
        );
    }
    // Debian's way, with its cleanups.
    let src = file("", "").replace(
        "FROM alpine:3.20\n",
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*\n",
    );
    let r = l4(&src);
    assert!(
        r.output
            .contains("FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt")
    );
    let n = notes(&r, "scratch-runtime");
    assert!(
        n.contains(
            "`rm -rf /var/lib/apt/lists/*` dropped: it only cleans up after the package installs"
        ),
        "{n}"
    );
    // Certificates of its own merged into the bundle: the builder's lacks them.
    let r = l4(&file(
        "COPY corp-ca.crt /usr/local/share/ca-certificates/\nRUN apk add --no-cache ca-certificates && update-ca-certificates\n",
        "",
    ));
    assert!(
        refused(&r, "scratch-runtime").contains(
            "line 7 adds CA certificates of its own, which line 8 merges into the bundle"
        ),
        "{}",
        refused(&r, "scratch-runtime")
    );
}

/// tzdata: the zone database in the binary (Go ≥ 1.15), or Go's own
/// zoneinfo.zip with ENV ZONEINFO (older Go), never /usr/share/zoneinfo.
#[test]
fn tzdata_becomes_the_embedded_zone_database() {
    let r = l4(&file("RUN apk add --no-cache ca-certificates tzdata\n", ""));
    assert!(
        r.output
            .contains("RUN CGO_ENABLED=0 go build -tags=timetzdata -o /out/app .\n"),
        "{}",
        r.output
    );
    assert!(notes(&r, "scratch-runtime").contains(
        "line 7 installs tzdata: the zone database is embedded in the binary instead (-tags timetzdata)"
    ));
    // Go 1.14 has no time/tzdata: the toolchain's zoneinfo.zip.
    let old = file("RUN apk add --no-cache tzdata\n", "").replace("golang:1.22", "golang:1.14");
    let r = l4(&old);
    assert!(
        r.output.contains("COPY --from=build /usr/local/go/lib/time/zoneinfo.zip /usr/local/go/lib/time/zoneinfo.zip\nENV ZONEINFO=/usr/local/go/lib/time/zoneinfo.zip\n"),
        "{}",
        r.output
    );
    assert!(!r.output.contains("timetzdata"));
    assert!(notes(&r, "scratch-runtime").contains("a Go before 1.15 cannot embed it"));
}

/// chmod +x on the copied Go binary: dropped (COPY --from keeps 0755); on
/// anything else, or taking bits away, refused.
#[test]
fn chmod_on_the_copied_binary_is_dropped() {
    for chmod in [
        "chmod +x /usr/local/bin/app",
        "chmod 755 /usr/local/bin/app",
        "chmod a+rx,u+w /usr/local/bin/app",
    ] {
        let r = l4(&file("", &format!("RUN {chmod}\n")));
        assert!(!r.output.contains("chmod"), "{}", r.output);
        assert!(
            notes(&r, "scratch-runtime").contains(&format!(
                "line 8: `{chmod}` dropped: COPY --from keeps the 0755 mode go build gave the binary"
            )),
            "{}",
            notes(&r, "scratch-runtime")
        );
    }
    // Relative to WORKDIR, as the corpus writes it.
    let src = "FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o main .\nFROM alpine:latest\nWORKDIR /app\nCOPY --from=build /app/main ./\nRUN chmod +x ./main\nCMD [\"./main\"]\n";
    let r = l4(src);
    assert_eq!(
        r.output,
        "FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o main .\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nWORKDIR /app\nCOPY --from=build /app/main ./\nCMD [\"./main\"]\n"
    );
    for (tail, why) in [
        (
            "COPY run.sh /run.sh\nRUN chmod +x /run.sh\n",
            "/run.sh is not a Go binary copied from a builder",
        ),
        (
            "RUN chmod 600 /usr/local/bin/app\n",
            "changes the mode in ways COPY --from does not already give",
        ),
        (
            "RUN chmod -R +x /usr/local/bin\n",
            "with options dfslim does not follow",
        ),
    ] {
        let r = l4(&file("", tail));
        let why_given = refused(&r, "scratch-runtime");
        assert!(why_given.contains(why), "{tail}: {why_given}");
        assert!(
            why_given.contains("runs a command in the runtime"),
            "{why_given}"
        );
    }
}

/// The user the image runs as: passwd and group lines with the ids busybox
/// gives on alpine, written in the builder and copied; numeric USER and
/// --chown.
#[test]
fn users_become_passwd_lines_and_numeric_ids() {
    let r = l4(&file(
        "RUN addgroup -S app && adduser -S -G app app\n",
        "COPY --chown=app:app config.yml /etc/app/config.yml\nUSER app\n",
    ));
    assert_eq!(
        r.output,
        "FROM golang:1.22-alpine AS build\nRUN mkdir -p /rootfs/etc /rootfs/home/app && \\\n    printf '%s\\n' 'app:x:100:101:Linux User,,,:/home/app:/sbin/nologin' > /rootfs/etc/passwd && \\\n    printf '%s\\n' 'app:x:101:app' > /rootfs/etc/group\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /rootfs/etc/passwd /rootfs/etc/group /etc/\nCOPY --from=build --chown=100:101 /rootfs/home/app /home/app\nCOPY --from=build /out/app /usr/local/bin/app\nCOPY --chown=100:101 config.yml /etc/app/config.yml\nUSER 100:101\nENTRYPOINT [\"/usr/local/bin/app\"]\n"
    );
    let n = notes(&r, "scratch-runtime");
    assert!(
        n.contains("USER app -> 100:101 (the ids the RUN on line 7 gave it"),
        "{n}"
    );
    assert!(
        n.contains("--chown=app:app on line 9 -> --chown=100:101"),
        "{n}"
    );
    assert!(n.contains("line 7 creates app: the /etc/passwd and /etc/group lines it wrote are written in `build` and copied instead"), "{n}");
    // The corpus's shape: options after the name, WORKDIR in the home.
    let r = l4(&file(
        "RUN addgroup -S scaling-ws && adduser -S scaling-ws -G scaling-ws\nUSER scaling-ws\nWORKDIR /home/scaling-ws\n",
        "",
    ));
    assert!(r.output.contains("USER 100:101\n"), "{}", r.output);
    // No home (-H), a uid given: no home copied.
    let r = l4(&file(
        "RUN adduser -D -H -u 10001 appuser\n",
        "USER appuser\n",
    ));
    assert!(r.output.contains("USER 10001:10001\n"), "{}", r.output);
    assert!(!r.output.contains("/rootfs/home"), "{}", r.output);
    // shadow's useradd with numbers, on Debian.
    let src = file("", "").replace(
        "FROM alpine:3.20\n",
        "FROM debian:bookworm-slim\nRUN groupadd -g 2000 svc && useradd -u 2000 -g svc -m svc\nUSER svc\n",
    );
    let r = l4(&src);
    assert!(r.output.contains("USER 2000:2000\n"), "{}", r.output);
    assert!(
        r.output.contains("'svc:x:2000:2000::/home/svc:/bin/sh'"),
        "{}",
        r.output
    );
    // Ids a tool picks from its own configuration: refused, saying how to fix it.
    let src = file("", "").replace(
        "FROM alpine:3.20\n",
        "FROM debian:bookworm-slim\nRUN useradd -r svc\nUSER svc\n",
    );
    let why = refused(&l4(&src), "scratch-runtime");
    assert!(why.contains("useradd svc has no -u"), "{why}");
    let why = refused(
        &l4(&file("RUN adduser app\n", "USER app\n")),
        "scratch-runtime",
    );
    assert!(why.contains("asks for a password"), "{why}");
}

/// tini / dumb-init as PID 1: a static build installed in the builder and
/// copied; where none exists, refused naming it.
#[test]
fn an_init_comes_from_a_static_build() {
    let src = file("RUN apk add --no-cache tini\n", "").replace(
        "ENTRYPOINT [\"/usr/local/bin/app\"]\n",
        "ENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"/usr/local/bin/app\"]\n",
    );
    let r = l4(&src);
    assert!(
        r.output
            .starts_with("FROM golang:1.22-alpine AS build\nRUN apk add --no-cache tini-static\n"),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains("COPY --from=build /sbin/tini-static /sbin/tini\n"),
        "{}",
        r.output
    );
    assert!(notes(&r, "scratch-runtime").contains("line 7 installs tini, run as PID 1"));
    // dumb-init by name, on the PATH; Alpine's is static.
    let src = file("RUN apk add --no-cache dumb-init\n", "").replace(
        "ENTRYPOINT [\"/usr/local/bin/app\"]\n",
        "ENTRYPOINT [\"dumb-init\", \"--rewrite\", \"15:2\", \"/usr/local/bin/app\"]\n",
    );
    let r = l4(&src);
    assert!(
        r.output.contains("RUN apk add --no-cache dumb-init\n")
            && r.output
                .contains("COPY --from=build /usr/bin/dumb-init /usr/bin/dumb-init\n"),
        "{}",
        r.output
    );
    // A Debian builder has no static dumb-init.
    let deb = src.replace("golang:1.22-alpine", "golang:1.22");
    let r = run_sel(
        &deb,
        &sel(4, Runtime::Scratch, Some("scratch-runtime")),
        None,
    );
    let why = refused(&r, "scratch-runtime");
    assert!(why.contains("installs dumb-init to run as PID 1"), "{why}");
    assert!(why.contains("dynamically linked"), "{why}");
    // Installed, not run: dfslim does not guess what for.
    let why = refused(
        &l4(&file("RUN apk add --no-cache tini\n", "")),
        "scratch-runtime",
    );
    assert!(why.contains("does not run tini as PID 1"), "{why}");
}

/// curl or wget for a HEALTHCHECK: refused naming it, unless the program
/// has a health command of its own, which the HEALTHCHECK then runs.
#[test]
fn a_healthcheck_client_needs_a_health_command() {
    let hc =
        "HEALTHCHECK --interval=30s \\\n    CMD curl -f http://localhost:8080/health || exit 1\n";
    let src = file("RUN apk add --no-cache curl\n", hc);
    let why = refused(&l4(&src), "scratch-runtime");
    assert!(
        why.contains(
            "the HEALTHCHECK on line 9 runs curl (installed on line 7), which scratch does not have"
        ),
        "{why}"
    );
    let (_d, c) = go_ctx(
        "package main\n\nimport \"os\"\n\nfunc main() {\n\tif len(os.Args) > 1 && os.Args[1] == \"healthcheck\" {\n\t\tos.Exit(check())\n\t}\n}\n",
    );
    let r = l4_in(&src, &c);
    assert!(
        r.output.contains(
            "HEALTHCHECK --interval=30s \\\n    CMD [\"/usr/local/bin/app\", \"healthcheck\"]\n"
        ),
        "{}",
        r.output
    );
    assert!(!r.output.contains("curl"));
    assert!(notes(&r, "scratch-runtime").contains(
        "it now runs the program's own health check, `/usr/local/bin/app healthcheck` (main.go:6)"
    ));
    // With the sources and no health command: said so.
    let (_d, c) = go_ctx("package main\n\nfunc main() {}\n");
    let why = refused(&l4_in(&src, &c), "scratch-runtime");
    assert!(
        why.contains("the program offers no health command of its own"),
        "{why}"
    );
    // curl installed for something else: the program may run it.
    let why = refused(
        &l4(&file("RUN apk add --no-cache curl\n", "")),
        "scratch-runtime",
    );
    assert!(
        why.contains("it installs curl, which the program may run"),
        "{why}"
    );
    // A HEALTHCHECK that runs the binary itself was always fine.
    let r = l4(&file(
        "",
        "HEALTHCHECK CMD [\"/usr/local/bin/app\", \"-health\"]\n",
    ));
    assert!(applied(&r, "scratch-runtime").contains("-> scratch"));
}

/// Anything else still refuses with its reason; print-only and libc
/// commands go.
#[test]
fn anything_else_refuses_naming_it() {
    for (run, why) in [
        (
            "RUN apk add --no-cache ffmpeg\n",
            "it installs ffmpeg with apk, which the program may need at run time",
        ),
        (
            "RUN apk add --no-cache ca-certificates || true\n",
            "shell syntax",
        ),
        (
            "RUN ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime\n",
            "`ln` is not one dfslim knows to replace",
        ),
        (
            "RUN rm -rf /etc/ssl\n",
            "removes /etc/ssl, which is not a package cache",
        ),
        ("RUN mkdir -p /data\n", "`mkdir` is not one dfslim knows"),
        (
            "ARG EXTRA\nRUN apk add --no-cache $EXTRA\n",
            "depends on a value only the build knows",
        ),
    ] {
        let why_given = refused(&l4(&file(run, "")), "scratch-runtime");
        assert!(why_given.contains(why), "{run}: {why_given}");
        assert!(
            why_given.contains("runs a command in the runtime that scratch cannot replace"),
            "{why_given}"
        );
    }
    let r = l4(&file(
        "RUN apk add --no-cache libc6-compat\nRUN ls -la /\n",
        "",
    ));
    let n = notes(&r, "scratch-runtime");
    assert!(
        n.contains("installs libc6-compat: dropped, the binary is static"),
        "{n}"
    );
    assert!(
        n.contains("`ls -la /` dropped: it only prints to the build log"),
        "{n}"
    );
    assert!(
        !r.output.contains("RUN apk") && !r.output.contains("RUN ls"),
        "{}",
        r.output
    );
    // A comment above a dropped RUN stays, above what replaces it.
    let r = l4(&file(
        "# certificates for outbound HTTPS\nRUN apk add --no-cache ca-certificates\n",
        "",
    ));
    assert!(r.output.contains("FROM scratch\n# certificates for outbound HTTPS\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n"), "{}", r.output);
}

// ---- section 3: the distroless choice ----------------------------------------

/// `runtime = "distroless"`: static-debian12, `:nonroot` when the image runs
/// as a non-root user (a created user becomes nonroot), `:latest` when it
/// runs as root; no CA bundle or zone database copied.
#[test]
fn distroless_runtime_brings_its_own_certificates_zones_and_users() {
    let src = file(
        "RUN apk add --no-cache ca-certificates tzdata && addgroup -S app && adduser -S -G app app\n",
        "RUN chmod +x /usr/local/bin/app\nUSER app\n",
    );
    let r = l4d(&src);
    assert_eq!(
        r.output,
        "FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM gcr.io/distroless/static-debian12:nonroot\nWORKDIR /\nCOPY --from=build /out/app /usr/local/bin/app\nUSER 65532:65532\nENTRYPOINT [\"/usr/local/bin/app\"]\n"
    );
    assert_eq!(
        applied(&r, "scratch-runtime"),
        "runtime alpine:3.20 -> gcr.io/distroless/static-debian12:nonroot"
    );
    let n = notes(&r, "scratch-runtime");
    assert!(n.contains("becomes distroless's nonroot user"), "{n}");
    assert!(
        n.contains("line 7 installs ca-certificates: distroless has the CA bundle"),
        "{n}"
    );
    assert!(
        n.contains("line 7 installs tzdata: distroless has /usr/share/zoneinfo"),
        "{n}"
    );
    // Root stays root: the root variant, and a word on nonroot-user.
    let r = l4d(&file("", ""));
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/static-debian12:latest\nCOPY --from=build /out/app"),
        "{}",
        r.output
    );
    assert!(notes(&r, "scratch-runtime").contains("the opt-in nonroot-user"));
    // A distroless base keeps its Debian release.
    let src = file("", "").replace("alpine:3.20", "gcr.io/distroless/base-debian11:nonroot");
    let r = l4d(&src);
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/static-debian11:nonroot\nWORKDIR /\n"),
        "{}",
        r.output
    );
    // Scratch stays the default.
    let r = l4(&file("", ""));
    assert!(r.output.contains("FROM scratch\n"));
}

/// A file that pins its images gets a pinned distroless, or a refusal.
#[test]
fn distroless_is_pinned_like_the_rest() {
    let src = file("", "").replace("alpine:3.20", "alpine:3.20@sha256:1111");
    let table = digest::Table(HashMap::from([(
        "gcr.io/distroless/static-debian12:latest".to_string(),
        "sha256:2222".to_string(),
    )]));
    let s = sel(4, Runtime::Distroless, None);
    let r = pipeline::run_with(
        &src,
        &s,
        Input {
            digests: &table,
            ..Input::default()
        },
    )
    .unwrap();
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/static-debian12:latest@sha256:2222\n"),
        "{}",
        r.output
    );
    let r = run_sel(&src, &s, None);
    assert!(refused(&r, "scratch-runtime").contains("pinned to @sha256:1111"));
    assert!(r.output.contains("alpine:3.20@sha256:1111"));
}

// ---- section 3: nonroot-user --------------------------------------------------

fn nonroot(src: &str, context: Option<&BuildContext>) -> Run {
    run_sel(
        src,
        &sel(5, Runtime::Scratch, Some("nonroot-user")),
        context,
    )
}

const SCRATCH: &str = "FROM golang:1.22-alpine AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n# the service\nENTRYPOINT [\"/app\"]\n";

/// Opt-in: not part of --level 5; with --only (or enabled) it adds a numeric
/// USER before the command.
#[test]
fn nonroot_user_is_opt_in_and_numeric() {
    let r = run_sel(SCRATCH, &sel(5, Runtime::Scratch, None), None);
    assert!(!r.steps.iter().any(|s| s.id == "nonroot-user"));
    let r = nonroot(SCRATCH, None);
    assert_eq!(
        r.output,
        SCRATCH.replace("# the service\n", "USER 65532:65532\n# the service\n")
    );
    assert_eq!(
        applied(&r, "nonroot-user"),
        "the image runs as 65532:65532, not root"
    );
    assert!(notes(&r, "nonroot-user").contains("the files it writes were not checked"));
    // Enabled in configuration, after level 4 made the runtime scratch.
    let s = Selection {
        enable: vec!["nonroot-user".to_string()],
        ..Selection::default()
    };
    let src = SCRATCH.replace("FROM scratch", "FROM alpine:3.20");
    let r = run_sel(&src, &s, None);
    assert!(
        r.output
            .contains("USER 65532:65532\n# the service\nENTRYPOINT"),
        "{}",
        r.output
    );
    // distroless root variant: the same user, named nonroot there.
    let r = nonroot(
        &SCRATCH.replace("FROM scratch", "FROM gcr.io/distroless/static-debian12"),
        None,
    );
    assert!(notes(&r, "nonroot-user").contains("distroless's nonroot user"));
}

#[test]
fn nonroot_user_refuses_what_needs_root() {
    for (extra, why) in [
        (
            "EXPOSE 80\n",
            "the image EXPOSEs (on line 5) port 80, below 1024",
        ),
        ("ENV PORT=443\n", "ENV PORT sets port 443"),
        ("VOLUME /data\n", "the image declares VOLUME /data"),
        ("USER root\n", "USER root on line 5 asks for root"),
    ] {
        let src = SCRATCH.replace("# the service\n", &format!("{extra}# the service\n"));
        let why_given = refused(&nonroot(&src, None), "nonroot-user");
        assert!(why_given.contains(why), "{extra}: {why_given}");
    }
    let why = refused(
        &nonroot(
            &SCRATCH.replace("[\"/app\"]", "[\"/app\", \"-addr\", \":80\"]"),
            None,
        ),
        "nonroot-user",
    );
    assert!(why.contains("passes port 80"), "{why}");
    assert!(
        why.contains("ip_unprivileged_port_start=0 (Docker does since 20.10"),
        "{why}"
    );
    // What the sources show.
    let (_d, c) = go_ctx("package main\n\nfunc main() {\n\thttp.ListenAndServe(\":80\", nil)\n}\n");
    let why = refused(&nonroot(SCRATCH, Some(&c)), "nonroot-user");
    assert!(
        why.contains("the program listens (main.go:4) on port 80"),
        "{why}"
    );
    let (_d, c) = go_ctx(
        "package main\n\nfunc main() {\n\tos.WriteFile(\"state.json\", b, 0o600)\n\thttp.ListenAndServe(\":8080\", nil)\n}\n",
    );
    let why = refused(&nonroot(SCRATCH, Some(&c)), "nonroot-user");
    assert!(
        why.contains("the program writes \"state.json\" (main.go:4 os.WriteFile), which would be /state.json in the image, owned by root"),
        "{why}"
    );
    // Writes to /tmp are fine; computed paths are said to be unchecked.
    let (_d, c) = go_ctx(
        "package main\n\nfunc main() {\n\tos.WriteFile(\"/tmp/x\", b, 0o600)\n\tos.MkdirAll(dir, 0o755)\n}\n",
    );
    let r = nonroot(SCRATCH, Some(&c));
    assert!(
        notes(&r, "nonroot-user").contains("paths computed at run time (main.go:5 os.MkdirAll)")
    );
    // A file only its owner can read.
    use std::os::unix::fs::PermissionsExt;
    let (d, c) = go_ctx("package main\n\nfunc main() {}\n");
    std::fs::write(d.path().join("secret.yml"), "k: v\n").unwrap();
    std::fs::set_permissions(
        d.path().join("secret.yml"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let src = SCRATCH.replace(
        "# the service\n",
        "COPY secret.yml /etc/app/secret.yml\n# the service\n",
    );
    let why = refused(&nonroot(&src, Some(&c)), "nonroot-user");
    assert!(
        why.contains("line 5 copies secret.yml from the build context, whose mode 600 COPY keeps"),
        "{why}"
    );
}

#[test]
fn nonroot_user_leaves_other_runtimes_and_users_alone() {
    let r = nonroot(&SCRATCH.replace("FROM scratch", "FROM alpine:3.20"), None);
    assert!(not_applicable(&r, "nonroot-user").contains("the runtime is alpine"));
    let r = nonroot(
        &SCRATCH.replace("# the service\n", "USER 1000\n# the service\n"),
        None,
    );
    assert!(not_applicable(&r, "nonroot-user").contains("already runs as 1000"));
    let r = nonroot(
        &SCRATCH.replace(
            "FROM scratch",
            "FROM gcr.io/distroless/static-debian12:nonroot",
        ),
        None,
    );
    assert!(not_applicable(&r, "nonroot-user").contains("already runs as nonroot"));
}

// ---- the shell-form command, the runtime named by an ARG, cgo without sources ----

/// A multi-stage Go file whose alpine runtime runs `cmd` (a CMD or
/// ENTRYPOINT line, written as is) after copying the binary to /usr/local/bin/app.
fn with_cmd(cmd: &str) -> String {
    format!(
        "FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM alpine:3.20\nWORKDIR /srv\nCOPY --from=build /out/app /usr/local/bin/app\n{cmd}"
    )
}

fn step_text(r: &Run, id: &str) -> String {
    r.steps
        .iter()
        .find(|s| s.id == id)
        .map(|s| format!("{:?}", s.status))
        .unwrap_or_default()
}

/// A plain shell-form CMD becomes exec form on scratch; anything a shell
/// would read differently keeps the refusal, with its reason.
#[test]
fn a_plain_shell_form_command_becomes_exec_form() {
    for (cmd, exec) in [
        (
            "CMD app --port 8080\n",
            "CMD [\"app\", \"--port\", \"8080\"]\n",
        ),
        ("ENTRYPOINT app -v\n", "ENTRYPOINT [\"app\", \"-v\"]\n"),
        (
            "CMD app --level=debug\n",
            "CMD [\"app\", \"--level=debug\"]\n",
        ),
    ] {
        let r = l4(&with_cmd(cmd));
        assert!(r.output.contains("FROM scratch\n"), "{cmd}:\n{}", r.output);
        assert!(r.output.ends_with(exec), "{cmd}:\n{}", r.output);
        let n = notes(&r, "scratch-runtime");
        assert!(n.contains("is written in exec form"), "{n}");
        assert_eq!(
            n.contains("`docker run IMAGE ARGS` now passes ARGS"),
            cmd.starts_with("ENTRYPOINT"),
            "{n}"
        );
    }
    for (cmd, why) in [
        ("CMD app --port $PORT\n", "shell syntax"),
        ("CMD app \"a b\"\n", "shell syntax"),
        ("CMD app > /tmp/log\n", "shell syntax"),
        ("CMD app && app\n", "shell syntax"),
        ("CMD app *.conf\n", "shell syntax"),
        ("CMD app ~/x\n", "shell syntax"),
        ("CMD exec app\n", "its first word exec"),
        ("CMD DEBUG=1 app\n", "its first word DEBUG=1"),
        ("ENTRYPOINT app\nCMD --help\n", "ignores the CMD"),
        ("ENTRYPOINT [\"app\"]\nCMD serve\n", "under an ENTRYPOINT"),
        ("SHELL [\"/bin/ash\", \"-c\"]\nCMD app\n", "its own SHELL"),
    ] {
        let r = l4(&with_cmd(cmd));
        assert!(!r.output.contains("FROM scratch"), "{cmd}:\n{}", r.output);
        let s = step_text(&r, "scratch-runtime");
        assert!(s.contains("in shell form") && s.contains(why), "{cmd}: {s}");
    }
    // A plain command whose program the image does not have is refused as such.
    let r = l4(&with_cmd("CMD ./nothere\n"));
    assert!(
        step_text(&r, "scratch-runtime").contains("not copied from a builder"),
        "{}",
        step_text(&r, "scratch-runtime")
    );
}

/// `FROM $APP_IMAGE` with a replaceable default: the default changes, the
/// knob stays; anything else about the ARG keeps the refusal.
#[test]
fn a_runtime_named_by_a_build_arg_gets_a_new_default() {
    let src = with_cmd("CMD [\"app\"]\n").replace("FROM alpine:3.20\n", "FROM ${APP_IMAGE}\n");
    let src = format!("ARG APP_IMAGE=alpine:3.20\n{src}");
    let r = l4(&src);
    assert!(
        r.output.starts_with("ARG APP_IMAGE=scratch\n"),
        "{}",
        r.output
    );
    assert!(r.output.contains("FROM ${APP_IMAGE}\n"), "{}", r.output);
    assert!(
        notes(&r, "scratch-runtime").contains("--build-arg APP_IMAGE=... still gets that image")
    );
    let d = l4d(&src);
    assert!(
        d.output
            .starts_with("ARG APP_IMAGE=gcr.io/distroless/static-debian12:latest\n"),
        "{}",
        d.output
    );
    for other in [
        src.replace("=alpine:3.20", "=myorg/base:1"),
        src.replace("WORKDIR /srv", "LABEL base=$APP_IMAGE\nWORKDIR /srv"),
        src.replace("=alpine:3.20", ""),
    ] {
        let r = l4(&other);
        assert!(!r.output.contains("scratch"), "{other}:\n{}", r.output);
    }
}

/// cgo asked for on a Debian builder without the sources: debian-slim (what
/// the builder has headers for), never distroless (libcrypt); refused when
/// the builder could get a C library some other way.
#[test]
fn cgo_on_a_debian_builder_without_sources() {
    let src = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y gcc\nRUN CGO_ENABLED=1 go build -o main\nCMD [\"/app/main\"]\n";
    let r = run_sel(src, &sel(5, Runtime::Scratch, None), None);
    assert!(
        r.output.contains("FROM debian:bookworm-slim\n"),
        "{}",
        r.output
    );
    assert!(step_text(&r, "scratch-runtime").contains("libcrypt.so.1"));
    for (change, why) in [
        ("RUN make install\n", "runs make"),
        (
            "RUN wget -q https://example.com/libfoo.tar.gz\n",
            "runs wget",
        ),
        (
            "COPY --from=vendor/libs /usr/lib /usr/lib\n",
            "copies files from the image",
        ),
        (
            "COPY lib/ /usr/local/lib/\n",
            "copies files into /usr/local/lib",
        ),
        ("ENV CGO_LDFLAGS=-L/opt/x\n", "sets CGO_LDFLAGS"),
        ("RUN cp -r vendor/lib /usr/lib/\n", "copies files with cp"),
        ("RUN export X=$(curl -s https://example.com)\n", "runs curl"),
    ] {
        let other = src.replace("RUN CGO_ENABLED=1", &format!("{change}RUN CGO_ENABLED=1"));
        let r = run_sel(&other, &sel(2, Runtime::Scratch, None), None);
        assert!(
            !r.output.contains("debian:bookworm-slim"),
            "{change}:\n{}",
            r.output
        );
        let s = step_text(&r, "multi-stage");
        assert!(s.contains(why), "{change}: {s}");
    }
    // cgo only on by default is cgo-off's: no Debian runtime at level 2.
    let r = run_sel(
        &src.replace("CGO_ENABLED=1 ", ""),
        &sel(2, Runtime::Scratch, None),
        None,
    );
    assert!(!r.output.contains("debian:bookworm-slim"), "{}", r.output);
}
