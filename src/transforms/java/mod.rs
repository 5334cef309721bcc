//! Java: a JDK image that only runs a jar becomes a JRE (level 1); an
//! image that builds its jar is split into the builder and a JRE runtime
//! that gets the jar (2); no layered jar (3, said why); a jlink runtime
//! sized by jdeps on distroless java-base, or distroless java (4); the jlink
//! runtime without debug information (5).

pub mod distroless;
pub mod jlink;
pub mod jre_base;
pub mod layers;
pub mod multi_stage;
mod project;
mod runtime;
pub mod strip;

use crate::catalog;
use crate::ecosystem::Ecosystem;
use crate::syntax::ImageRef;

/// The eclipse-temurin JRE tag for a feature version (`17-jre`,
/// `21-jre-alpine`), or why there is none.
fn jre_tag(feature: u32, alpine: bool) -> Result<String, String> {
    let table = &catalog::tables().java;
    if !table.temurin_jre.contains(&feature) {
        return Err(format!(
            "eclipse-temurin publishes no JRE image for Java {feature} (it does for {}): move to a supported release",
            table
                .temurin_jre
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(if alpine {
        format!("{feature}-jre-alpine")
    } else {
        format!("{feature}-jre")
    })
}

/// The Docker Official image `name:tag`, from the registry `like` comes
/// from when that is a mirror of Docker Hub (`public.ecr.aws/docker/library/`,
/// `mirror.gcr.io/`, `docker.io/library/`); Docker Hub's short form otherwise.
fn official_ref(like: &ImageRef, name: &str, tag: &str) -> String {
    let path = like.path.text.as_str();
    let prefix = match path.rsplit_once('/') {
        None => String::new(),
        Some((ns, _)) if ns == "library" || ns.ends_with("/library") => format!("{ns}/"),
        Some(_) => return format!("{name}:{tag}"),
    };
    if prefix.contains('$') || like.registry.as_ref().is_some_and(|r| r.text.contains('$')) {
        return format!("{name}:{tag}");
    }
    let registry = like
        .registry
        .as_ref()
        .map_or(String::new(), |r| format!("{}/", r.text));
    format!("{registry}{prefix}{name}:{tag}")
}

/// ENV keys that only the build tool or the builder's JDK read.
fn is_build_setting(key: &str) -> bool {
    catalog::tables()
        .java
        .build_env
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

use crate::analysis::StageFacts;
use crate::transforms::{Cx, Outcome};

/// The stage that ships, when it is a Java stage: where the Java steps
/// after level 1 start (else not applicable, with why).
pub(crate) fn java_runtime<'a>(cx: &Cx<'a>) -> Result<&'a StageFacts, Outcome> {
    cx.shipped_stage(&cx.java().java_stage, Ecosystem::Java)
}
