//! What a Dockerfile does with Java: which stages are Java stages and on
//! which Java image ([`image`]), the Maven and Gradle builds and JDK tools
//! their RUNs run ([`cmd`]), and what the image's command starts; with the
//! build context's projects (see [`context`]).

pub mod cmd;
pub mod context;
pub mod image;
pub mod xml;

use super::Facts;
use super::stages::{Base, Process};
use cmd::{Build, Launch, Step};
use image::JavaImage;

/// The Java facts of one Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct JavaFacts {
    /// Per stage: it is a Java stage (a Java image, or Java installed and used).
    pub java_stage: Vec<bool>,
    /// Per stage: the Java image it is on (following `FROM <stage>`).
    pub image: Vec<Option<JavaImage>>,
    /// Maven and Gradle runs, in file order, with their stage.
    pub builds: Vec<(usize, Build)>,
    /// JDK tools RUN uses: (stage, instruction, tool).
    pub tools: Vec<(usize, usize, String)>,
}

/// Packages that install Java or its build tools.
fn installs_java(p: &str) -> bool {
    p.starts_with("openjdk")
        || p.starts_with("default-jdk")
        || p.starts_with("default-jre")
        || p.starts_with("temurin-")
        || p.starts_with("java-")
        || matches!(p, "maven" | "gradle")
}

impl JavaFacts {
    pub fn of(facts: &Facts) -> JavaFacts {
        let mut j = JavaFacts {
            java_stage: vec![false; facts.stages.len()],
            image: vec![None; facts.stages.len()],
            ..JavaFacts::default()
        };
        for st in &facts.stages {
            let s = st.index;
            j.image[s] = match &st.base {
                Base::Image(b) => JavaImage::classify(&b.repository, b.tag.as_deref()),
                Base::Stage(p) => j.image[*p].clone(),
                Base::Unknown(_) => None,
            };
            let mut java = j.image[s].is_some()
                || st
                    .installs
                    .iter()
                    .any(|i| i.packages.iter().any(|p| installs_java(p)));
            for &r in &st.runs {
                let mut after_cd = false;
                for line in facts.lines(r) {
                    match cmd::step(r, line, after_cd) {
                        Step::Build(b) => {
                            java = true;
                            j.builds.push((s, b));
                        }
                        Step::Tool(t) => {
                            java = true;
                            j.tools.push((s, r, t));
                        }
                        Step::Java => java = true,
                        Step::Other => {}
                    }
                    if matches!(line.name.as_str(), "cd" | "pushd") {
                        after_cd = true;
                    }
                }
            }
            for p in [&st.cmd, &st.entrypoint].into_iter().flatten() {
                if let Some(argv) = &p.argv
                    && cmd::launch(argv) != Launch::Other
                {
                    java = true;
                }
            }
            if let Base::Stage(b) = st.base {
                java |= j.java_stage[b];
            }
            j.java_stage[s] = java;
        }
        j
    }

    pub fn any(&self) -> bool {
        self.java_stage.iter().any(|&b| b)
    }

    /// The Maven and Gradle runs of `stage`.
    pub fn builds_in(&self, stage: usize) -> impl Iterator<Item = &Build> {
        self.builds
            .iter()
            .filter(move |(s, _)| *s == stage)
            .map(|(_, b)| b)
    }

    /// The last build of `stage` that leaves a packaged jar or war.
    pub fn packaging_build(&self, stage: usize) -> Option<&Build> {
        self.builds_in(stage).filter(|b| b.packages).last()
    }
}

/// The process a stage's container runs: its ENTRYPOINT (an exec-form
/// one gets the CMD as arguments, a shell-form one ignores it), else its CMD.
pub fn started(st: &super::StageFacts) -> Option<&Process> {
    st.entrypoint.as_ref().or(st.cmd.as_ref())
}
