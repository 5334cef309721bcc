//! `dfslim fix` over a whole repository: discovery as git sees it, a
//! dfslim.toml with an override, a compose file that sets a build context,
//! suppression comments, one broken file; the exit codes, the JSON, the
//! SARIF (validated against the SARIF 2.1.0 schema, and its fixes applied
//! to reproduce dfslim's own output), and that `--check` passes after `fix`.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The Dockerfile a Go service often starts with.
const NAIVE: &str = "\
FROM golang:1.21
WORKDIR /src
COPY . .
RUN go mod download
RUN go build -o /app .
EXPOSE 8080
CMD [\"/app\"]
";

/// NAIVE at level 1 (the legacy override): only the builder base changes.
const NAIVE_LEVEL_1: &str = "\
FROM golang:1.21-alpine
WORKDIR /src
COPY . .
RUN go mod download
RUN go build -o /app .
EXPOSE 8080
CMD [\"/app\"]
";

const WORKER: &str = "\
# dfslim: ignore=scratch-runtime
FROM golang:1.21
# dfslim: ignore=no-such-transform
WORKDIR /src
COPY . .
# dfslim: ignore=strip-flags
RUN go build -o /app .
CMD [\"/app\"]
";

const SKIPPED: &str =
    "# dfslim: ignore\nFROM golang:1.21\nRUN go build -o /app .\nCMD [\"/app\"]\n";

const BROKEN: &str = "FROM golang:1.21\nRUN <<EOF\ngo build -o /app .\n";

const CONFIG: &str = "\
exclude = [\"third_party\"]

[[override]]
paths = [\"services/legacy/**\"]
level = 1
";

const COMPOSE: &str = "\
services:
  web:
    build:
      context: ./services/web
      dockerfile: docker/Dockerfile.prod
  api:
    build: ./services/api
  db:
    image: postgres:16
";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn go_module(root: &Path, dir: &str, main: &str) {
    write(
        root,
        &format!("{dir}/go.mod"),
        "module example.com/svc\n\ngo 1.21\n",
    );
    write(root, &format!("{dir}/main.go"), main);
}

const PLAIN_MAIN: &str = "package main\n\nfunc main() {}\n";
const CGO_MAIN: &str = "package main\n\n// #include <stdio.h>\nimport \"C\"\n\nfunc main() {}\n";

/// A git repository with nested services.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status()
        .expect("git");
    assert!(git.success());
    write(root, "dfslim.toml", CONFIG);
    write(root, "docker-compose.yml", COMPOSE);
    write(root, ".gitignore", "generated/\n");
    write(root, "services/api/Dockerfile", NAIVE);
    go_module(root, "services/api", PLAIN_MAIN);
    write(root, "services/legacy/Dockerfile", NAIVE);
    // The compose file builds web with services/web as context, where the
    // program is: it uses cgo, so nothing that needs cgo off may happen. Its
    // own directory (docker/) has no Go at all.
    write(root, "services/web/docker/Dockerfile.prod", NAIVE);
    go_module(root, "services/web", CGO_MAIN);
    write(root, "services/worker/Dockerfile", WORKER);
    go_module(root, "services/worker", PLAIN_MAIN);
    write(root, "services/skipped/Dockerfile", SKIPPED);
    write(root, "services/broken/Dockerfile", BROKEN);
    // Not taken: ignored by git, excluded by the config, hidden.
    write(root, "generated/Dockerfile", NAIVE);
    write(root, "third_party/lib/Dockerfile", NAIVE);
    write(root, ".devcontainer/Dockerfile", NAIVE);
    dir
}

fn dfslim(root: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dfslim"));
    c.current_dir(root)
        // No user-wide git excludes from the machine running the tests.
        .env("HOME", root)
        .env("XDG_CONFIG_HOME", root.join(".xdg"))
        .env("NO_COLOR", "1");
    c
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[&str]) -> Out {
    let o = dfslim(root).args(args).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

const CHANGED: [&str; 4] = [
    "services/api/Dockerfile",
    "services/legacy/Dockerfile",
    "services/web/docker/Dockerfile.prod",
    "services/worker/Dockerfile",
];

fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with(".git") {
                continue;
            }
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_lists_exactly_the_files_that_would_change() {
    let dir = repo();
    let root = dir.path();
    let before = snapshot(root);
    let out = run(root, &["fix", "--check", "."]);
    // The broken file is an error (exit 2), and the others are still done.
    assert_eq!(out.code, 2, "{}", out.stderr);
    let listed: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(listed, CHANGED);
    assert!(
        out.stderr
            .contains("services/broken/Dockerfile:2:1: unterminated heredoc"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "services/worker/Dockerfile:3:1: warning: unknown transform or ecosystem \"no-such-transform\""
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("services/skipped/Dockerfile: ignored (# dfslim: ignore)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("services/legacy/Dockerfile: would change (alpine-base)\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "6 files: 4 changed, 0 unchanged, 1 ignored, 1 error; refused: cgo-off 1; suppressed: scratch-runtime 1, strip-flags 1; 1 warning\n"
        ),
        "{}",
        out.stderr
    );
    // Nothing was written.
    assert_eq!(snapshot(root), before);

    // Two runs print the same thing.
    let again = run(root, &["fix", "--check", "."]);
    assert_eq!((again.stdout, again.stderr), (out.stdout, out.stderr));
}

fn steps(file: &Value, key: &str) -> Vec<String> {
    file[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["transform"].as_str().unwrap().to_string())
        .collect()
}

/// Both streams in one file (`2>&1`, a terminal): the report is written a
/// block at a time, and each changed file's path still comes just before
/// its line, the summary last.
#[test]
fn one_file_for_both_streams_keeps_the_order() {
    let dir = repo();
    let root = dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let log = elsewhere.path().join("both.log");
    let file = fs::File::create(&log).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_dfslim"))
        .current_dir(root)
        .env("HOME", root)
        .env("XDG_CONFIG_HOME", root.join(".xdg"))
        .env("NO_COLOR", "1")
        .args(["fix", "--check", "."])
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
    let both = fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = both.lines().collect();
    for path in CHANGED {
        let at = lines.iter().position(|l| *l == path).expect(path);
        assert!(
            lines[at + 1].starts_with(&format!("{path}: would change")),
            "{both}"
        );
    }
    assert!(lines.last().unwrap().starts_with("6 files: "), "{both}");
}

#[test]
fn json_report() {
    let dir = repo();
    let root = dir.path();
    let out = run(root, &["fix", "--check", "--format", "json", "."]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    let by_path: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by_path,
        vec![
            ("services/api/Dockerfile", "changed"),
            ("services/broken/Dockerfile", "error"),
            ("services/legacy/Dockerfile", "changed"),
            ("services/skipped/Dockerfile", "ignored"),
            ("services/web/docker/Dockerfile.prod", "changed"),
            ("services/worker/Dockerfile", "changed"),
        ]
    );
    let file = |p: &str| files.iter().find(|f| f["path"] == p).unwrap();

    let api = file("services/api/Dockerfile");
    assert_eq!(
        steps(api, "applied"),
        [
            "alpine-base",
            "multi-stage",
            "cgo-off",
            "scratch-runtime",
            "strip-flags"
        ]
    );
    assert_eq!(api["context"]["dir"], "services/api");
    assert_eq!(
        api["context"]["from"],
        "compose service api (docker-compose.yml)"
    );

    // The override: level 1 only.
    let legacy = file("services/legacy/Dockerfile");
    assert_eq!(steps(legacy, "applied"), ["alpine-base"]);
    assert_eq!(legacy["context"]["from"], "the Dockerfile's directory");

    // The compose context is where the cgo program is: cgo-off refuses,
    // and says why.
    let web = file("services/web/docker/Dockerfile.prod");
    assert_eq!(web["context"]["dir"], "services/web");
    assert_eq!(
        web["context"]["from"],
        "compose service web (docker-compose.yml)"
    );
    assert!(steps(web, "refused").contains(&"cgo-off".to_string()));
    let cgo = web["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["transform"] == "cgo-off")
        .unwrap();
    assert!(
        cgo["reason"].as_str().unwrap().contains("main.go:4"),
        "{cgo}"
    );
    // cgo stays on, and the glibc binary gets a glibc runtime: the
    // builder's Debian release (golang:1.21 is bookworm), then distroless base.
    assert_eq!(
        steps(web, "applied"),
        ["multi-stage", "scratch-runtime", "strip-flags"]
    );

    // Suppressions: file-wide and for one instruction; an unknown id warns.
    let worker = file("services/worker/Dockerfile");
    let suppressed: Vec<(String, u64)> = worker["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["transform"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            ("scratch-runtime".to_string(), 1),
            ("strip-flags".to_string(), 6)
        ]
    );
    assert_eq!(
        steps(worker, "applied"),
        ["alpine-base", "multi-stage", "cgo-off"]
    );
    assert_eq!(
        worker["warnings"][0],
        "services/worker/Dockerfile:3:1: warning: unknown transform or ecosystem \"no-such-transform\" in a suppression comment; `dfslim transforms` lists them"
    );

    let broken = file("services/broken/Dockerfile");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .starts_with("services/broken/Dockerfile:2:1: ")
    );
    assert_eq!(v["summary"]["files"], 6);
    assert_eq!(v["summary"]["changed"], 4);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["ignored"], 1);
    assert_eq!(v["summary"]["suppressed"]["strip-flags"], 1);
}

/// Applies one SARIF replacement (1-based lines and columns, end exclusive) to `text`.
fn offset(text: &str, line: u64, column: u64) -> usize {
    let mut at = 0;
    for _ in 1..line {
        at += text[at..].find('\n').map_or(text.len() - at, |i| i + 1);
    }
    at + text[at..]
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf8)
        .sum::<usize>()
}

#[test]
fn sarif_report_is_valid_and_its_fixes_reproduce_the_rewrite() {
    let dir = repo();
    let root = dir.path();
    let out = run(root, &["fix", "--check", "--format", "sarif", "."]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let log: Value = serde_json::from_str(&out.stdout).unwrap();

    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sarif/sarif-2.1.0-rtm.5.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // One pattern of the schema has a bare `]`, a literal in ECMA regexes
    // that Rust's regex engine rejects: escape it (same meaning).
    fn escape_brackets(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    match x {
                        Value::String(p) if k == "pattern" => *p = p.replace("}]?$", "}\\]?$"),
                        _ => escape_brackets(x),
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(escape_brackets),
            _ => {}
        }
    }
    let mut schema = schema;
    escape_brackets(&mut schema);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Every transform of the catalog is a rule, in pipeline order.
    let ids: Vec<&str> = dfslim::catalog::entries()
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(rules, ids);
    for r in run0["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["help"]["text"].as_str().unwrap().contains("Why: "));
    }
    // The broken file is an error notification; the run did not fully succeed.
    let inv = &run0["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["level"] == "error"
        && n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "services/broken/Dockerfile"));

    let results = run0["results"].as_array().unwrap();
    let mut uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    uris.dedup();
    assert_eq!(uris, CHANGED);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
        assert!(r["message"]["text"].as_str().unwrap().starts_with(id));
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    // legacy: one change, alpine-base's, on line 1.
    let legacy: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "services/legacy/Dockerfile"
        })
        .collect();
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0]["ruleId"], "alpine-base");
    assert_eq!(
        legacy[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );

    // Applying every file's fixes to the original gives what `fix` writes.
    let mut fixed: std::collections::BTreeMap<String, String> = Default::default();
    for uri in CHANGED {
        let original = fs::read_to_string(root.join(uri)).unwrap();
        let mut reps: Vec<(usize, usize, String)> = results
            .iter()
            .flat_map(|r| r["fixes"].as_array().unwrap())
            .flat_map(|f| f["artifactChanges"].as_array().unwrap())
            .filter(|c| c["artifactLocation"]["uri"] == uri)
            .flat_map(|c| c["replacements"].as_array().unwrap())
            .map(|rep| {
                let d = &rep["deletedRegion"];
                let n = |k: &str| d[k].as_u64().unwrap();
                (
                    offset(&original, n("startLine"), n("startColumn")),
                    offset(&original, n("endLine"), n("endColumn")),
                    rep["insertedContent"]["text"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect();
        reps.sort();
        let mut text = original.clone();
        for (start, end, new) in reps.iter().rev() {
            text.replace_range(start..end, new);
        }
        fixed.insert(uri.to_string(), text);
    }
    assert_eq!(run(root, &["fix", "."]).code, 2);
    for uri in CHANGED {
        assert_eq!(
            fixed[uri],
            fs::read_to_string(root.join(uri)).unwrap(),
            "{uri}"
        );
    }
}

#[test]
fn fix_writes_then_check_passes() {
    let dir = repo();
    let root = dir.path();
    let untouched = [
        "services/skipped/Dockerfile",
        "services/broken/Dockerfile",
        "generated/Dockerfile",
        "third_party/lib/Dockerfile",
        ".devcontainer/Dockerfile",
    ]
    .map(|p| (p, fs::read(root.join(p)).unwrap()));

    let out = run(root, &["fix", "."]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(
        fs::read_to_string(root.join("services/legacy/Dockerfile")).unwrap(),
        NAIVE_LEVEL_1
    );
    let worker = fs::read_to_string(root.join("services/worker/Dockerfile")).unwrap();
    // cgo-off's new line went above the comment, which stays on its RUN.
    assert!(
        worker
            .contains("ENV CGO_ENABLED=0\n# dfslim: ignore=strip-flags\nRUN go build -o /app .\n"),
        "{worker}"
    );
    assert!(worker.contains("AS builder"), "{worker}");
    assert!(!worker.contains("FROM scratch"), "{worker}");
    let api = fs::read_to_string(root.join("services/api/Dockerfile")).unwrap();
    assert!(api.contains("FROM scratch"), "{api}");
    for (p, bytes) in &untouched {
        assert_eq!(&fs::read(root.join(p)).unwrap(), bytes, "{p} was written");
    }

    // dfslim's output is a fixed point: nothing more to do, exit 0 (the
    // broken file left out).
    let check = run(
        root,
        &["fix", "--check", "--exclude", "services/broken", "."],
    );
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.is_empty(), "{}", check.stdout);

    // Fixing the broken file makes the whole tree clean.
    write(
        root,
        "services/broken/Dockerfile",
        "FROM scratch\nCOPY app /app\n",
    );
    assert_eq!(run(root, &["fix", "--check", "."]).code, 0);
}

#[test]
fn flags_win_over_the_config() {
    let dir = repo();
    let root = dir.path();
    // --level wins over the override's level 1.
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "--level",
            "2",
            "services/legacy/Dockerfile",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("applied  multi-stage"),
        "{}",
        out.stderr
    );
    // --include narrows the walk; --exclude prunes.
    let out = run(
        root,
        &["fix", "--check", "--include", "services/a*/**", "."],
    );
    assert_eq!(out.stdout, "services/api/Dockerfile\n");
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "--exclude",
            "services/broken",
            "--exclude",
            "worker",
            ".",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains("worker"), "{}", out.stdout);
    // An explicitly named file is taken whatever its name, even ignored ones.
    fs::copy(
        root.join("generated/Dockerfile"),
        root.join("generated/build.txt"),
    )
    .unwrap();
    let out = run(root, &["fix", "--check", "generated/build.txt"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (1, "generated/build.txt\n")
    );
}

#[test]
fn compose_context_applies_to_an_explicitly_named_file() {
    let dir = repo();
    let root = dir.path();
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "--format",
            "json",
            "services/web/docker/Dockerfile.prod",
        ],
    );
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["context"]["dir"], "services/web");
}

#[test]
fn links_are_taken_once_and_never_followed_out_of_the_root() {
    let dir = repo();
    let root = dir.path();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "Dockerfile", NAIVE);
    write(outside.path(), "svc/Dockerfile", NAIVE);
    let link = |target: &Path, at: &str| std::os::unix::fs::symlink(target, root.join(at)).unwrap();
    link(
        &outside.path().join("Dockerfile"),
        "services/outside.Dockerfile",
    );
    link(&outside.path().join("svc"), "services/outside-dir");
    // A link to a Dockerfile the walk also finds: one job, not two racing writes.
    link(
        &root.join("services/api/Dockerfile"),
        "services/zz.Dockerfile",
    );
    let out = run(
        root,
        &["fix", "--check", "--exclude", "services/broken", "."],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), CHANGED);
    // Files named on the command line are the same file once too.
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "services/api/Dockerfile",
            "./services/api/Dockerfile",
            "services/zz.Dockerfile",
        ],
    );
    assert_eq!(out.stdout, "services/api/Dockerfile\n");
}

#[test]
fn config_context_tables_map_build_contexts() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "dfslim.toml",
        "[[context]]\ndockerfile = \"services/legacy/Dockerfile\"\ncontext = \"services/web\"\n",
    );
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "--format",
            "json",
            "services/legacy/Dockerfile",
        ],
    );
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["context"]["dir"], "services/web");
    assert_eq!(f["context"]["from"], "[[context]] at dfslim.toml:1");
    // The cgo program there is seen.
    assert!(steps(f, "refused").contains(&"cgo-off".to_string()), "{f}");
}

#[test]
fn config_errors_name_key_file_and_line() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "dfslim.toml",
        "level = 3\n\n[transforms.strip-flags]\nenable = false\n",
    );
    let out = run(root, &["fix", "--check", "."]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .starts_with("dfslim: dfslim.toml:4:1: unknown field `enable`"),
        "{}",
        out.stderr
    );
    write(root, "dfslim.toml", "level = 7\n");
    let out = run(root, &["config"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "dfslim: dfslim.toml:1:9: `level` must be a level from 0 to 5, not 7\n"
    );
    // Found from a subdirectory too, and --config names another.
    let out = run(&root.join("services"), &["fix", "--check", "."]);
    assert!(
        out.stderr.contains("dfslim.toml:1:9: `level`"),
        "{}",
        out.stderr
    );
    write(
        root,
        "other.toml",
        "[transforms.alpine-base]\nenabled = false\n",
    );
    let out = run(
        root,
        &[
            "fix",
            "--check",
            "--config",
            "other.toml",
            "services/legacy/Dockerfile",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("alpine-base"), "{}", out.stderr);
}

#[test]
fn config_command_shows_what_a_path_gets() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "dfslim.toml",
        &format!("{CONFIG}\n[transforms.strip-flags]\nenabled = false\n"),
    );
    let out = run(root, &["config", "services/legacy/Dockerfile"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "\
# configuration: dfslim.toml
level = 5  # default
exclude = [\"third_party\"]
transforms.strip-flags.enabled = false  # dfslim.toml:7
runtime = \"scratch\"  # default
# [[override]] at dfslim.toml:3: paths = [\"services/legacy/**\"]

[\"services/legacy/Dockerfile\"]
level = 1  # [[override]] at dfslim.toml:3
transforms = [\"alpine-base\", \"node-slim-base\", \"apt-lists\", \"apk-no-cache\", \"pip-no-cache\", \"npm-cache\", \"rust-slim-base\", \"python-slim-base\", \"java-jre-base\"]
# strip-flags off: enabled = false at dfslim.toml:7
# [[override]] at dfslim.toml:3 applies
context = \"services/legacy\"  # the Dockerfile's directory
ships = \"the last stage\"
"
    );
    let out = run(root, &["config", "services/web"]);
    assert!(
        out.stdout
            .contains("context = \"services/web\"  # compose service web (docker-compose.yml)"),
        "{}",
        out.stdout
    );
}

#[test]
fn pre_commit_hook_matches_dockerfile_names() {
    #[derive(serde::Deserialize)]
    struct Hook {
        id: String,
        entry: String,
        language: String,
        files: String,
        #[serde(default)]
        exclude: Option<String>,
    }
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    let hooks: Vec<Hook> = serde_saphyr::from_str(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(
        (
            hook.id.as_str(),
            hook.entry.as_str(),
            hook.language.as_str()
        ),
        ("dfslim", "dfslim fix --check", "rust")
    );
    let files = regex::Regex::new(&hook.files).unwrap();
    let exclude = hook
        .exclude
        .as_deref()
        .map(|e| regex::Regex::new(e).unwrap());
    let taken = |p: &str| files.is_match(p) && !exclude.as_ref().is_some_and(|e| e.is_match(p));
    for p in [
        "Dockerfile",
        "svc/Dockerfile",
        "svc/dockerfile",
        "Containerfile",
        "svc/Dockerfile.prod",
        "svc/api.Dockerfile",
        "x.dockerfile",
    ] {
        assert!(taken(p), "{p}");
        assert!(dfslim::walk::is_dockerfile_name(
            p.rsplit('/').next().unwrap()
        ));
    }
    for p in [
        "Dockerfile.dockerignore",
        "svc/Dockerfilex",
        "docs/Dockerfile-guide.md",
        "my-dockerfile/main.go",
        "README.md",
    ] {
        assert!(!taken(p), "{p}");
        assert!(!dfslim::walk::is_dockerfile_name(
            p.rsplit('/').next().unwrap()
        ));
    }
}
