//! `java-jlink` (level 4): a Java runtime made of only the modules the app
//! uses, on `gcr.io/distroless/java-base-debian12`.
//!
//! **What**: a new stage before the runtime runs `jdeps` on the jar and
//! `jlink` with the modules it reports plus the ones jdeps never sees
//! (`jdk.crypto.ec`, which TLS needs; modules the sources or JVM flags load by
//! name: `jdk.zipfs`, `jdk.charsets`, `jdk.localedata`,
//! `jdk.management.agent`...), writing `/opt/jre`. It starts FROM the
//! builder the jar comes from (its JDK; the builder itself is not changed),
//! or FROM `eclipse-temurin:<v>-jdk` with the jar copied from the context.
//! The runtime becomes `gcr.io/distroless/java-base-debian12:nonroot` with
//! that runtime at `/opt/java/openjdk` (`JAVA_HOME`, `PATH`); the command is
//! kept (`java -Xmx256m -jar ...`), in exec form.
//!
//! **Why**: the JRE image is 273 MB; the app and a runtime of its modules
//! on java-base are 86 MB here (`java.base`, `java.management`,
//! `jdk.httpserver`, `jdk.crypto.ec`: 46 MB instead of the JRE's 142).
//!
//! **Refuses** (the JRE stays, and `java-distroless` runs instead) when
//! what the app loads by name cannot be known: no build context or no
//! pom.xml/build.gradle for the jar, any library the app depends on at run
//! time (libraries load classes and services by name: JDBC drivers, logging
//! back-ends, Spring), Spring Boot, sources that call Class.forName,
//! ServiceLoader, DriverManager, JNDI, script engines, sources in Kotlin,
//! Scala or Groovy, a `-javaagent`; and when jlink cannot run or its runtime
//! would not: a builder without a JDK of the runtime's feature version (17 or
//! later), an alpine (musl) JDK, a builder that runs as another user, a
//! command that is not `java -jar` or needs a shell, RUN, SHELL or HEALTHCHECK
//! in the runtime, OpenJ9.
//!
//! **Example**: `FROM eclipse-temurin:17-jre` + `COPY --from=builder
//! /app/target/app.jar /app/app.jar` -> a stage `FROM builder AS jre` with
//! `RUN jdeps ... && jlink ... --output /opt/jre`, and `FROM
//! gcr.io/distroless/java-base-debian12:nonroot` + `COPY --from=jre /opt/jre
//! /opt/java/openjdk`.

use super::official_ref;
use super::project::{self, context_read};
use super::runtime::{exec_form, needs_no_shell, needs_root_workdir, no_shell, nonroot};
use crate::analysis::env::join_path;
use crate::analysis::java::cmd::{Launch, Target, is_java, launch};
use crate::analysis::java::context::Project;
use crate::analysis::java::image::{Distro, JavaImage, Kind, Vendor, temurin_kind};
use crate::analysis::java::started;
use crate::analysis::stages::{Base, Source};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::text::{
    insert_after, json_array, kw, lines_with_comments, listing, replace_args,
};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct JavaJlink;

impl Transform for JavaJlink {
    fn id(&self) -> &'static str {
        "java-jlink"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// Where the runtime jlink makes goes, in the jlink stage and in the image.
const BUILT: &str = "/opt/jre";
pub(super) const JAVA_HOME: &str = "/opt/java/openjdk";

/// Why the JRE stays: said after every refusal about what the app loads.
const KEEP: &str = "the JRE stays (java-distroless)";

/// Where the jar comes from.
enum JarSource {
    /// A builder stage (by the name COPY --from gives), at this path.
    Stage {
        stage: usize,
        name: String,
        path: String,
    },
    /// The build context, as COPY names it (a glob allowed).
    Context { src: String },
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let doc = cx.doc;
    let java = cx.java();
    let table = &catalog::tables().java;
    let rt = super::java_runtime(cx)?;
    let base = match &rt.base {
        Base::Image(b) => b,
        _ => {
            return Err(Outcome::not_applicable(
                "the runtime starts from another stage or an image only the build knows",
            ));
        }
    };
    if base.repository == table.jlink_base {
        return Err(Outcome::not_applicable(
            "the runtime is a jlink runtime on distroless java-base already",
        ));
    }
    let Some(img) = java.image[rt.index].clone() else {
        return Err(Outcome::not_applicable(
            "the runtime is not on a Java image",
        ));
    };
    if java.builds_in(rt.index).next().is_some() {
        return Err(Outcome::not_applicable(
            "the image builds its jar itself (no builder/runtime split: see java-multi-stage)",
        ));
    }
    if img.openj9 {
        return Err(Outcome::refuse(
            "the runtime is OpenJ9; a jlink runtime here is made from a HotSpot JDK",
        ));
    }
    let feature = img.feature.ok_or_else(|| {
        Outcome::refuse(format!(
            "{}:{} names no Java version; the jlink runtime must be the same version",
            base.repository,
            base.tag.as_deref().unwrap_or("latest")
        ))
    })?;
    if feature < table.jlink_min {
        return Err(Outcome::refuse(format!(
            "Java {feature}: dfslim makes jlink runtimes from Java {} on; {KEEP}",
            table.jlink_min
        )));
    }
    let runtime_name = "distroless java-base";
    no_shell(cx, rt, runtime_name)?;
    if let Some(i) = doc.stages()[rt.index].range().find(|&i| {
        let ins = &doc.instructions()[i];
        ins.pairs().iter().any(|p| p.key.text == "JAVA_HOME")
    }) {
        return Err(Outcome::refuse(format!(
            "{} sets JAVA_HOME; the jlink runtime has its own at {JAVA_HOME}",
            Loc::at(doc, i)
        )));
    }

    // The command and the jar it runs.
    let proc = started(rt).ok_or_else(|| Outcome::refuse("the image has no CMD or ENTRYPOINT"))?;
    let proc_ins = &doc.instructions()[proc.ins];
    let what = if proc.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let argv = needs_no_shell(cx, proc, runtime_name)?;
    let distroless_cmd = img.vendor == Vendor::Distroless && !proc.entrypoint;
    // distroless java runs `java -jar` + the CMD: read it as that.
    let full: Vec<String> = if distroless_cmd {
        ["java", "-jar"]
            .into_iter()
            .map(String::from)
            .chain(argv.iter().cloned())
            .collect()
    } else {
        argv.clone()
    };
    let Launch::Java(jc) = launch(&full) else {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs `{}`, not java",
            Loc::of(proc_ins),
            argv.join(" ")
        )));
    };
    let prog = &full[0];
    if !is_java(prog) || (prog.starts_with('/') && *prog != format!("{JAVA_HOME}/bin/java")) {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs java by its path {prog}; the jlink runtime is at {JAVA_HOME}",
            Loc::of(proc_ins)
        )));
    }
    let Target::Jar(j) = jc.target else {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs a main class or module, not `java -jar`: jdeps would need every jar of its class path; {KEEP}",
            Loc::of(proc_ins)
        )));
    };
    let workdir = rt
        .at(doc, proc.ins)
        .workdir
        .clone()
        .ok_or_else(|| Outcome::refuse("the working directory depends on a build argument"))?;
    let jar = join_path(&workdir, &full[j]);
    // Modules the JVM's options load by name.
    // Each with why it is there.
    let mut modules: Vec<(String, String)> = table
        .always_modules
        .iter()
        .map(|m| (m.clone(), "never reported by jdeps".to_string()))
        .collect();
    let options = jc.option_words(&full);
    // The launcher also reads options from the environment (java-distroless
    // moves the command's there).
    let env = &rt.at(doc, proc.ins).env;
    for var in ["JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS"] {
        for o in env.known(var).unwrap_or("").split_whitespace() {
            if o.starts_with("-javaagent") {
                return Err(Outcome::refuse(format!(
                    "{var}, set for the {what} on {}, loads an agent ({o}), whose modules jdeps does not see; {KEEP}",
                    Loc::of(proc_ins)
                )));
            }
            if let Some((_, m)) = table
                .flag_modules
                .iter()
                .find(|(f, _)| o.starts_with(f.as_str()))
                && !standard_encoding(o)
            {
                modules.push((m.clone(), format!("{o} in {var}")));
            }
        }
    }
    for (k, o) in options.iter().enumerate() {
        if o.starts_with("-javaagent") {
            return Err(Outcome::refuse(format!(
                "the {what} on {} loads an agent ({o}), whose modules jdeps does not see; {KEEP}",
                Loc::of(proc_ins)
            )));
        }
        if let Some((_, m)) = table
            .flag_modules
            .iter()
            .find(|(f, _)| o.starts_with(f.as_str()))
            && !standard_encoding(o)
        {
            modules.push((m.clone(), o.to_string()));
        }
        let added = match o.strip_prefix("--add-modules") {
            Some(rest) if rest.starts_with('=') => Some(rest[1..].to_string()),
            Some("") => options.get(k + 1).map(|s| s.to_string()),
            _ => None,
        };
        for m in added.iter().flat_map(|a| a.split(',')) {
            if m.starts_with("ALL-") {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} adds {m}; {KEEP}",
                    Loc::of(proc_ins)
                )));
            }
            modules.push((m.to_string(), "--add-modules".to_string()));
        }
    }

    // Where the jar comes from.
    let copy = rt
        .copies
        .iter()
        .rev()
        .find(|c| {
            c.landing(|s| s.ends_with('/'))
                .iter()
                .any(|l| *l == jar || (c.dest.as_deref() == Some(&jar)))
        })
        .ok_or_else(|| {
            Outcome::refuse(format!(
                "no COPY of the runtime puts {jar} there: dfslim cannot tell where the jar comes from"
            ))
        })?;
    if copy.sources.len() != 1 {
        return Err(Outcome::refuse(format!(
            "{} copies several files along with the jar",
            Loc::at(doc, copy.ins)
        )));
    }
    let copy_ins = &doc.instructions()[copy.ins];
    let source = match &copy.source {
        Source::Stage(b) => JarSource::Stage {
            stage: *b,
            name: copy_ins
                .flag("from")
                .and_then(|f| f.value())
                .unwrap_or("")
                .to_string(),
            path: copy.sources[0].clone(),
        },
        Source::Context => {
            let src = match &copy_ins.args {
                crate::syntax::Args::List(items) => items.first().map(|j| j.value.clone()),
                crate::syntax::Args::Words(w) => w.first().map(|w| w.text.clone()),
                _ => None,
            }
            .unwrap_or_default();
            if src.contains('$')
                || !crate::transforms::split::is_plain_path(&src.replace('*', "x"), doc.escape())
            {
                return Err(Outcome::refuse(format!(
                    "the jar's source on {} is a path dfslim will not write into a COPY line",
                    Loc::of(copy_ins)
                )));
            }
            JarSource::Context { src }
        }
        _ => {
            return Err(Outcome::refuse(format!(
                "the jar comes from an image on {}, not from this build",
                Loc::of(copy_ins)
            )));
        }
    };

    // What the app loads by name must be known: its project and sources.
    if !context_read(cx) {
        return Err(Outcome::refuse(format!(
            "no build context was read: dfslim cannot tell what the app loads by name (pass --context); {KEEP}"
        )));
    }
    let ctx = cx.facts.context.expect("read").java();
    let project: Option<&Project> = match &source {
        JarSource::Stage { stage, path, .. } => project_dir_of(path)
            .and_then(|d| project::project(cx, *stage, &d))
            .or_else(|| {
                java.packaging_build(*stage).and_then(|b| {
                    project::build_dir(cx, *stage, b).and_then(|d| project::project(cx, *stage, &d))
                })
            }),
        JarSource::Context { src } => {
            project_dir_of(&format!("/{src}")).and_then(|d| ctx.project(d.trim_start_matches('/')))
        }
    };
    let Some(project) = project else {
        return Err(Outcome::refuse(format!(
            "no pom.xml or build.gradle was found for {jar}: dfslim cannot tell what the app depends on; {KEEP}"
        )));
    };
    if project.spring_boot {
        return Err(Outcome::refuse(format!(
            "the app in {} is a Spring Boot app, which loads much by name (auto-configuration, JDBC drivers, logging); {KEEP}",
            project.shown_dir()
        )));
    }
    if !project.dependencies.is_empty() {
        return Err(Outcome::refuse(format!(
            "the app in {} depends on {}: libraries load classes and services by name, which jdeps cannot see; {KEEP}",
            project.shown_dir(),
            listing(&project.dependencies, ", ")
        )));
    }
    if let Some(f) = &ctx.other_language {
        return Err(Outcome::refuse(format!(
            "{f} is not Java: its language's runtime library needs modules dfslim does not know; {KEEP}"
        )));
    }
    if let Some((f, w)) = ctx.reflection.first() {
        return Err(Outcome::refuse(format!(
            "{f} {w}: jdeps cannot tell which modules that needs; {KEEP}"
        )));
    }
    if !ctx.sources_scanned {
        return Err(Outcome::refuse(format!(
            "no Java sources were found in the context to check for what they load by name; {KEEP}"
        )));
    }
    for (m, file) in &ctx.modules {
        modules.push((m.clone(), format!("used in {file}")));
    }
    let mut uniq: Vec<(String, String)> = Vec::new();
    for (m, why) in modules {
        if !uniq.iter().any(|(u, _)| *u == m) {
            uniq.push((m, why));
        }
    }
    let modules = uniq;

    // The stage that runs jdeps and jlink.
    let taken = |n: &str| {
        doc.stages()
            .iter()
            .any(|st| st.name_lower().as_deref() == Some(n))
    };
    let stage_name = ["jre", "jre-builder", "jlink"]
        .into_iter()
        .find(|n| !taken(n))
        .ok_or_else(|| Outcome::refuse("the stage names jre, jre-builder and jlink are taken"))?;
    let from_ins = &doc.instructions()[doc.stages()[rt.index].from];
    let lower = from_ins
        .keyword_span
        .of(doc.text())
        .bytes()
        .all(|b| b.is_ascii_lowercase());
    let as_kw = if lower { "as" } else { "AS" };
    let mut notes = Vec::new();
    let (stage_from, jar_in_stage, copy_line) = match &source {
        JarSource::Stage { stage, name, path } => {
            let bimg = java.image[*stage].clone();
            check_jdk(cx, *stage, bimg.as_ref(), feature)?;
            if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Outcome::refuse(format!(
                    "the builder on {} has no name for a stage to start FROM",
                    Loc::of(copy_ins)
                )));
            }
            (name.clone(), path.clone(), None)
        }
        JarSource::Context { src } => {
            let tag = match img.vendor {
                Vendor::Temurin => base
                    .tag_written
                    .as_deref()
                    .and_then(|t| temurin_kind(t, Kind::Jdk))
                    .filter(|t| !t.contains('$'))
                    .unwrap_or_else(|| format!("{feature}-jdk")),
                _ => format!("{feature}-jdk"),
            };
            if img.distro == Distro::Alpine {
                return Err(Outcome::refuse(format!(
                    "the runtime is alpine (musl); a jlink runtime for distroless java-base must come from a glibc JDK; {KEEP}"
                )));
            }
            let from = doc.stages()[rt.index].image.as_ref().expect("an image");
            let jdk = pin::reference(cx, &official_ref(from, "eclipse-temurin", &tag), None)
                .map_err(Outcome::refuse)?;
            notes.extend(jdk.note);
            (
                jdk.text,
                "/tmp/app.jar".to_string(),
                Some(format!("{} {src} /tmp/app.jar", kw(doc, "COPY"))),
            )
        }
    };
    let nl = doc.newline();
    let esc = doc.escape();
    let mut stage_lines = vec![format!(
        "{} {stage_from} {as_kw} {stage_name}",
        kw(doc, "FROM")
    )];
    stage_lines.extend(copy_line);
    let extra = modules
        .iter()
        .map(|(m, _)| m.as_str())
        .collect::<Vec<_>>()
        .join(",");
    stage_lines.push(format!(
        "{run} jdeps --ignore-missing-deps -q --multi-release {feature} --print-module-deps {esc}{nl}        {jar_in_stage} > /tmp/jre-modules {esc}{nl}    && jlink --add-modules \"$(cat /tmp/jre-modules),{extra}\" {esc}{nl}        --no-header-files --no-man-pages --output {BUILT}",
        run = kw(doc, "RUN")
    ));
    let runtime_first = lines_with_comments(doc, from_ins).start;
    let mut edits = vec![Edit::insert(
        runtime_first,
        format!("{}{nl}{nl}", stage_lines.join(nl)),
    )];
    // The runtime: java-base with the jlink runtime.
    let pinned = pin::reference(cx, &format!("{}:nonroot", table.jlink_base), None)
        .map_err(Outcome::refuse)?;
    notes.extend(pinned.note);
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    edits.push(Edit::replace(from.image.span, pinned.text.clone()));
    let mut lines = vec![
        format!("{} JAVA_HOME={JAVA_HOME}", kw(doc, "ENV")),
        format!("{} PATH=\"${{JAVA_HOME}}/bin:${{PATH}}\"", kw(doc, "ENV")),
        format!(
            "{} --from={stage_name} {BUILT} {JAVA_HOME}",
            kw(doc, "COPY")
        ),
    ];
    if needs_root_workdir(cx, rt) {
        lines.push(format!("{} /", kw(doc, "WORKDIR")));
        notes.push(
            "WORKDIR / keeps the working directory the paths here are relative to (the nonroot image's is /home/nonroot)".into(),
        );
    }
    edits.push(insert_after(doc, from_ins, &lines));
    // The command, in exec form (no shell); distroless's CMD gets its java back.
    if distroless_cmd {
        edits.extend(replace_args(doc, proc_ins, json_array(&full)));
        notes.push(format!(
            "the CMD runs `java -jar` itself (distroless java's ENTRYPOINT did): {}",
            full.join(" ")
        ));
    } else {
        edits.extend(exec_form(cx, proc, &argv).unwrap_or_default());
        if proc.entrypoint
            && let Some(c) = rt.cmd.as_ref().filter(|c| c.shell_form)
        {
            let a = needs_no_shell(cx, c, runtime_name)?;
            edits.extend(exec_form(cx, c, &a).unwrap_or_default());
        }
    }
    let (e, n) = nonroot(cx, rt)?;
    edits.extend(e);
    notes.extend(n);
    let why: Vec<String> = modules
        .iter()
        .map(|(m, w)| {
            if m == "jdk.crypto.ec" {
                format!("{m} (TLS: EC keys and ECDHE suites; {w})")
            } else {
                format!("{m} ({w})")
            }
        })
        .collect();
    notes.push(format!(
        "the Java runtime holds the modules jdeps finds in the jar at build time plus {}; checked: {} has no run-time libraries and its sources load nothing by name",
        why.join(", "),
        project.shown_dir()
    ));
    let message = if (cx.added)(from.image.span.start) {
        format!(
            "the runtime stage is FROM {} with a Java runtime jlink makes of the modules the jar uses",
            pinned.text
        )
    } else {
        format!(
            "runtime {} -> {} with a Java runtime jlink makes of the modules the jar uses",
            from.image.text, pinned.text
        )
    };
    Ok(Outcome::apply(edits, message).with_notes(notes))
}

/// `-Dfile.encoding=UTF-8` and the other charsets java.base holds.
fn standard_encoding(option: &str) -> bool {
    option.strip_prefix("-Dfile.encoding=").is_some_and(|e| {
        matches!(
            e.to_ascii_uppercase().replace('_', "-").as_str(),
            "UTF-8"
                | "UTF8"
                | "ISO-8859-1"
                | "US-ASCII"
                | "UTF-16"
                | "UTF-16BE"
                | "UTF-16LE"
                | "COMPAT"
        )
    })
}

/// The project directory of a jar built at `path` (`/app/target/x.jar` ->
/// `/app`, `/src/build/libs/x.jar` -> `/src`).
fn project_dir_of(path: &str) -> Option<String> {
    let dir = path.rsplit_once('/')?.0;
    let p = dir
        .strip_suffix("/target")
        .or_else(|| dir.strip_suffix("/build/libs"))
        .or_else(|| (dir == "/target").then_some(""))
        .or_else(|| (dir == "/build/libs").then_some(""))?;
    Some(if p.is_empty() {
        "/".into()
    } else {
        p.to_string()
    })
}

/// The builder stage `s` must hold a JDK of `feature` that jlink's runtime
/// can come from: glibc, HotSpot, run as root.
fn check_jdk(cx: &Cx, s: usize, img: Option<&JavaImage>, feature: u32) -> Result<(), Outcome> {
    let name = crate::analysis::targets::stage_name(cx.doc, s);
    let Some(img) = img else {
        return Err(Outcome::refuse(format!(
            "the builder {name} is not on a Java image: dfslim cannot tell it has jlink and jdeps; {KEEP}"
        )));
    };
    if img.kind != Kind::Jdk {
        return Err(Outcome::refuse(format!(
            "the builder {name} has a JRE, without jlink; {KEEP}"
        )));
    }
    if img.feature != Some(feature) {
        return Err(Outcome::refuse(format!(
            "the builder {name} has Java {}, the runtime Java {feature}: the jlink runtime would change the app's Java version",
            img.feature
                .map_or("of an unknown version".to_string(), |f| f.to_string())
        )));
    }
    if img.distro == Distro::Alpine || img.openj9 {
        return Err(Outcome::refuse(format!(
            "the builder {name}'s JDK is {}: its jlink runtime would not run on distroless java-base (glibc, HotSpot); {KEEP}",
            if img.openj9 {
                "OpenJ9"
            } else {
                "alpine's (musl)"
            }
        )));
    }
    let st = &cx.facts.stages[s];
    if let Some(&u) = st.users.last() {
        let w = cx.doc.instructions()[u]
            .text_arg()
            .map_or("", |w| w.text.as_str());
        let user = w.split(':').next().unwrap_or("");
        if !(user == "root" || user == "0") {
            return Err(Outcome::refuse(format!(
                "the builder {name} runs as {user} ({}), which cannot write {BUILT}",
                Loc::at(cx.doc, u)
            )));
        }
    }
    Ok(())
}
