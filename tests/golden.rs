//! Golden tests: `golden/<case>/input.Dockerfile` rewritten at each level
//! must equal `golden/<case>/level-N.Dockerfile` byte for byte, and what each
//! transform did must equal `golden/<case>/report.txt`. A case's build
//! context is `golden/<case>/context/` when it exists (else none is read);
//! `golden/<case>/selection.toml` may choose the runtime and opt-in transforms.
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the expectations;
//! review the change as a diff before committing it.

mod common;

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Selection, Status};
use std::fmt::Write;
use std::fs;
use std::path::Path;

fn report(level: u8, run: &pipeline::Run) -> String {
    let mut out = format!("level {level}:\n");
    // Steps of ecosystems the file does not hold say only that: left out.
    let here = |s: &&pipeline::Step| {
        s.ecosystem == dfslim::ecosystem::Ecosystem::Any || run.ecosystems.contains(&s.ecosystem)
    };
    for s in run.steps.iter().filter(here) {
        let line = match &s.status {
            Status::Applied {
                message,
                notes,
                unchecked,
            } => {
                let mut l = format!("  applied  {}: {message}", s.id);
                for n in notes {
                    let _ = write!(l, "\n           note: {n}");
                }
                for n in unchecked {
                    let _ = write!(l, "\n           not checked: {n}");
                }
                l
            }
            Status::Refused(r) => format!("  refused  {}: {r}", s.id),
            Status::Skipped(r) => format!("  skipped  {}: {r}", s.id),
            Status::NotApplicable(r) => format!("  n/a      {}: {r}", s.id),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn check_case(dir: &Path, update: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let input = fs::read_to_string(dir.join("input.Dockerfile")).unwrap();
    let ctx_dir = dir.join("context");
    let ctx = ctx_dir.is_dir().then(|| BuildContext::load(&ctx_dir));
    // `golden/<case>/selection.toml`: `runtime = "distroless"`, `enable = [ids]`.
    let options: toml::Table = fs::read_to_string(dir.join("selection.toml"))
        .map(|t| toml::from_str(&t).expect("selection.toml"))
        .unwrap_or_default();
    let runtime = options
        .get("runtime")
        .and_then(|r| r.as_str())
        .map_or(pipeline::Runtime::Scratch, |r| {
            pipeline::Runtime::parse(r).expect("runtime")
        });
    let enable: Vec<String> = options
        .get("enable")
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut reports = String::new();
    for level in 1..=5u8 {
        let sel = Selection {
            level,
            runtime,
            enable: enable.clone(),
            ..Selection::default()
        };
        let run = pipeline::run(&input, &sel, ctx.as_ref()).unwrap();
        reports.push_str(&report(level, &run));
        let again = pipeline::run(&run.output, &sel, ctx.as_ref()).unwrap();
        if again.output != run.output {
            failures.push(format!(
                "{}: level {level} is not idempotent",
                dir.display()
            ));
        }
        let expected_path = dir.join(format!("level-{level}.Dockerfile"));
        if update {
            fs::write(&expected_path, &run.output).unwrap();
        } else {
            let expected = fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != run.output {
                failures.push(format!(
                    "{}: level {level} differs from {}:\n{}",
                    dir.display(),
                    expected_path.display(),
                    dfslim::report::diff::unified("expected", &expected, &run.output, false)
                ));
            }
        }
    }
    let report_path = dir.join("report.txt");
    if update {
        fs::write(&report_path, &reports).unwrap();
    } else {
        let expected = fs::read_to_string(&report_path).unwrap_or_default();
        if expected != reports {
            failures.push(format!(
                "{}: the transforms' report differs:\n{}",
                dir.display(),
                dfslim::report::diff::unified("report.txt", &expected, &reports, false)
            ));
        }
    }
    failures
}

#[test]
fn golden_cases() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let root = common::repo().join("golden");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.Dockerfile").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "golden cases missing");
    let failures: Vec<String> = cases.iter().flat_map(|c| check_case(c, update)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
