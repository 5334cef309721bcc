//! `java-distroless` (level 4): the runtime on `gcr.io/distroless/java<v>-debian12`.
//!
//! **What**: when `java-jlink` did not apply, the shipped stage's JRE (or
//! JDK) image becomes `gcr.io/distroless/java<feature>-debian12:nonroot`,
//! digest pinned when the file pins its images. Its ENTRYPOINT is
//! `["/usr/bin/java", "-jar"]`: a `CMD ["java", "-Xmx256m", "-jar",
//! "/app/app.jar"]` becomes `CMD ["/app/app.jar"]` with the JVM's options in
//! `ENV JDK_JAVA_OPTIONS="-Xmx256m"` (the launcher reads it as if written
//! before the other options); an exec-form `ENTRYPOINT ["java", ...]` stays
//! as it is (it replaces distroless's; java is on the PATH). A simple
//! shell-form command becomes exec form. Without a USER the app runs as
//! nonroot (uid 65532) and what is copied into its directory is given to it.
//!
//! **Why**: distroless java is glibc, CA certificates, tzdata and a JRE: no
//! shell, no package manager, no curl. 273 -> 224 MB here, and nothing in
//! it an attacker can use but java. It keeps every module of the JRE, so
//! nothing loaded by name goes missing (what `java-jlink` cannot promise).
//!
//! **Refuses** when the runtime runs commands (RUN), sets a SHELL, has a
//! HEALTHCHECK (it needs a shell or curl), a command that needs a shell,
//! a CMD that runs a main class rather than `-jar` (distroless's entrypoint
//! is `java -jar`), a JVM option with a blank or quote, a USER distroless
//! does not have, a port below 1024 for an app that ran as root, OpenJ9, or
//! a Java feature version distroless does not publish for Debian 12.
//!
//! **Example**: `FROM eclipse-temurin:17-jre` ... `CMD ["java", "-Xmx256m",
//! "-jar", "/app/app.jar"]` -> `FROM gcr.io/distroless/java17-debian12:nonroot`
//! ... `ENV JDK_JAVA_OPTIONS="-Xmx256m"`, `CMD ["/app/app.jar"]`.

use super::runtime::{exec_form, needs_no_shell, needs_root_workdir, no_shell, nonroot};
use crate::analysis::java::cmd::{Launch, Target, is_java, launch};
use crate::analysis::java::image::Vendor;
use crate::analysis::java::started;
use crate::analysis::stages::Base;
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::transforms::text::{insert_after, insert_before, json_array, kw, kw_like, replace_args};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct JavaDistroless;

impl Transform for JavaDistroless {
    fn id(&self) -> &'static str {
        "java-distroless"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// The environment variable the `java` launcher prepends to its options.
const OPTIONS_VAR: &str = "JDK_JAVA_OPTIONS";

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let doc = cx.doc;
    let java = cx.java();
    let table = &catalog::tables().java;
    let rt = super::java_runtime(cx)?;
    let base = match &rt.base {
        Base::Image(b) => b,
        Base::Stage(_) => {
            return Err(Outcome::not_applicable(
                "the runtime starts from another stage",
            ));
        }
        Base::Unknown(t) => {
            return Err(Outcome::not_applicable(format!(
                "the runtime base {t} is only known at build time"
            )));
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
    if img.vendor == Vendor::Distroless {
        return Err(Outcome::not_applicable("the runtime is distroless already"));
    }
    if java.builds_in(rt.index).next().is_some() {
        return Err(Outcome::not_applicable(
            "the image builds its jar itself (no builder/runtime split: see java-multi-stage)",
        ));
    }
    if img.openj9 {
        return Err(Outcome::refuse(
            "the runtime is OpenJ9; distroless java is HotSpot, which does not take OpenJ9's flags",
        ));
    }
    let feature = img.feature.ok_or_else(|| {
        Outcome::refuse(format!(
            "{}:{} names no Java version; distroless images are per version",
            base.repository,
            base.tag.as_deref().unwrap_or("latest")
        ))
    })?;
    let Some((_, image)) = table.distroless.iter().find(|(f, _)| *f == feature) else {
        return Err(Outcome::refuse(format!(
            "distroless publishes no Java {feature} image for Debian 12 (it does for {}); the JRE stays",
            table
                .distroless
                .iter()
                .map(|(f, _)| f.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        )));
    };
    no_shell(cx, rt, "distroless")?;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    let proc = started(rt).ok_or_else(|| Outcome::refuse("the image has no CMD or ENTRYPOINT"))?;
    let proc_ins = &doc.instructions()[proc.ins];
    let what = if proc.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let argv = needs_no_shell(cx, proc, "distroless")?;
    let prog = argv.first().cloned().unwrap_or_default();
    if is_java(&prog) && prog.starts_with('/') && prog != "/usr/bin/java" {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs java by its path {prog}; distroless has it at /usr/bin/java",
            Loc::of(proc_ins)
        )));
    }
    match (proc.entrypoint, launch(&argv)) {
        // The user's ENTRYPOINT replaces distroless's `java -jar`.
        (true, Launch::Java(_)) => {
            if let Some(e) = exec_form(cx, proc, &argv) {
                edits.extend(e);
                notes.push("the ENTRYPOINT is in exec form: distroless has no shell".into());
            }
            if let Some(c) = rt.cmd.as_ref().filter(|c| c.shell_form) {
                let a = needs_no_shell(cx, c, "distroless")?;
                edits.extend(exec_form(cx, c, &a).unwrap_or_default());
            }
        }
        (false, Launch::Java(jc)) => {
            let Target::Jar(i) = jc.target else {
                return Err(Outcome::refuse(format!(
                    "the CMD on {} runs a main class or module, not `-jar`; distroless java's ENTRYPOINT is `java -jar` (write an ENTRYPOINT [\"java\", ...] instead)",
                    Loc::of(proc_ins)
                )));
            };
            let options: Vec<String> = jc
                .option_words(&argv)
                .into_iter()
                .map(str::to_string)
                .collect();
            if let Some(o) = options.iter().find(|o| {
                o.is_empty() || o.starts_with('@') || o.contains([' ', '\t', '"', '\'', '\\', '$'])
            }) {
                return Err(Outcome::refuse(format!(
                    "the CMD on {} passes java `{o}`, which dfslim will not move into {OPTIONS_VAR}",
                    Loc::of(proc_ins)
                )));
            }
            edits.extend(replace_args(doc, proc_ins, json_array(&argv[i..])));
            if !options.is_empty() {
                let at = rt.at(doc, proc.ins);
                let value = match at.env.get(OPTIONS_VAR) {
                    None => options.join(" "),
                    Some(crate::analysis::env::Value::Known(old)) => {
                        format!("{old} {}", options.join(" "))
                    }
                    Some(_) => {
                        return Err(Outcome::refuse(format!(
                            "{OPTIONS_VAR} is set to a value only the build knows; the CMD's JVM options cannot be added to it"
                        )));
                    }
                };
                edits.push(insert_before(
                    doc,
                    proc_ins,
                    &[format!(
                        "{} {OPTIONS_VAR}=\"{value}\"",
                        kw_like(doc, proc_ins, "ENV")
                    )],
                ));
                notes.push(format!(
                    "distroless java's ENTRYPOINT is `java -jar`: the CMD names the jar, and the JVM options {} are in {OPTIONS_VAR} (the launcher reads it as if written before its options; `docker run -e {OPTIONS_VAR}=...` replaces them)",
                    options.join(" ")
                ));
            } else {
                notes.push(
                    "distroless java's ENTRYPOINT is `java -jar`: the CMD names the jar".into(),
                );
            }
        }
        _ => {
            return Err(Outcome::refuse(format!(
                "the {what} on {} runs `{}`, not java; distroless java has only java",
                Loc::of(proc_ins),
                argv.join(" ")
            )));
        }
    }
    let (e, n) = nonroot(cx, rt)?;
    edits.extend(e);
    notes.extend(n);
    let pinned = pin::reference(cx, &format!("{image}:nonroot"), None).map_err(Outcome::refuse)?;
    notes.extend(pinned.note);
    let from = doc.instructions()[doc.stages()[rt.index].from]
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    edits.push(Edit::replace(from.image.span, pinned.text.clone()));
    if needs_root_workdir(cx, rt) {
        let from_ins = &doc.instructions()[doc.stages()[rt.index].from];
        edits.push(insert_after(
            doc,
            from_ins,
            &[format!("{} /", kw(doc, "WORKDIR"))],
        ));
        notes.push(
            "WORKDIR / keeps the working directory the paths here are relative to (the nonroot image's is /home/nonroot)".into(),
        );
    }
    notes.push(format!(
        "distroless java {feature} is Debian's OpenJDK build: the same Java {feature}, another vendor's build"
    ));
    let message = if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM {}", pinned.text)
    } else {
        format!("runtime {} -> {}", from.image.text, pinned.text)
    };
    Ok(Outcome::apply(edits, message).with_notes(notes))
}
