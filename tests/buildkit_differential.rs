//! dfslim's parser against BuildKit's own (v0.12.5, through the PyPI package
//! `dockerfile`): on every fixture and corpus file, both must agree on each
//! instruction's keyword, lines, form, flags, FROM image and alias, and
//! ENV/LABEL/ARG keys, and on which files are errors.

mod common;

use dfslim::syntax::{Args, Document, Instruction, Keyword};
use serde_json::{Value, json};
use std::path::PathBuf;

fn keyword_of(doc: &Document, ins: &Instruction) -> String {
    match ins.keyword.as_str() {
        Some(k) => k.to_string(),
        None => ins.keyword_span.of(doc.text()).to_uppercase(),
    }
}

/// Our reading in dump.py's shape.
fn ours(text: &str) -> Value {
    let doc = match Document::parse(text) {
        Ok(d) => d,
        Err(e) => return json!({"ok": false, "error": e.message}),
    };
    let instructions: Vec<Value> = doc
        .instructions()
        .iter()
        .map(|ins| {
            let inner = ins.onbuild_inner();
            let from = ins.from();
            let words = ins.words();
            let keys: Vec<&str> = match ins.keyword {
                Keyword::Env | Keyword::Label => {
                    ins.pairs().iter().map(|p| p.key.text.as_str()).collect()
                }
                Keyword::Arg => ins
                    .arg_decls()
                    .iter()
                    .map(|a| a.name.text.as_str())
                    .collect(),
                _ => vec![],
            };
            let (image, alias) = match (&from, ins.keyword) {
                (Some(f), _) => (
                    Some(f.image.text.clone()),
                    f.alias.as_ref().map(|a| a.text.clone()),
                ),
                // BuildKit's parser reports the first word even when FROM is malformed.
                (None, Keyword::From) => (words.first().map(|w| w.text.clone()), None),
                _ => (None, None),
            };
            let json_form = match (&ins.args, inner) {
                (Args::OnBuild(_), Some(i)) => i.is_json(),
                _ => ins.is_json(),
            };
            json!({
                "keyword": keyword_of(&doc, ins),
                "sub_keyword": inner.map(|i| keyword_of(&doc, i)),
                "start_line": ins.start_line,
                "end_line": ins.end_line,
                "form": if json_form { "json" } else { "shell" },
                "flags": ins.flags.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
                "from_image": image,
                "from_alias": alias,
                "keys": keys,
            })
        })
        .collect();
    json!({"ok": true, "instructions": instructions})
}

/// Compares one file; returns a description of the first disagreement.
fn compare(path: &std::path::Path, theirs: &Value) -> Option<String> {
    let bytes = std::fs::read(path).unwrap();
    let Ok(text) = String::from_utf8(bytes) else {
        return None; // dfslim refuses non-UTF-8 files before parsing
    };
    let ours = ours(&text);
    if theirs["ok"] != ours["ok"] {
        return Some(format!(
            "{}: BuildKit ok={} ({}), dfslim ok={} ({})",
            path.display(),
            theirs["ok"],
            theirs["error"],
            ours["ok"],
            ours["error"]
        ));
    }
    if theirs["ok"] == false {
        let (t, o) = (theirs["error"].as_str()?, ours["error"].as_str()?);
        return (!o.contains(t)).then(|| format!("{}: error {t:?} vs {o:?}", path.display()));
    }
    let (ti, oi) = (
        theirs["instructions"].as_array()?,
        ours["instructions"].as_array()?,
    );
    if ti.len() != oi.len() {
        return Some(format!(
            "{}: {} instructions in BuildKit, {} in dfslim",
            path.display(),
            ti.len(),
            oi.len()
        ));
    }
    for (t, o) in ti.iter().zip(oi) {
        let t = t.as_object()?;
        for (k, tv) in t {
            if &o[k] != tv {
                return Some(format!(
                    "{}: instruction at line {}: {k}: BuildKit {tv}, dfslim {}",
                    path.display(),
                    t["start_line"],
                    o[k]
                ));
            }
        }
    }
    None
}

fn run(files: Vec<PathBuf>) {
    let py = match common::buildkit_python() {
        Ok(py) => py,
        Err(why) => return common::skip("BuildKit differential test", &why),
    };
    let dump = common::buildkit_dump(&py, &files);
    let failures: Vec<String> = files
        .iter()
        .zip(&dump)
        .filter_map(|(p, theirs)| compare(p, theirs))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} files disagree with BuildKit:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!("{} files agree with BuildKit", files.len());
}

#[test]
fn fixtures_agree_with_buildkit() {
    let dir = common::repo().join("tests/fixtures/parser");
    let files: Vec<PathBuf> = common::dockerfiles(&dir)
        .into_iter()
        .filter(|p| !p.starts_with(dir.join("divergent")))
        .collect();
    assert!(files.len() > 50);
    run(files);
}

#[test]
fn corpus_agrees_with_buildkit() {
    let Some(corpus) = common::corpus() else {
        return common::skip_without_data("corpus differential test", "../shared/corpus is absent");
    };
    run(common::dockerfiles(&corpus));
}

/// What dfslim writes must read the same to BuildKit: the golden outputs of
/// every level (and their inputs).
#[test]
fn golden_outputs_agree_with_buildkit() {
    let files = common::dockerfiles(&common::repo().join("golden"));
    assert!(files.len() >= 48, "golden files missing");
    run(files);
}
