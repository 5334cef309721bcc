//! Parse and pipeline (level 5) per file: each golden input, the whole
//! shared corpus (when `../shared/corpus` is there), and the scale inputs
//! (a 5 MB file of 100,000 continuation lines, 10,000 stages).
//!
//! `cargo bench --bench pipeline` (all), `cargo bench --bench pipeline -- file/`
//! (one group). Reports go to target/criterion/.

#[path = "../tests/regressions/scale.rs"]
mod scale;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dfslim::pipeline::{self, Selection};
use dfslim::syntax::Document;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "Dockerfile") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn level5() -> Selection {
    Selection::default()
}

fn per_file(c: &mut Criterion) {
    let mut g = c.benchmark_group("file");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path().join("input.Dockerfile"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    for path in cases {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| Document::parse(black_box(t.as_str())).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("pipeline", &name), &text, |b, t| {
            b.iter(|| pipeline::run(black_box(t), &level5(), None).unwrap())
        });
    }
    g.finish();
}

fn corpus(c: &mut Criterion) {
    let dir = std::env::var_os("DFSLIM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpus"));
    let texts: Vec<String> = dockerfiles(&dir)
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if texts.is_empty() {
        eprintln!("no corpus at {}: skipping the corpus group", dir.display());
        return;
    }
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for t in &texts {
                let _ = black_box(Document::parse(t.as_str()));
            }
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            for t in &texts {
                let _ = black_box(pipeline::run(t, &level5(), None));
            }
        })
    });
    g.finish();
}

fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, text) in [
        (
            "100k-continuation-lines",
            scale::continuation_lines(100_000),
        ),
        ("10k-stages", scale::stages(10_000)),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", name), &text, |b, t| {
            b.iter(|| Document::parse(black_box(t.as_str())).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("pipeline", name), &text, |b, t| {
            b.iter(|| pipeline::run(black_box(t), &level5(), None).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, per_file, corpus, scale);
criterion_main!(benches);
