//! Walking each stage in order: the variables and working directory at
//! every instruction, what it copies from where, what it installs, what it
//! runs, and which stages feed which.

use super::base::{self, BaseImage, Family, Libc};
use super::commands::CommandLine;
use super::env::{Env, Value, join_path};
use crate::catalog;
use crate::syntax::{Args, Command, Document, Instruction, Keyword};

/// Where a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `FROM <earlier stage>`.
    Stage(usize),
    Image(BaseImage),
    /// The image reference could not be read (a variable only the build knows).
    Unknown(String),
}

/// Where a COPY or ADD takes its files from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Context,
    Stage(usize),
    Image(String),
    /// Heredoc or URL content.
    Inline,
}

/// A COPY or ADD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub ins: usize,
    pub source: Source,
    /// Source paths, variables expanded where possible (for a stage: absolute).
    pub sources: Vec<String>,
    /// Resolved absolute destination, when known.
    pub dest: Option<String>,
    /// The destination is a directory (ends with `/` or several sources).
    pub dest_is_dir: bool,
}

impl Copy {
    /// The paths this copy puts in the image. A directory source lands as
    /// its contents (so at the destination itself); `src_is_dir` tells
    /// which sources are directories.
    pub fn landing(&self, src_is_dir: impl Fn(&str) -> bool) -> Vec<String> {
        let Some(dest) = &self.dest else {
            return Vec::new();
        };
        self.sources
            .iter()
            .map(|src| {
                if src.ends_with('/') || src_is_dir(src) {
                    dest.clone()
                } else if self.dest_is_dir || dest == "/" {
                    let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
                    join_path(dest, name)
                } else {
                    dest.clone()
                }
            })
            .collect()
    }
}

/// A package install in a RUN: `apk add`, `apt-get install`, `yum install`...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Install {
    pub ins: usize,
    pub manager: String,
    pub packages: Vec<String>,
}

/// A CMD or ENTRYPOINT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    pub ins: usize,
    pub entrypoint: bool,
    /// The argv when it is fixed: the exec form, or a simple shell form.
    pub argv: Option<Vec<String>>,
    /// Written in shell form (runs `/bin/sh -c`).
    pub shell_form: bool,
}

/// What is true at one instruction of a stage.
#[derive(Clone, Debug, Default)]
pub struct At {
    /// The working directory, resolved; `None` when it depends on a build-time value.
    pub workdir: Option<String>,
    pub env: Env,
}

/// Everything known about one stage.
#[derive(Clone, Debug)]
pub struct StageFacts {
    pub index: usize,
    pub base: Base,
    /// The family and C library, following `FROM <stage>` chains.
    pub family: Family,
    pub libc: Libc,
    /// State before each instruction of the stage (its FROM first).
    pub at: Vec<At>,
    /// State after the last instruction.
    pub end: At,
    pub copies: Vec<Copy>,
    pub installs: Vec<Install>,
    /// RUN instruction indices.
    pub runs: Vec<usize>,
    /// The effective CMD and ENTRYPOINT (the last of each).
    pub cmd: Option<Process>,
    pub entrypoint: Option<Process>,
    /// USER instruction indices.
    pub users: Vec<usize>,
    /// HEALTHCHECK instruction indices.
    pub healthchecks: Vec<usize>,
    /// Stages that copy from this one or start from it.
    pub used_by: Vec<usize>,
}

impl StageFacts {
    /// The state before instruction `ins` (a document index in this stage).
    pub fn at(&self, doc: &Document, ins: usize) -> &At {
        let from = doc.stages()[self.index].from;
        self.at.get(ins - from).unwrap_or(&self.end)
    }
}

/// Walks every stage of `doc`, the global ARGs first.
pub fn walk(doc: &Document, lines: &[Vec<CommandLine>]) -> Vec<StageFacts> {
    let escape = doc.escape();
    let mut globals = Env::default();
    let first = doc
        .stages()
        .first()
        .map_or(doc.instructions().len(), |s| s.from);
    for ins in &doc.instructions()[..first] {
        for a in ins.arg_decls() {
            let v = match &a.default {
                Some(d) => globals
                    .expand(&d.text, escape)
                    .map_or(Value::Unknown, Value::Known),
                None => Value::Unknown,
            };
            globals.set(&a.name.text, v);
        }
    }
    let mut out: Vec<StageFacts> = Vec::new();
    for stage in doc.stages() {
        let from_ins = &doc.instructions()[stage.from];
        let (base, mut env, mut workdir, family, libc) = match stage.image.as_ref() {
            Some(img) => {
                if let Some(s) = doc
                    .stage_named(&img.text, stage.index)
                    .or_else(|| {
                        let name = stage_name_expanded(&img.text, &globals, escape)?;
                        doc.stage_named(&name, stage.index)
                    })
                    .filter(|_| !img.is_scratch())
                {
                    let p = &out[s.index];
                    (
                        Base::Stage(s.index),
                        p.end.env.clone(),
                        p.end.workdir.clone(),
                        p.family,
                        p.libc,
                    )
                } else {
                    let tag = img.tag().and_then(|t| globals.expand(t, escape));
                    let b = base::classify(img, tag);
                    let (env, wd) = image_env(&b);
                    let (f, l) = (b.family, b.libc);
                    (Base::Image(b), env, wd, f, l)
                }
            }
            None => (
                Base::Unknown(from_ins.args_span.of(doc.text()).to_string()),
                Env::default(),
                Some("/".to_string()),
                Family::Other,
                Libc::Unknown,
            ),
        };
        let mut f = StageFacts {
            index: stage.index,
            base,
            family,
            libc,
            at: Vec::new(),
            end: At::default(),
            copies: Vec::new(),
            installs: Vec::new(),
            runs: Vec::new(),
            cmd: None,
            entrypoint: None,
            users: Vec::new(),
            healthchecks: Vec::new(),
            used_by: Vec::new(),
        };
        for i in stage.range() {
            let ins = &doc.instructions()[i];
            f.at.push(At {
                workdir: workdir.clone(),
                env: env.clone(),
            });
            step(
                doc,
                i,
                ins,
                &lines[i],
                &globals,
                &mut env,
                &mut workdir,
                &mut f,
            );
        }
        f.end = At { workdir, env };
        out.push(f);
    }
    // Who feeds whom.
    for i in 0..out.len() {
        let mut feeders: Vec<usize> = out[i]
            .copies
            .iter()
            .filter_map(|c| match c.source {
                Source::Stage(s) => Some(s),
                _ => None,
            })
            .collect();
        if let Base::Stage(s) = out[i].base {
            feeders.push(s);
        }
        for s in feeders {
            if !out[s].used_by.contains(&i) {
                out[s].used_by.push(i);
            }
        }
    }
    out
}

/// BuildKit's automatic platform ARGs, in the global scope of every
/// Dockerfile, as for a linux/amd64 build on a linux/amd64 machine.
pub const PLATFORM_ARGS: [(&str, &str); 8] = [
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
];

/// The stage name a `FROM` with variables names: `binaries-$TARGETOS` ->
/// `binaries-linux`, `${BASE}` -> the global ARG's default. BuildKit expands
/// the name with the global ARGs (and its automatic platform ARGs) before it
/// looks for a stage of that name. The platform ARGs are read as linux/amd64:
/// dfslim's runtimes (scratch, distroless, alpine, debian) are Linux images,
/// and a stage picked by architecture (`bin-$TARGETARCH`) is the amd64 one.
/// A name that reads a global ARG without a default stays unresolved.
pub fn stage_name_expanded(text: &str, globals: &Env, escape: char) -> Option<String> {
    if !text.contains('$') {
        return None;
    }
    let mut env = globals.clone();
    for (k, v) in PLATFORM_ARGS {
        // Declared in the global scope without a default, they still get
        // BuildKit's value.
        if !matches!(env.get(k), Some(Value::Known(_))) {
            env.set(k, Value::Known(v.to_string()));
        }
    }
    env.expand_strict(text, escape).filter(|n| !n.is_empty())
}

/// A stage's base named by a global ARG whose default is an image:
/// `ARG APP_IMAGE=ubuntu:latest` ... `FROM $APP_IMAGE`.
#[derive(Clone, Debug)]
pub struct ImageArg {
    /// The ARG instruction.
    pub ins: usize,
    pub name: String,
    /// The default as written (its span is in the document).
    pub default: crate::syntax::Word,
    /// The default read as an image reference.
    pub image: crate::syntax::ImageRef,
}

/// The global ARG a stage's FROM is made of, when the FROM's image is that
/// one variable (`$X` or `${X}`), X is declared once, before the first FROM,
/// with a plain default (no variables, quotes or escapes), and nothing else
/// in the file reads X. Then the default is the image a build gets unless it
/// passes `--build-arg X=...`, and changing the default changes that FROM
/// only.
pub fn image_arg(doc: &Document, stage: usize) -> Option<ImageArg> {
    let st = doc.stages().get(stage)?;
    let img = st.image.as_ref()?;
    let escape = doc.escape();
    let refs = crate::syntax::var_refs(&img.text, escape);
    let [r] = refs.as_slice() else {
        return None;
    };
    if r.start != 0 || r.end != img.text.len() || !r.modifier.is_empty() {
        return None;
    }
    let first = doc.stages().first()?.from;
    let mut decl: Option<(usize, crate::syntax::Word)> = None;
    let mut uses = 0;
    for (i, ins) in doc.instructions().iter().enumerate() {
        for a in ins.arg_decls() {
            if a.name.text == r.name {
                if decl.is_some() || i > first {
                    return None;
                }
                decl = Some((i, a.default.clone()?));
            }
            if let Some(d) = &a.default {
                uses += crate::syntax::var_refs(&d.text, escape)
                    .iter()
                    .filter(|v| v.name == r.name)
                    .count();
            }
        }
        if ins.keyword != Keyword::Arg {
            uses += crate::syntax::var_refs(ins.args_span.of(doc.text()), escape)
                .iter()
                .filter(|v| v.name == r.name)
                .count();
        }
    }
    let (ins, default) = decl?;
    let plain = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b))
    };
    if uses != 1 || !plain(&default.text) {
        return None;
    }
    let image = crate::syntax::ImageRef::parse(&default, &doc.instructions()[ins].logical);
    Some(ImageArg {
        ins,
        name: r.name.clone(),
        default,
        image,
    })
}

/// What a base image sets: the golang image's GOPATH, PATH and WORKDIR /go.
fn image_env(b: &BaseImage) -> (Env, Option<String>) {
    let mut env = Env::default();
    if b.family == Family::Golang {
        let mut workdir = "/go".to_string();
        for (k, v) in &catalog::tables().images.golang_env {
            if k == "GOLANG_WORKDIR" {
                workdir = v.clone();
            } else {
                env.set(k, Value::Known(v.clone()));
            }
        }
        return (env, Some(workdir));
    }
    if b.family == Family::Rust {
        for (k, v) in &catalog::tables().rust.image_env {
            env.set(k, Value::Known(v.clone()));
        }
    }
    if b.family == Family::Python {
        // The python image sets PATH (`/usr/local/bin:$PATH`): a builder's
        // `ENV PATH="/venv/bin:$PATH"` must stay as written, not lose the base.
        env.set("PATH", Value::Unknown);
    }
    (env, Some("/".to_string()))
}

#[allow(clippy::too_many_arguments)]
fn step(
    doc: &Document,
    i: usize,
    ins: &Instruction,
    lines: &[CommandLine],
    globals: &Env,
    env: &mut Env,
    workdir: &mut Option<String>,
    f: &mut StageFacts,
) {
    let escape = doc.escape();
    match ins.keyword {
        Keyword::Arg => {
            for a in ins.arg_decls() {
                // An ENV of the same name wins over the ARG.
                if env.is_set(&a.name.text)
                    && !matches!(env.get(&a.name.text), Some(Value::Unknown))
                    && a.default.is_none()
                {
                    continue;
                }
                let v = match &a.default {
                    Some(d) => env
                        .expand(&d.text, escape)
                        .map_or(Value::Unknown, Value::Known),
                    None => globals.get(&a.name.text).cloned().unwrap_or(Value::Unknown),
                };
                env.set(&a.name.text, v);
            }
        }
        Keyword::Env => {
            // All pairs of one ENV see the values from before it.
            let before = env.clone();
            for p in ins.pairs() {
                let v = before
                    .expand(&p.value.text, escape)
                    .map_or(Value::Unknown, Value::Known);
                env.set(&p.key.text, v);
            }
        }
        Keyword::Workdir => {
            if let (Some(w), Some(arg)) = (workdir.as_ref(), ins.text_arg()) {
                *workdir = env.expand(&arg.text, escape).map(|p| join_path(w, &p));
            }
        }
        Keyword::Copy | Keyword::Add => f.copies.push(copy(doc, i, ins, env, workdir.as_deref())),
        Keyword::Run => {
            f.runs.push(i);
            for l in lines {
                if let Some(inst) = install(i, l) {
                    f.installs.push(inst);
                }
            }
        }
        Keyword::Cmd | Keyword::Entrypoint => {
            let p = process(i, ins);
            if ins.keyword == Keyword::Cmd {
                f.cmd = Some(p);
            } else {
                f.entrypoint = Some(p);
                // An ENTRYPOINT resets an inherited CMD; one in this stage stays.
            }
        }
        Keyword::User => f.users.push(i),
        Keyword::Healthcheck => f.healthchecks.push(i),
        _ => {}
    }
}

fn copy(doc: &Document, i: usize, ins: &Instruction, env: &Env, workdir: Option<&str>) -> Copy {
    let escape = doc.escape();
    let from = ins.flag("from").and_then(|f| f.value().map(str::to_string));
    let stage_index = doc.stage_of(i).map_or(0, |s| s.index);
    let mut source = match &from {
        None => Source::Context,
        Some(name) => match doc.stage_named(name, stage_index) {
            Some(s) => Source::Stage(s.index),
            None => Source::Image(name.clone()),
        },
    };
    let mut words: Vec<String> = match &ins.args {
        Args::List(items) => items.iter().map(|j| j.value.clone()).collect(),
        Args::Words(w) => w.iter().map(|w| w.text.clone()).collect(),
        _ => Vec::new(),
    };
    let dest_raw = words.pop();
    if !ins.heredocs.is_empty() {
        source = Source::Inline;
    }
    let sources: Vec<String> = words
        .iter()
        .filter(|w| !w.starts_with("<<"))
        .map(|w| {
            let v = env.expand(w, escape).unwrap_or_else(|| w.clone());
            if v.contains("://") && ins.keyword == Keyword::Add {
                source = Source::Inline;
            }
            match source {
                Source::Stage(_) | Source::Image(_) => join_path("/", &v),
                _ => v,
            }
        })
        .collect();
    // `.` is the working directory, which WORKDIR made: a directory.
    let dest_is_dir = dest_raw
        .as_ref()
        .is_some_and(|d| d.ends_with('/') || d == "." || d.ends_with("/."))
        || sources.len() > 1;
    let dest = dest_raw
        .and_then(|d| env.expand(&d, escape))
        .and_then(|d| workdir.map(|w| join_path(w, &d)));
    Copy {
        ins: i,
        source,
        sources,
        dest,
        dest_is_dir,
    }
}

fn install(i: usize, line: &CommandLine) -> Option<Install> {
    let words: Vec<&str> = line.args.iter().map(|a| a.value.as_str()).collect();
    let (manager, rest) = match words.as_slice() {
        ["apk", "add", rest @ ..] => ("apk", rest),
        ["apt-get" | "apt" | "aptitude", rest @ ..] => {
            let at = rest.iter().position(|w| *w == "install")?;
            ("apt", &rest[at + 1..])
        }
        ["yum" | "dnf" | "microdnf" | "tdnf" | "zypper", rest @ ..] => {
            let at = rest.iter().position(|w| *w == "install" || *w == "in")?;
            ("yum", &rest[at + 1..])
        }
        _ => return None,
    };
    let mut packages = Vec::new();
    let mut skip_value = false;
    for w in rest {
        if skip_value {
            skip_value = false;
            continue;
        }
        if w.starts_with('-') {
            // Options with a separate value.
            skip_value = matches!(
                *w,
                "-t" | "--target-release" | "--repository" | "-X" | "--virtual" | "-t="
            );
            continue;
        }
        let name = w.split(['=', '<', '>', '~']).next().unwrap_or(w);
        if !name.is_empty() {
            packages.push(name.to_string());
        }
    }
    Some(Install {
        ins: i,
        manager: manager.to_string(),
        packages,
    })
}

fn process(i: usize, ins: &Instruction) -> Process {
    let entrypoint = ins.keyword == Keyword::Entrypoint;
    match ins.command() {
        Some(Command::Exec(items)) => Process {
            ins: i,
            entrypoint,
            argv: Some(items.iter().map(|j| j.value.clone()).collect()),
            shell_form: false,
        },
        Some(Command::Shell(w)) => {
            let script = super::shell::parse(&w.text);
            let simple = !script.uses_shell_features
                && script.commands.len() == 1
                && script.commands[0].assignments.is_empty()
                && script.commands[0]
                    .words
                    .iter()
                    .all(|w| !w.dynamic && !w.glob);
            Process {
                ins: i,
                entrypoint,
                argv: simple.then(|| {
                    script.commands[0]
                        .words
                        .iter()
                        .map(|w| w.value.clone())
                        .collect()
                }),
                shell_form: true,
            }
        }
        None => Process {
            ins: i,
            entrypoint,
            argv: Some(Vec::new()),
            shell_form: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Facts;

    fn base_of_last(text: &str) -> Base {
        let doc = Document::parse(text).unwrap();
        let facts = Facts::of(&doc, None);
        facts.stages.last().unwrap().base.clone()
    }

    #[test]
    fn a_stage_named_with_platform_args_is_that_stage() {
        let text = "FROM scratch AS bin-unix\nFROM bin-unix AS bin-linux\nFROM scratch AS bin-windows\nFROM bin-$TARGETOS AS bin\nFROM bin\n";
        let doc = Document::parse(text).unwrap();
        let facts = Facts::of(&doc, None);
        assert_eq!(
            facts.stages[3].base,
            Base::Stage(1),
            "linux, as BuildKit on linux/amd64"
        );
        assert_eq!(facts.stages[4].base, Base::Stage(3));
        assert_eq!(facts.stages[1].used_by, vec![3]);
        assert_eq!(
            base_of_last(
                "FROM scratch AS out-amd64\nFROM scratch AS out-arm64\nFROM out-${TARGETARCH}\n"
            ),
            Base::Stage(0)
        );
        // A global ARG's default names the stage; without a default it stays unknown.
        assert_eq!(
            base_of_last("ARG FLAVOR=small\nFROM scratch AS img-small\nFROM img-$FLAVOR\n"),
            Base::Stage(0)
        );
        assert!(matches!(
            base_of_last("ARG FLAVOR\nFROM scratch AS img-small\nFROM img-$FLAVOR\n"),
            Base::Image(_)
        ));
        // An undeclared variable is not guessed to be empty.
        assert!(matches!(
            base_of_last("FROM scratch AS img-\nFROM img-$NOPE\n"),
            Base::Image(_)
        ));
    }

    #[test]
    fn image_arg_is_a_global_default_read_only_by_that_from() {
        let text = "ARG APP_IMAGE=ubuntu:latest\nFROM golang:1.22-alpine AS build\nRUN go build -o /app .\nFROM $APP_IMAGE\nCOPY --from=build /app /app\nCMD [\"/app\"]\n";
        let doc = Document::parse(text).unwrap();
        let a = image_arg(&doc, 1).expect("read");
        assert_eq!(a.name, "APP_IMAGE");
        assert_eq!(a.ins, 0);
        assert_eq!(a.default.span.of(doc.text()), "ubuntu:latest");
        assert_eq!(a.image.repository(), "ubuntu");
        assert_eq!(a.image.tag.as_ref().unwrap().text, "latest");
        let braces = text.replace("FROM $APP_IMAGE", "FROM ${APP_IMAGE}");
        assert!(image_arg(&Document::parse(braces).unwrap(), 1).is_some());
        for other in [
            // read elsewhere too
            text.replace("CMD", "LABEL base=$APP_IMAGE\nCMD"),
            text.replace("FROM golang:1.22-alpine", "FROM $APP_IMAGE"),
            // declared again in a stage
            text.replace("COPY", "ARG APP_IMAGE\nCOPY"),
            // no default, a default made of variables, a modifier, more than the variable
            text.replace("=ubuntu:latest", ""),
            text.replace("=ubuntu:latest", "=ubuntu:${V}"),
            text.replace("FROM $APP_IMAGE", "FROM ${APP_IMAGE:-alpine}"),
            text.replace("FROM $APP_IMAGE", "FROM ${APP_IMAGE}-slim"),
        ] {
            assert!(
                image_arg(&Document::parse(other.as_str()).unwrap(), 1).is_none(),
                "{other}"
            );
        }
    }
}
