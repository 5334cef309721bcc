//! Every input the fuzzers (or anyone) found to break an invariant, kept as
//! a regression test: `tests/regressions/parse/*` must keep the parser's
//! invariants, `tests/regressions/pipeline/*` the pipeline's at every level
//! (see `tests/regressions/invariants.rs`, which the fuzz targets share).
//! Inputs that still fail because of a bug outside the syntax layer are in
//! `tests/regressions/known/` and have an ignored test each, below.

#[path = "regressions/invariants.rs"]
mod invariants;

use dfslim::syntax::Document;
use std::fs;
use std::path::{Path, PathBuf};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(dir);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    out.sort();
    out
}

/// Runs `check` on each input, naming the ones that fail.
fn each(dir: &str, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let files = inputs(dir);
    let failed: Vec<String> = files
        .iter()
        .filter(|f| {
            let bytes = fs::read(f).unwrap();
            std::panic::catch_unwind(|| check(&bytes)).is_err()
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(failed.is_empty(), "invariants broken by: {failed:#?}");
}

#[test]
fn parser_regressions() {
    assert!(
        inputs("parse").len() >= 2,
        "the parser's regression inputs are missing"
    );
    each("parse", invariants::check_bytes);
    // Every input is also fed to the pipeline: what parses must survive it.
    each("parse", |b| {
        if let Ok(t) = std::str::from_utf8(b) {
            for level in 0..=5 {
                invariants::check_pipeline(t, level);
            }
        }
    });
}

#[test]
fn pipeline_regressions() {
    each("pipeline", |b| {
        let t = String::from_utf8_lossy(b);
        invariants::check_bytes(b);
        for level in 0..=5 {
            invariants::check_pipeline(&t, level);
        }
    });
}

/// Found by the parse fuzzer: the instruction inside ONBUILD had no logical
/// line, so its FROM image parts pointed at byte 0.
#[test]
fn onbuild_inner_spans_point_at_the_inner_text() {
    let doc = Document::parse("ONBUILD FROM img:1 AS x\n").unwrap();
    let inner = doc.instructions()[0].onbuild_inner().unwrap();
    let from = inner.from().unwrap();
    assert_eq!(from.image.span.of(doc.text()), "img:1");
    assert_eq!(from.image.tag.unwrap().span.of(doc.text()), "1");
    assert_eq!(from.alias.unwrap().span.of(doc.text()), "x");
    // BuildKit's parser also takes ONBUILD inside ONBUILD (its build does not).
    let doc = Document::parse("ONBUILD ONBUILD FROM img:2\n").unwrap();
    let inner = doc.instructions()[0].onbuild_inner().unwrap();
    let from = inner.onbuild_inner().unwrap().from().unwrap();
    assert_eq!(from.image.tag.unwrap().span.of(doc.text()), "2");
}

/// Found by the parse fuzzer: an instruction made of a bare continuation
/// (`\` alone, then end of file) mapped its keyword to byte 0, on another
/// line than the instruction.
#[test]
fn a_bare_continuation_maps_to_its_own_line() {
    let doc = Document::parse("FROM a\n\\").unwrap();
    let last = doc.instructions().last().unwrap();
    assert_eq!(last.start_line, 2);
    assert_eq!(last.keyword_span.start, 7);
    assert_eq!(doc.line_col(last.keyword_span.start).0, 2);
}

/// An input in `tests/regressions/known/` through the pipeline at every level.
fn known(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/known")
        .join(name);
    let text = String::from_utf8(fs::read(&path).unwrap()).unwrap();
    invariants::check_parse(&text).expect("a known input parses");
    for level in 0..=5 {
        invariants::check_pipeline(&text, level);
    }
}

// Found by the pipeline fuzzer; fixed in the transforms: `FROM scratch` is
// the empty image even when a stage is named scratch, and multi-stage
// refuses paths it would have to quote.

#[test]
fn known_stage_named_scratch() {
    known("stage-named-scratch-not-idempotent.Dockerfile");
}

#[test]
fn known_workdir_backtick() {
    known("workdir-backtick-not-idempotent.Dockerfile");
}

#[test]
fn known_workdir_with_space() {
    known("workdir-with-space-not-idempotent.Dockerfile");
}

#[test]
fn known_env_quoted_old_form() {
    known("env-quoted-old-form-unparseable.Dockerfile");
}

#[test]
fn known_two_go_stages() {
    known("two-go-stages-not-idempotent.Dockerfile");
}

/// cmd-binary replaces a continued exec-form CMD whole, and the comment
/// line inside its continuation goes with it.
#[test]
fn known_comment_inside_cmd_lost() {
    known("comment-inside-cmd-lost.Dockerfile");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/known/comment-inside-cmd-lost.Dockerfile");
    let text = fs::read_to_string(path).unwrap();
    for level in 2..=5 {
        let out = invariants::check_level(&text, level).unwrap();
        assert!(out.contains("# a comment inside"), "level {level}:\n{out}");
    }
}

#[path = "regressions/scale.rs"]
mod scale;

/// Run time grows with the input: ten times the stages may cost about ten
/// times as much (30x allowed for noise), not a hundred. A ratio, so the
/// machine's speed does not matter; the absolute numbers are in the
/// criterion benchmark (`cargo bench --bench pipeline -- scale/`).
fn grows_linearly(what: &str, make: fn(usize) -> String, small: usize) {
    use std::time::{Duration, Instant};
    let time = |n: usize| -> Duration {
        let text = make(n);
        let t0 = Instant::now();
        dfslim::pipeline::run(&text, &dfslim::pipeline::Selection::default(), None).unwrap();
        t0.elapsed()
    };
    time(small); // warm up
    let (a, b) = (time(small), time(small * 10));
    assert!(
        b < a * 30,
        "{what}: {small} took {a:?}, {} took {b:?}: worse than linear",
        small * 10
    );
}

#[test]
fn continuation_lines_scale_linearly() {
    grows_linearly("continuation lines", scale::continuation_lines, 10_000);
}

#[test]
fn stages_scale_linearly() {
    grows_linearly("stages", scale::stages, 1_000);
}

/// The last line ends with a continuation (`R\` at end of file): the
/// runtime stage appended after it is joined to it, so its FROM becomes
/// part of an unknown instruction `RFROM ...` and the next run appends
/// another stage.
#[test]
fn known_continuation_at_eof_swallows_new_stage() {
    known("continuation-at-eof-swallows-new-stage.Dockerfile");
}

#[test]
fn known_cmd_go_run_go_run() {
    known("cmd-go-run-go-run-not-idempotent.Dockerfile");
}

/// Found by the property tests: with a suppression comment before the last
/// instruction of a CRLF file, level 4 inserts the runtime stage between a
/// `\r` and its `\n`: `FROM scratch\rCOPY --from=builder ...\r\n\n`, which
/// makes one line of `FROM scratch` and the COPY.
#[test]
fn known_crlf_split_by_scratch_runtime() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/known/crlf-split-by-scratch-runtime.Dockerfile");
    let text = fs::read_to_string(path).unwrap();
    for level in 0..=5 {
        let out = invariants::check_level(&text, level).unwrap();
        let bare = out.replace("\r\n", "");
        assert!(
            !bare.contains('\r') && !bare.contains('\n'),
            "level {level}: a CRLF file got a lone CR or LF: {out:?}"
        );
    }
}

/// Found by the property tests: the build writes `-o /app` while the
/// WORKDIR is /app, and the shell-form ENTRYPOINT `./app` after CMD is left
/// alone on the first run and rewritten to `["/app/app"]` on the second.
#[test]
fn known_workdir_equals_output_entrypoint() {
    known("workdir-equals-output-entrypoint-not-idempotent.Dockerfile");
}
