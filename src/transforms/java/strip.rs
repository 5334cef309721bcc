//! `java-strip` (level 5): the jlink runtime without debug information.
//!
//! **What**: every `jlink` command in a stage that feeds the image (the one
//! `java-jlink` wrote, or the user's own) gets `--strip-debug` (or
//! `--strip-java-debug-attributes` where the image has no objcopy, which
//! `--strip-debug` runs for native libraries since JDK 13: openjdk's slim
//! images), and `--no-header-files --no-man-pages` when missing.
//!
//! **Why**: the class files' debug attributes (line numbers, local
//! variables) are a tenth of the modules: 85.7 -> 79.0 MB here. Stack
//! traces then show no line numbers. `--compress` is not added: it shrank
//! the image by 11.6 MB more, but the compressed layers a registry stores
//! and pulls grew (28.9 -> 31.8 MB gzipped: zipped modules do not compress
//! again), and every start pays for inflating them.
//!
//! **Refuses**: never; not applicable without a jlink runtime (a JRE or
//! distroless java has nothing dfslim strips) or when it is stripped.
//!
//! **Example**: `jlink ... --no-header-files --no-man-pages --output /opt/jre`
//! -> `jlink ... --no-header-files --no-man-pages --strip-debug --output /opt/jre`.

use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::text::listing;
use crate::transforms::{Cx, Outcome, Transform};

pub struct JavaStrip;

impl Transform for JavaStrip {
    fn id(&self) -> &'static str {
        "java-strip"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let (doc, facts) = (cx.doc, cx.facts);
        let java = cx.java();
        let Some(rt) = facts.runtime() else {
            return Outcome::not_applicable("no stages");
        };
        let mut edits = Vec::new();
        let mut said = Vec::new();
        let mut found = false;
        for s in facts.feeders(rt.index) {
            if facts.frozen(s).is_some() {
                continue;
            }
            let st = &facts.stages[s];
            let objcopy = java.image[s].as_ref().is_some_and(|i| i.has_objcopy())
                || st
                    .installs
                    .iter()
                    .any(|i| i.packages.iter().any(|p| p == "binutils"));
            for &r in &st.runs {
                let ins = &doc.instructions()[r];
                for line in facts.lines(r) {
                    if line.name != "jlink" {
                        continue;
                    }
                    found = true;
                    let has = |f: &str| line.args.iter().any(|a| a.value == f);
                    let mut add = Vec::new();
                    if !(has("--strip-debug") || has("-G") || has("--strip-java-debug-attributes"))
                    {
                        add.push(if objcopy {
                            "--strip-debug"
                        } else {
                            "--strip-java-debug-attributes"
                        });
                    }
                    for f in ["--no-header-files", "--no-man-pages"] {
                        if !has(f) {
                            add.push(f);
                        }
                    }
                    if add.is_empty() {
                        continue;
                    }
                    let Some(last) = line.args.last() else {
                        continue;
                    };
                    let out = line
                        .args
                        .iter()
                        .find(|a| a.value == "--output" || a.value.starts_with("--output="));
                    match out {
                        Some(o) => {
                            edits.push(Edit::insert(o.span.start, format!("{} ", add.join(" "))))
                        }
                        None => {
                            edits.push(Edit::insert(last.span.end, format!(" {}", add.join(" "))))
                        }
                    }
                    let why = if add.contains(&"--strip-java-debug-attributes") {
                        " (the image has no objcopy for --strip-debug)"
                    } else {
                        ""
                    };
                    said.push(format!("{} on {}{why}", add.join(" "), Loc::of(ins)));
                }
            }
        }
        if edits.is_empty() {
            return Outcome::not_applicable(if found {
                "the jlink runtime is stripped already"
            } else {
                "no jlink runtime to strip (a JRE or distroless java image is used as it is)"
            });
        }
        Outcome::apply(
            edits,
            format!("jlink strips debug information: {}", listing(&said, "; ")),
        )
    }
}
