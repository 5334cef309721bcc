//! The Node.js transforms on the shapes they must refuse or handle, each
//! with a build context written for the case (golden/node-* has the full
//! rewrites at every level).

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Run, Selection, Status};
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

fn run(text: &str, level: u8, dir: &Path) -> Run {
    let ctx = BuildContext::load(dir);
    let sel = Selection {
        level,
        ..Selection::default()
    };
    let r = pipeline::run(text, &sel, Some(&ctx)).unwrap();
    let again = pipeline::run(&r.output, &sel, Some(&ctx)).unwrap();
    assert_eq!(again.output, r.output, "not a fixed point:\n{}", r.output);
    r
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

const LOCK: &str = r#"{"lockfileVersion":3,"packages":{"":{}}}"#;

#[test]
fn the_command_runs_node_only_when_the_script_is_plain_node() {
    let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"serve\", \"--\", \"--port\", \"80\"]\n";
    let ok = context(&[
        (
            "package.json",
            r#"{"scripts":{"serve":"node --enable-source-maps dist/srv.js"}}"#,
        ),
        ("package-lock.json", LOCK),
    ]);
    let r = run(df, 2, ok.path());
    assert!(
        r.output
            .contains(r#"CMD ["node", "--enable-source-maps", "dist/srv.js", "--port", "80"]"#),
        "{}",
        r.output
    );
    for (script, why) in [
        ("tsc && node dist/srv.js", "not a plain `node` command"),
        ("ts-node src/srv.ts", "not a plain `node` command"),
        (
            "NODE_ENV=production node x.js",
            "not a plain `node` command",
        ),
    ] {
        let dir = context(&[
            (
                "package.json",
                &format!(r#"{{"scripts":{{"serve":"{script}"}}}}"#),
            ),
            ("package-lock.json", LOCK),
        ]);
        let (what, msg) = said(&run(df, 2, dir.path()), "node-cmd");
        assert_eq!(what, "refused", "{script}: {msg}");
        assert!(msg.contains(why), "{msg}");
    }
    // A pre script would be skipped under node alone.
    let dir = context(&[(
        "package.json",
        r#"{"scripts":{"serve":"node a.js","preserve":"node migrate.js"}}"#,
    )]);
    let (what, msg) = said(&run(df, 2, dir.path()), "node-cmd");
    assert_eq!(what, "refused");
    assert!(msg.contains("scripts.preserve"), "{msg}");
    // No package.json: nothing to go on.
    let empty = context(&[]);
    let (what, msg) = said(&run(df, 2, empty.path()), "node-cmd");
    assert_eq!(what, "refused");
    assert!(
        msg.starts_with("the CMD on line 5 runs `npm serve`"),
        "{msg}"
    );
}

#[test]
fn npm_start_without_a_start_script_runs_server_js() {
    let dir = context(&[("package.json", r#"{"name":"x"}"#), ("server.js", "")]);
    let r = run(
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD npm start\n",
        2,
        dir.path(),
    );
    assert!(
        r.output.contains(r#"CMD ["node", "server.js"]"#),
        "{}",
        r.output
    );
    assert!(said(&r, "node-cmd").1.contains("npm's default start"));
}

#[test]
fn slim_is_refused_for_what_only_the_full_image_has() {
    let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n";
    let git = context(&[
        (
            "package.json",
            r#"{"dependencies":{"lib":"github:acme/lib#v1"}}"#,
        ),
        ("package-lock.json", LOCK),
    ]);
    let (what, msg) = said(&run(df, 1, git.path()), "node-slim-base");
    assert_eq!(what, "refused");
    assert!(
        msg.contains("the dependency lib is fetched from git"),
        "{msg}"
    );
    // Installing the tools is what makes it fine.
    let native = context(&[
        ("package.json", r#"{"dependencies":{"sharp":"^0.33"}}"#),
        ("package-lock.json", LOCK),
    ]);
    assert_eq!(
        said(&run(df, 1, native.path()), "node-slim-base").0,
        "refused"
    );
    let with_tools = df.replace(
        "RUN npm ci",
        "RUN apt-get update && apt-get install -y python3 make g++\nRUN npm ci",
    );
    assert_eq!(
        said(&run(&with_tools, 1, native.path()), "node-slim-base").0,
        "applied"
    );
    // A stage built FROM it that runs git.
    let dir = context(&[("package.json", "{}"), ("package-lock.json", LOCK)]);
    let two = "FROM node:20 AS base\nWORKDIR /app\nCOPY . .\nRUN npm ci\nFROM base AS e2e\nRUN git log -1\nFROM base\nCMD [\"node\", \"a.js\"]\n";
    let (what, msg) = said(&run(two, 1, dir.path()), "node-slim-base");
    assert_eq!(what, "refused");
    assert!(
        msg.contains("stage `e2e` is built FROM it and line 6 runs `git`"),
        "{msg}"
    );
}

#[test]
fn dev_dependencies_stay_when_something_needs_them() {
    let dir = context(&[
        (
            "package.json",
            r#"{"scripts":{"start":"node a.js"},"devDependencies":{"ts-node":"^10"}}"#,
        ),
        ("package-lock.json", LOCK),
    ]);
    let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"-r\", \"ts-node/register\", \"a.ts\"]\n";
    let (what, msg) = said(&run(df, 3, dir.path()), "node-prod-deps");
    assert_eq!(what, "refused");
    assert!(msg.contains("uses ts-node, a dev dependency"), "{msg}");
    // yarn berry.
    let berry = context(&[
        ("package.json", r#"{"devDependencies":{"jest":"^29"}}"#),
        ("yarn.lock", "__metadata:\n  version: 8\n"),
    ]);
    let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --immutable\nCMD [\"node\", \"a.js\"]\n";
    let (what, msg) = said(&run(df, 3, berry.path()), "node-prod-deps");
    assert_eq!(what, "refused");
    assert!(msg.contains("yarn workspaces focus --production"), "{msg}");
    // A lockfile v1 (npm 6): --production.
    let v1 = context(&[
        ("package.json", r#"{"devDependencies":{"jest":"^29"}}"#),
        (
            "package-lock.json",
            r#"{"lockfileVersion":1,"dependencies":{}}"#,
        ),
    ]);
    let df = "FROM node:14\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"a.js\"]\n";
    let r = run(df, 3, v1.path());
    assert!(
        r.output.contains("RUN npm ci --production\n"),
        "{}",
        r.output
    );
}

#[test]
fn distroless_keeps_what_the_app_relies_on() {
    let dir = context(&[("package.json", "{}"), ("package-lock.json", LOCK)]);
    // Root on port 80: nonroot could not bind it everywhere.
    let df =
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nEXPOSE 80\nCMD [\"node\", \"a.js\"]\n";
    let (what, msg) = said(&run(df, 4, dir.path()), "node-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("EXPOSEs port 80 (line 5)"), "{msg}");
    // A user distroless does not have.
    let df = "FROM node:20\nRUN useradd app\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER app\nCMD [\"node\", \"a.js\"]\n";
    let r = run(df, 4, dir.path());
    let (what, msg) = said(&r, "node-distroless");
    assert_eq!(what, "refused", "{}", r.output);
    assert!(msg.contains("USER app"), "{msg}");
    // An exec-form ENTRYPOINT on node and a HEALTHCHECK running node.
    let df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER node\nHEALTHCHECK CMD [\"node\", \"health.js\"]\nENTRYPOINT [\"node\", \"main.js\"]\n";
    let r = run(df, 4, dir.path());
    assert!(
        r.output
            .contains("FROM gcr.io/distroless/nodejs20-debian12:nonroot\n"),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains(r#"ENTRYPOINT ["/nodejs/bin/node", "main.js"]"#),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains(r#"HEALTHCHECK CMD ["/nodejs/bin/node", "health.js"]"#),
        "{}",
        r.output
    );
    assert!(r.output.contains("USER 1000:1000"), "{}", r.output);
    // A Debian 11 builder: addons built against another glibc.
    let df =
        "FROM node:20-bullseye\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n";
    let (what, msg) = said(&run(df, 4, dir.path()), "node-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("Debian bullseye"), "{msg}");
}

#[test]
fn the_split_refuses_what_the_runtime_would_lack() {
    let dir = context(&[("package.json", "{}"), ("package-lock.json", LOCK)]);
    for (df, why) in [
        (
            "FROM node:20\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n",
            "no directory of its own",
        ),
        (
            "FROM node:20\nWORKDIR /app\nRUN apt-get update && apt-get install -y ffmpeg\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n",
            "installs ffmpeg",
        ),
        (
            "FROM node:20\nWORKDIR /app\nRUN npm install -g pm2\nCOPY . .\nRUN npm ci\nCMD [\"pm2-runtime\", \"a.js\"]\n",
            "installed globally on line 3",
        ),
        (
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y nodejs npm\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n",
            "does not come from the node image",
        ),
    ] {
        let (what, msg) = said(&run(df, 2, dir.path()), "node-multi-stage");
        assert_eq!(what, "refused", "{df}: {msg}");
        assert!(msg.contains(why), "{msg}");
    }
    // Files copied outside the app's directory follow it.
    let df = "FROM node:20\nWORKDIR /app\nCOPY nginx.conf /etc/app/nginx.conf\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n";
    let r = run(df, 2, dir.path());
    assert!(
        r.output
            .contains("COPY --from=builder /etc/app/nginx.conf /etc/app/nginx.conf\n"),
        "{}",
        r.output
    );
}
