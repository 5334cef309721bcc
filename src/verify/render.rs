//! The verify report as text (a table, original vs rewritten) and as JSON.

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
        r.builder.as_str()
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
            format!("{ratio}x smaller ({pct:.1} %)"),
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
    let b = bytes.unsigned_abs() as f64;
    let human = if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.1} kB", b / 1e3)
    };
    format!("{sign}{grouped} B ({sign}{human})")
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

    #[test]
    fn table_aligns() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string()],
            vec!["bbb".to_string(), "100".to_string()],
        ];
        assert_eq!(table(&rows, &[false, true]), "a      1\nbbb  100\n");
    }
}
