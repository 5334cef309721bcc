//! Saying what was not checked: a step that relies on the build context's
//! sources and applied without them carries a note; a C library's run-time
//! package installed where the sources cannot be read stops cgo-off; and
//! files of other ecosystems get no Go verdicts at all.

mod common;

use assert_cmd::Command;
use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Run, Selection, Status};
use std::fs;

fn run(text: &str, ctx: Option<&BuildContext>) -> Run {
    pipeline::run(text, &Selection::default(), ctx).unwrap()
}

fn status<'a>(r: &'a Run, id: &str) -> &'a Status {
    &r.steps.iter().find(|s| s.id == id).unwrap().status
}

fn unchecked(r: &Run, id: &str) -> Vec<String> {
    match status(r, id) {
        Status::Applied { unchecked, .. } => unchecked.iter().map(|m| m.to_string()).collect(),
        other => panic!("{id} did not apply: {other:?}"),
    }
}

const WEB: &str = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN apt-get update && apt-get install -y sqlite3\nRUN go build -o main ./cmd/web\nEXPOSE 8080\nCMD [\"/src/main\"]\n";

/// The example: a context without go.mod, a build of ./cmd/web and
/// `apt-get install -y sqlite3`: the program very likely uses go-sqlite3.
#[test]
fn sqlite3_without_sources_stops_cgo_off() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("README.md"), "no Go here").unwrap();
    let ctx = BuildContext::load(dir.path());
    let r = run(WEB, Some(&ctx));
    let Status::Refused(why) = status(&r, "cgo-off") else {
        panic!("{:?}", status(&r, "cgo-off"))
    };
    let why = why.to_string();
    assert!(why.starts_with("line 4 installs sqlite3"), "{why}");
    assert!(
        why.contains("go-sqlite3") && why.contains("--context"),
        "{why}"
    );
    // Without a context at all, the same.
    assert!(matches!(
        status(&run(WEB, None), "cgo-off"),
        Status::Refused(_)
    ));
}

/// With the sources read and no cgo in them, sqlite3 is a tool the image
/// uses, not a library the program links: cgo goes off.
#[test]
fn sqlite3_with_sources_that_do_not_use_cgo_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("go.mod"),
        "module example.com/web\n\ngo 1.22\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("cmd/web")).unwrap();
    fs::write(
        dir.path().join("cmd/web/main.go"),
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    )
    .unwrap();
    let ctx = BuildContext::load(dir.path());
    let r = run(WEB, Some(&ctx));
    assert!(matches!(status(&r, "cgo-off"), Status::Applied { .. }));
    assert!(unchecked(&r, "cgo-off").is_empty());
}

/// A context without go.mod or sources: every step that would have read
/// them says so, and the CLI ends with the hint.
#[test]
fn steps_say_what_they_could_not_check() {
    let text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o main ./cmd/api\nCMD [\"/src/main\"]\n";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let ctx = BuildContext::load(dir.path());
    let r = run(text, Some(&ctx));
    for id in ["multi-stage", "cgo-off", "scratch-runtime"] {
        let u = unchecked(&r, id);
        assert_eq!(u.len(), 1, "{id}: {u:?}");
        assert!(u[0].contains("has no go.mod and no Go sources"), "{u:?}");
    }
    // A context with go.mod but without the package built.
    fs::write(dir.path().join("go.mod"), "module example.com/x\n").unwrap();
    fs::create_dir_all(dir.path().join("other")).unwrap();
    fs::write(dir.path().join("other/x.go"), "package other\n").unwrap();
    let ctx = BuildContext::load(dir.path());
    let u = unchecked(&run(text, Some(&ctx)), "cgo-off");
    assert!(
        u[0].contains("holds none of the Go packages the image builds (cmd/api)"),
        "{u:?}"
    );

    let out = Command::cargo_bin("dfslim")
        .unwrap()
        .args(["fix", "--check"])
        .arg(dir.path().join("Dockerfile"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not checked: the build context"), "{err}");
    assert!(err.contains("hint: 1 file had steps applied without their build context's sources; pass --context DIR"), "{err}");
    // JSON: the notes hold it, and `unchecked` alone too.
    let out = Command::cargo_bin("dfslim")
        .unwrap()
        .args(["fix", "--check", "--format", "json"])
        .arg(dir.path().join("Dockerfile"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let applied = v["files"][0]["applied"].as_array().unwrap();
    let cgo = applied
        .iter()
        .find(|a| a["transform"] == "cgo-off")
        .unwrap();
    assert_eq!(cgo["notes"].as_array().unwrap().len(), 1);
    assert_eq!(cgo["unchecked"], cgo["notes"]);
    assert_eq!(v["files"][0]["ecosystems"], serde_json::json!(["go"]));
}

/// Non-Go images get no Go verdicts: n/a, never refused.
#[test]
fn other_ecosystems_get_no_go_verdicts() {
    let python = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN apt-get update && apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n";
    let nginx = "FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /src\nRUN cd /src && ./configure && make && make install\nFROM debian:bookworm-slim\nCOPY --from=build /usr/local/nginx /usr/local/nginx\nCMD [\"/usr/local/nginx/sbin/nginx\", \"-g\", \"daemon off;\"]\n";
    for text in [python, nginx] {
        let r = run(text, None);
        for s in r
            .steps
            .iter()
            .filter(|s| s.ecosystem == dfslim::ecosystem::Ecosystem::Go)
        {
            let Status::NotApplicable(why) = &s.status else {
                panic!("{}: {:?}", s.id, s.status)
            };
            assert_eq!(why.to_string(), "not a Go build");
        }
        assert!(!r.ecosystems.contains(&dfslim::ecosystem::Ecosystem::Go));
    }
}

/// The monorepo summary counts refusals only where a transform had
/// something to do: a Python and a Go file that refuses once.
#[test]
fn summary_counts_only_real_refusals() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("py")).unwrap();
    fs::create_dir_all(dir.path().join("go")).unwrap();
    fs::write(
        dir.path().join("py/Dockerfile"),
        "FROM python:3.12\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("go/Dockerfile"),
        // `make deps` may bring a C library: no Debian runtime without the
        // sources, so scratch-runtime is skipped (needs cgo-off), not refused.
        "FROM golang:1.22\nENV CGO_ENABLED=1\nRUN make deps\nRUN go build -o /app .\nCMD [\"/app\"]\n",
    )
    .unwrap();
    let out = Command::cargo_bin("dfslim")
        .unwrap()
        .args(["fix", "--check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused = v["summary"]["refused"].as_object().unwrap();
    assert_eq!(refused.get("scratch-runtime"), None, "{refused:?}");
    assert_eq!(
        refused.get("cgo-off").and_then(|n| n.as_u64()),
        Some(1),
        "{refused:?}"
    );
}
