//! Every level on every real Dockerfile of the shared corpus: dfslim either
//! rewrites correctly or refuses with a reason, and what it emits is
//! accepted by BuildKit's parser, idempotent, keeps comments and line
//! endings, changes a file only through transforms of the ecosystems it
//! holds (the hygiene steps of `any` only inside RUN instructions), and adds
//! no hadolint finding. Prints (and writes to target/corpus-report.md) the
//! tally per ecosystem and transform, the hygiene steps on every file, and
//! the hadolint findings they target before and after level 5.

mod common;

use dfslim::analysis::stages::{Base, image_arg};
use dfslim::ecosystem::Ecosystem;
use dfslim::pipeline::{self, Selection, Status};
use dfslim::syntax::{Document, Keyword};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

struct Case {
    path: PathBuf,
    input: String,
    /// The corpus folder it is in: go, node, python, rust, java, other.
    dir: String,
    /// Output per level 1..=5 (None: the input does not parse).
    outputs: Vec<Option<String>>,
    runs: Vec<pipeline::Run>,
}

fn run_all(files: &[PathBuf]) -> (Vec<Case>, Vec<String>) {
    let mut failures = Vec::new();
    let mut cases = Vec::new();
    for path in files {
        let input = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
        let dir = path
            .parent()
            .and_then(|p| p.file_name())
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
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
                    check_preserved(path, level, &input, &run, &mut failures);
                    check_trail(path, level, &input, &run, &mut failures);
                    outputs.push(Some(run.output.clone()));
                    runs.push(run);
                }
                Err(_) => outputs.push(None),
            }
        }
        cases.push(Case {
            path: path.clone(),
            input,
            dir,
            outputs,
            runs,
        });
    }
    (cases, failures)
}

/// Comments, line endings, and that only transforms of the ecosystems the
/// file holds (or the ones for any image) changed it.
fn check_preserved(
    path: &Path,
    level: u8,
    input: &str,
    run: &pipeline::Run,
    failures: &mut Vec<String>,
) {
    let p = path.display();
    let output = run.output.as_str();
    let applied: Vec<&pipeline::Step> = run
        .steps
        .iter()
        .filter(|s| matches!(s.status, Status::Applied { .. }))
        .collect();
    for s in &applied {
        if s.ecosystem != Ecosystem::Any && !run.ecosystems.contains(&s.ecosystem) {
            failures.push(format!(
                "{p}: level {level}: {} applied to a file with no {} stage",
                s.id, s.ecosystem
            ));
        }
    }
    if input != output && applied.is_empty() {
        failures.push(format!(
            "{p}: level {level} changed the file with no step applied"
        ));
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
/// What changed a file, replayed edit set by edit set: the hygiene steps
/// (ecosystem `any`, which may change a file of any ecosystem) edit only
/// inside RUN instructions, so every byte outside the RUNs they clean stays
/// as it was; and the edits replay to the output.
fn check_trail(
    path: &Path,
    level: u8,
    input: &str,
    run: &pipeline::Run,
    failures: &mut Vec<String>,
) {
    let p = path.display();
    let mut text = input.to_string();
    for (id, edits) in &run.trail {
        let eco = dfslim::catalog::entry(id).map(|e| e.ecosystem);
        if eco == Some(Ecosystem::Any) {
            let doc = Document::parse(text.clone()).unwrap();
            for e in edits {
                let inside = doc.instructions().iter().any(|i| {
                    i.keyword == Keyword::Run
                        && i.args_span.start <= e.span.start
                        && e.span.end <= i.span.end
                });
                if !inside {
                    failures.push(format!(
                        "{p}: level {level}: {id} edits {}..{} outside a RUN",
                        e.span.start, e.span.end
                    ));
                }
            }
        }
        text = dfslim::edit::apply(&text, edits).unwrap();
    }
    if text != run.output {
        failures.push(format!(
            "{p}: level {level}: the applied edits do not replay to the output"
        ));
    }
}

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

/// What the final stage of a text runs on: scratch, distroless, slim,
/// alpine, or another base. A final stage `FROM <stage>` runs on that
/// stage's base, followed to the image the chain starts from (a stage named
/// with variables, `binaries-$TARGETOS`, as the analysis resolves it); a
/// base that is one global ARG (`FROM $APP_IMAGE`) runs on its default.
fn runtime_kind(text: &str) -> &'static str {
    let Some(t) = final_base(text) else {
        return "does not parse";
    };
    let t = t.to_ascii_lowercase();
    let repo = t.split(['@']).next().unwrap_or("");
    let repo = repo
        .rsplit_once(':')
        .filter(|(_, tag)| !tag.contains('/'))
        .map_or(repo, |(r, _)| r);
    if repo == "scratch" {
        "scratch"
    } else if t.contains("distroless") {
        "distroless"
    } else if t.contains("alpine") {
        "alpine"
    } else if t.contains("slim") || t.contains("-jre") {
        "slim or JRE"
    } else {
        "other"
    }
}

/// The image the final stage of a text starts from, as written (see
/// `runtime_kind`); "?" when the last stage has no readable image.
fn final_base(text: &str) -> Option<String> {
    let d = Document::parse(text).ok()?;
    let facts = dfslim::analysis::Facts::of(&d, None);
    let mut s = d.stages().len().checked_sub(1)?;
    while let Base::Stage(b) = facts.stages[s].base {
        s = b;
    }
    if let Some(a) = image_arg(&d, s) {
        return Some(a.default.text);
    }
    Some(
        d.stages()[s]
            .image
            .as_ref()
            .map_or_else(|| "?".to_string(), |i| i.text.clone()),
    )
}

fn tally(cases: &[Case]) -> String {
    let mut out = "# dfslim on the corpus (level 5, no build context)\n".to_string();
    let dirs: BTreeSet<&str> = cases.iter().map(|c| c.dir.as_str()).collect();
    for dir in dirs {
        let here: Vec<&Case> = cases.iter().filter(|c| c.dir == dir).collect();
        let mut applied: BTreeMap<&str, usize> = BTreeMap::new();
        let mut na: BTreeMap<&str, usize> = BTreeMap::new();
        let mut refused: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
        let mut changed = 0;
        for c in &here {
            let Some(run) = c.runs.get(4) else { continue };
            changed += usize::from(run.changed());
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
        let kinds = |texts: Vec<Option<String>>| -> BTreeMap<&'static str, usize> {
            let mut m = BTreeMap::new();
            for t in texts.into_iter().flatten() {
                *m.entry(runtime_kind(&t)).or_default() += 1;
            }
            m
        };
        let before = kinds(here.iter().map(|c| Some(c.input.clone())).collect());
        let after = kinds(
            here.iter()
                .map(|c| c.outputs.get(4).cloned().flatten())
                .collect(),
        );
        let show = |m: &BTreeMap<&str, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let minimal = |m: &BTreeMap<&str, usize>| {
            m.get("scratch").unwrap_or(&0) + m.get("distroless").unwrap_or(&0)
        };
        let _ = write!(
            out,
            "\n## {dir}/ ({} files, {changed} changed at level 5)\n\nFinal runtime before: {}.\nFinal runtime after: {}.\nOn scratch or distroless: {} before, {} after ({:.0}%).\n\n| transform | applied | refused or skipped | not applicable |\n|---|---|---|---|\n",
            here.len(),
            show(&before),
            show(&after),
            minimal(&before),
            minimal(&after),
            100.0 * minimal(&after) as f64 / here.len().max(1) as f64
        );
        let eco = Ecosystem::parse(dir);
        for e in dfslim::catalog::entries() {
            if Some(e.ecosystem) != eco && e.ecosystem != Ecosystem::Any {
                continue;
            }
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
        if eco == Some(Ecosystem::Go) {
            out.push_str(&go_stays(&here));
        }
    }
    out
}

/// Each Go file that does not end on scratch or distroless at level 5, with
/// its final base and why (the step that stopped short of a minimal
/// runtime); a file that keeps the golang image (the whole toolchain) says
/// so. Every one must have a reason.
fn go_stays(cases: &[&Case]) -> String {
    let mut out = String::from("\nFiles not on scratch or distroless at level 5, and why:\n\n");
    for c in cases {
        let (Some(Some(text)), Some(run)) = (c.outputs.get(4), c.runs.get(4)) else {
            continue;
        };
        if matches!(runtime_kind(text), "scratch" | "distroless") {
            continue;
        }
        let base = final_base(text).unwrap_or_else(|| "?".to_string());
        let status = |id: &str| run.steps.iter().find(|s| s.id == id).map(|s| &s.status);
        let said = |id: &str| -> Option<String> {
            match status(id)? {
                Status::Applied { .. } => None,
                Status::Refused(m) => Some(format!("{id} refused: {m}")),
                Status::NotApplicable(m) => Some(format!("{id} n/a: {m}")),
                Status::Skipped(m) => Some(format!("{id} skipped: {m}")),
            }
        };
        // The minimal runtime is scratch-runtime's; when it needed cgo-off,
        // cgo-off's reason is the one; a file that never split, multi-stage's.
        let mut why: Vec<String> = Vec::new();
        let split_off = matches!(status("multi-stage"), Some(Status::NotApplicable(m)) if m.to_string().starts_with("already multi-stage"));
        if !split_off {
            why.extend(said("multi-stage"));
        }
        why.extend(said("scratch-runtime"));
        if why.iter().any(|w| w.contains("needs cgo-off")) {
            why.extend(said("cgo-off"));
        }
        let toolchain = base
            .split([':', '@'])
            .next()
            .is_some_and(|r| r.rsplit('/').next() == Some("golang"));
        assert!(
            !why.is_empty(),
            "{}: ends on {base} at level 5 with no reason in its report",
            c.path.display()
        );
        let name = c
            .path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let _ = writeln!(
            out,
            "- {name} ({base}{}): {}",
            if toolchain {
                ", keeps the Go toolchain"
            } else {
                ""
            },
            why.join("; ")
        );
    }
    out
}

/// The hygiene steps (ecosystem `any`) on every file, at level 1 (where the
/// single-stage files still ship their only stage) and level 5: applied,
/// refused or not applicable, the RUNs left as is, and why (level 5).
fn hygiene_tally(cases: &[Case]) -> String {
    let mut out = String::from(
        "\n## Hygiene steps (every file)\n\n| transform | level 1: applied / refused / n/a | level 5: applied / refused / n/a | level 5: RUNs left as is in applied files |\n|---|---|---|---|\n",
    );
    let mut reasons: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for e in dfslim::catalog::entries()
        .iter()
        .filter(|e| e.ecosystem == Ecosystem::Any)
    {
        let mut cells = Vec::new();
        let mut left = 0;
        for level in [1, 5] {
            let (mut a, mut r, mut n) = (0, 0, 0);
            for c in cases {
                let Some(run) = c.runs.get(level - 1) else {
                    continue;
                };
                for st in run.steps.iter().filter(|st| st.id == e.id) {
                    let counted = level == 5;
                    match &st.status {
                        Status::Applied { notes, .. } => {
                            a += 1;
                            for note in notes.iter().map(|m| m.to_string()) {
                                if let Some(why) = note.strip_prefix("left as is: ")
                                    && counted
                                {
                                    left += 1;
                                    *reasons.entry((st.id, reason_key(why))).or_default() += 1;
                                }
                            }
                        }
                        Status::NotApplicable(_) => n += 1,
                        Status::Refused(why) | Status::Skipped(why) => {
                            r += 1;
                            if counted {
                                *reasons
                                    .entry((st.id, reason_key(&why.to_string())))
                                    .or_default() += 1;
                            }
                        }
                    }
                }
            }
            cells.push(format!("{a} / {r} / {n}"));
        }
        let _ = writeln!(out, "| {} | {} | {} | {left} |", e.id, cells[0], cells[1]);
    }
    out.push_str("\nAt level 5, refused (or left as is) by reason:\n\n");
    let mut v: Vec<_> = reasons.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((id, why), n) in v {
        let _ = writeln!(out, "- {id} ({n}): {why}");
    }
    out
}

/// The hadolint rules the hygiene steps settle.
const HYGIENE_RULES: [&str; 5] = ["DL3009", "DL3015", "DL3019", "DL3042", "DL3060"];

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
    let mut hadolint_counts = String::new();
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
            // Per rule the hygiene steps settle: findings in the inputs and at level 5.
            let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            for f in &findings {
                let file = f["file"].as_str().unwrap_or("");
                let code = f["code"].as_str().unwrap_or("");
                if let Some(rule) = HYGIENE_RULES.iter().find(|r| **r == code) {
                    let c = counts.entry(rule).or_default();
                    if file.ends_with("-input.Dockerfile") {
                        c.0 += 1;
                    } else if file.ends_with("-level5.Dockerfile") {
                        c.1 += 1;
                    }
                }
            }
            hadolint_counts.push_str(
                "\n## hadolint findings the hygiene steps target (every file)\n\n| rule | input | level 5 |\n|---|---|---|\n",
            );
            for (rule, (before, after)) in &counts {
                let _ = writeln!(hadolint_counts, "| {rule} | {before} | {after} |");
            }
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

    let report = tally(&cases) + &hygiene_tally(&cases) + &hadolint_counts;
    eprintln!("{report}");
    let _ = std::fs::write(common::repo().join("target/corpus-report.md"), &report);
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
