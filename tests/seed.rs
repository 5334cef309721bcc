//! The seed story's own five Dockerfiles (../shared/seed): each comes out of
//! level 5 valid for BuildKit and idempotent; v5, already slim, gets no
//! doubled flags and no third stage (only its CMD made absolute).

mod common;

use dfslim::pipeline::{self, Selection};
use dfslim::syntax::Document;

#[test]
fn seed_dockerfiles_at_level_5() {
    let dir = common::repo().join("../shared/seed");
    if !dir.is_dir() {
        return common::skip_without_data("seed test", "../shared/seed is absent");
    }
    let sel = Selection::default();
    let out_dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for v in 1..=5 {
        let path = dir.join(format!("v{v}.Dockerfile"));
        let input = std::fs::read_to_string(&path).unwrap();
        let run = pipeline::run(&input, &sel, None).unwrap();
        let again = pipeline::run(&run.output, &sel, None).unwrap();
        assert_eq!(again.output, run.output, "v{v} is not idempotent");
        let doc = Document::parse(run.output.clone()).unwrap();
        assert_eq!(doc.stages().len(), 2, "v{v}: {}", run.output);
        let last = doc.stages().last().unwrap();
        assert!(
            last.image.as_ref().is_some_and(|i| i.is_scratch()),
            "v{v}: {}",
            run.output
        );
        assert_eq!(
            run.output.matches("-s -w").count(),
            1,
            "v{v}: {}",
            run.output
        );
        assert_eq!(
            run.output.matches("CGO_ENABLED=0").count(),
            1,
            "v{v}: {}",
            run.output
        );
        if v == 5 {
            // Already slim: nothing pays, nothing changes (its relative CMD
            // resolves under the runtime's WORKDIR as written).
            assert_eq!(run.output, input, "v5 is already slim");
        }
        let p = out_dir.path().join(format!("v{v}.Dockerfile"));
        std::fs::write(&p, &run.output).unwrap();
        outputs.push(p);
    }
    match common::buildkit_python() {
        Ok(py) => {
            for (p, v) in outputs.iter().zip(common::buildkit_dump(&py, &outputs)) {
                assert_eq!(v["ok"], true, "{}: {}", p.display(), v["error"]);
            }
        }
        Err(why) => common::skip("BuildKit check of the seed outputs", &why),
    }
}
