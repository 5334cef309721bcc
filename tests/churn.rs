//! Change only what pays, and keep every build target working.
//!
//! The two files the issue saw, as regression tests; digest pins kept or
//! refused; and over every file of the shared corpus and the real-world
//! repositories at level 5 (with their compose contexts and targets): no
//! stage's base changes unless it ships, no stage built FROM a changed stage
//! runs what the new base lacks, no digest disappears.

mod common;

use dfslim::analysis::Facts;
use dfslim::analysis::commands::command_lines;
use dfslim::digest::Table;
use dfslim::pipeline::{self, Input, Run, Selection, Status};
use dfslim::syntax::Document;
use std::collections::HashMap;
use std::path::Path;

fn run(text: &str, selection: &Selection, input: Input) -> Run {
    pipeline::run_with(text, selection, input).unwrap()
}

fn status<'a>(r: &'a Run, id: &str) -> &'a Status {
    &r.steps.iter().find(|s| s.id == id).unwrap().status
}

/// A finished Go service: multi-stage, static, stripped, pinned distroless
/// runtime, pinned bookworm builder, a relative ENTRYPOINT under the same
/// WORKDIR. Nothing pays: nothing changes.
const FINISHED: &str = r#"FROM golang:1.22-bookworm@sha256:6fa3d9a5d2e4c8b10d9b1e1c86a6b4cc2e3c2b0a8d9e27b2b5d9f0a2a7f3e4d1 AS builder
WORKDIR /usr/src/app/
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -ldflags "-s -w" -o checkout ./cmd/checkout

FROM gcr.io/distroless/static-debian12:nonroot@sha256:8dd8d3ca2cf283383304fd45a5c9c74d5f2cd9da8d3b077d720e264880077c65
WORKDIR /usr/src/app/
COPY --from=builder /usr/src/app/checkout ./
USER nonroot:nonroot
EXPOSE 5050
ENTRYPOINT [ "./checkout" ]
"#;

#[test]
fn a_finished_file_is_left_alone() {
    let r = run(FINISHED, &Selection::default(), Input::default());
    assert_eq!(r.output, FINISHED, "{:#?}", r.steps);
    let Status::NotApplicable(why) = status(&r, "alpine-base") else {
        panic!("{:?}", status(&r, "alpine-base"))
    };
    assert!(why.to_string().contains("only feeds COPY --from"), "{why}");
    assert!(matches!(status(&r, "cmd-binary"), Status::NotApplicable(_)));
}

/// awesome-compose/traefik-golang/backend: `dev-envs` is FROM `build` and
/// runs apt-get and useradd; rebasing `build` would break
/// `docker build --target dev-envs`, and saves nothing in the shipped image.
const TRAEFIK: &str = r#"# syntax=docker/dockerfile:1.4

FROM --platform=$BUILDPLATFORM golang:1.18 AS build

WORKDIR /compose/hello-docker
COPY main.go main.go
RUN CGO_ENABLED=0 go build -o backend main.go

FROM build as dev-envs

RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends git
EOF

RUN <<EOF
useradd -s /bin/bash -m vscode
groupadd docker
usermod -aG docker vscode
EOF
# install Docker tools (cli, buildx, compose)
COPY --from=gloursdocker/docker / /
CMD ["go", "run", "main.go"]

FROM scratch
COPY --from=build /compose/hello-docker/backend /usr/local/bin/backend
CMD ["/usr/local/bin/backend"]
"#;

#[test]
fn a_development_target_still_builds() {
    let r = run(TRAEFIK, &Selection::default(), Input::default());
    let Status::NotApplicable(why) = status(&r, "alpine-base") else {
        panic!("{:?}", status(&r, "alpine-base"))
    };
    assert!(why.to_string().contains("stage `dev-envs`"), "{why}");
    // Nothing else pays either (strip-flags would change dev-envs' binary).
    assert_eq!(r.output, TRAEFIK);
}

/// When the dependent is not a development stage, the check of what the
/// new base lacks is what refuses: apt-get in a stage built FROM it.
#[test]
fn a_stage_built_from_a_rebased_one_is_checked() {
    let text = "FROM golang:1.22 AS base\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\nFROM base AS tools\nRUN apt-get update && apt-get install -y jq\n\nFROM base\nCMD [\"/app\"]\n";
    let r = run(
        text,
        &Selection {
            level: 1,
            ..Selection::default()
        },
        Input::default(),
    );
    let Status::Refused(why) = status(&r, "alpine-base") else {
        panic!("{:?}", status(&r, "alpine-base"))
    };
    let why = why.to_string();
    assert!(
        why.contains("stage `tools` is built FROM it and line 7 runs `apt-get`"),
        "{why}"
    );
    // Heredoc RUNs count too.
    let text = "FROM golang:1.22 AS base\nRUN go build -o /app .\nFROM base AS tools\nRUN <<EOF\nuseradd -m dev\nEOF\nFROM base\nCMD [\"/app\"]\n";
    let r = run(
        text,
        &Selection {
            level: 1,
            ..Selection::default()
        },
        Input::default(),
    );
    assert!(
        matches!(status(&r, "alpine-base"), Status::Refused(w) if w.to_string().contains("`useradd`")),
        "{:?}",
        status(&r, "alpine-base")
    );
}

const PINNED: &str = "FROM golang:1.21@sha256:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";

#[test]
fn digest_pins_are_never_dropped_silently() {
    let level1 = Selection {
        level: 1,
        ..Selection::default()
    };
    // No digest to be had: refused, with the command that gives one.
    let r = run(PINNED, &level1, Input::default());
    let Status::Refused(why) = status(&r, "alpine-base") else {
        panic!("{:?}", status(&r, "alpine-base"))
    };
    let why = why.to_string();
    assert!(
        why.contains("docker buildx imagetools inspect golang:1.21-alpine"),
        "{why}"
    );
    assert!(why.contains("--allow-unpinned"), "{why}");
    assert_eq!(r.output, PINNED);
    // Allowed: unpinned, and said so.
    let allowed = Selection {
        allow_unpinned: true,
        ..level1.clone()
    };
    let r = run(PINNED, &allowed, Input::default());
    assert!(
        r.output.starts_with("FROM golang:1.21-alpine\n"),
        "{}",
        r.output
    );
    let Status::Applied { notes, .. } = status(&r, "alpine-base") else {
        panic!()
    };
    assert!(
        notes[0]
            .to_string()
            .contains("is not pinned though the image it replaces is pinned")
    );
    // An engine that knows the digest: pinned to it.
    let digest = "sha256:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";
    let table = Table(HashMap::from([(
        "golang:1.21-alpine".to_string(),
        digest.to_string(),
    )]));
    let input = Input {
        digests: &table,
        ..Input::default()
    };
    let r = run(PINNED, &level1, input);
    assert!(
        r.output
            .starts_with(&format!("FROM golang:1.21-alpine@{digest}\n")),
        "{}",
        r.output
    );
}

/// A file that pins its images gets no unpinned runtime added.
#[test]
fn an_added_runtime_is_pinned_like_the_rest() {
    let text = "FROM golang:1.21-alpine@sha256:cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
    let level2 = Selection {
        level: 2,
        ..Selection::default()
    };
    let r = run(text, &level2, Input::default());
    let Status::Refused(why) = status(&r, "multi-stage") else {
        panic!("{:?}", status(&r, "multi-stage"))
    };
    assert!(
        why.to_string()
            .contains("the file pins its images by digest"),
        "{why}"
    );
    let table = Table(HashMap::from([(
        "alpine:3.22".to_string(),
        "sha256:dddd".to_string(),
    )]));
    let r = run(
        text,
        &level2,
        Input {
            digests: &table,
            ..Input::default()
        },
    );
    assert!(
        r.output.contains("\nFROM alpine:3.22@sha256:dddd\n"),
        "{}",
        r.output
    );
}

// ---- the churn test -------------------------------------------------------

/// What a base family lacks that a stage built on it may run.
fn lacks(image: &str) -> &'static [&'static str] {
    let alpine: &[&str] = &[
        "apt", "apt-get", "dpkg", "useradd", "groupadd", "usermod", "bash",
    ];
    let slim: &[&str] = &[
        "gcc",
        "g++",
        "make",
        "git",
        "curl",
        "wget",
        "python3",
        "pkg-config",
    ];
    if image.contains("alpine") {
        alpine
    } else if image.contains("slim") || image.contains("distroless") || image == "scratch" {
        slim
    } else {
        &[]
    }
}

/// Checks one rewrite: `input` to `output`.
fn churn(path: &Path, input: &str, output: &str, facts: &Facts, failures: &mut Vec<String>) {
    let (Ok(before), Ok(after)) = (Document::parse(input), Document::parse(output)) else {
        return;
    };
    let p = path.display();
    let image = |d: &Document, i: usize| d.stages()[i].image.as_ref().map(|x| x.text.clone());
    for i in 0..before.stages().len().min(after.stages().len()) {
        let (old, new) = (image(&before, i), image(&after, i));
        if old == new {
            continue;
        }
        let old = old.unwrap_or_default();
        let new = new.unwrap_or_default();
        // (a) A base changes only for a stage that ships (or, said so, the
        // glibc builder of a binary copied into a musl runtime).
        let cgo_exception = old.starts_with("golang") && new.contains("alpine");
        if !facts.in_image(i) && !cgo_exception {
            failures.push(format!(
                "{p}: stage {i} is not in the shipped image, yet {old} -> {new}"
            ));
        }
        // (b) Every stage built FROM it still has what it runs.
        let missing = lacks(&new);
        for d in facts.built_from(i) {
            let st = &after.stages()[d];
            for ins in &after.instructions()[st.range()] {
                for l in command_lines(&after, ins).0 {
                    if missing.contains(&l.name.as_str()) {
                        failures.push(format!(
                            "{p}: stage {d} is built FROM stage {i} ({old} -> {new}) and runs `{}`",
                            l.name
                        ));
                    }
                }
            }
        }
    }
    // (c) No digest disappears.
    let digests = |d: &Document| -> Vec<String> {
        d.stages()
            .iter()
            .filter_map(|s| s.image.as_ref()?.digest.as_ref().map(|x| x.text.clone()))
            .collect()
    };
    let now = digests(&after);
    for d in digests(&before) {
        if !now.contains(&d) {
            // Replaced by a runtime that is no image at all is fine.
            let became_scratch = after
                .stages()
                .iter()
                .any(|s| s.image.as_ref().is_some_and(|i| i.is_scratch()));
            if !became_scratch {
                failures.push(format!("{p}: the digest {d} is gone"));
            }
        }
    }
}

#[test]
fn no_churn_on_real_files() {
    let mut failures = Vec::new();
    let mut files = 0;
    // The corpus, each file on its own.
    if let Some(dir) = common::corpus() {
        for path in common::dockerfiles(&dir) {
            let input = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let Ok(r) = pipeline::run(&input, &Selection::default(), None) else {
                continue;
            };
            let doc = Document::parse(&input).unwrap();
            let facts = Facts::of(&doc, None);
            churn(&path, &input, &r.output, &facts, &mut failures);
            files += 1;
        }
    } else {
        common::skip_without_data("the corpus part", "../shared/corpus is not here");
    }
    // The real-world repositories, with their compose contexts and targets.
    let realworld = common::repo().join("../shared/realworld");
    if realworld.is_dir() {
        for (path, input, output, targets, ctx) in common::realworld_runs(&realworld) {
            let doc = Document::parse(&input).unwrap();
            let facts = Facts::with_targets(&doc, ctx.as_ref(), &targets);
            churn(&path, &input, &output, &facts, &mut failures);
            files += 1;
        }
    } else {
        common::skip_without_data("the real-world part", "../shared/realworld is not here");
    }
    eprintln!("churn: {files} files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
