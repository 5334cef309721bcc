//! The hygiene steps (ecosystem `any`: apt-lists, apk-no-cache,
//! pip-no-cache, npm-cache, apt-no-recommends) on the shapes real
//! Dockerfiles take: what each writes, in the file's layout, and the reason
//! it gives when it refuses or has nothing to do.

mod common;

use common::steps::{not_applicable, notes, refused, status};

use dfslim::analysis::{BuildContext, Target, Targets};
use dfslim::pipeline::{self, Input, Run, Selection, Status};

fn sel(only: &str) -> Selection {
    Selection {
        only: Some(vec![only.to_string()]),
        ..Selection::default()
    }
}

fn run_ctx(src: &str, only: &str, ctx: Option<&BuildContext>) -> Run {
    let s = sel(only);
    let run = pipeline::run(src, &s, ctx).unwrap();
    let again = pipeline::run(&run.output, &s, ctx).unwrap();
    assert_eq!(again.output, run.output, "not idempotent:\n{}", run.output);
    run
}

/// Runs one step (or `any`: all of them) and checks the result is a fixed point.
fn run(src: &str, only: &str) -> Run {
    run_ctx(src, only, None)
}

/// `src` is left byte for byte, with a not-applicable reason holding `why`.
fn leaves(src: &str, id: &str, why: &str) {
    let r = run(src, id);
    assert_eq!(r.output, src);
    let na = not_applicable(&r, id);
    assert!(na.contains(why), "{id}: {na}");
}

// ---- apt-lists ----

#[test]
fn apt_lists_go_at_the_end_of_the_run_that_downloads_them() {
    let r = run(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n",
        "apt-lists",
    );
    assert_eq!(
        r.output,
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    );
    // `apt update`, a leading `&&` layout, a trailing `;`.
    let r = run(
        "FROM ubuntu:22.04\nRUN apt update \\\n    && apt install -y git;\n",
        "apt-lists",
    );
    assert_eq!(
        r.output,
        "FROM ubuntu:22.04\nRUN apt update \\\n    && apt install -y git \\\n    && rm -rf /var/lib/apt/lists/*;\n"
    );
    // Inside `sh -c '...'` the command goes after the quotes.
    let r = run(
        "FROM debian:bookworm\nRUN sh -c 'apt-get update && apt-get install -y jq'\n",
        "apt-lists",
    );
    assert_eq!(
        r.output,
        "FROM debian:bookworm\nRUN sh -c 'apt-get update && apt-get install -y jq' && rm -rf /var/lib/apt/lists/*\n"
    );
}

#[test]
fn apt_lists_read_later_are_refused_with_the_fix() {
    // A later RUN of the stage installs from the lists.
    let r = run(
        "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n",
        "apt-lists",
    );
    let why = refused(&r, "apt-lists");
    assert!(
        why.contains("line 3 runs `apt-get install` without `apt-get update`"),
        "{why}"
    );
    assert!(why.contains("same RUN"), "{why}");
    // A stage built FROM it does.
    let src = "FROM debian:bookworm AS base\nRUN apt-get update && apt-get install -y curl\n\nFROM base AS tools\nRUN apt-get install -y vim\n\nFROM base\nCMD [\"curl\", \"--version\"]\n";
    let r = run(src, "apt-lists");
    assert!(refused(&r, "apt-lists").contains("line 5"), "{:?}", r.steps);
    // ...unless it updates first.
    let ok = src.replace(
        "apt-get install -y vim",
        "apt-get update && apt-get install -y vim",
    );
    assert!(
        run(&ok, "apt-lists")
            .output
            .contains("curl && rm -rf /var/lib/apt/lists/*")
    );
    // A script dfslim cannot read may install.
    let r = run(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\nCOPY setup.sh /\nRUN ./setup.sh\n",
        "apt-lists",
    );
    assert!(refused(&r, "apt-lists").contains("runs ./setup.sh"));
    // Exec form has no shell to add to.
    let r = run(
        "FROM debian:bookworm\nRUN [\"apt-get\", \"update\"]\n",
        "apt-lists",
    );
    assert!(refused(&r, "apt-lists").contains("exec form"));
}

#[test]
fn apt_lists_left_alone_where_they_cost_nothing() {
    leaves(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        "apt-lists",
        "already removes /var/lib/apt/lists",
    );
    leaves(
        "FROM debian:bookworm\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n",
        "apt-lists",
        "cache mount",
    );
    // A builder's layers never ship.
    leaves(
        "FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y gcc\nRUN gcc -o /app app.c\n\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
        "apt-lists",
        "which does not ship",
    );
    leaves(
        "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
        "apt-lists",
        "no RUN downloads",
    );
}

#[test]
fn a_stage_left_as_is_is_not_cleaned() {
    // compose builds the `tools` target: it stays as it is.
    let src = "FROM debian:bookworm AS tools\nRUN apt-get update && apt-get install -y curl\n\nFROM tools AS prod\nCMD [\"curl\"]\n";
    let targets = Targets {
        built: vec![Target {
            stage: "tools".into(),
            by: "compose service tools (compose.yaml)".into(),
        }],
        ship: None,
    };
    let run = pipeline::run_with(
        src,
        &sel("apt-lists"),
        Input {
            targets: &targets,
            ..Input::default()
        },
    )
    .unwrap();
    assert_eq!(run.output, src);
    let na = not_applicable(&run, "apt-lists");
    assert!(na.contains("left as is"), "{na}");
}

// ---- apk-no-cache ----

#[test]
fn apk_add_no_cache_instead_of_update_and_a_stored_index() {
    let r = run(
        "FROM alpine:3.20\nRUN apk update && apk add ca-certificates tzdata\n",
        "apk-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates tzdata\n"
    );
    let r = run(
        "FROM alpine:3.20\nRUN apk update \\\n    && apk upgrade \\\n    && apk --update add git\n",
        "apk-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM alpine:3.20\nRUN apk upgrade --no-cache \\\n    && apk --update add --no-cache git\n"
    );
    // One command next to another one-command RUN: hadolint DL3059 would
    // ask to merge them, so apk update stays and its index goes.
    let r = run(
        "FROM alpine:3.20\nRUN apk add --no-cache go\nRUN apk update && apk add --no-cache curl\n",
        "apk-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM alpine:3.20\nRUN apk add --no-cache go\nRUN apk update && apk add --no-cache curl && rm -rf /var/cache/apk/*\n"
    );
}

#[test]
fn apk_refusals_and_nothing_to_do() {
    let r = run(
        "FROM alpine:3.20\nRUN apk update\nRUN apk add --no-cache curl\n",
        "apk-no-cache",
    );
    assert!(refused(&r, "apk-no-cache").contains("dfslim does not delete RUNs"));
    let r = run(
        "FROM alpine:3.20\nRUN apk update && apk search curl && apk add curl\n",
        "apk-no-cache",
    );
    assert!(refused(&r, "apk-no-cache").contains("`apk search`"));
    leaves(
        "FROM alpine:3.20\nRUN apk --no-cache add curl\n",
        "apk-no-cache",
        "already runs apk with --no-cache",
    );
    leaves(
        "FROM alpine:3.20\nRUN apk add curl && rm -rf /var/cache/apk/*\n",
        "apk-no-cache",
        "already removes /var/cache/apk",
    );
    leaves(
        "FROM alpine:3.20\nRUN --mount=type=cache,target=/etc/apk/cache apk add curl\n",
        "apk-no-cache",
        "cache mount",
    );
}

// ---- pip-no-cache ----

#[test]
fn pip_gets_no_cache_dir_after_its_verb() {
    let r = run(
        "FROM python:3.12-slim\nRUN pip3 install -r requirements.txt\nRUN python3 -m pip install --upgrade pip\nRUN [\"pip\", \"install\", \"flask\"]\n",
        "pip-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM python:3.12-slim\nRUN pip3 install --no-cache-dir -r requirements.txt\nRUN python3 -m pip install --no-cache-dir --upgrade pip\nRUN [\"pip\", \"install\", \"--no-cache-dir\", \"flask\"]\n"
    );
    // A shell comment after the command stays after it.
    let r = run(
        "FROM python:3.12\nRUN pip install django # the web framework\n",
        "pip-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM python:3.12\nRUN pip install --no-cache-dir django # the web framework\n"
    );
    let r = run(
        "FROM python:3.12-slim\nRUN pip install uv && uv sync --frozen\n",
        "pip-no-cache",
    );
    assert_eq!(
        r.output,
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir uv && uv sync --no-cache --frozen\n"
    );
}

#[test]
fn pip_cache_already_off_is_left_alone() {
    for (src, why) in [
        (
            "FROM python:3.12\nRUN pip install --no-cache /wheels/*\n",
            "already runs pip",
        ),
        (
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
            "PIP_NO_CACHE_DIR is set",
        ),
        (
            "FROM python:3.12\nARG PIP_NO_CACHE_DIR=true\nRUN pip install flask\n",
            "PIP_NO_CACHE_DIR is set",
        ),
        (
            "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n",
            "PIP_NO_CACHE_DIR is set",
        ),
        (
            "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=off\nFROM base\nRUN pip install flask\n",
            "PIP_NO_CACHE_DIR is set",
        ),
        (
            "FROM python:3.12\nRUN pip install flask && rm -rf /root/.cache/pip\n",
            "already removes pip's cache",
        ),
        (
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
            "cache mount",
        ),
        (
            "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv sync\n",
            "UV_NO_CACHE is set",
        ),
    ] {
        leaves(src, "pip-no-cache", why);
    }
}

#[test]
fn poetry_gets_no_cache_only_where_it_exists() {
    let r = run(
        "FROM python:3.11-slim\nRUN pip install poetry\nRUN poetry install --no-root\n",
        "pip-no-cache",
    );
    assert!(
        r.output.contains("poetry install --no-cache --no-root"),
        "{}",
        r.output
    );
    let r = run(
        "FROM python:3.11-slim\nRUN pip install poetry==1.8.3\nRUN poetry install\n",
        "pip-no-cache",
    );
    assert!(
        r.output.contains("poetry install --no-cache"),
        "{}",
        r.output
    );
    for (src, why) in [
        (
            "FROM python:3.11-slim\nRUN poetry install\n",
            "cannot see which poetry",
        ),
        (
            "FROM python:3.11-slim\nRUN pip install poetry==1.1.15 && poetry install\n",
            "poetry 1.1.15",
        ),
        (
            "FROM python:3.11-slim\nARG V\nRUN pip install \"poetry==$V\" && poetry install\n",
            "poetry $V",
        ),
    ] {
        let r = run(src, "pip-no-cache");
        assert!(
            !r.output.contains("poetry install --no-cache"),
            "{}",
            r.output
        );
        let msg = match status(&r, "pip-no-cache") {
            Status::Refused(m) => m.to_string(),
            Status::Applied { .. } => notes(&r, "pip-no-cache"),
            other => panic!("{other:?}"),
        };
        assert!(msg.contains(why), "{msg}");
    }
}

// ---- npm-cache ----

#[test]
fn npm_cache_cleaned_in_the_run_that_fills_it() {
    let r = run(
        "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n",
        "npm-cache",
    );
    assert!(
        r.output
            .ends_with("RUN npm ci --omit=dev && npm cache clean --force\n")
    );
    // npx and npm run fill no cache of their own.
    leaves(
        "FROM node:20\nRUN npx tsc && npm run build\n",
        "npm-cache",
        "no RUN installs with npm",
    );
    leaves(
        "FROM node:20\nRUN npm ci && npm cache clean --force\n",
        "npm-cache",
        "already cleans npm's cache",
    );
    leaves(
        "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
        "npm-cache",
        "cache mount",
    );
    let r = run("FROM node:20\nRUN [\"npm\", \"ci\"]\n", "npm-cache");
    assert!(refused(&r, "npm-cache").contains("exec form"));
}

#[test]
fn yarn_cache_is_cleaned_only_for_yarn_1() {
    // `yarn global add` is yarn 1.
    let r = run("FROM node:20\nRUN yarn global add pm2\n", "npm-cache");
    assert!(
        r.output
            .ends_with("RUN yarn global add pm2 && yarn cache clean\n")
    );
    // Without a context, yarn 1 cannot be told from yarn 2+.
    let src = "FROM node:20\nCOPY . .\nRUN yarn install --frozen-lockfile\n";
    let r = run(src, "npm-cache");
    assert_eq!(r.output, src);
    assert!(refused(&r, "npm-cache").contains("pass --context"));
    // A context without .yarnrc.yml: yarn 1.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("yarn.lock"), "# yarn lockfile v1\n").unwrap();
    let ctx = BuildContext::load(dir.path());
    let r = run_ctx(src, "npm-cache", Some(&ctx));
    assert!(
        r.output.contains("--frozen-lockfile && yarn cache clean"),
        "{}",
        r.output
    );
    // With one, Plug'n'Play may live in the cache.
    std::fs::write(dir.path().join(".yarnrc.yml"), "nodeLinker: pnp\n").unwrap();
    let ctx = BuildContext::load(dir.path());
    let r = run_ctx(src, "npm-cache", Some(&ctx));
    assert!(refused(&r, "npm-cache").contains(".yarnrc.yml"));
    let r = run(
        "FROM node:20\nRUN corepack enable\nRUN yarn global add pm2\n",
        "npm-cache",
    );
    assert!(refused(&r, "npm-cache").contains("corepack"));
}

// ---- apt-no-recommends ----

#[test]
fn recommends_off_with_the_load_bearing_ones_named() {
    let r = run(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        "apt-no-recommends",
    );
    assert_eq!(
        r.output,
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"
    );
    assert!(
        notes(&r, "apt-no-recommends")
            .contains("ca-certificates added to the install (line 2): curl recommends it")
    );
    // A sorted list, one per line, stays so; gcc brings libc6-dev along.
    let r = run(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -yq \\\n    gcc \\\n    make \\\n    wget \\\n && rm -rf /var/lib/apt/lists/*\n",
        "apt-no-recommends",
    );
    assert_eq!(
        r.output,
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -yq --no-install-recommends \\\n    ca-certificates \\\n    gcc \\\n    libc6-dev \\\n    make \\\n    wget \\\n && rm -rf /var/lib/apt/lists/*\n"
    );
    // What build-essential brings by its dependencies is not added.
    let r = run(
        "FROM debian:bookworm\nRUN apt-get install -y build-essential gcc\n",
        "apt-no-recommends",
    );
    assert!(
        r.output
            .contains("--no-install-recommends build-essential gcc\n"),
        "{}",
        r.output
    );
    // openssh-client for git only where the file uses ssh remotes.
    let r = run(
        "FROM debian:bookworm\nRUN apt-get install -y git ca-certificates\nRUN git clone git@github.com:a/b.git\n",
        "apt-no-recommends",
    );
    assert!(
        r.output.contains("git ca-certificates openssh-client\n"),
        "{}",
        r.output
    );
}

#[test]
fn recommends_refused_where_a_load_bearing_one_cannot_be_named() {
    let r = run(
        "FROM debian:bookworm\nRUN apt-get install -y curl=7.88.1-10+deb12u8\n",
        "apt-no-recommends",
    );
    let why = refused(&r, "apt-no-recommends");
    assert!(
        why.contains("pins every package's version, and curl recommends ca-certificates"),
        "{why}"
    );
    assert!(why.contains("add ca-certificates=<version>"), "{why}");
    let r = run(
        "FROM debian:bookworm\nARG PKGS\nRUN apt-get install -y $PKGS\n",
        "apt-no-recommends",
    );
    assert!(refused(&r, "apt-no-recommends").contains("named by $PKGS"));
    let r = run(
        "FROM debian:bookworm\nCOPY x.deb /tmp/\nRUN apt-get install -y /tmp/x.deb\n",
        "apt-no-recommends",
    );
    assert!(refused(&r, "apt-no-recommends").contains("/tmp/x.deb"));
}

#[test]
fn recommends_already_decided_are_left_alone() {
    for (src, why) in [
        (
            "FROM debian:bookworm\nRUN apt-get install -y --no-install-recommends curl\n",
            "already",
        ),
        (
            "FROM debian:bookworm\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n",
            "already",
        ),
        (
            "FROM debian:bookworm\nRUN apt-get install -y --install-recommends curl\n",
            "asks for recommends",
        ),
        (
            "FROM debian:bookworm\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norec\nRUN apt-get install -y curl\n",
            "configures APT::Install-Recommends",
        ),
        (
            "FROM debian:bookworm\nCOPY 01norec /etc/apt/apt.conf.d/\nRUN apt-get install -y curl\n",
            "copies apt configuration",
        ),
    ] {
        leaves(src, "apt-no-recommends", why);
    }
}

// ---- all of them, and the other ecosystems ----

#[test]
fn every_step_on_one_file_in_its_layout() {
    let src = "FROM debian:bookworm\r\nRUN apt-get update && \\\r\n\tapt-get install -y python3-pip\r\nRUN pip install --break-system-packages flask\r\nCMD [\"flask\", \"run\"]\r\n";
    let r = run(src, "any");
    assert_eq!(
        r.output,
        "FROM debian:bookworm\r\nRUN apt-get update && \\\r\n\tapt-get install -y --no-install-recommends python3-pip build-essential python3-dev && \\\r\n\trm -rf /var/lib/apt/lists/*\r\nRUN pip install --no-cache-dir --break-system-packages flask\r\nCMD [\"flask\", \"run\"]\r\n"
    );
    // Every edit is inside a RUN.
    for (id, edits) in &r.trail {
        assert!(["apt-lists", "pip-no-cache", "apt-no-recommends"].contains(id));
        assert!(!edits.is_empty());
    }
}

#[test]
fn levels_place_the_steps() {
    let src = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n";
    let at = |level| {
        let s = Selection {
            level,
            ..Selection::default()
        };
        pipeline::run(src, &s, None).unwrap().output
    };
    assert_eq!(
        at(1),
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    );
    assert_eq!(at(2), at(1));
    assert_eq!(
        at(3),
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"
    );
}

#[test]
fn a_go_builder_is_cleaned_only_while_it_ships() {
    let src = "FROM golang:1.21\nRUN apt-get update && apt-get install -y git\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";
    let at = |level| {
        let s = Selection {
            level,
            ..Selection::default()
        };
        pipeline::run(src, &s, None).unwrap()
    };
    // Level 1: the single stage is the image.
    assert!(at(1).output.contains("git && rm -rf /var/lib/apt/lists/*"));
    // Level 3: the split made it a builder, whose layers never ship.
    let r = at(3);
    assert!(
        r.output.contains(
            "FROM golang:1.21 AS builder\nRUN apt-get update && apt-get install -y git\n"
        ),
        "{}",
        r.output
    );
    assert!(not_applicable(&r, "apt-lists").contains("does not ship"));
    assert!(not_applicable(&r, "apt-no-recommends").contains("does not ship"));
}
