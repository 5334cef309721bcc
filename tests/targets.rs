//! Know which stage ships: every stage a compose file (or bake file, or
//! dfslim.toml) builds as a target is a product of its own and stays byte
//! for byte as it was, unless it is the shipped image; the stage that ships
//! still gets what the levels give it.

mod common;

use dfslim::analysis::{Facts, Target, Targets};
use dfslim::pipeline::{self, Input, Selection, Status};
use dfslim::syntax::Document;

/// The text of the stage named `name` (its FROM line to the next FROM).
fn stage_text(text: &str, name: &str) -> Option<String> {
    let doc = Document::parse(text).ok()?;
    let stages = doc.stages();
    let i = stages
        .iter()
        .position(|s| s.name_lower().as_deref() == Some(name.to_lowercase().as_str()))?;
    let start = doc.line_start(doc.instructions()[stages[i].from].start_line);
    let end = stages.get(i + 1).map_or(text.len(), |n| {
        doc.line_start(doc.instructions()[n.from].start_line)
    });
    Some(text[start..end].trim_end().to_string())
}

#[test]
fn targeted_stages_stay_byte_for_byte() {
    let root = common::repo().join("../shared/realworld/awesome-compose");
    if !root.is_dir() {
        return common::skip_without_data("the targets test", "../shared/realworld is not here");
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, input, output, targets, ctx) in common::realworld_runs(&root) {
        let doc = Document::parse(&input).unwrap();
        let facts = Facts::with_targets(&doc, ctx.as_ref(), &targets);
        let shipped = facts.roles.shipped;
        for t in &targets.built {
            let Some(i) = doc
                .stages()
                .iter()
                .position(|s| s.name_lower().as_deref() == Some(t.stage.to_lowercase().as_str()))
            else {
                continue;
            };
            if i == shipped {
                continue;
            }
            checked += 1;
            if stage_text(&input, &t.stage) != stage_text(&output, &t.stage) {
                failures.push(format!(
                    "{}: stage {} (built by {}) changed:\n{}",
                    path.display(),
                    t.stage,
                    t.by,
                    output
                ));
            }
        }
    }
    eprintln!("{checked} targeted stages checked");
    assert!(checked >= 17, "only {checked} targeted stages found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// awesome-compose/nginx-golang: compose builds `target: builder`; stripping
/// that builder's `go build` would give the developer's container a
/// stripped binary. The builder stays; the report says why.
#[test]
fn nginx_golang_builder_is_left_as_is() {
    let root = common::repo().join("../shared/realworld/awesome-compose/nginx-golang");
    if !root.is_dir() {
        return common::skip_without_data("nginx-golang", "../shared/realworld is not here");
    }
    let runs = common::realworld_runs(&root);
    let (_, input, output, targets, _) = runs
        .iter()
        .find(|r| r.0.ends_with("backend/Dockerfile"))
        .expect("nginx-golang/backend/Dockerfile");
    assert_eq!(targets.built.len(), 1, "{targets:?}");
    assert_eq!(targets.built[0].stage, "builder");
    assert_eq!(output, input);
    let r = pipeline::run_with(
        input,
        &Selection::default(),
        Input {
            targets,
            ..Input::default()
        },
    )
    .unwrap();
    let s = r.steps.iter().find(|s| s.id == "strip-flags").unwrap();
    let Status::Skipped(why) = &s.status else {
        panic!("{:?}", s.status)
    };
    assert!(
        why.to_string()
            .starts_with("stage `builder` is built by compose service backend"),
        "{why}"
    );
    assert!(why.to_string().ends_with(": left as is"), "{why}");
}

/// The same file, when dfslim.toml says the targeted stage is the one that
/// ships: the levels apply to it.
#[test]
fn a_targeted_stage_marked_as_shipping_gets_the_levels() {
    let text = "FROM golang:1.22 AS app\nWORKDIR /src\nCOPY . .\nRUN go build -o /src/app .\nCMD [\"/src/app\"]\n\nFROM app AS lint\nRUN go vet ./...\n";
    let targets = Targets {
        built: vec![Target {
            stage: "app".into(),
            by: "[[context]] at dfslim.toml:2".into(),
        }],
        ship: Some("app".into()),
    };
    let input = Input {
        targets: &targets,
        ..Input::default()
    };
    let level1 = Selection {
        level: 1,
        ..Selection::default()
    };
    let r = pipeline::run_with(text, &level1, input).unwrap();
    assert!(
        r.output.starts_with("FROM golang:1.22-alpine AS app\n"),
        "{}",
        r.output
    );
    // Not marked: `app` is somebody's target, `lint` is the last stage.
    let targets = Targets {
        ship: None,
        ..targets.clone()
    };
    let r = pipeline::run_with(
        text,
        &level1,
        Input {
            targets: &targets,
            ..Input::default()
        },
    )
    .unwrap();
    assert_eq!(r.output, text);
}

/// A Node.js service whose development stage compose builds while the last
/// stage is the production image: the development stage stays, the
/// production one is slimmed.
#[test]
fn a_node_development_target_stays_while_production_is_slimmed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("web")).unwrap();
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  web:\n    build:\n      context: web\n      target: development\n",
    )
    .unwrap();
    let df = "FROM node:20 AS development\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n\nFROM node:20 AS production\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";
    std::fs::write(root.join("web/Dockerfile"), df).unwrap();
    std::fs::write(
        root.join("web/package.json"),
        r#"{"scripts":{"dev":"nodemon server.js","start":"node server.js"},"devDependencies":{"nodemon":"^3"}}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("web/package-lock.json"),
        r#"{"lockfileVersion":3,"packages":{"":{}}}"#,
    )
    .unwrap();
    let runs = common::realworld_runs(root);
    let (_, input, output, targets, _) = &runs[0];
    assert_eq!(targets.built[0].stage, "development");
    assert_eq!(
        stage_text(input, "development"),
        stage_text(output, "development")
    );
    let production = stage_text(output, "production").unwrap();
    assert!(
        production.starts_with("FROM node:20-slim AS production"),
        "{output}"
    );
    assert!(
        output.contains("gcr.io/distroless/nodejs20-debian12"),
        "{output}"
    );
}

/// awesome-compose's react-express-mongodb backend: the last stage is
/// `dev-envs` (FROM a `development` stage). What ships is a development
/// image, so no step has anything to do: each says so, none refuses as if
/// it had tried (node-cmd once refused over `npm run dev`'s nodemon).
#[test]
fn a_shipped_development_stage_is_left_as_is_by_every_step() {
    let text = "FROM node:lts-buster-slim AS development\nWORKDIR /usr/src/app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [ \"npm\", \"run\", \"dev\" ]\n\nFROM development as dev-envs\nRUN apt-get update && apt-get install -y git\nCMD [ \"npm\", \"run\", \"dev\" ]\n";
    let run = pipeline::run_with(text, &Selection::default(), Input::default()).unwrap();
    assert_eq!(run.output, text);
    for s in &run.steps {
        match &s.status {
            Status::NotApplicable(why) if s.id.starts_with("node-") || s.id.contains("apt") => {
                let why = why.to_string();
                assert!(
                    why.contains("`dev-envs` is a development stage") && why.contains("left as is"),
                    "{}: {why}",
                    s.id
                );
            }
            Status::NotApplicable(_) => {}
            other => panic!("{}: {other:?}", s.id),
        }
    }
}

/// A service of awesome-compose whose compose file builds `target`: that
/// stage is byte for byte the same after level 5, and the file's report
/// names the compose service for it.
fn compose_target_is_kept(project: &str, dockerfile: &str, target: &str) {
    let root = common::repo()
        .join("../shared/realworld/awesome-compose")
        .join(project);
    if !root.is_dir() {
        return common::skip_without_data(project, "../shared/realworld is not here");
    }
    let runs = common::realworld_runs(&root);
    let (_, input, output, targets, ctx) = runs
        .iter()
        .find(|r| r.0.ends_with(dockerfile))
        .unwrap_or_else(|| panic!("{project}/{dockerfile}"));
    assert!(ctx.is_some(), "{project}: the compose context was not read");
    assert!(
        targets.built.iter().any(|t| t.stage == target),
        "{project}: {targets:?}"
    );
    assert_eq!(stage_text(input, target), stage_text(output, target));
    assert!(stage_text(input, target).is_some());
    let doc = Document::parse(input.as_str()).unwrap();
    let facts = Facts::with_targets(&doc, ctx.as_ref(), targets);
    let i = doc
        .stages()
        .iter()
        .position(|s| s.name_lower().as_deref() == Some(target))
        .unwrap();
    let why = facts.frozen(i).expect("the targeted stage is frozen");
    assert!(why.contains("compose service"), "{why}");
}

/// Node: react-express-mongodb's backend builds `development` (nodemon); the
/// file's last stage, dev-envs, is a development image too.
#[test]
fn react_express_mongodb_backend_development_target_is_kept() {
    compose_target_is_kept("react-express-mongodb", "backend/Dockerfile", "development");
}

/// Python: flask's compose builds `builder` (the app runs there); its cache
/// mount for pip is the user's and stays.
#[test]
fn flask_builder_target_is_kept() {
    compose_target_is_kept("flask", "app/Dockerfile", "builder");
}

/// Rust: react-rust-postgres's backend builds `development` (`cargo run`
/// over a mounted src/, target/ in a volume); it and the `base` it is built
/// on stay byte for byte; only the release `builder` of the shipped image
/// gets the strip setting at level 5.
#[test]
fn react_rust_postgres_backend_development_target_is_kept() {
    compose_target_is_kept("react-rust-postgres", "backend/Dockerfile", "development");
    let root = common::repo().join("../shared/realworld/awesome-compose/react-rust-postgres");
    if !root.is_dir() {
        return;
    }
    let runs = common::realworld_runs(&root);
    let (_, input, output, _, _) = runs
        .iter()
        .find(|r| r.0.ends_with("backend/Dockerfile"))
        .unwrap();
    assert_eq!(stage_text(input, "base"), stage_text(output, "base"));
    assert_eq!(
        output.replace("ENV CARGO_PROFILE_RELEASE_STRIP=symbols\n", ""),
        *input,
        "{output}"
    );
}

// ---- Java ----------------------------------------------------------------------

/// Java: awesome-compose's four Java projects build their last stage; their
/// `dev-envs` stage is a development image of its own and stays byte for
/// byte, as do the builder it is made FROM and the stage that unpacks the
/// Spring Boot jar, while the runtime goes to distroless java (jlink is
/// refused: libraries, or a main class instead of `-jar`).
#[test]
fn java_dev_envs_stay_and_the_runtime_goes_distroless() {
    for (project, dockerfile, builder) in [
        ("sparkjava", "sparkjava/Dockerfile", "build"),
        ("sparkjava-mysql", "backend/Dockerfile", "build"),
        ("react-java-mysql", "backend/Dockerfile", "builder"),
        ("spring-postgres", "backend/Dockerfile", "builder"),
    ] {
        let root = common::repo()
            .join("../shared/realworld/awesome-compose")
            .join(project);
        if !root.is_dir() {
            return common::skip_without_data(project, "../shared/realworld is not here");
        }
        let runs = common::realworld_runs(&root);
        let (_, input, output, _, ctx) = runs
            .iter()
            .find(|r| r.0.ends_with(dockerfile))
            .unwrap_or_else(|| panic!("{project}/{dockerfile}"));
        assert!(ctx.is_some(), "{project}: the compose context was not read");
        for stage in ["dev-envs", builder, "prepare-production"] {
            assert_eq!(
                stage_text(input, stage),
                stage_text(output, stage),
                "{project}: stage {stage}"
            );
        }
        assert!(stage_text(input, "dev-envs").is_some(), "{project}");
        assert!(
            output.contains("\nFROM gcr.io/distroless/java17-debian12:nonroot\n"),
            "{project}:\n{output}"
        );
        assert!(!output.contains("java-base"), "{project}:\n{output}");
    }
}
