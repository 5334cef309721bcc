//! Every level on every real Dockerfile of the shared corpus: dfslim either
//! rewrites correctly or refuses with a reason, and what it emits is
//! accepted by BuildKit's parser, idempotent, keeps comments and line
//! endings, leaves non-Go files byte for byte, and adds no hadolint finding.
//! Prints (and writes to target/corpus-report.md) the tally per transform.

mod common;

use dfslim::pipeline::{self, Selection, Status};
use dfslim::syntax::Document;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

struct Case {
    path: PathBuf,
    input: String,
    go: bool,
    /// Output per level 1..=5 (None: the input does not parse).
    outputs: Vec<Option<String>>,
    runs: Vec<pipeline::Run>,
}

fn run_all(files: &[PathBuf]) -> (Vec<Case>, Vec<String>) {
    let mut failures = Vec::new();
    let mut cases = Vec::new();
    for path in files {
        let input = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let go = path.components().any(|c| c.as_os_str() == "go");
        let mut outputs = Vec::new();
        let mut runs = Vec::new();
        for level in 1..=5 {
            let sel = Selection {
                level,
                ..Selection::default()
            };
            match pipeline::run(&input, &sel, None) {
                Ok(run) => {
                    let again = pipeline::run(&run.output, &sel, None).unwrap();
                    if again.output != run.output {
                        failures.push(format!(
                            "{}: level {level} is not idempotent",
                            path.display()
                        ));
                    }
                    if let Some(s) = run.steps.iter().find(
                        |s| matches!(&s.status, Status::Refused(r) if r.to_string().contains("internal error")),
                    ) {
                        failures.push(format!("{}: level {level}: {:?}", path.display(), s.status));
                    }
                    check_preserved(path, level, &input, &run.output, go, &mut failures);
                    outputs.push(Some(run.output.clone()));
                    runs.push(run);
                }
                Err(_) => outputs.push(None),
            }
        }
        cases.push(Case {
            path: path.clone(),
            input,
            go,
            outputs,
            runs,
        });
    }
    (cases, failures)
}

/// Comments, line endings, and (for non-Go files) every byte.
fn check_preserved(
    path: &Path,
    level: u8,
    input: &str,
    output: &str,
    go: bool,
    failures: &mut Vec<String>,
) {
    let p = path.display();
    if !go && input != output {
        failures.push(format!("{p}: level {level} changed a non-Go file"));
    }
    let out_lines: BTreeSet<&str> = output.lines().map(|l| l.trim()).collect();
    for l in input.lines().map(str::trim).filter(|l| l.starts_with('#')) {
        if !out_lines.contains(l) {
            failures.push(format!("{p}: level {level} lost the comment {l:?}"));
        }
    }
    let crlf = |t: &str| t.matches("\r\n").count();
    let lf = |t: &str| t.matches('\n').count() - crlf(t);
    if (lf(input) == 0 && crlf(input) > 0 && lf(output) > 0)
        || (crlf(input) == 0 && crlf(output) > 0)
    {
        failures.push(format!("{p}: level {level} mixed line endings"));
    }
}

/// Normalised refusal reason, for the tally: numbers and quoted bits blurred.
fn reason_key(r: &str) -> String {
    let mut s = String::new();
    let mut last_digit = false;
    for c in r.chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                s.push('N');
            }
            last_digit = true;
        } else {
            last_digit = false;
            s.push(c);
        }
    }
    // alpine-base names the stage first: "stage N (line N): why".
    let s = match s.strip_prefix("stage N (line N): ") {
        Some(rest) => rest.to_string(),
        None => s,
    };
    s.chars().take(140).collect()
}

fn tally(cases: &[Case]) -> String {
    let mut applied: BTreeMap<&str, usize> = BTreeMap::new();
    let mut na: BTreeMap<&str, usize> = BTreeMap::new();
    let mut refused: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let go: Vec<&Case> = cases.iter().filter(|c| c.go).collect();
    for c in &go {
        let Some(run) = c.runs.get(4) else { continue };
        for s in &run.steps {
            match &s.status {
                Status::Applied { .. } => *applied.entry(s.id).or_default() += 1,
                Status::NotApplicable(_) => *na.entry(s.id).or_default() += 1,
                Status::Refused(r) | Status::Skipped(r) => {
                    *refused
                        .entry(s.id)
                        .or_default()
                        .entry(reason_key(&r.to_string()))
                        .or_default() += 1
                }
            }
        }
    }
    // The last stage's base: scratch, or gcr.io/distroless/* (also minimal).
    let ends_on = |text: &str, distroless: bool| {
        Document::parse(text.to_string()).ok().is_some_and(|d| {
            d.stages()
                .last()
                .and_then(|s| s.image.as_ref())
                .is_some_and(|i| {
                    i.is_scratch()
                        || (distroless && i.repository().starts_with("gcr.io/distroless/"))
                })
        })
    };
    let after = |distroless: bool| {
        go.iter()
            .filter(|c| {
                c.outputs
                    .get(4)
                    .cloned()
                    .flatten()
                    .is_some_and(|o| ends_on(&o, distroless))
            })
            .count()
    };
    let (scratch, minimal) = (after(false), after(true));
    let was_scratch = go.iter().filter(|c| ends_on(&c.input, false)).count();
    let was_minimal = go.iter().filter(|c| ends_on(&c.input, true)).count();
    let mut out = format!(
        "# dfslim on the corpus (level 5, no build context)\n\n{} Go files; {} end on a `scratch` runtime after dfslim ({:.0}%), {} did before; {} on scratch or distroless ({:.0}%), {} did before.\n\n| transform | applied | refused or skipped | not applicable |\n|---|---|---|---|\n",
        go.len(),
        scratch,
        100.0 * scratch as f64 / go.len().max(1) as f64,
        was_scratch,
        minimal,
        100.0 * minimal as f64 / go.len().max(1) as f64,
        was_minimal
    );
    for e in dfslim::catalog::entries() {
        let id = e.id.as_str();
        let r: usize = refused.get(id).map_or(0, |m| m.values().sum());
        let _ = writeln!(
            out,
            "| {id} | {} | {r} | {} |",
            applied.get(id).unwrap_or(&0),
            na.get(id).unwrap_or(&0)
        );
    }
    out.push_str("\nRefusals by reason:\n\n");
    for (id, reasons) in &refused {
        let mut v: Vec<_> = reasons.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        for (reason, n) in v {
            let _ = writeln!(out, "- {id} ({n}): {reason}");
        }
    }
    out
}

#[test]
fn corpus_every_level() {
    let Some(corpus) = common::corpus() else {
        return common::skip_without_data("corpus test", "../shared/corpus is absent");
    };
    let files = common::dockerfiles(&corpus);
    let (cases, mut failures) = run_all(&files);

    // BuildKit must accept every output, and reject exactly the inputs dfslim rejects.
    match common::buildkit_python() {
        Ok(py) => {
            let dir = tempfile::tempdir().unwrap();
            let mut outs = Vec::new();
            for (i, c) in cases.iter().enumerate() {
                for (l, o) in c.outputs.iter().enumerate() {
                    if let Some(o) = o {
                        let p = dir.path().join(format!("{i}-level{}.Dockerfile", l + 1));
                        std::fs::write(&p, o).unwrap();
                        outs.push((p, c.path.clone(), l + 1));
                    }
                }
            }
            let paths: Vec<PathBuf> = outs.iter().map(|o| o.0.clone()).collect();
            let dump = common::buildkit_dump(&py, &paths);
            for ((_, src, level), v) in outs.iter().zip(&dump) {
                if v["ok"] != true {
                    failures.push(format!(
                        "{}: level {level} output rejected by BuildKit: {}",
                        src.display(),
                        v["error"]
                    ));
                }
            }
            let inputs = common::buildkit_dump(&py, &files);
            for (c, v) in cases.iter().zip(&inputs) {
                let ours = c.outputs[0].is_some();
                if (v["ok"] == true) != ours {
                    failures.push(format!(
                        "{}: BuildKit ok={} but dfslim ok={ours}",
                        c.path.display(),
                        v["ok"]
                    ));
                }
            }
        }
        Err(why) => common::skip("BuildKit check of the corpus outputs", &why),
    }

    // No new hadolint finding.
    match common::hadolint() {
        Ok(hadolint) => {
            let dir = tempfile::tempdir().unwrap();
            let mut all = Vec::new();
            for (i, c) in cases.iter().enumerate() {
                let p = dir.path().join(format!("{i}-input.Dockerfile"));
                std::fs::write(&p, &c.input).unwrap();
                all.push(p);
                for (l, o) in c.outputs.iter().enumerate() {
                    if let Some(o) = o {
                        let p = dir.path().join(format!("{i}-level{}.Dockerfile", l + 1));
                        std::fs::write(&p, o).unwrap();
                        all.push(p);
                    }
                }
            }
            let out = std::process::Command::new(&hadolint)
                .args(["-f", "json", "--no-fail"])
                .args(&all)
                .output()
                .unwrap();
            let findings: Vec<serde_json::Value> =
                serde_json::from_slice(&out.stdout).expect("hadolint JSON");
            let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for f in &findings {
                let file = f["file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                codes
                    .entry(file)
                    .or_default()
                    .insert(f["code"].as_str().unwrap_or("").to_string());
            }
            for (i, c) in cases.iter().enumerate() {
                let input = codes
                    .get(&format!("{i}-input.Dockerfile"))
                    .cloned()
                    .unwrap_or_default();
                if input.contains("DL1000") {
                    continue; // hadolint cannot parse the input
                }
                for l in 1..=5 {
                    let out = codes
                        .get(&format!("{i}-level{l}.Dockerfile"))
                        .cloned()
                        .unwrap_or_default();
                    let new: Vec<_> = out.difference(&input).collect();
                    if !new.is_empty() {
                        failures.push(format!(
                            "{}: level {l} adds hadolint findings {new:?}",
                            c.path.display()
                        ));
                    }
                }
            }
        }
        Err(why) => common::skip("hadolint check of the corpus outputs", &why),
    }

    let report = tally(&cases);
    eprintln!("{report}");
    let _ = std::fs::write(common::repo().join("target/corpus-report.md"), &report);
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
