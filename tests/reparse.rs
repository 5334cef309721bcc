//! Re-reading only the instructions around an edit (`Document::edited`)
//! must give the document a full parse gives: on the edits that change how
//! the text around them reads (a continuation, a heredoc, a directive, a
//! deleted instruction), and on every step dfslim applies to the golden
//! cases and the corpus (with `DFSLIM_CHECK_REPARSE=1`, each re-read is
//! compared with a full parse, and the commands analysis keeps of the RUNs
//! an edit did not touch with the commands read afresh; a difference is a
//! panic).

mod common;

use common::{corpus, dockerfiles, repo, skip_without_data};
use dfslim::syntax::{Document, Span};

/// Replaces `old` (its first occurrence) by `new` and checks the re-read.
fn check(text: &str, old: &str, new: &str) {
    let at = if old.is_empty() {
        0
    } else {
        text.find(old)
            .unwrap_or_else(|| panic!("{old:?} not in {text:?}"))
    };
    check_at(text, Span::new(at, at + old.len()), new);
}

fn check_at(text: &str, span: Span, new: &str) {
    let edited_text = format!("{}{new}{}", &text[..span.start], &text[span.end..]);
    let doc = Document::parse(text).unwrap();
    let full = Document::parse(edited_text.clone());
    let piece = doc.edited(edited_text.clone(), span);
    match (piece, full) {
        (Ok(p), Ok(f)) => {
            if let Some(diff) = p.differs_from(&f) {
                panic!("{text:?} with {span:?} -> {new:?}:\n{diff}");
            }
        }
        (Err(p), Err(f)) => assert_eq!(p, f, "{edited_text:?}"),
        (p, f) => panic!(
            "{edited_text:?}: re-read {:?}, full parse {:?}",
            p.err(),
            f.err()
        ),
    }
}

const FILE: &str = "# syntax=docker/dockerfile:1\n\
FROM golang:1.22 AS build\n\
WORKDIR /src\n\
# the sources\n\
COPY . .\n\
RUN go build \\\n\
    # a comment inside\n\
    -o /app .\n\
\n\
FROM alpine:3.20\n\
COPY --from=build /app /app\n\
RUN <<EOF\n\
echo hi\n\
EOF\n\
CMD [\"/app\"]\n";

#[test]
fn edits_inside_one_instruction() {
    check(FILE, "golang:1.22", "golang:1.22-alpine");
    check(FILE, "-o /app .", "-ldflags=\"-s -w\" -o /app .");
    check(FILE, "alpine:3.20", "scratch");
    check(FILE, "CMD [\"/app\"]", "ENTRYPOINT [\"/app\"]");
    check(FILE, "echo hi", "echo hi\necho there");
}

#[test]
fn edits_that_add_remove_or_join_instructions() {
    // A new instruction before another, a line inserted at a line start.
    check(FILE, "RUN go build", "ENV CGO_ENABLED=0\nRUN go build");
    check(FILE, "WORKDIR /src\n", "");
    // A whole stage inserted, and one removed.
    check(
        FILE,
        "FROM alpine:3.20\n",
        "FROM scratch AS x\nCOPY a b\nFROM alpine:3.20\n",
    );
    check(FILE, "FROM alpine:3.20\nCOPY --from=build /app /app\n", "");
    // The edit leaves a continuation open: the next instruction joins it.
    check(FILE, "WORKDIR /src\n", "WORKDIR /src \\\n");
    // A heredoc opened that the following lines close.
    check(FILE, "COPY . .\n", "COPY <<X /f\n");
    check(FILE, "COPY . .\n", "COPY <<X /f\nRUN\nX\n");
    // A newline removed: two lines become one.
    check(FILE, "WORKDIR /src\n", "WORKDIR /src ");
    // Everything from an instruction to the end.
    let from = FILE.find("FROM alpine").unwrap();
    check_at(FILE, Span::new(from, FILE.len()), "CMD [\"x\"]\n");
}

#[test]
fn edits_near_the_top_and_in_comments() {
    check(
        FILE,
        "# syntax=docker/dockerfile:1\n",
        "# syntax=docker/dockerfile:1\n# escape=`\n",
    );
    check(FILE, "", "# a note\n");
    check(FILE, "# the sources\n", "# the sources, all of them\n");
    check(FILE, "# a comment inside\n", "");
    check(
        FILE,
        "FROM golang:1.22 AS build\n",
        "ARG V=1\nFROM golang:1.22 AS build\n",
    );
    // A BOM, CRLF line ends, and a file without a final newline.
    let bom = format!("\u{feff}{FILE}");
    check(&bom, "golang:1.22", "golang:1.23");
    let crlf = FILE.replace('\n', "\r\n");
    check(&crlf, "WORKDIR /src\r\n", "WORKDIR /src\r\nUSER 1\r\n");
    let bare = FILE.trim_end();
    check(bare, "CMD [\"/app\"]", "CMD [\"/bin/app\"]");
    // An edit that breaks the file is the same error either way.
    check(FILE, "RUN <<EOF", "RUN <<NOPE");
}

/// Every golden case at every level and both runtimes, and the corpus at
/// level 5: each applied step's re-read compared with a full parse.
#[test]
fn every_applied_step_reads_as_a_full_parse() {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path().join("input.Dockerfile"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() > 20, "golden cases: {}", files.len());
    match corpus() {
        Some(dir) => files.extend(dockerfiles(&dir)),
        None => skip_without_data("the corpus part", "../shared/corpus is not here"),
    }
    for args in [
        &["--level", "5"][..],
        &["--level", "5", "--runtime", "distroless"],
        &["--level", "2"],
        &["--level", "3"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dfslim"))
            .arg("fix")
            .args(args)
            .arg("--check")
            .args(&files)
            .env("DFSLIM_CHECK_REPARSE", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("differs from a full parse") && out.status.code() != Some(101),
            "{args:?}:\n{err}"
        );
        assert!(err.contains(" files: "), "{args:?}: no summary:\n{err}");
    }
}
