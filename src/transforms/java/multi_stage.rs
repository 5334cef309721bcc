//! `java-multi-stage` (level 2): a builder stage and a JRE runtime that
//! gets only the jar.
//!
//! **What**: when the image's stage builds its jar (`mvn package`,
//! `./mvnw install`, `gradle build`, `./gradlew bootJar`...), it becomes the
//! builder (named `builder`, or keeping its name) and a new last stage on
//! `eclipse-temurin:<feature>-jre` (the builder's Java feature version;
//! `-alpine` when the builder is alpine) receives the jar with `COPY
//! --from=builder`, into the working directory: `target/app-1.0.jar` ->
//! `/app/app-1.0.jar`. The command runs it there with the user's JVM flags
//! and arguments kept (`java -Xmx256m -jar /app/app-1.0.jar`); `mvn
//! spring-boot:run` and `gradle bootRun` become `java -jar` on the jar the
//! build file says Spring Boot repackages. What the running container needs
//! moves to the runtime (EXPOSE, USER, ENV but the build tool's, CMD...), and
//! so do the files Spring Boot reads from the working directory
//! (application.properties, config/) and other files the build copied in.
//! Maven's `~/.m2`, the JDK, the sources and `target/` stay behind.
//!
//! **Why**: the image is a JRE and a jar instead of the JDK, the build tool,
//! its download cache and the sources: 539 -> 273 MB for a small service.
//!
//! **Refuses** when the jar cannot be known (a command that is not `java
//! -jar`, a glob no shell expands, `spring-boot:run` without a readable
//! pom.xml that repackages), the command is a start script or needs a shell,
//! the stage installs OS packages the app may use, Java does not come from
//! a Java image, the jar's manifest expects its libraries next to it, or
//! the shipped stage is not the last.
//!
//! **Example**: `FROM maven:3.9-eclipse-temurin-17` ... `RUN mvn package`
//! ... `CMD ["java","-jar","target/app-1.0.jar"]` -> that stage `AS
//! builder`, then `FROM eclipse-temurin:17-jre`, `WORKDIR /app`, `COPY
//! --from=builder /app/target/app-1.0.jar /app/app-1.0.jar`, `CMD
//! ["java","-jar","/app/app-1.0.jar"]`.

use super::project::{self, build_dir, context_read};
use super::runtime::words;
use super::{is_build_setting, jre_tag, official_ref};
use crate::analysis::env::join_path;
use crate::analysis::java::cmd::{JDK_TOOLS, Launch, Target, Tool, launch};
use crate::analysis::java::image::Distro;
use crate::analysis::java::started;
use crate::analysis::stages::{Base, Process, Source};
use crate::catalog;
use crate::message::Loc;
use crate::syntax::{Args, Command, Keyword};
use crate::transforms::text::{json_array, kw, listing};
use crate::transforms::{Cx, Outcome, Transform, pin, split};

pub struct JavaMultiStage;

impl Transform for JavaMultiStage {
    fn id(&self) -> &'static str {
        "java-multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// Options of `mvn spring-boot:run` / `gradle bootRun` that change nothing
/// about what runs.
fn harmless_run_option(o: &str) -> bool {
    matches!(
        o,
        "-B" | "--batch-mode"
            | "-q"
            | "--quiet"
            | "-o"
            | "--offline"
            | "-e"
            | "--errors"
            | "--no-daemon"
            | "--no-transfer-progress"
            | "-ntp"
            | "-DskipTests"
            | "-Dmaven.test.skip=true"
            | "-DskipTests=true"
    )
}

/// Build inputs: what the runtime never needs of what the build copied in.
fn build_input(name: &str) -> bool {
    matches!(
        name,
        "" | "."
            | "src"
            | "pom.xml"
            | "mvnw"
            | "mvnw.cmd"
            | ".mvn"
            | "gradlew"
            | "gradlew.bat"
            | "gradle"
            | "build.gradle"
            | "build.gradle.kts"
            | "settings.gradle"
            | "settings.gradle.kts"
            | "gradle.properties"
            | "Dockerfile"
            | ".dockerignore"
            | ".git"
            | "target"
            | "build"
            | "README.md"
            | "lombok.config"
    ) || name.ends_with(".sh")
        || name.ends_with(".md")
        || name.ends_with(".java")
        || name.ends_with(".kt")
}

/// A shell-form command that is one simple command whose only shell
/// feature is a glob (`java -jar target/*.jar`): its words, so the glob can
/// be resolved from the build file. `None` for anything else.
fn glob_argv(cx: &Cx, p: &Process) -> Option<Process> {
    if p.argv.is_some() || !p.shell_form {
        return None;
    }
    let Some(Command::Shell(w)) = cx.doc.instructions()[p.ins].command() else {
        return None;
    };
    let script = crate::analysis::shell::parse(&w.text);
    let [c] = script.commands.as_slice() else {
        return None;
    };
    let simple = !script.uses_shell_features
        && c.assignments.is_empty()
        && c.words.iter().all(|w| !w.dynamic)
        && c.words.iter().any(|w| w.glob);
    simple.then(|| Process {
        argv: Some(c.words.iter().map(|w| w.value.clone()).collect()),
        ..p.clone()
    })
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let doc = cx.doc;
    let java = cx.java();
    let rt = super::java_runtime(cx)?;
    let Some(build) = java.packaging_build(rt.index) else {
        return Err(Outcome::not_applicable(
            match java.builds_in(rt.index).next() {
                Some(b) => format!(
                    "{} runs `{}` but packages no jar (no package, install, build, bootJar...): nothing to copy into a runtime",
                    Loc::at(doc, b.ins),
                    b.program
                ),
                None if doc.stages().len() > 1 => {
                    "already split: the image's stage builds no jar".to_string()
                }
                None => "the image builds no jar (no mvn package, gradle build...)".to_string(),
            },
        ));
    };
    if rt.index + 1 != doc.stages().len() {
        return Err(Outcome::refuse(
            "the stage that ships is not the last one; dfslim only splits the last stage",
        ));
    }
    let stage = &doc.stages()[rt.index];
    let Base::Image(base) = &rt.base else {
        return Err(Outcome::refuse(
            "the stage starts from another stage or an image only the build knows",
        ));
    };
    let img = java.image[rt.index].clone().ok_or_else(|| {
        Outcome::refuse(format!(
            "Java does not come from a Java image here ({}): the runtime's Java version is unknown",
            base.repository
        ))
    })?;
    let feature = img.feature.ok_or_else(|| {
        Outcome::refuse(format!(
            "{}:{} names no Java version, and the runtime's JRE must match the builder's JDK",
            base.repository,
            base.tag.as_deref().unwrap_or("latest")
        ))
    })?;
    // OS packages the app may use at run time.
    let table = &catalog::tables().java;
    for inst in &rt.installs {
        let kept: Vec<&str> = inst
            .packages
            .iter()
            .filter(|p| {
                !table.build_only_packages.contains(p)
                    && !p.starts_with("openjdk")
                    && !p.ends_with("-dev")
            })
            .map(String::as_str)
            .collect();
        if !kept.is_empty() {
            return Err(Outcome::refuse(format!(
                "{} installs {} with {}, which the app may need at run time; the runtime would not have them",
                Loc::at(doc, inst.ins),
                listing(&kept, ", "),
                inst.manager
            )));
        }
    }

    // What the container runs, and the jar.
    let proc = started(rt).ok_or_else(|| Outcome::refuse("the image has no CMD or ENTRYPOINT"))?;
    let globbed = glob_argv(cx, proc);
    let proc = globbed.as_ref().unwrap_or(proc);
    let what = if proc.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let proc_ins = &doc.instructions()[proc.ins];
    let argv = proc.argv.clone().ok_or_else(|| {
        Outcome::refuse(format!(
            "the {what} on {} needs a shell (variables, &&): dfslim cannot tell which jar it runs",
            Loc::of(proc_ins)
        ))
    })?;
    let workdir = rt.at(doc, proc.ins).workdir.clone().ok_or_else(|| {
        Outcome::refuse(
            "the working directory depends on a build argument: the jar's path is unknown",
        )
    })?;
    let dir = build_dir(cx, rt.index, build);
    let project = dir
        .as_deref()
        .and_then(|d| project::project(cx, rt.index, d));
    let mut notes = Vec::new();
    let mut unchecked = Vec::new();
    // (the jar in the builder, the new command's words: either one word
    // replaced (index, text) or a whole new argv)
    let (jar_in_builder, new_command): (String, NewCommand) = match launch(&argv) {
        Launch::Java(jc) => {
            let prog = &argv[0];
            if prog.starts_with('/') {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs java by its path {prog}, which the JRE image has elsewhere",
                    Loc::of(proc_ins)
                )));
            }
            let Target::Jar(i) = jc.target else {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs a main class or module, not `java -jar`: dfslim cannot tell every file it needs from the builder",
                    Loc::of(proc_ins)
                )));
            };
            let jar = argv[i].clone();
            if globbed.is_some()
                && argv
                    .iter()
                    .enumerate()
                    .any(|(k, w)| k != i && w.contains(['*', '?', '[']))
            {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} has a glob besides the jar's: only a shell can tell what it runs",
                    Loc::of(proc_ins)
                )));
            }
            let path = if jar.contains(['*', '?', '[']) {
                if !proc.shell_form {
                    return Err(Outcome::refuse(format!(
                        "the {what} on {} names {jar} in exec form: no shell expands the glob, so the image does not start as it is",
                        Loc::of(proc_ins)
                    )));
                }
                // The build file says which jar the glob finds.
                let (p, d) = match (&project, &dir) {
                    (Some(p), Some(d)) => (p, d),
                    _ => {
                        return Err(Outcome::refuse(format!(
                            "the {what} on {} names {jar}, and no pom.xml or build.gradle was read to tell which jar that is; pass --context",
                            Loc::of(proc_ins)
                        )));
                    }
                };
                let a = p.artifact(&build.goals).map_err(Outcome::refuse)?;
                let full = join_path(d, &a);
                let glob_full = join_path(&workdir, &jar);
                if !crate::analysis::covers(&glob_full, &full) {
                    return Err(Outcome::refuse(format!(
                        "the {what} on {} names {jar}, and the build makes {a}, which it does not match",
                        Loc::of(proc_ins)
                    )));
                }
                full
            } else {
                join_path(&workdir, &jar)
            };
            if let (Some(p), Some(d)) = (&project, &dir)
                && let Ok(a) = p.artifact(&build.goals)
                && join_path(d, &a) != path
            {
                notes.push(format!(
                    "the {what} runs {path}; {} says the build makes {}",
                    if p.build == crate::analysis::java::context::BuildFile::Maven {
                        "pom.xml"
                    } else {
                        "the Gradle build"
                    },
                    join_path(d, &a)
                ));
            }
            (path, NewCommand::Word(i))
        }
        Launch::Run { tool, goal, extra } => {
            let shown = format!("{} {goal}", tool.name());
            if let Some(o) = extra.iter().find(|o| !harmless_run_option(o)) {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs `{shown}` with {o}, which dfslim cannot carry to a java command; write the java command yourself",
                    Loc::of(proc_ins)
                )));
            }
            if build.tool != tool {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs `{shown}`, but the build uses {}",
                    Loc::of(proc_ins),
                    build.tool.name()
                )));
            }
            let (p, d) = match (&project, &dir) {
                (Some(p), Some(d)) => (p, d),
                _ => {
                    return Err(Outcome::refuse(format!(
                        "the {what} on {} runs `{shown}`, and no {} was read to tell which jar the build makes; pass --context",
                        Loc::of(proc_ins),
                        if tool == Tool::Maven {
                            "pom.xml"
                        } else {
                            "build.gradle"
                        }
                    )));
                }
            };
            if !p.boot_repackage {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs `{shown}`, and the build in {} does not make a Spring Boot jar (no spring-boot plugin that repackages): its jar would not run alone",
                    Loc::of(proc_ins),
                    p.shown_dir()
                )));
            }
            let a = p.artifact(&build.goals).map_err(Outcome::refuse)?;
            notes.push(format!(
                "`{shown}` became `java -jar` on the jar the build makes ({a}): the app runs without {} in the image",
                if tool == Tool::Maven { "Maven" } else { "Gradle" }
            ));
            (join_path(d, &a), NewCommand::Whole)
        }
        Launch::Other => {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs `{}`, not `java -jar`: a start script or server may need files from the builder dfslim cannot see",
                Loc::of(proc_ins),
                argv.join(" ")
            )));
        }
    };
    if !split::is_plain_path(&jar_in_builder, doc.escape())
        || !split::is_plain_path(&workdir, doc.escape())
    {
        return Err(Outcome::refuse(format!(
            "the path {jar_in_builder:?} has characters dfslim will not write into a COPY line"
        )));
    }
    if let Some(c) = rt.copies.iter().find(|c| {
        c.source == Source::Context
            && c.landing(|src| src.ends_with('/') || src == ".")
                .contains(&jar_in_builder)
    }) {
        return Err(Outcome::refuse(format!(
            "{jar_in_builder} is copied in from the build context on {}, not built here: the image only runs it",
            Loc::at(doc, c.ins)
        )));
    }
    let jar_name = jar_in_builder
        .rsplit('/')
        .next()
        .unwrap_or(&jar_in_builder)
        .to_string();
    let jar_in_runtime = join_path(&workdir, &jar_name);
    if project.is_none() {
        unchecked.push(if context_read(cx) {
            "no pom.xml or build.gradle was found where the build runs: the jar's path comes from the command, not checked against the build".to_string()
        } else {
            "no build context was read: the jar's path comes from the command, not checked against pom.xml or build.gradle".to_string()
        });
    }
    // The manifest's Class-Path (maven-jar-plugin addClasspath): the
    // libraries next to the jar come along.
    let jar_dir = jar_in_builder
        .rsplit_once('/')
        .map_or("/".to_string(), |(d, _)| d.to_string());
    let mut libs = None;
    if let Some(p) = &project
        && let Some(prefix) = &p.manifest_classpath
    {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() || prefix.contains("..") || prefix.contains('$') {
            return Err(Outcome::refuse(
                "the jar's manifest lists its libraries next to it (addClasspath without a classpathPrefix dfslim can copy)",
            ));
        }
        libs = Some((join_path(&jar_dir, prefix), join_path(&workdir, prefix)));
    }
    // What the runtime runs must be there: the JRE lacks the JDK's tools and the build tool.
    for i in stage.range() {
        let ins = &doc.instructions()[i];
        if !matches!(
            ins.keyword,
            Keyword::Healthcheck | Keyword::Cmd | Keyword::Entrypoint
        ) {
            continue;
        }
        let prog = match &ins.args {
            Args::Healthcheck { cmd: Some(c), .. } => first_word(c),
            _ => ins.command().and_then(first_word),
        };
        if let Some(p) = prog {
            let name = p.rsplit('/').next().unwrap_or(&p);
            if JDK_TOOLS.contains(&name) || table.missing_on_jre.iter().any(|m| m == name) {
                return Err(Outcome::refuse(format!(
                    "the {} on {} runs `{name}`, which the JRE runtime does not have",
                    ins.keyword.as_str().unwrap_or("instruction"),
                    Loc::of(ins)
                )));
            }
        }
    }

    // The runtime.
    let tag = jre_tag(feature, img.distro == Distro::Alpine).map_err(Outcome::refuse)?;
    let from_img = stage.image.as_ref().expect("an image base");
    let runtime = pin::reference(cx, &official_ref(from_img, "eclipse-temurin", &tag), None)
        .map_err(Outcome::refuse)?;
    notes.extend(runtime.note);
    let mut edits = Vec::new();
    let (builder, name_edit) = split::name_builder(doc, stage)?;
    edits.extend(name_edit);
    let words = words(cx, proc).expect("a command with an argv has words");
    let rewrite = |i: usize, ins: &crate::syntax::Instruction| -> Option<String> {
        if i != proc.ins {
            return None;
        }
        let mut text = doc.text()[doc.line_start(ins.start_line)..doc.line_end(ins.end_line)]
            .trim_start_matches([' ', '\t'])
            .trim_end_matches(['\r', '\n'])
            .to_string();
        let base = doc.line_start(ins.start_line)
            + (doc.text()[doc.line_start(ins.start_line)..].len()
                - doc.text()[doc.line_start(ins.start_line)..]
                    .trim_start_matches([' ', '\t'])
                    .len());
        match &new_command {
            NewCommand::Word(k) => {
                let (span, _) = &words[*k];
                let quoted = if proc.shell_form {
                    jar_in_runtime.clone()
                } else {
                    format!("\"{jar_in_runtime}\"")
                };
                text.replace_range(span.start - base..span.end - base, &quoted);
            }
            NewCommand::Whole => {
                let args = ins.args_span;
                let new = json_array(&[
                    "java".to_string(),
                    "-jar".to_string(),
                    jar_in_runtime.clone(),
                ]);
                text.replace_range(args.start - base..args.end - base, &new);
            }
        }
        Some(text)
    };
    let parts = split::carried_instructions(cx, rt, &is_build_setting, &rewrite);
    let copy = |src: &str, dst: &str| format!("{} --from={builder} {src} {dst}", kw(doc, "COPY"));
    let mut block = vec![format!("{} {}", kw(doc, "FROM"), runtime.text)];
    block.extend(parts.args);
    block.extend(parts.env);
    let explicit_workdir = split::sets_workdir(doc, stage);
    if explicit_workdir && workdir != "/" {
        block.push(format!("{} {workdir}", kw(doc, "WORKDIR")));
    }
    let mut carried = Vec::new();
    if split::passwd(cx, rt.index) {
        block.push(copy("/etc/passwd", "/etc/passwd"));
        block.push(copy("/etc/group", "/etc/group"));
        carried.push("/etc/passwd and /etc/group (USER names a user the builder created)".into());
    }
    block.push(copy(&jar_in_builder, &jar_in_runtime));
    if let Some((from, to)) = &libs {
        block.push(copy(from, to));
        carried.push(format!(
            "{to} (the jar's manifest lists the libraries there)"
        ));
    }
    for (path, why) in run_files(cx, rt.index, &workdir, &jar_in_builder) {
        if !split::is_plain_path(&path, doc.escape()) {
            return Err(Outcome::refuse(format!(
                "{path:?} ({why}) has characters dfslim will not write into a COPY line"
            )));
        }
        block.push(copy(&path, &path));
        carried.push(format!("{path} ({why})"));
    }
    block.extend(parts.tail);
    edits.extend(split::relocate(doc, &parts.moved, &block).map_err(Outcome::refuse)?);
    if !carried.is_empty() {
        notes.push(format!(
            "also copied into the runtime: {}",
            listing(&carried, "; ")
        ));
    }
    let runtime_name = runtime.text.split('@').next().unwrap_or(&runtime.text);
    Ok(Outcome::apply(
        edits,
        format!(
            "split into `{builder}` and a runtime stage on {runtime_name} that gets only {jar_in_builder} (as {jar_in_runtime})"
        ),
    )
    .with_notes(notes)
    .with_unchecked(unchecked))
}

enum NewCommand {
    /// Replace the word at this index of the command with the new jar path.
    Word(usize),
    /// A new `["java", "-jar", jar]`.
    Whole,
}

fn first_word(c: &Command) -> Option<String> {
    match c {
        Command::Exec(items) => items.first().map(|j| j.value.clone()),
        Command::Shell(w) => w.text.split_whitespace().next().map(str::to_string),
    }
}

/// Files of the build the app may read at run time: files the stage copied
/// in that are not build inputs, and what Spring Boot reads from the working
/// directory (application.properties, config/) when the context was copied
/// there. Their paths in the image, with why.
fn run_files(cx: &Cx, s: usize, workdir: &str, jar: &str) -> Vec<(String, String)> {
    let doc = cx.doc;
    let st = &cx.facts.stages[s];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut whole_context = false;
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
            if name == "." || name.is_empty() {
                if dest == workdir {
                    whole_context = true;
                }
                continue;
            }
            if build_input(&name) || src.contains(['*', '?', '[']) {
                continue;
            }
            let target = if c.dest_is_dir || dest.ends_with('/') {
                join_path(dest, &name)
            } else {
                dest.clone()
            };
            if target == workdir
                || target == "/"
                || target == jar
                || jar.starts_with(&format!("{target}/"))
            {
                continue;
            }
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, format!("copied in on {}", Loc::at(doc, c.ins))));
            }
        }
    }
    if whole_context && let Some(ctx) = cx.facts.context {
        for f in &ctx.java().run_files {
            let path = join_path(workdir, f);
            if ctx.sends(f) && !out.iter().any(|(t, _)| *t == path) {
                out.push((
                    path,
                    "the app may read it from its working directory, as Spring Boot does"
                        .to_string(),
                ));
            }
        }
    }
    out
}
