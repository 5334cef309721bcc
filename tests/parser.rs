//! The syntax layer on each construct BuildKit reads, with exact spans:
//! every part of an instruction must point at its own bytes.

mod common;

use dfslim::syntax::{Args, Command, Document, Keyword, Span};

fn doc(s: &str) -> Document {
    Document::parse(s).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

fn at(d: &Document, s: Span) -> &str {
    s.of(d.text())
}

#[test]
fn bom_directives_and_escape() {
    let d = doc("\u{feff}# Syntax = docker/dockerfile:1\n#ESCAPE=`\nRUN dir C:\\ `\n  /w\n");
    assert!(d.has_bom());
    assert_eq!(d.escape(), '`');
    let names: Vec<_> = d
        .directives()
        .iter()
        .map(|x| (x.name.as_str(), x.value.as_str(), x.line))
        .collect();
    assert_eq!(
        names,
        [("syntax", "docker/dockerfile:1", 1), ("escape", "`", 2)]
    );
    let run = &d.instructions()[0];
    assert_eq!((run.start_line, run.end_line), (3, 4));
    assert_eq!(at(&d, run.keyword_span), "RUN");
    assert_eq!(
        run.keyword_span.start,
        3 + "# Syntax = docker/dockerfile:1\n#ESCAPE=`\n".len()
    );
    assert_eq!(at(&d, run.args_span), "dir C:\\ `\n  /w");
    // After a blank line or another comment, `# escape=` is just a comment.
    let d = doc("\n# escape=`\nRUN a `\nRUN b\n");
    assert_eq!(d.escape(), '\\');
    assert_eq!(d.instructions().len(), 2);
    let e = Document::parse("# escape=x\nFROM a\n").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (1, "invalid escape token 'x' does not match ` or \\")
    );
    let e = Document::parse("# syntax=a\n# SYNTAX=b\nFROM a\n").unwrap_err();
    assert!(e.message.contains("only one syntax parser directive"));
}

#[test]
fn continuations_comments_and_empty_lines() {
    let src = "RUN apt-get update \\\t \n    # a comment inside\n\n    && echo \\\\\nCMD x\n";
    let d = doc(src);
    let run = &d.instructions()[0];
    assert_eq!((run.start_line, run.end_line), (1, 4));
    assert_eq!(run.logical.text(), "RUN apt-get update     && echo \\\\");
    assert_eq!(at(&d, run.span), &src[..src.find("\nCMD").unwrap()]);
    // `\\` at the end is an escaped backslash, not a continuation.
    assert_eq!(d.instructions()[1].start_line, 5);
    // A word that crosses a continuation maps to the bytes it spans.
    let d = doc("FROM golang:\\\n1.16 AS b\n");
    let from = d.instructions()[0].from().unwrap();
    assert_eq!(at(&d, from.image.span), "golang:\\\n1.16");
    assert_eq!(at(&d, from.image.tag.unwrap().span), "1.16");
    assert_eq!(at(&d, from.alias.unwrap().span), "b");
    // Continuation at the end of the file; last line without a newline.
    let d = doc("FROM a\nRUN echo \\");
    assert_eq!(d.instructions()[1].end_line, 2);
    assert_eq!(at(&d, d.instructions()[1].span), "RUN echo \\");
}

#[test]
fn heredocs() {
    let src = "FROM a\nRUN --mount=type=cache,target=/c <<EOF <<-'TWO'\necho one\nRUN not an instruction\nEOF\n\techo two\n\tTWO\nCOPY <<\"CFG\" /etc/app.conf\nkey=$value\nCFG\n";
    let d = doc(src);
    let run = &d.instructions()[1];
    assert_eq!((run.start_line, run.end_line), (2, 7));
    assert_eq!(at(&d, run.flags[0].span), "--mount=type=cache,target=/c");
    assert_eq!(run.heredocs.len(), 2);
    let (h1, h2) = (&run.heredocs[0], &run.heredocs[1]);
    assert_eq!(
        (h1.name.as_str(), h1.chomp, h1.expand),
        ("EOF", false, true)
    );
    assert_eq!(at(&d, h1.marker), "<<EOF");
    assert_eq!(at(&d, h1.body), "echo one\nRUN not an instruction\n");
    assert_eq!(at(&d, h1.terminator), "EOF");
    assert_eq!(
        (h2.name.as_str(), h2.chomp, h2.expand),
        ("TWO", true, false)
    );
    assert_eq!(at(&d, h2.body), "\techo two\n");
    assert_eq!(at(&d, h2.terminator), "\tTWO");
    assert!(at(&d, run.span).ends_with("\tTWO"));
    let copy = &d.instructions()[2];
    assert_eq!(copy.heredocs[0].name, "CFG");
    assert_eq!(d.instructions().len(), 3);
    // Not heredocs: JSON form, `cat<<EOF`.
    assert_eq!(doc("RUN [\"<<EOF\"]\nEOF\n").instructions().len(), 2);
    assert_eq!(doc("RUN cat<<EOF\nEOF\n").instructions().len(), 2);
    let e = Document::parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.starts_with("unterminated heredoc"));
}

#[test]
fn json_and_shell_forms() {
    let d = doc(
        "CMD [ \"go\" , \"run\", \"./cmd/main.go\" ]\nCMD ['a']\nCMD [\"a\"\nENTRYPOINT [\"a\\u0041\"]\n",
    );
    let Some(Command::Exec(items)) = d.instructions()[0].command() else {
        panic!()
    };
    let spans: Vec<&str> = items.iter().map(|j| at(&d, j.span)).collect();
    assert_eq!(spans, ["\"go\"", "\"run\"", "\"./cmd/main.go\""]);
    assert!(matches!(d.instructions()[1].command(), Some(Command::Shell(w)) if w.text == "['a']"));
    assert!(matches!(
        d.instructions()[2].command(),
        Some(Command::Shell(_))
    ));
    let Some(Command::Exec(items)) = d.instructions()[3].command() else {
        panic!()
    };
    assert_eq!(items[0].value, "aA");
    let e = Document::parse("CMD [\"a\", 1]\n").unwrap_err();
    assert!(
        e.message
            .contains("arrays must be comprised of strings only")
    );
}

#[test]
fn flags_and_arguments_of_every_instruction() {
    let src = "from --platform=$BUILDPLATFORM golang:1.22@sha256:ab AS Build\nCopy --from=Build --chown=\"1 2\" --chmod=755 --link a b /dst/\nADD --checksum=sha256:00 https://x/y.tgz /y\nENV A=1 B=\"two words\" C=x\\ y\nENV OLD value with spaces\nLABEL \"com.x\"=\"y\" z=1\nARG V=1.0 NAME\nEXPOSE 80/tcp 53/udp\nVOLUME [\"/a\", \"/b\"]\nWORKDIR /go/src/$APP\nUSER 1000:1000\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=5s --timeout=3s CMD [\"/app\", \"health\"]\nHEALTHCHECK NONE\nONBUILD COPY --from=x . /src\nMAINTAINER me <me@x>\nSHELL [\"/bin/bash\", \"-c\"]\nFROB the knob\n";
    let d = doc(src);
    let i = d.instructions();
    let from = i[0].from().unwrap();
    assert_eq!(
        at(&d, from.platform.unwrap().span),
        "--platform=$BUILDPLATFORM"
    );
    assert_eq!(from.image.path.text, "golang");
    assert_eq!(at(&d, from.image.tag.clone().unwrap().span), "1.22");
    assert_eq!(at(&d, from.image.digest.clone().unwrap().span), "sha256:ab");
    assert_eq!(d.stages()[0].name_lower().as_deref(), Some("build"));
    assert_eq!(i[1].keyword, Keyword::Copy);
    let flags: Vec<&str> = i[1].flags.iter().map(|f| at(&d, f.span)).collect();
    assert_eq!(
        flags,
        ["--from=Build", "--chown=\"1 2\"", "--chmod=755", "--link"]
    );
    assert_eq!(i[1].flag("chown").unwrap().value(), Some("1 2"));
    assert_eq!(
        i[1].words()
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "/dst/"]
    );
    assert_eq!(i[2].flag("checksum").unwrap().value(), Some("sha256:00"));
    let env: Vec<(&str, &str)> = i[3]
        .pairs()
        .iter()
        .map(|p| (at(&d, p.key.span), at(&d, p.value.span)))
        .collect();
    assert_eq!(env, [("A", "1"), ("B", "\"two words\""), ("C", "x\\ y")]);
    let old = &i[4].pairs()[0];
    assert_eq!(
        (old.key.text.as_str(), old.value.text.as_str(), old.equals),
        ("OLD", "value with spaces", false)
    );
    assert_eq!(i[5].pairs()[0].key.text, "\"com.x\"");
    let args: Vec<(&str, Option<&str>)> = i[6]
        .arg_decls()
        .iter()
        .map(|a| {
            (
                a.name.text.as_str(),
                a.default.as_ref().map(|d| d.text.as_str()),
            )
        })
        .collect();
    assert_eq!(args, [("V", Some("1.0")), ("NAME", None)]);
    assert_eq!(i[7].words().len(), 2);
    assert!(matches!(&i[8].args, Args::List(l) if l.len() == 2));
    let refs = d.var_refs_in(&i[9], i[9].text_arg().unwrap());
    assert_eq!(
        (refs[0].1.name.as_str(), at(&d, refs[0].0)),
        ("APP", "$APP")
    );
    assert_eq!(i[10].text_arg().unwrap().text, "1000:1000");
    assert_eq!(i[11].keyword, Keyword::StopSignal);
    assert!(
        matches!(&i[12].args, Args::Healthcheck { kind, cmd: Some(Command::Exec(c)) } if kind.text == "CMD" && c.len() == 2)
    );
    assert_eq!(i[12].flags.len(), 2);
    assert!(matches!(&i[13].args, Args::Healthcheck { kind, cmd: None } if kind.text == "NONE"));
    let inner = i[14].onbuild_inner().unwrap();
    assert_eq!(
        (inner.keyword, at(&d, inner.flags[0].span)),
        (Keyword::Copy, "--from=x")
    );
    assert_eq!(i[15].text_arg().unwrap().text, "me <me@x>");
    assert_eq!(i[16].keyword, Keyword::Shell);
    assert_eq!(
        (i[17].keyword, at(&d, i[17].keyword_span)),
        (Keyword::Unknown, "FROB")
    );
    assert_eq!(d.stages().len(), 1);
    assert!(!d.lowercase_keywords());
}

#[test]
fn line_endings_tabs_and_unicode() {
    let d = doc("FROM a\r\nRUN echo \"héllo ✓\" \\\r\n\t&& true\r\n");
    assert_eq!(d.newline(), "\r\n");
    let run = &d.instructions()[1];
    assert_eq!((run.start_line, run.end_line), (2, 3));
    assert_eq!(at(&d, run.span), "RUN echo \"héllo ✓\" \\\r\n\t&& true");
    assert_eq!(d.line_col(run.span.end), (3, 9));
    assert_eq!(doc("FROM a").newline(), "\n");
}

#[test]
fn bad_input_is_an_error_with_a_line() {
    for (src, line, msg) in [
        ("", 1, "file with no instructions"),
        ("# only\n# comments\n", 2, "file with no instructions"),
        ("ENV A\n", 1, "ENV must have two arguments"),
        ("FROM a\nENV A=1 B\n", 2, "can't find = in \"B\""),
    ] {
        let e = Document::parse(src).unwrap_err();
        assert_eq!(e.line, line, "{src:?}");
        assert!(e.message.contains(msg), "{src:?}: {}", e.message);
    }
}

/// Where current BuildKit differs from the 0.12.5 reference, dfslim follows
/// current BuildKit (tests/fixtures/parser/divergent/).
#[test]
fn follows_current_buildkit_where_versions_differ() {
    let d = doc("RUN << EOF\necho\nEOF\n");
    assert_eq!(d.instructions().len(), 1);
    assert_eq!(d.instructions()[0].heredocs[0].name, "EOF");
    let d = doc("CMD [\"a\"] trailing\n");
    assert!(matches!(
        d.instructions()[0].command(),
        Some(Command::Shell(_))
    ));
    let d = doc("# check=skip=all\n# escape=`\nRUN a `\n b\n");
    assert_eq!(d.escape(), '`');
    assert_eq!(d.instructions().len(), 1);
}

/// Parse and no edits gives back the identical bytes, for every corpus file,
/// through the library and through `dfslim fix --level 0 -`.
#[test]
fn round_trip_on_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return common::skip_without_data("corpus round trip", "../shared/corpus is absent");
    };
    let bin = assert_cmd::cargo::cargo_bin("dfslim");
    for path in common::dockerfiles(&corpus) {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(d) = Document::parse(text.clone()) else {
            continue;
        };
        assert_eq!(dfslim::edit::apply(d.text(), &[]).unwrap(), text);
        let out = std::process::Command::new(&bin)
            .args(["fix", "--level", "0", "-"])
            .stdin(std::fs::File::open(&path).unwrap())
            .output()
            .unwrap();
        // A file BuildKit's build would reject (an unknown instruction) is an
        // error, and still comes back unchanged.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success()
                || (out.status.code() == Some(2) && stderr.contains("unknown instruction")),
            "{}: {stderr}",
            path.display()
        );
        assert_eq!(out.stdout, text.as_bytes(), "{}", path.display());
    }
}
