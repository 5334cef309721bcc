//! `dfslim verify` over a tree and several engines, with a stand-in for
//! the `docker` client (tests/fixtures/verify/fake-docker.sh, through
//! `DFSLIM_DOCKER`) so that no engine is needed: which files are taken (the
//! walk, dfslim.toml, `--all`), the exit codes, JSON and Markdown, what the
//! client is asked (engines, `--builder`, the cache), a failing engine and
//! the retry, and the `--emit-bake` file checked against the bake file
//! reference. tests/e2e_verify.rs does it with two real engines.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ALPINE: &str = "FROM alpine:3.20\nCMD [\"true\"]\n";
const BROKEN_BUILD: &str = "FROM alpine:3.20\n# fake: fail\nRUN false\n";
const CONFIG: &str = "\
exclude = [\"third_party\"]

[[override]]
paths = [\"services/legacy/**\"]
level = 1
";

/// A small monorepo: two Go services dfslim rewrites (one held at level 1
/// by dfslim.toml), one it leaves alone, one that does not build, and an
/// excluded directory.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let seed = common::repo().join("tests/e2e/apps/seed-service");
    for name in ["api", "legacy"] {
        copy_dir(&seed, &root.join("services").join(name));
    }
    write(&root.join("services/web/Dockerfile"), ALPINE);
    write(&root.join("services/broken/Dockerfile"), BROKEN_BUILD);
    write(&root.join("third_party/x/Dockerfile"), BROKEN_BUILD);
    write(&root.join("dfslim.toml"), CONFIG);
    dir
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// The fake client's state: its call log and images.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `dfslim ARGS` in `cwd` with the fake client and `env`.
    fn dfslim(&self, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_dfslim"));
        c.args(args)
            .current_dir(cwd)
            .env(
                "DFSLIM_DOCKER",
                common::repo().join("tests/fixtures/verify/fake-docker.sh"),
            )
            .env("FAKE_DIR", self.dir.path())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("FAKE_BUILDX");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run dfslim")
    }

    /// Every call: (engine, arguments).
    fn calls(&self) -> Vec<(String, String)> {
        fs::read_to_string(self.dir.path().join("log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(e, a)| (e.to_string(), a.to_string()))
            .collect()
    }

    fn builds(&self) -> Vec<(String, String)> {
        self.calls()
            .into_iter()
            .filter(|(_, a)| a.starts_with("build ") || a.starts_with("buildx build "))
            .collect()
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn files(v: &Value) -> Vec<&Value> {
    v["files"].as_array().expect("files").iter().collect()
}

fn names(v: &Value) -> Vec<&str> {
    files(v)
        .iter()
        .map(|f| f["dockerfile"].as_str().unwrap())
        .collect()
}

#[test]
fn takes_what_fix_would_change_and_reports_every_file() {
    let repo = monorepo();
    let fake = Fake::new();
    let out = fake.dfslim(repo.path(), &["verify", "--format", "json", "."], &[]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{v:#}", stderr(&out));
    // Only what the rewrite changes; never the excluded directory.
    assert_eq!(
        names(&v),
        ["services/api/Dockerfile", "services/legacy/Dockerfile"]
    );
    let f = files(&v);
    assert_eq!(f[0]["level"], 5);
    assert_eq!(f[1]["level"], 1, "dfslim.toml's override");
    for f in &f {
        assert_eq!(f["changed"], true);
        assert_eq!(f["error"], Value::Null);
        assert_eq!(f["original"]["built"], true);
        assert_eq!(f["rewritten"]["built"], true);
        assert_eq!(f["engine_name"], "default");
        // The same fields as a single file's report.
        for k in [
            "saving_bytes",
            "ratio",
            "applied",
            "refused",
            "builder",
            "context",
        ] {
            assert!(f.get(k).is_some(), "{k}: {f:#}");
        }
    }
    let t = &v["totals"];
    assert_eq!(t["files"], 2);
    assert_eq!(t["built"], 2);
    let saved: i64 = f.iter().map(|f| f["saving_bytes"].as_i64().unwrap()).sum();
    assert_eq!(t["saving_bytes"].as_i64(), Some(saved));
    assert_eq!(
        t["original_bytes"].as_i64().unwrap() - t["rewritten_bytes"].as_i64().unwrap(),
        saved
    );
    assert_eq!(v["engines"][0]["jobs"], 2);

    // --all: every file, the unchanged ones built once, and the one that does
    // not build makes the exit code 2 without stopping the others.
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--all", "--format", "json", "."],
        &[],
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(2), "{v:#}");
    assert_eq!(
        names(&v),
        [
            "services/api/Dockerfile",
            "services/broken/Dockerfile",
            "services/legacy/Dockerfile",
            "services/web/Dockerfile"
        ]
    );
    let broken = files(&v)[1];
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("fake: failing on purpose"),
        "{broken:#}"
    );
    let web = files(&v)[3];
    assert_eq!(web["changed"], false);
    assert_eq!(web["error"], Value::Null);
    assert_eq!(web["original"]["image"], web["rewritten"]["image"]);
    assert_eq!(v["totals"]["errors"], 1);
    assert!(stderr(&out).contains("1 of 4 Dockerfiles could not be verified"));

    // Markdown: failures on top, then by saving.
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--all", "--format", "markdown", "."],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let md = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert!(rows[0].starts_with("| | Dockerfile |"), "{md}");
    assert!(
        rows[1].contains("**error**") && rows[1].contains("services/broken"),
        "{md}"
    );
    let savings: Vec<f64> = rows[2..]
        .iter()
        .map(|r| {
            let cell = r.split('|').nth(5).unwrap().trim();
            cell.split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0.0)
        })
        .collect();
    assert!(
        savings.windows(2).all(|w| w[0] >= w[1]),
        "not sorted by saving: {savings:?}\n{md}"
    );
    assert!(md.contains("**Total:**"), "{md}");
    assert!(md.contains("<details>"), "the failure's log: {md}");

    // A single file is verified even when unchanged, with the report of old.
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--format", "json", "services/web/Dockerfile"],
        &[],
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    assert_eq!(v["dockerfile"], "services/web/Dockerfile");
    assert_eq!(v["changed"], false);
}

#[test]
fn engines_builder_and_cache_reach_the_client() {
    let repo = monorepo();
    let fake = Fake::new();
    let out = fake.dfslim(
        repo.path(),
        &[
            "verify",
            "--all",
            "--exclude",
            "broken",
            "--jobs",
            "2",
            "--engine",
            "farm-a,tcp://b:2375",
            "--builder",
            "k8s",
            "--format",
            "json",
            ".",
        ],
        &[("FAKE_BUILDX", "k8s"), ("FAKE_BUILD_SECONDS", "0.3")],
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{v:#}", stderr(&out));
    let builds = fake.builds();
    assert!(!builds.is_empty());
    for (engine, args) in &builds {
        assert!(
            args.starts_with("buildx build --load --progress=plain --builder k8s --no-cache "),
            "{args}"
        );
        assert!(engine == "farm-a" || engine == "tcp://b:2375", "{engine}");
    }
    // Least busy: with two workers both engines get work.
    for e in ["farm-a", "tcp://b:2375"] {
        assert!(builds.iter().any(|(x, _)| x == e), "{e} unused: {builds:?}");
    }
    let engines: Vec<&str> = v["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(engines, ["farm-a", "tcp://b:2375"]);
    assert_eq!(v["totals"]["engines_used"], 2);
    assert_eq!(files(&v)[0]["builder"], "buildx");
    // Each engine was cleaned up by its own janitor.
    let calls = fake.calls();
    for e in ["farm-a", "tcp://b:2375"] {
        assert!(
            calls
                .iter()
                .any(|(x, a)| x == e && a.starts_with("rmi -f dfslim-verify:")),
            "no cleanup on {e}: {calls:?}"
        );
    }

    // --cache: no --no-cache.
    let fake = Fake::new();
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--cache", "services/api/Dockerfile"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let builds = fake.builds();
    assert_eq!(builds.len(), 2);
    assert!(
        builds.iter().all(|(_, a)| !a.contains("--no-cache")),
        "{builds:?}"
    );

    // A builder that is not there, and no buildx at all.
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--builder", "nope", "services/api/Dockerfile"],
        &[("FAKE_BUILDX", "k8s")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no buildx builder \"nope\""),
        "{}",
        stderr(&out)
    );
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--builder", "k8s", "services/api/Dockerfile"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs buildx"), "{}", stderr(&out));

    // The default --jobs: the engines' CPUs, summed (at most one per file).
    let out = fake.dfslim(
        repo.path(),
        &[
            "verify",
            "--all",
            "--exclude",
            "broken",
            "--engine",
            "a,b",
            ".",
        ],
        &[("FAKE_NCPU", "1")],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(2 side by side)"), "{text}");
}

#[test]
fn a_failing_engine_is_reported_and_its_file_retried_elsewhere() {
    let repo = monorepo();
    // The first file in path order kills engine a when built there.
    let api = repo.path().join("services/api/Dockerfile");
    let text = fs::read_to_string(&api).unwrap();
    fs::write(&api, format!("# fake: kill tcp://a:1\n{text}")).unwrap();
    let fake = Fake::new();
    let out = fake.dfslim(
        repo.path(),
        &[
            "verify",
            "--jobs",
            "1",
            "--engine",
            "tcp://a:1,tcp://b:1,tcp://nowhere:1",
            "--format",
            "json",
            ".",
        ],
        &[],
    );
    let v = json(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}\n{v:#}");
    assert!(
        err.contains("engine tcp://nowhere:1 is not used"),
        "an engine that never answered: {err}"
    );
    assert!(err.contains("engine tcp://a:1 FAILED"), "{err}");
    let first = files(&v)[0];
    assert_eq!(first["dockerfile"], "services/api/Dockerfile");
    assert_eq!(first["engine_name"], "tcp://b:1", "{first:#}");
    assert!(
        first["retried_after"]
            .as_str()
            .unwrap()
            .contains("tcp://a:1 stopped answering"),
        "{first:#}"
    );
    assert_eq!(files(&v)[1]["engine_name"], "tcp://b:1");
    let engines = v["engines"].as_array().unwrap();
    assert_eq!(engines[0]["name"], "tcp://a:1");
    assert_eq!(engines[0]["jobs"], 0);
    assert!(engines[0]["failed"].is_string());
    assert!(
        engines[0]["may_remain"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("dfslim-verify:")),
        "{engines:?}"
    );
    assert_eq!(engines[1]["jobs"], 2);
    assert_eq!(engines[2]["name"], "tcp://nowhere:1");
    assert!(engines[2]["failed"].is_string());

    // Once only: a file whose retry loses its engine too is an error, and
    // the files after it have no engine left.
    let legacy = repo.path().join("services/legacy/Dockerfile");
    let text = fs::read_to_string(&legacy).unwrap();
    fs::write(&legacy, format!("# fake: kill tcp://b:1\n{text}")).unwrap();
    fs::write(
        &api,
        format!(
            "# fake: kill tcp://b:1\n{}",
            fs::read_to_string(&api).unwrap()
        ),
    )
    .unwrap();
    let fake = Fake::new();
    let out = fake.dfslim(
        repo.path(),
        &[
            "verify",
            "--jobs",
            "1",
            "--engine",
            "tcp://a:1,tcp://b:1",
            "--format",
            "json",
            ".",
        ],
        &[],
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(2), "{v:#}");
    let api = files(&v)[0]["error"].as_str().unwrap().to_string();
    assert!(
        api.contains("tcp://a:1 stopped answering") && api.contains("retried, and then"),
        "{api}"
    );
    let legacy = files(&v)[1]["error"].as_str().unwrap().to_string();
    assert!(legacy.contains("no engine answers any more"), "{legacy}");
}

/// The `--emit-bake` file against the bake file reference
/// (docs.docker.com/build/bake/reference): the JSON form has `group` and
/// `target` objects; target names are `[a-zA-Z0-9_-]+`; a group has
/// `targets`, a list of target names; `default` is what `docker buildx
/// bake` builds; a target's attributes are from the reference's table with
/// its types (String, List, Map, Boolean); `dockerfile` resolves against
/// `context`; `dockerfile-inline` is the Dockerfile's text.
#[test]
fn emit_bake_has_the_shape_of_the_bake_reference() {
    let repo = monorepo();
    let fake = Fake::new();
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--all", "--emit-bake", "-", "."],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fake.calls().is_empty(), "--emit-bake builds nothing");
    let v = json(&out);
    let top = v.as_object().unwrap();
    for k in top.keys() {
        assert!(
            ["group", "target", "variable", "function"].contains(&k.as_str()),
            "{k} is not a bake block"
        );
    }
    let targets = v["target"].as_object().unwrap();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    // The reference's attribute table, with the types used here.
    let string = ["context", "dockerfile", "dockerfile-inline", "target"];
    let list = ["tags"];
    let map = ["labels"];
    let boolean = ["no-cache"];
    assert_eq!(targets.len(), 8, "an original and a rewrite per Dockerfile");
    for (name, t) in targets {
        assert!(name_ok(name), "bad target name {name}");
        for (k, val) in t.as_object().unwrap() {
            let ok = (string.contains(&k.as_str()) && val.is_string())
                || (list.contains(&k.as_str())
                    && val
                        .as_array()
                        .is_some_and(|a| a.iter().all(Value::is_string)))
                || (map.contains(&k.as_str())
                    && val
                        .as_object()
                        .is_some_and(|m| m.values().all(Value::is_string)))
                || (boolean.contains(&k.as_str()) && val.is_boolean());
            assert!(ok, "{name}.{k} = {val}");
        }
        for tag in t["tags"].as_array().unwrap() {
            let tag = tag.as_str().unwrap();
            assert_eq!(tag, tag.to_ascii_lowercase(), "a tag is lower case: {tag}");
        }
        assert_eq!(t["no-cache"], true, "comparable build times");
        let context = repo.path().join(t["context"].as_str().unwrap());
        assert!(context.is_dir(), "{name}: context {context:?}");
        let shown = t["labels"]["dfslim.dockerfile"].as_str().unwrap();
        let original = fs::read_to_string(repo.path().join(shown)).unwrap();
        if name.ends_with("-original") {
            assert!(t.get("dockerfile-inline").is_none());
            let file: PathBuf = context.join(t["dockerfile"].as_str().unwrap());
            assert_eq!(fs::read_to_string(&file).unwrap(), original, "{name}");
        } else {
            assert!(name.ends_with("-rewritten"), "{name}");
            assert!(t.get("dockerfile").is_none());
            assert!(t["dockerfile-inline"].is_string());
        }
    }
    let groups = v["group"].as_object().unwrap();
    for (name, g) in groups {
        assert!(name_ok(name));
        assert_eq!(g.as_object().unwrap().len(), 1, "a group has only targets");
        for t in g["targets"].as_array().unwrap() {
            assert!(targets.contains_key(t.as_str().unwrap()), "{name}: {t}");
        }
    }
    assert_eq!(
        v["group"]["default"]["targets"].as_array().unwrap().len(),
        8
    );
    assert_eq!(
        v["group"]["original"]["targets"].as_array().unwrap().len(),
        4
    );

    // The rewrite is exactly what `dfslim fix` writes.
    let written = monorepo();
    let fixed = Command::new(env!("CARGO_BIN_EXE_dfslim"))
        .args(["fix", "."])
        .current_dir(written.path())
        .env("DFSLIM_DOCKER", "/nonexistent")
        .output()
        .unwrap();
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    for (name, t) in targets.iter().filter(|(n, _)| n.ends_with("-rewritten")) {
        let shown = t["labels"]["dfslim.dockerfile"].as_str().unwrap();
        assert_eq!(
            t["dockerfile-inline"].as_str().unwrap(),
            fs::read_to_string(written.path().join(shown)).unwrap(),
            "{name}"
        );
    }

    // Into a file; a file that cannot be read is an error (exit 2), the
    // others still written; --cache drops no-cache.
    write(
        &repo.path().join("services/bad/Dockerfile"),
        "FROM a\nRUN <<EOF\n",
    );
    let out = fake.dfslim(
        repo.path(),
        &["verify", "--cache", "--emit-bake", "bake.json", "services"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("services/bad/Dockerfile"),
        "{}",
        stderr(&out)
    );
    let v: Value =
        serde_json::from_str(&fs::read_to_string(repo.path().join("bake.json")).unwrap()).unwrap();
    assert_eq!(
        v["target"].as_object().unwrap().len(),
        4,
        "the two changed files"
    );
    assert!(
        v["target"]
            .as_object()
            .unwrap()
            .values()
            .all(|t| t.get("no-cache").is_none())
    );
}

/// The exit code is the worst outcome of all files: 0 all fine, 1 a smoke
/// test failed, 2 an error; a file whose container fails never stops the
/// others; Markdown puts errors first, then smoke failures, then the rest.
#[test]
fn exit_code_is_the_worst_outcome() {
    let fake = Fake::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Hygiene rewrites both (`apk add --no-cache`); no EXPOSE: one-shots.
    let one_shot = "FROM alpine:3.20\nRUN apk update && apk add curl\nCMD [\"true\"]\n";
    write(&root.join("services/ok/Dockerfile"), one_shot);
    write(
        &root.join("services/crash/Dockerfile"),
        &format!("# fake: exit 3\n{one_shot}"),
    );
    let smoke = |format: &str, args: &[&str]| {
        let mut all = vec!["verify", "--smoke", "--format", format];
        all.extend_from_slice(args);
        all.push(".");
        fake.dfslim(root, &all, &[])
    };

    // A smoke failure: exit 1, the other file still verified and passing.
    let out = smoke("json", &[]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}\n{v:#}", stderr(&out));
    assert_eq!(
        names(&v),
        ["services/crash/Dockerfile", "services/ok/Dockerfile"]
    );
    let (crash, ok) = (files(&v)[0], files(&v)[1]);
    assert_eq!(crash["changed"], true, "{crash:#}");
    for side in ["original", "rewritten"] {
        assert_eq!(crash[side]["smoke"], "fail", "{crash:#}");
        assert_eq!(ok[side]["smoke"], "pass", "{ok:#}");
    }
    assert_eq!(crash["error"], Value::Null);
    assert_eq!(v["totals"]["smoke_failed"], 1);
    assert_eq!(v["totals"]["errors"], 0);

    // Without --smoke nothing runs: exit 0.
    let runs = || {
        fake.calls()
            .iter()
            .filter(|(_, a)| a.starts_with("run "))
            .count()
    };
    assert_eq!(runs(), 4, "both sides of both files");
    let out = fake.dfslim(root, &["verify", "--format", "json", "."], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(runs(), 4);

    // And a build that fails: exit 2, the worst, and both others still done.
    write(&root.join("services/broken/Dockerfile"), BROKEN_BUILD);
    let out = smoke("json", &["--all"]);
    let v = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}\n{v:#}", stderr(&out));
    assert_eq!(v["totals"]["files"], 3);
    assert_eq!(v["totals"]["errors"], 1);
    assert_eq!(v["totals"]["smoke_failed"], 1);
    assert_eq!(files(&v)[2]["original"]["smoke"], "pass");

    // The pull-request table: the error, then the smoke failure, then the rest.
    let out = smoke("markdown", &["--all"]);
    assert_eq!(out.status.code(), Some(2));
    let md = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 4, "{md}");
    assert!(
        rows[1].contains("**error**") && rows[1].contains("services/broken"),
        "{md}"
    );
    assert!(
        rows[2].contains("**smoke fail**") && rows[2].contains("services/crash"),
        "{md}"
    );
    assert!(rows[3].contains("services/ok"), "{md}");
    assert!(md.contains("fake: exited with code 3"), "the log: {md}");
}
