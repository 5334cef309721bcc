//! `java-jre-base` (level 1): a JDK image that only runs Java becomes a JRE
//! of the same feature version.
//!
//! **What**: in each stage of the shipped image on a JDK image that
//! compiles nothing, the base becomes a JRE: `eclipse-temurin:17-jdk` ->
//! `eclipse-temurin:17-jre` (`17` -> `17-jre`, `21-jdk-alpine` ->
//! `21-jre-alpine`); the deprecated `openjdk:17`, `openjdk:17-jdk-slim`,
//! `adoptopenjdk/openjdk11` and a maven or gradle image that builds nothing
//! -> `eclipse-temurin:<feature>-jre` (`-alpine` kept); ibm-semeru-runtimes
//! and sapmachine keep their vendor (`open-17-jdk` -> `open-17-jre`). A
//! registry mirror of Docker Hub and a digest pin are kept (re-pinned).
//!
//! **Why**: the JDK adds the compiler, jlink, jmods and tools the running app
//! never uses: 429 -> 273 MB for the Temurin images, 387 -> 273 MB from
//! openjdk:17, whose images are deprecated (frozen in 2022 at 17.0.2).
//!
//! **Refuses** when the stage, or a stage built FROM it, compiles or uses
//! the JDK (mvn, gradle, javac, jar, jlink, jdeps, jshell, jcmd... in RUN,
//! CMD or HEALTHCHECK), runs what the JRE image lacks (microdnf on
//! openjdk's Oracle Linux, git...), names the old image's JAVA_HOME
//! (`/usr/java/openjdk-17`), when the JVM is OpenJ9 (no HotSpot JRE keeps
//! its flags), for an early-access build, or a feature version with no
//! published JRE.
//!
//! **Example**: `FROM openjdk:17` ... `ENTRYPOINT ["java","-jar","/app.jar"]`
//! -> `FROM eclipse-temurin:17-jre`.

use super::{jre_tag, official_ref};
use crate::analysis::java::cmd::JDK_TOOLS;
use crate::analysis::java::image::{Distro, JavaImage, Kind, Vendor, temurin_kind};
use crate::analysis::stages::Base;
use crate::analysis::targets::stage_name;
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::Span;
use crate::transforms::text::listing;
use crate::transforms::{Cx, Outcome, Transform, pin, rebase};

pub struct JavaJreBase;

impl Transform for JavaJreBase {
    fn id(&self) -> &'static str {
        "java-jre-base"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let facts = cx.facts;
        let mut edits = Vec::new();
        let mut changed = Vec::new();
        let mut notes = Vec::new();
        let mut refusals = Vec::new();
        let mut skipped = Vec::new();
        for st in &facts.stages {
            let s = st.index;
            let Base::Image(b) = &st.base else { continue };
            let Some(img) = JavaImage::classify(&b.repository, b.tag.as_deref()) else {
                continue;
            };
            if let Some(why) = facts.frozen(s) {
                skipped.push(format!("{why}: left as is"));
                continue;
            }
            if !facts.in_image(s) {
                skipped.push(format!(
                    "the Java stage {} only feeds COPY --from: its base is not in the shipped image, so changing it saves nothing",
                    stage_name(cx.doc, s)
                ));
                continue;
            }
            if img.kind == Kind::Jre {
                skipped.push(format!("{} is a JRE already", b.repository));
                continue;
            }
            let line = Loc::at(cx.doc, cx.doc.stages()[s].from);
            let name = stage_name(cx.doc, s);
            match plan(cx, s, b, &img) {
                Ok(Some((e, from, to, more))) => {
                    edits.extend(e);
                    changed.push(format!("{from} -> {to}"));
                    notes.extend(more);
                }
                Ok(None) => skipped.push(format!(
                    "{} is not an image dfslim maps to a JRE (Amazon Corretto publishes no JRE images for current releases)",
                    b.repository
                )),
                Err(why) => refusals.push(format!("stage {name} ({line}): {why}")),
            }
        }
        if changed.is_empty() {
            return match (refusals.first(), skipped.first()) {
                (Some(_), _) => Outcome::refuse(listing(&refusals, "; ")),
                (None, Some(why)) => Outcome::not_applicable(why.clone()),
                (None, None) => {
                    Outcome::not_applicable("no stage of the shipped image is on a JDK image")
                }
            };
        }
        notes.extend(refusals.into_iter().map(|r| format!("left alone: {r}")));
        Outcome::apply(edits, format!("JDK to JRE: {}", listing(&changed, ", "))).with_notes(notes)
    }
}

type Planned = (Vec<Edit>, String, String, Vec<String>);

/// The edits that move stage `s` from the JDK image `img` to a JRE, or why not.
fn plan(
    cx: &Cx,
    s: usize,
    b: &crate::analysis::base::BaseImage,
    img: &JavaImage,
) -> Result<Option<Planned>, String> {
    let doc = cx.doc;
    let java = cx.java();
    let mut chain = vec![s];
    chain.extend(cx.facts.built_from(s));
    // The image compiles or packages: it needs the JDK.
    for &st in &chain {
        if let Some(build) = java.builds_in(st).next() {
            return Err(format!(
                "{} runs `{}`: the image builds Java and needs the JDK (java-multi-stage splits the build from the runtime)",
                Loc::at(doc, build.ins),
                build.program
            ));
        }
        if let Some((_, ins, tool)) = java.tools.iter().find(|(x, _, _)| *x == st) {
            return Err(format!(
                "{} runs `{tool}`, a JDK tool the JRE does not have",
                Loc::at(doc, *ins)
            ));
        }
    }
    // Semeru keeps OpenJ9 in its JRE; every other JRE is HotSpot.
    if img.openj9 && img.vendor != Vendor::Semeru {
        return Err(format!(
            "{} runs the OpenJ9 JVM, whose flags HotSpot does not take: its successor is ibm-semeru-runtimes (open-<v>-jre)",
            b.repository
        ));
    }
    if img.early_access {
        return Err("an early-access build: no JRE is published for it".into());
    }
    let written = b.tag_written.clone().unwrap_or_default();
    let feature = img.feature.ok_or_else(|| {
        format!(
            "{}:{} names no Java version, and a JRE must match the JDK's (pin one: {}:17)",
            b.repository,
            if written.is_empty() {
                "latest"
            } else {
                &written
            },
            b.repository
        )
    })?;
    let from = doc.stages()[s].image.clone().expect("an image base");
    let mut notes = Vec::new();
    // Same vendor with a JRE tag, or eclipse-temurin.
    let (new_tag, same_repo) = match img.vendor {
        Vendor::Temurin | Vendor::Semeru | Vendor::SapMachine => {
            if img.vendor == Vendor::Temurin {
                jre_tag(feature, false)?;
            }
            let t = temurin_kind(&written, Kind::Jre).ok_or_else(|| {
                format!("the tag {written} does not start with a version dfslim can add -jre to")
            })?;
            (t, true)
        }
        Vendor::OpenJdk | Vendor::Maven | Vendor::Gradle | Vendor::AdoptOpenJdk => {
            if written.contains('$') {
                return Err(format!(
                    "the tag {written} comes from a build argument; a JRE of another image cannot be named for it"
                ));
            }
            if img.distro == Distro::Windows {
                return Err("a Windows image: dfslim maps only Linux images".into());
            }
            (jre_tag(feature, img.distro == Distro::Alpine)?, false)
        }
        Vendor::Corretto | Vendor::Distroless => return Ok(None),
    };
    let to_name = if same_repo {
        format!(
            "{}{}:{new_tag}",
            from.registry
                .as_ref()
                .map_or(String::new(), |r| format!("{}/", r.text)),
            from.path.text
        )
    } else {
        official_ref(&from, "eclipse-temurin", &new_tag)
    };
    // What the new image lacks: the JDK's tools, a build tool, what only the
    // old image had (microdnf on Oracle Linux, git on buildpack-deps).
    let table = &catalog::tables().java;
    let mut missing: Vec<String> = JDK_TOOLS.iter().map(|t| t.to_string()).collect();
    missing.extend(["mvn", "mvnw", "gradle", "gradlew"].map(String::from));
    missing.extend(table.missing_on_jre.iter().cloned());
    if let Some(why) = rebase::breaks(cx, s, &to_name, &missing) {
        return Err(why);
    }
    if let Some(home) = img.own_java_home() {
        for &st in &chain {
            let range = doc.stages()[st].range();
            if let Some(i) = range
                .clone()
                .find(|&i| doc.instructions()[i].span.of(doc.text()).contains(&home))
            {
                return Err(format!(
                    "{} names {home}, {}'s JAVA_HOME; eclipse-temurin's is /opt/java/openjdk (use $JAVA_HOME)",
                    Loc::at(doc, i),
                    b.repository
                ));
            }
        }
    }
    let mut edits = Vec::new();
    let old_digest = from.digest.as_ref().map(|d| d.text.clone());
    let pinned = pin::reference(cx, &to_name, old_digest.as_deref())?;
    notes.extend(pinned.note);
    if same_repo {
        match &from.tag {
            Some(t) => edits.push(Edit::replace(t.span, new_tag.clone())),
            None => edits.push(Edit::insert(from.path.span.end, format!(":{new_tag}"))),
        }
        if let Some(d) = &from.digest {
            match pinned.text.split_once('@') {
                Some((_, digest)) => edits.push(Edit::replace(d.span, digest.to_string())),
                None => edits.push(Edit::delete(Span::new(d.span.start - 1, d.span.end))),
            }
        }
    } else {
        if from.text.contains('$') {
            return Err(format!(
                "the image {} is named with a build argument; dfslim will not rewrite it",
                from.text
            ));
        }
        edits.push(Edit::replace(from.span, pinned.text.clone()));
        let what = match img.vendor {
            Vendor::OpenJdk | Vendor::AdoptOpenJdk => format!(
                "{} images are deprecated (no updates since 2022); eclipse-temurin is their successor",
                b.repository
            ),
            _ => format!(
                "{} is a JDK with a build tool, and nothing is built here",
                b.repository
            ),
        };
        let distro = match img.distro {
            Distro::OracleLinux => Some("Oracle Linux"),
            Distro::Debian => Some("Debian"),
            _ => None,
        };
        let moved = distro.map_or(String::new(), |d| format!("Ubuntu instead of {d}, "));
        notes.push(format!(
            "{what}: {moved}JAVA_HOME /opt/java/openjdk, Java {feature}'s latest update"
        ));
    }
    Ok(Some((edits, from.text.clone(), pinned.text, notes)))
}
