//! The verify report as text (a table, original vs rewritten) and as JSON;
//! a batch's as a table per file with totals, JSON, or Markdown for a pull
//! request.

use super::batch::{EngineReport, Outcome};
use super::smoke::Smoke;
use super::{Image, Report};

/// The JSON report: the [`Report`] serialized.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

/// The text report: a header, the table, the smoke details and the logs of
/// a failing container.
pub fn text(r: &Report) -> String {
    let mut s = format!(
        "dfslim verify {} (level {}, context {})\n",
        r.dockerfile, r.level, r.context
    );
    s.push_str(&format!(
        "engine: {}; {} builder\n",
        r.engine,
        r.builder.map_or("no", |b| b.as_str())
    ));
    if !r.changed {
        s.push_str("dfslim changes nothing at this level: both images come from the same text\n");
    }
    if !r.applied.is_empty() {
        s.push_str(&format!("applied: {}\n", r.applied.join(", ")));
    }
    for f in &r.refused {
        s.push_str(&format!("refused: {}: {}\n", f.transform, f.reason));
    }
    for n in &r.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s.push('\n');
    let header = ["", "image", "size", "layers", "build", "smoke"];
    let mut rows = vec![header.map(str::to_string).to_vec()];
    for (name, image) in [("original", &r.original), ("rewritten", &r.rewritten)] {
        rows.push(row(name, image));
    }
    if let (Some(saving), Some(ratio)) = (r.saving_bytes, r.ratio) {
        let pct = r
            .original
            .size_bytes
            .filter(|&o| o > 0)
            .map_or(0.0, |o| saving as f64 * 100.0 / o as f64);
        rows.push(vec![
            "saving".to_string(),
            String::new(),
            size(saving),
            String::new(),
            String::new(),
            if saving >= 0 {
                format!("{ratio}x smaller ({pct:.1} %)")
            } else {
                format!("{:.2}x larger ({:.1} %)", 1.0 / ratio, -pct)
            },
        ]);
    }
    s.push_str(&table(&rows, &[false, false, true, true, true, false]));
    s.push('\n');
    for (name, image) in [("original", &r.original), ("rewritten", &r.rewritten)] {
        if image.smoke != Smoke::Skipped
            && let Some(d) = &image.detail
        {
            s.push_str(&format!("{name}: smoke {}: {d}\n", image.smoke.as_str()));
        }
        if image.smoke == Smoke::Fail
            && let Some(logs) = &image.logs
        {
            s.push_str(&format!("{name}: the container's last log lines:\n"));
            for l in logs.lines() {
                s.push_str(&format!("  | {l}\n"));
            }
        }
    }
    if r.kept_images {
        s.push_str(&format!(
            "images kept: {} {}\n",
            r.original.image, r.rewritten.image
        ));
    } else {
        s.push_str("images removed (--keep-images keeps them)\n");
    }
    s
}

fn row(name: &str, i: &Image) -> Vec<String> {
    let built = |v: Option<String>| {
        v.unwrap_or_else(|| if i.detail.is_some() { "-" } else { "not built" }.to_string())
    };
    let smoke = match (i.built, i.smoke) {
        (false, _) if i.detail.is_some() => "build failed".to_string(),
        (false, _) => "-".to_string(),
        (true, s) => s.as_str().to_string(),
    };
    vec![
        name.to_string(),
        i.image.clone(),
        built(i.size_bytes.map(|b| size(b as i64))),
        built(i.layers.map(|l| l.to_string())),
        i.build_seconds
            .map_or_else(|| "-".to_string(), |t| format!("{t:.1} s")),
        smoke,
    ]
}

/// A batch as JSON: `{"files": [report...], "totals": {...}, "engines": [...]}`.
pub fn batch_json(o: &Outcome) -> String {
    let v = serde_json::json!({
        "files": o.reports,
        "totals": o.totals,
        "engines": o.engines,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// How a file came out, in a word.
pub fn verdict(r: &Report) -> &'static str {
    if r.error.is_some() {
        "error"
    } else if r.smoke_failed() {
        "smoke fail"
    } else if !r.changed {
        "unchanged"
    } else {
        "ok"
    }
}

/// `892.3 MB`, `build failed`, or `-`.
fn short_size(i: &Image) -> String {
    match (i.size_bytes, i.built, &i.detail) {
        (Some(b), _, _) => human(b as i64),
        (None, false, Some(_)) => "build failed".to_string(),
        _ => "-".to_string(),
    }
}

fn saving_cell(r: &Report) -> String {
    match (r.saving_bytes, r.original.size_bytes) {
        (Some(s), Some(o)) if o > 0 => {
            format!("{} ({:.1} %)", human(s), s as f64 * 100.0 / o as f64)
        }
        _ => "-".to_string(),
    }
}

fn layers_cell(r: &Report) -> String {
    match (r.original.layers, r.rewritten.layers) {
        (Some(a), Some(b)) if !r.changed || a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} -> {b}"),
        _ => "-".to_string(),
    }
}

fn build_cell(r: &Report) -> String {
    let t = |i: &Image| {
        i.build_seconds
            .map_or("-".to_string(), |t| format!("{t:.1} s"))
    };
    if r.changed {
        format!("{} / {}", t(&r.original), t(&r.rewritten))
    } else {
        t(&r.original)
    }
}

fn smoke_cell(r: &Report) -> String {
    let (a, b) = (r.original.smoke, r.rewritten.smoke);
    if !r.changed || a == b {
        a.as_str().to_string()
    } else {
        format!("{} / {}", a.as_str(), b.as_str())
    }
}

/// A batch as text: a line per file, the totals, then what went wrong.
pub fn batch_text(o: &Outcome) -> String {
    let t = &o.totals;
    let used: Vec<String> = o
        .engines
        .iter()
        .map(|e| format!("{} ({} slots)", e.name, e.slots))
        .collect();
    let mut s = format!(
        "dfslim verify: {} Dockerfiles on {} ({} side by side)\n\n",
        t.files,
        used.join(", "),
        t.jobs
    );
    let mut rows = vec![
        [
            "Dockerfile",
            "original",
            "rewritten",
            "saving",
            "layers",
            "build (original / rewrite)",
            "smoke",
            "engine",
            "result",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for r in &o.reports {
        let mut engine = r.engine_name.clone();
        if r.retried_after.is_some() {
            engine.push_str(" (retried)");
        }
        rows.push(vec![
            r.dockerfile.clone(),
            short_size(&r.original),
            short_size(&r.rewritten),
            saving_cell(r),
            layers_cell(r),
            build_cell(r),
            smoke_cell(r),
            engine,
            verdict(r).to_string(),
        ]);
    }
    s.push_str(&table(
        &rows,
        &[false, true, true, true, true, true, false, false, false],
    ));
    s.push('\n');
    s.push_str(&totals_line(o));
    s.push('\n');
    let before = s.len();
    for r in &o.reports {
        problems(&mut s, r);
    }
    if s.len() > before {
        s.push('\n');
    }
    for e in &o.engines {
        s.push_str(&engine_line(e));
    }
    let kept = o.reports.iter().any(|r| r.kept_images);
    s.push_str(if kept {
        "images kept (--format json lists their tags)\n"
    } else {
        "images removed (--keep-images keeps them)\n"
    });
    s
}

fn totals_line(o: &Outcome) -> String {
    let t = &o.totals;
    let pct = if t.original_bytes > 0 {
        t.saving_bytes as f64 * 100.0 / t.original_bytes as f64
    } else {
        0.0
    };
    format!(
        "total: {} ({} changed, {} built): {} -> {}, {} saved ({pct:.1} %); {}, {}; \
         {} of {} engines used, {:.1} s\n",
        count(t.files, "Dockerfile"),
        t.changed,
        t.built,
        human(t.original_bytes as i64),
        human(t.rewritten_bytes as i64),
        human(t.saving_bytes),
        count(t.smoke_failed, "smoke failure"),
        count(t.errors, "error"),
        t.engines_used,
        o.engines.len(),
        t.seconds
    )
}

/// `1 error`, `2 errors`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn engine_line(e: &EngineReport) -> String {
    let mut s = if e.engine.is_empty() {
        format!("engine {}: not used\n", e.name)
    } else {
        format!(
            "engine {}: {} ({})\n",
            e.name,
            count(e.jobs, "file"),
            e.engine
        )
    };
    if let Some(why) = &e.failed {
        s.push_str(&format!(
            "engine {}: FAILED: {why}; its files went to the other engines\n",
            e.name
        ));
    }
    if !e.may_remain.is_empty() {
        s.push_str(&format!(
            "engine {}: may still hold: {} (remove them once it answers again)\n",
            e.name,
            e.may_remain.join(" ")
        ));
    }
    s
}

/// A file's error, failing smoke tests and logs.
fn problems(s: &mut String, r: &Report) {
    if let Some(e) = &r.error {
        s.push_str(&format!("\n{}: error: {e}\n", r.dockerfile));
    }
    let sides: &[(&str, &Image)] = if r.changed {
        &[("original", &r.original), ("rewritten", &r.rewritten)]
    } else {
        &[("image", &r.original)]
    };
    for (name, image) in sides {
        if image.smoke == Smoke::Fail {
            s.push_str(&format!(
                "\n{}: {name}: smoke fail: {}\n",
                r.dockerfile,
                image.detail.as_deref().unwrap_or("")
            ));
            for l in image.logs.iter().flat_map(|l| l.lines()) {
                s.push_str(&format!("  | {l}\n"));
            }
        }
    }
    if let Some(why) = &r.retried_after {
        s.push_str(&format!(
            "{}: done on {} after: {why}\n",
            r.dockerfile, r.engine_name
        ));
    }
}

/// A batch as Markdown for a pull request: a table sorted by saving, the
/// failures on top, then the totals and the failures' logs (folded).
pub fn batch_markdown(o: &Outcome) -> String {
    let t = &o.totals;
    let mut order: Vec<&Report> = o.reports.iter().collect();
    order.sort_by(|a, b| {
        b.severity()
            .cmp(&a.severity())
            .then(
                b.saving_bytes
                    .unwrap_or(i64::MIN)
                    .cmp(&a.saving_bytes.unwrap_or(i64::MIN)),
            )
            .then(a.dockerfile.cmp(&b.dockerfile))
    });
    let mut s = format!(
        "### dfslim verify: {} saved across {} Dockerfiles\n\n",
        human(t.saving_bytes),
        t.files
    );
    s.push_str("| | Dockerfile | original | rewritten | saving | layers | build | smoke |\n");
    s.push_str("|---|---|--:|--:|--:|--:|--:|---|\n");
    let cell = |x: &str| x.replace('|', "\\|");
    for r in &order {
        let mark = match verdict(r) {
            "error" => "**error**",
            "smoke fail" => "**smoke fail**",
            other => other,
        };
        s.push_str(&format!(
            "| {mark} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            r.dockerfile.replace('`', "'"),
            cell(&short_size(&r.original)),
            cell(&short_size(&r.rewritten)),
            cell(&saving_cell(r)),
            cell(&layers_cell(r)),
            cell(&build_cell(r)),
            cell(&smoke_cell(r)),
        ));
    }
    s.push('\n');
    let pct = if t.original_bytes > 0 {
        t.saving_bytes as f64 * 100.0 / t.original_bytes as f64
    } else {
        0.0
    };
    s.push_str(&format!(
        "**Total:** {} -> {}, **{} saved** ({pct:.1} %) across {} ({} changed); {}, {}.\n",
        human(t.original_bytes as i64),
        human(t.rewritten_bytes as i64),
        human(t.saving_bytes),
        count(t.files, "Dockerfile"),
        t.changed,
        count(t.smoke_failed, "smoke failure"),
        count(t.errors, "error"),
    ));
    for r in order.iter().filter(|r| r.severity() > 0) {
        let mut body = String::new();
        problems(&mut body, r);
        s.push_str(&format!(
            "\n<details><summary><code>{}</code>: {}</summary>\n\n```text\n{}\n```\n\n</details>\n",
            r.dockerfile,
            verdict(r),
            body.trim()
        ));
    }
    s
}

/// `4.5 MB`: the size as `docker images` shows it (decimal units).
fn human(bytes: i64) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    let b = bytes.unsigned_abs() as f64;
    if b >= 1e9 {
        format!("{sign}{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{sign}{:.1} MB", b / 1e6)
    } else {
        format!("{sign}{:.1} kB", b / 1e3)
    }
}

/// `4,468,736 B (4.5 MB)`: exact bytes, and the size as `docker images`
/// would show it (decimal units).
pub fn size(bytes: i64) -> String {
    let digits = bytes.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if bytes < 0 { "-" } else { "" };
    format!("{sign}{grouped} B ({})", human(bytes))
}

/// Pads columns to their widest cell; `right` says which align right.
fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = right.len();
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for r in rows {
        let cells: Vec<String> = (0..cols)
            .map(|c| {
                let x = r.get(c).map_or("", String::as_str);
                if right[c] {
                    format!("{x:>w$}", w = width[c])
                } else {
                    format!("{x:<w$}", w = width[c])
                }
            })
            .collect();
        s.push_str(cells.join("  ").trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(4_468_736), "4,468,736 B (4.5 MB)");
        assert_eq!(size(892_326_523), "892,326,523 B (892.3 MB)");
        assert_eq!(size(1_234_000_000), "1,234,000,000 B (1.23 GB)");
        assert_eq!(size(-2_500), "-2,500 B (-2.5 kB)");
        assert_eq!(size(0), "0 B (0.0 kB)");
    }

    fn report() -> Report {
        let image = |tag: &str, size: u64, smoke: Smoke| Image {
            built: true,
            size_bytes: Some(size),
            layers: Some(3),
            build_seconds: Some(2.5),
            smoke,
            image: tag.to_string(),
            detail: Some("exited with code 1 after 0.1 s".to_string()),
            ports: vec![8092],
            logs: Some("cannot load Europe/Berlin".to_string()),
            reused_seconds: None,
        };
        Report {
            dockerfile: "Dockerfile".to_string(),
            level: 5,
            original: image("t:original", 892_326_523, Smoke::Pass),
            rewritten: image("t:rewritten", 4_688_333, Smoke::Fail),
            saving_bytes: Some(887_638_190),
            ratio: Some(190.33),
            context: ".".to_string(),
            changed: true,
            applied: vec!["cgo-off".to_string()],
            refused: Vec::new(),
            builder: Some(crate::verify::docker::Builder::Legacy),
            engine: "client 28, engine 20".to_string(),
            engine_name: "default".to_string(),
            retried_after: None,
            kept_images: false,
            error: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn text_has_the_table_the_saving_and_a_failing_log() {
        let t = text(&report());
        assert!(
            t.contains("original   t:original   892,326,523 B (892.3 MB)       3  2.5 s  pass"),
            "{t}"
        );
        assert!(
            t.contains("rewritten  t:rewritten      4,688,333 B (4.7 MB)       3  2.5 s  fail"),
            "{t}"
        );
        assert!(t.contains("190.33x smaller (99.5 %)"), "{t}");
        assert!(
            t.contains("rewritten: smoke fail: exited with code 1"),
            "{t}"
        );
        assert!(t.contains("  | cannot load Europe/Berlin"), "{t}");
        // The passing container's log is not shown.
        assert_eq!(t.matches("| cannot load").count(), 1, "{t}");
    }

    #[test]
    fn json_has_the_issue_shape() {
        let v: serde_json::Value = serde_json::from_str(&json(&report())).unwrap();
        for k in [
            "dockerfile",
            "level",
            "original",
            "rewritten",
            "saving_bytes",
            "ratio",
        ] {
            assert!(v.get(k).is_some(), "{k} missing: {v}");
        }
        for k in ["built", "size_bytes", "layers", "build_seconds", "smoke"] {
            assert!(v["original"].get(k).is_some(), "original.{k} missing: {v}");
        }
        assert_eq!(v["rewritten"]["smoke"], "fail");
        assert_eq!(v["builder"], "legacy");
    }

    #[test]
    fn table_aligns() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string()],
            vec!["bbb".to_string(), "100".to_string()],
        ];
        assert_eq!(table(&rows, &[false, true]), "a      1\nbbb  100\n");
    }
}
