//! The instructions the runtime stage takes from the builder: what the
//! running container needs (EXPOSE, USER, ENTRYPOINT, CMD...), the ENV the
//! program reads (the ecosystem says which keys are toolchain settings
//! only), and the ARGs those refer to.

use crate::analysis::StageFacts;
use crate::analysis::env::Env;
use crate::analysis::env::Value;
use crate::syntax::{Document, Instruction, Keyword, Pair};
use crate::transforms::Cx;
use crate::transforms::text::{kw, lines_with_comments};

/// Lines for the runtime stage, and the builder instructions that move.
pub struct Carried {
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// EXPOSE, LABEL, USER... in their original order.
    pub tail: Vec<String>,
    /// Instructions deleted from the builder (they now live in the runtime).
    pub moved: Vec<usize>,
}

/// What the runtime stage takes from the builder's instructions: ENV
/// pairs whose key `toolchain_only` says nothing to the program stay
/// behind, and `rewrite` may give new text for an instruction that moves
/// (the command the runtime runs).
pub fn carried_instructions(
    cx: &Cx,
    rt: &StageFacts,
    toolchain_only: &dyn Fn(&str) -> bool,
    rewrite: &dyn Fn(usize, &Instruction) -> Option<String>,
) -> Carried {
    let doc = cx.doc;
    let stage = &doc.stages()[rt.index];
    let last_run = rt.runs.last().copied().unwrap_or(stage.from);
    let mut c = Carried {
        args: Vec::new(),
        env: Vec::new(),
        tail: Vec::new(),
        moved: Vec::new(),
    };
    for i in stage.from + 1..stage.end {
        let ins = &doc.instructions()[i];
        let text = verbatim(doc, ins);
        match ins.keyword {
            Keyword::Env => {
                let at = rt.at(doc, i);
                let kept: Vec<&Pair> = ins
                    .pairs()
                    .iter()
                    .filter(|p| !toolchain_only(&p.key.text))
                    .collect();
                let resolved: Vec<Option<String>> = kept
                    .iter()
                    .map(|p| resolved_pair(doc, ins, p, &at.env))
                    .collect();
                if kept.is_empty() {
                    continue;
                }
                if kept.len() == ins.pairs().len() && resolved.iter().all(Option::is_none) {
                    c.env.push(text); // as written, old `KEY value` form included
                } else {
                    let parts: Vec<String> = kept
                        .iter()
                        .zip(resolved)
                        .map(|(p, r)| {
                            r.unwrap_or_else(|| format!("{}={}", p.key.text, p.value.text))
                        })
                        .collect();
                    c.env
                        .push(format!("{} {}", kw(doc, "ENV"), parts.join(" ")));
                }
            }
            k if crate::transforms::for_the_container(k) => {
                let t = rewrite(i, ins).unwrap_or(text);
                c.tail.push(with_comments(doc, ins, t));
                c.moved.push(i);
            }
            // Before a RUN they shape the build too: copied, not moved.
            Keyword::User | Keyword::Volume if i > last_run => {
                c.tail.push(with_comments(doc, ins, text));
                c.moved.push(i);
            }
            Keyword::User | Keyword::Volume => c.tail.push(text),
            _ => {}
        }
    }
    // ARGs the carried text refers to come along (only the builder declared them).
    for i in stage.from + 1..stage.end {
        let ins = &doc.instructions()[i];
        let names: Vec<&str> = ins
            .arg_decls()
            .iter()
            .map(|a| a.name.text.as_str())
            .collect();
        if !names.is_empty()
            && c.env
                .iter()
                .chain(&c.tail)
                .any(|t| names.iter().any(|n| uses_var(t, n)))
        {
            c.args.push(verbatim(doc, ins));
        }
    }
    c
}

/// The instruction's lines as written (continuations kept), without comments above.
fn verbatim(doc: &Document, ins: &Instruction) -> String {
    let text = &doc.text()[doc.line_start(ins.start_line)..doc.line_end(ins.end_line)];
    text.trim_start_matches([' ', '\t'])
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

/// `text` (an instruction rewritten or as written) with the comment lines
/// directly above the instruction in front of it.
fn with_comments(doc: &Document, ins: &Instruction, text: String) -> String {
    let span = lines_with_comments(doc, ins);
    let comments = &doc.text()[span.start..doc.line_start(ins.start_line)];
    let nl = doc.newline();
    let lines: Vec<&str> = comments
        .lines()
        .map(|l| l.trim_start_matches([' ', '\t']))
        .collect();
    let mut out = String::new();
    for l in lines {
        out.push_str(l.trim_end_matches('\r'));
        out.push_str(nl);
    }
    out + &text
}

fn uses_var(text: &str, name: &str) -> bool {
    crate::syntax::var_refs(text, '\\')
        .iter()
        .any(|r| r.name == name)
}

/// An ENV pair that refers to variables only the builder has ($GOPATH...),
/// written with its value resolved; `None` when it can stay as written.
fn resolved_pair(doc: &Document, ins: &Instruction, p: &Pair, env: &Env) -> Option<String> {
    let refs = crate::syntax::var_refs(&p.value.text, doc.escape());
    let builder_only = refs.iter().any(|r| {
        matches!(env.get(&r.name), Some(Value::Known(_))) && !is_declared_arg(doc, ins, &r.name)
    });
    let plain_key = p
        .key
        .text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if !builder_only || !plain_key {
        return None;
    }
    let v = env.expand(&p.value.text, doc.escape())?;
    Some(format!("{}={}", p.key.text, quote(&v)))
}

fn is_declared_arg(doc: &Document, ins: &Instruction, name: &str) -> bool {
    let Some(stage) = doc.stages().iter().find(|s| {
        s.range().contains(
            &doc.instructions()
                .iter()
                .position(|i| std::ptr::eq(i, ins))
                .unwrap_or(0),
        )
    }) else {
        return false;
    };
    doc.instructions()[stage.range()]
        .iter()
        .any(|i| i.arg_decls().iter().any(|a| a.name.text == name))
}

fn quote(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:,@+%=".contains(&b))
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
