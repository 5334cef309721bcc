//! `multi-stage` (level 2): a builder stage and a runtime stage that gets
//! only the binary.
//!
//! **What**: when the image's stage builds Go, it becomes the builder (named
//! `builder`, or keeping its name) and a new last stage `FROM alpine:<tag>`
//! receives the binary with `COPY --from=builder`, at the same path. What
//! the running container needs follows it: EXPOSE, USER, VOLUME, LABEL,
//! STOPSIGNAL, HEALTHCHECK, ONBUILD, ENTRYPOINT and CMD move; ENV (but not Go
//! toolchain settings) and the ARGs they use are carried; the working
//! directory is recreated with its resolved path; /etc/passwd when USER names
//! a user the builder created; the zone database when tzdata was installed;
//! data files the build copied in (and, from the build context, directories
//! such as templates/ and static/ that the program reads at run time).
//!
//! **Why**: the image then holds a binary and a 5 MB base instead of the
//! toolchain, sources and caches (seed: 700 MB -> 30 MB).
//!
//! **Refuses** when the runtime would lack something: packages installed for
//! run time, a command that is not the built binary, no CMD at all, a binary
//! path it cannot know, a glibc binary with cgo on (alpine is musl).
//!
//! **Example**: see `dfslim explain multi-stage`.

use super::text::{json_array, kw, lines_with_comments};
use super::{Cx, Outcome, Transform, goflags};
use crate::analysis::env::{Value, join_path};
use crate::analysis::stages::{Process, Source};
use crate::analysis::{Cgo, Libc, Output};
use crate::catalog;
use crate::edit::Edit;
use crate::syntax::{Document, Instruction, Keyword, Span};

pub struct MultiStage;

impl Transform for MultiStage {
    fn id(&self) -> &'static str {
        "multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) => o,
            Err(o) => o,
        }
    }
}

/// Toolchain settings that mean nothing to the running program.
fn is_go_setting(key: &str) -> bool {
    key.starts_with("GO") || key.starts_with("CGO_")
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let s = rt.index;
    let stage = &doc.stages()[s];
    if !facts.builds_go(s) {
        let why = if doc.stages().len() > 1 {
            "already multi-stage: the image's stage does not build Go"
        } else {
            "the image does not build Go"
        };
        return Err(Outcome::not_applicable(why));
    }
    let line = |i: usize| doc.instructions()[i].start_line;

    // What the image runs, and the binary it runs.
    let proc = rt
        .entrypoint
        .as_ref()
        .filter(|p| !p.shell_form || rt.cmd.is_none())
        .or(rt.cmd.as_ref())
        .ok_or_else(|| {
            Outcome::refuse(
                "the image has no CMD or ENTRYPOINT, so dfslim cannot tell which binary it runs",
            )
        })?;
    let argv = proc.argv.as_ref().ok_or_else(|| {
        Outcome::refuse(format!(
            "the command on line {} is shell syntax that may need files of the builder",
            line(proc.ins)
        ))
    })?;
    let prog = argv.first().ok_or_else(|| {
        Outcome::refuse(format!("the command on line {} is empty", line(proc.ins)))
    })?;
    if prog.rsplit('/').next() == Some("go") {
        return Err(Outcome::refuse(format!(
            "the command on line {} runs the Go toolchain (`{}`); cmd-binary must turn it into the binary first",
            line(proc.ins),
            argv.join(" ")
        )));
    }
    let workdir = rt.at(doc, proc.ins).workdir.clone();
    let binary = binary_path(cx, prog, workdir.as_deref()).ok_or_else(|| {
        Outcome::refuse(format!(
            "the command on line {} runs {prog}, which no `go build` in this stage is known to produce",
            line(proc.ins)
        ))
    })?;

    // Paths go into COPY and shell lines as they are; refuse what would need quoting.
    let odd = [Some(binary.path.as_str()), workdir.as_deref()]
        .into_iter()
        .flatten()
        .find(|p| !is_plain_path(p, doc.escape()));
    if let Some(p) = odd {
        return Err(Outcome::refuse(format!(
            "the path {p:?} has characters (blanks, quotes, $, escapes) dfslim will not write into COPY and RUN lines"
        )));
    }
    // Would the runtime lack something the builder had?
    let tables = catalog::tables();
    let mut tz = false;
    for inst in &rt.installs {
        let runtime_pkgs: Vec<&String> = inst
            .packages
            .iter()
            .filter(|p| !tables.tools.build_only_packages.contains(p) && !is_c_package(p))
            .collect();
        if !runtime_pkgs.is_empty() {
            return Err(Outcome::refuse(format!(
                "line {} installs {} with {}, which the program may need at run time; the alpine runtime would not have them",
                line(inst.ins),
                runtime_pkgs
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                inst.manager
            )));
        }
        tz |= inst.packages.iter().any(|p| p == "tzdata");
    }
    let shipped = facts.shipped_builds();
    if rt.libc == Libc::Glibc
        && let Some(b) = shipped.iter().find(|b| !matches!(b.cgo, Cgo::Off(_)))
    {
        return Err(Outcome::refuse(format!(
            "the builder is glibc-based and cgo is not off for the build on line {}: the binary would not run on alpine (musl); apply alpine-base or cgo-off first",
            line(b.ins)
        )));
    }
    if let Some(i) = rt
        .installs
        .iter()
        .find(|i| i.packages.iter().any(|p| is_c_library(p)))
    {
        let libs: Vec<&str> = i
            .packages
            .iter()
            .filter(|p| is_c_library(p))
            .map(String::as_str)
            .collect();
        if shipped.iter().any(|b| !matches!(b.cgo, Cgo::Off(_))) {
            return Err(Outcome::refuse(format!(
                "line {} installs C libraries ({}) the binary may link against; the runtime would not have them",
                line(i.ins),
                libs.join(", ")
            )));
        }
    }

    let mut edits = Vec::new();
    let mut notes = Vec::new();

    // Name the builder.
    let from = doc.instructions()[stage.from]
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the FROM line"))?;
    let builder = match &from.alias {
        Some(a) => a.text.clone(),
        None => {
            let taken = |n: &str| {
                doc.stages()
                    .iter()
                    .any(|st| st.name_lower().as_deref() == Some(n))
            };
            let name = ["builder", "build", "go-builder"]
                .into_iter()
                .find(|n| !taken(n))
                .unwrap_or("builder")
                .to_string();
            let as_kw = if doc.instructions()[stage.from]
                .keyword_span
                .of(doc.text())
                .bytes()
                .all(|b| b.is_ascii_lowercase())
            {
                "as"
            } else {
                "AS"
            };
            edits.push(Edit::insert(
                from.image.span.end,
                format!(" {as_kw} {name}"),
            ));
            name
        }
    };

    // Unknown binary name: make the build write where the command looks.
    if let Some(e) = binary.fix_output.clone() {
        edits.push(e);
        notes.push(format!(
            "added -o {} to the build, where the command looks for it",
            binary.path
        ));
    }

    // The runtime stage.
    let from_kw = kw(doc, "FROM");
    let mut block = vec![format!("{from_kw} alpine:{}", alpine_tag(cx))];
    let mut carried = Vec::new();
    let mut moved: Vec<usize> = Vec::new();
    let last_run = rt.runs.last().copied().unwrap_or(stage.from);
    let mut arg_lines: Vec<String> = Vec::new();
    let mut env_lines: Vec<String> = Vec::new();
    let mut tail: Vec<String> = Vec::new();
    for i in stage.from + 1..stage.end {
        let ins = &doc.instructions()[i];
        let text = verbatim(doc, ins);
        match ins.keyword {
            Keyword::Env => {
                let at = rt.at(doc, i);
                let pairs: Vec<String> = ins
                    .pairs()
                    .iter()
                    .filter(|p| !is_go_setting(&p.key.text))
                    .map(|p| env_pair(doc, ins, p, &at.env))
                    .collect();
                if !pairs.is_empty() {
                    env_lines.push(format!("{} {}", kw(doc, "ENV"), pairs.join(" ")));
                }
            }
            Keyword::Expose
            | Keyword::Label
            | Keyword::StopSignal
            | Keyword::Healthcheck
            | Keyword::OnBuild
            | Keyword::Cmd
            | Keyword::Entrypoint => {
                let t = if i == proc.ins {
                    binary.rewrite_command(doc, ins, proc).unwrap_or(text)
                } else {
                    text
                };
                tail.push(with_comments(doc, ins, t));
                moved.push(i);
            }
            Keyword::User | Keyword::Volume => {
                if i > last_run {
                    tail.push(with_comments(doc, ins, text));
                    moved.push(i);
                } else {
                    tail.push(text);
                }
            }
            _ => {}
        }
    }
    // ARGs the carried text refers to come along (only the builder declared them).
    for i in stage.from + 1..stage.end {
        let ins = &doc.instructions()[i];
        if ins.keyword == Keyword::Arg {
            let names: Vec<&str> = ins
                .arg_decls()
                .iter()
                .map(|a| a.name.text.as_str())
                .collect();
            let used = env_lines
                .iter()
                .chain(&tail)
                .any(|t| names.iter().any(|n| uses_var(t, n)));
            if used {
                arg_lines.push(verbatim(doc, ins));
            }
        }
    }
    block.extend(arg_lines);
    block.extend(env_lines);
    let explicit_workdir =
        (stage.from + 1..stage.end).any(|i| doc.instructions()[i].keyword == Keyword::Workdir);
    if let Some(w) = workdir.as_deref().filter(|w| explicit_workdir && *w != "/") {
        block.push(format!("{} {w}", kw(doc, "WORKDIR")));
    }
    let copy = |src: &str, dst: &str| format!("{} --from={builder} {src} {dst}", kw(doc, "COPY"));
    if needs_passwd(cx, s) {
        block.push(copy("/etc/passwd", "/etc/passwd"));
        block.push(copy("/etc/group", "/etc/group"));
        carried
            .push("/etc/passwd and /etc/group (USER names a user the builder created)".to_string());
    }
    if tz {
        block.push(copy("/usr/share/zoneinfo", "/usr/share/zoneinfo"));
        carried.push("the zone database (tzdata was installed)".to_string());
    } else if let Some(why) = &facts.program.zones {
        // alpine and scratch have no zone database: put it in the binary.
        let tz_edits = goflags::embed_tzdata(doc, &shipped).map_err(Outcome::refuse)?;
        edits.extend(tz_edits);
        notes.push(format!(
            "the program needs time zones ({why}) and alpine has no zone database: the build embeds it (-tags timetzdata)"
        ));
    }
    block.push(copy(&binary.path, &binary.path));
    let mut data = data_files(cx, s, &binary.path);
    data.extend(context_data(cx, s, &binary.path, &data));
    for (src, why) in data {
        if !is_plain_path(&src, doc.escape()) {
            return Err(Outcome::refuse(format!(
                "{src:?} ({why}) has characters dfslim will not write into a COPY line"
            )));
        }
        block.push(copy(&src, &src));
        carried.push(format!("{src} ({why})"));
    }
    block.extend(tail);

    edits.extend(relocate(doc, &moved, &block));

    if !carried.is_empty() {
        notes.push(format!(
            "also copied into the runtime: {}",
            carried.join("; ")
        ));
    }
    notes.extend(facts.program.unchecked.iter().cloned());
    Ok(Outcome::apply(
        edits,
        format!(
            "split into `{builder}` and an alpine runtime stage that gets only {}",
            binary.path
        ),
    )
    .with_notes(notes))
}

fn is_c_package(p: &str) -> bool {
    let t = catalog::tables();
    t.cgo.c_packages.iter().any(|c| c == p)
        || t.cgo
            .c_package_suffixes
            .iter()
            .any(|s| p.ends_with(s.as_str()))
}

/// A C library other than libc itself (whose -dev package means the binary may link it).
fn is_c_library(p: &str) -> bool {
    is_c_package(p) && !catalog::tables().cgo.c_packages.iter().any(|c| c == p)
}

/// The instruction's lines as written (continuations kept), without comments above.
fn verbatim(doc: &Document, ins: &Instruction) -> String {
    let text = &doc.text()[doc.line_start(ins.start_line)..doc.line_end(ins.end_line)];
    text.trim_start_matches([' ', '\t'])
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

fn uses_var(text: &str, name: &str) -> bool {
    crate::syntax::var_refs(text, '\\')
        .iter()
        .any(|r| r.name == name)
}

/// An ENV pair for the runtime: as written, unless it refers to variables
/// only the builder has ($GOPATH...), then its value resolved.
fn env_pair(
    doc: &Document,
    ins: &Instruction,
    p: &crate::syntax::Pair,
    env: &crate::analysis::env::Env,
) -> String {
    let written = if p.equals {
        format!("{}={}", p.key.text, p.value.text)
    } else {
        format!("{}={}", p.key.text, quote(&p.value.text))
    };
    let refs = crate::syntax::var_refs(&p.value.text, doc.escape());
    let builder_only = refs.iter().any(|r| {
        matches!(env.get(&r.name), Some(Value::Known(_))) && !is_declared_arg(doc, ins, &r.name)
    });
    if !builder_only {
        return written;
    }
    match env.expand(&p.value.text, doc.escape()) {
        Some(v) => format!("{}={}", p.key.text, quote(&v)),
        None => written,
    }
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

/// The alpine release for the runtime: the builder's own, else the default.
fn alpine_tag(cx: &Cx) -> String {
    let rt = cx.facts.runtime();
    let tag = rt.and_then(|r| match &r.base {
        crate::analysis::stages::Base::Image(b) => b.tag.clone(),
        _ => None,
    });
    if let Some(t) = tag
        && let Some(i) = t.find("alpine")
    {
        let v: String = t[i + 6..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if v.contains('.') {
            return v;
        }
    }
    catalog::tables().images.default_alpine.clone()
}

/// The binary the command runs.
struct Binary {
    path: String,
    /// Rewrite argv[0] to this absolute path (it relied on a relative path or PATH).
    absolute_argv0: bool,
    /// An edit adding `-o` to a build whose output name is unknown.
    fix_output: Option<Edit>,
}

impl Binary {
    fn rewrite_command(&self, doc: &Document, ins: &Instruction, p: &Process) -> Option<String> {
        if !self.absolute_argv0 || p.shell_form {
            return None;
        }
        let mut argv = p.argv.clone()?;
        argv[0] = self.path.clone();
        let kw_text = ins.keyword_span.of(doc.text());
        Some(format!("{kw_text} {}", json_array(&argv)))
    }
}

fn binary_path(cx: &Cx, prog: &str, workdir: Option<&str>) -> Option<Binary> {
    let facts = cx.facts;
    let rt = facts.runtime()?.index;
    let builds: Vec<_> = facts.builds_in(rt).collect();
    let wanted = if prog.starts_with('/') {
        Some(prog.to_string())
    } else if prog.contains('/') {
        workdir.map(|w| join_path(w, prog))
    } else {
        None
    };
    for b in builds.iter().rev() {
        match (&b.output, &wanted) {
            (Output::File(f), Some(w)) if f == w => {
                return Some(Binary {
                    path: f.clone(),
                    absolute_argv0: !prog.starts_with('/'),
                    fix_output: None,
                });
            }
            (Output::Dir(d), Some(w)) if w.starts_with(&format!("{d}/")) => {
                return Some(Binary {
                    path: w.clone(),
                    absolute_argv0: !prog.starts_with('/'),
                    fix_output: None,
                });
            }
            // A bare name found through PATH (go install puts it in $GOPATH/bin).
            (Output::File(f), None) if f.rsplit('/').next() == Some(prog) => {
                let dir = f.rsplit_once('/').map_or("", |(d, _)| d);
                let on_path = b
                    .env
                    .known("PATH")
                    .is_some_and(|p| p.split(':').any(|e| e == dir));
                if on_path {
                    return Some(Binary {
                        path: f.clone(),
                        absolute_argv0: true,
                        fix_output: None,
                    });
                }
            }
            (Output::Dir(d), None) => {
                let on_path = b
                    .env
                    .known("PATH")
                    .is_some_and(|p| p.split(':').any(|e| e == d));
                if on_path {
                    return Some(Binary {
                        path: format!("{d}/{prog}"),
                        absolute_argv0: true,
                        fix_output: None,
                    });
                }
            }
            _ => {}
        }
    }
    // One build of unknown name in the directory the command looks in: name it.
    let w = wanted?;
    let dir = w
        .rsplit_once('/')
        .map(|(d, _)| if d.is_empty() { "/" } else { d })?;
    let unknown: Vec<_> = builds
        .iter()
        .filter(|b| matches!(b.output, Output::Unknown(_)))
        .collect();
    if let [b] = unknown.as_slice()
        && b.cwd.as_deref() == Some(dir)
        && b.cmd.flag("o").is_none()
        && !b.cmd.exec_form
    {
        let at = b.cmd.verb_word.span.end;
        return Some(Binary {
            path: w.clone(),
            absolute_argv0: !prog.starts_with('/'),
            fix_output: Some(Edit::insert(at, format!(" -o {w}"))),
        });
    }
    None
}

/// True when USER names a user that the builder created with adduser/useradd.
fn needs_passwd(cx: &Cx, s: usize) -> bool {
    let doc = cx.doc;
    let st = &cx.facts.stages[s];
    let creates_user = st.runs.iter().any(|&r| {
        let t = doc.instructions()[r].args_span.of(doc.text());
        t.contains("adduser")
            || t.contains("useradd")
            || t.contains("addgroup")
            || t.contains("groupadd")
    });
    creates_user
        && st.users.iter().any(|&u| {
            let name = doc.instructions()[u]
                .text_arg()
                .map_or("", |w| w.text.as_str());
            let user = name.split(':').next().unwrap_or("");
            !user.is_empty()
                && !user.bytes().all(|b| b.is_ascii_digit())
                && user != "root"
                && user != "nobody"
        })
}

/// Go package directories by convention; copying them would only carry sources.
const SOURCE_DIRS: &[&str] = &["cmd", "internal", "pkg", "vendor"];

/// Files the build copied in besides the Go sources, which the program may
/// read at run time: their paths in the image, each with why it is carried.
fn data_files(cx: &Cx, s: usize, binary: &str) -> Vec<(String, String)> {
    let doc = cx.doc;
    let mut out: Vec<(String, String)> = Vec::new();
    let st = &cx.facts.stages[s];
    let workdir = st.end.workdir.clone().unwrap_or_default();
    for c in &st.copies {
        if c.source != Source::Context {
            continue;
        }
        let Some(dest) = &c.dest else { continue };
        for src in &c.sources {
            let name = src
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(src)
                .to_string();
            let build_input = name.ends_with(".go")
                || name.starts_with("go.")
                || name == "."
                || name.is_empty()
                || [
                    "Makefile",
                    "makefile",
                    ".git",
                    "Dockerfile",
                    ".dockerignore",
                ]
                .contains(&name.as_str())
                || name.ends_with(".sh")
                || SOURCE_DIRS.contains(&name.as_str())
                || go_only_dir(cx, src);
            if build_input {
                continue;
            }
            // A directory's contents land in the destination; a file lands
            // in it when it is a directory.
            let is_dir = src.ends_with('/')
                || cx
                    .facts
                    .context
                    .map_or(!name.contains('.'), |ctx| ctx.dir.join(src).is_dir());
            let target = if is_dir || !(c.dest_is_dir || c.sources.len() > 1) {
                dest.clone()
            } else {
                join_path(dest, &name)
            };
            // Never the whole working directory or the binary's own place.
            if target == binary
                || binary.starts_with(&format!("{target}/"))
                || target == workdir
                || target == "/"
            {
                continue;
            }
            let line = doc.instructions()[c.ins].start_line;
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, format!("copied in on line {line}")));
            }
        }
    }
    out
}

/// True when the context shows `src` is a directory of Go code only.
fn go_only_dir(cx: &Cx, src: &str) -> bool {
    let Some(ctx) = cx.facts.context else {
        return false;
    };
    let dir = ctx.dir.join(src);
    if !dir.is_dir() {
        return false;
    }
    let mut any = false;
    for e in ignore::WalkBuilder::new(&dir)
        .hidden(true)
        .build()
        .flatten()
    {
        if e.file_type().is_some_and(|t| t.is_file()) {
            let n = e.file_name().to_string_lossy();
            if !(n.ends_with(".go") || n == "go.mod" || n == "go.sum") {
                return false;
            }
            any = true;
        }
    }
    any
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

/// Deletes the moved instructions and writes the runtime block after the
/// last line the builder keeps (comments included): blank lines and moved
/// instructions after it are replaced whole, so the stages end up separated
/// by exactly one blank line.
fn relocate(doc: &Document, moved: &[usize], block: &[String]) -> Vec<Edit> {
    let text = doc.text();
    let mut deleted: Vec<Span> = moved
        .iter()
        .map(|&i| tidy(doc, lines_with_comments(doc, &doc.instructions()[i])))
        .collect();
    deleted.sort();
    // The kept text ends after the last line with anything on it that is
    // not being moved.
    let last_line = doc.line_col(text.len()).0;
    let keep_end = (1..=last_line)
        .rev()
        .find(|&l| {
            let (a, b) = (doc.line_start(l), doc.line_end(l));
            !deleted.iter().any(|s| s.start <= a && a < s.end) && !text[a..b].trim().is_empty()
        })
        .map_or(text.len(), |l| doc.line_end(l));
    let mut edits: Vec<Edit> = deleted
        .iter()
        .filter(|s| s.end <= keep_end)
        .map(|s| Edit::delete(*s))
        .collect();
    let nl = doc.newline();
    let lead = if text[..keep_end].ends_with('\n') {
        nl.to_string()
    } else {
        format!("{nl}{nl}")
    };
    let end = if text.ends_with('\n') { nl } else { "" };
    edits.push(Edit::replace(
        Span::new(keep_end, text.len()),
        format!("{lead}{}{end}", block.join(nl)),
    ));
    edits
}

/// A deletion of whole lines that would leave two blank lines in a row
/// also takes one of them.
fn tidy(doc: &Document, s: Span) -> Span {
    let text = doc.text();
    let before_blank =
        s.start == 0 || text[..s.start].trim_end_matches(['\r']).ends_with("\n\n") || {
            let prev = text[..s.start.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            text[prev..s.start].trim().is_empty()
        };
    let next_end = text[s.end..]
        .find('\n')
        .map_or(text.len(), |p| s.end + p + 1);
    let after_blank = s.end < text.len() && text[s.end..next_end].trim().is_empty();
    if before_blank && after_blank && s.start > 0 {
        Span::new(s.start, next_end)
    } else {
        s
    }
}

/// Files of the build context the program reads at run time, which the
/// original image had through `COPY . DEST`: their paths in the image.
fn context_data(
    cx: &Cx,
    s: usize,
    binary: &str,
    already: &[(String, String)],
) -> Vec<(String, String)> {
    let st = &cx.facts.stages[s];
    let Some(dest) = st.copies.iter().rev().find_map(|c| {
        (c.source == Source::Context && c.sources.iter().any(|x| x == "." || x == "./"))
            .then(|| c.dest.clone())
            .flatten()
    }) else {
        return Vec::new();
    };
    cx.facts
        .program
        .data
        .iter()
        .map(|(rel, why)| (join_path(&dest, rel), format!("read at run time: {why}")))
        .filter(|(path, _)| {
            path != binary
                && !already
                    .iter()
                    .any(|(a, _)| a == path || path.starts_with(&format!("{a}/")))
        })
        .collect()
}

/// A path that can be written into COPY, WORKDIR and shell lines as it is.
fn is_plain_path(p: &str, escape: char) -> bool {
    !p.is_empty()
        && !p.contains(escape)
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/+@:=,%~".contains(&b))
}
