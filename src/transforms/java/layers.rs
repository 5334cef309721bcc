//! `java-layers` (level 3): no layered jar; the step says why.
//!
//! **What**: nothing. Level 3 is "only what runs": for Java, a plain jar is
//! the app and nothing more, and a Spring Boot jar holds only the libraries
//! the app runs with (test and provided scopes are left out by the build).
//!
//! **Why not a layered jar**: `java -Djarmode=tools extract --layers`
//! (`layertools` before Spring Boot 3.3) splits a Spring Boot jar into
//! dependencies, loader, snapshot-dependencies and application layers. The
//! image then holds the same jars and classes, unpacked, so it is no smaller
//! (a little larger: the application's classes are no longer compressed);
//! what it saves is upload and pull time when only the application layer
//! changes. dfslim's levels make images smaller, and the rewrite depends on
//! the Spring Boot version (the launcher class moved in 3.2, the tool in
//! 3.3), which the build context may not pin. Measured (docs/java.md) on a
//! jar with a library, same JRE: the shaded jar 263,055,983 B, libraries
//! and classes in their own layers 263,050,752 B, unpacked 263,741,689 B; a
//! code change re-shipped 605 kB, 4.6 kB and 1.29 MB. Do it by hand when
//! rebuild traffic matters.
//!
//! **Refuses**: never.
//!
//! **Example**: none.

use super::project;
use crate::analysis::java::started;
use crate::transforms::{Cx, Outcome, Transform};

pub struct JavaLayers;

impl Transform for JavaLayers {
    fn id(&self) -> &'static str {
        "java-layers"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let java = cx.java();
        let spring = cx.facts.stages.iter().any(|st| {
            java.builds_in(st.index).any(|b| {
                project::build_dir(cx, st.index, b)
                    .and_then(|d| project::project(cx, st.index, &d))
                    .is_some_and(|p| p.spring_boot)
            })
        }) || cx
            .facts
            .runtime()
            .and_then(started)
            .and_then(|p| p.argv.as_ref())
            .is_some_and(|a| a.iter().any(|w| w.contains("JarLauncher")));
        Outcome::not_applicable(if spring {
            "a layered Spring Boot jar (-Djarmode=tools extract) holds the same jars and classes unpacked: the image is no smaller, only rebuilds upload less; dfslim leaves that to you"
        } else {
            "nothing to leave out: the jar is the app (no layered Spring Boot jar to split)"
        })
    }
}
