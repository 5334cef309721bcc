//! What a Dockerfile builds in Go: the `go build|install|run` commands of
//! every stage, where their binaries land, whether cgo is on, which of them
//! reach the image, and what the shipped program needs at run time (from
//! the build context's go.mod and sources).

pub mod build;
pub mod cmd;
pub mod context;
pub mod program;

pub use build::{Cgo, GoBuild, Output};

use super::env;
use super::stages::{Source, StageFacts};
use super::{Facts, covers};
use crate::syntax::Document;

/// The Go facts of one Dockerfile.
#[derive(Clone, Debug)]
pub struct GoFacts {
    /// Go commands of every stage, in file order.
    pub builds: Vec<GoBuild>,
    /// What the shipped program needs at run time, from the context.
    pub program: program::Program,
    /// Per stage, the range of its builds in `builds`.
    by_stage: Vec<std::ops::Range<usize>>,
    /// Indices in `builds` of the builds whose binaries end up in the image.
    shipped: Vec<usize>,
}

impl GoFacts {
    pub fn of(doc: &Document, facts: &Facts) -> GoFacts {
        let module = facts
            .context
            .map(|c| c.go())
            .and_then(|g| g.module.as_deref());
        let builds: Vec<GoBuild> = facts
            .stages
            .iter()
            .flat_map(|s| build::builds(doc, s, &|i| facts.lines(i), module))
            .collect();
        let by_stage = (0..facts.stages.len())
            .map(|s| {
                let a = builds.partition_point(|b| b.stage < s);
                let b = builds.partition_point(|b| b.stage <= s);
                a..b
            })
            .collect();
        let mut go = GoFacts {
            builds,
            program: program::Program::default(),
            by_stage,
            shipped: Vec::new(),
        };
        go.shipped = go.find_shipped(facts);
        go.program = program::program(facts, &go);
        go
    }

    /// True when some stage runs a Go command (build, install or run).
    pub fn any(&self) -> bool {
        !self.builds.is_empty()
    }

    /// Go builds of `stage` that compile the project (not `go run`, not a
    /// tool installed by version, which is not built from the context).
    pub fn builds_in(&self, stage: usize) -> impl Iterator<Item = &GoBuild> {
        let range = self.by_stage.get(stage).cloned().unwrap_or(0..0);
        self.builds[range]
            .iter()
            .filter(|b| !b.is_run() && !b.is_remote())
    }

    /// Indices in `builds` of [`GoFacts::builds_in`].
    fn project_builds(&self, stage: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_stage
            .get(stage)
            .cloned()
            .unwrap_or(0..0)
            .filter(|&i| !self.builds[i].is_run() && !self.builds[i].is_remote())
    }

    /// Every Go command of `stage`, `go run` and tool installs included.
    pub fn stage_builds(&self, stage: usize) -> &[GoBuild] {
        &self.builds[self.by_stage.get(stage).cloned().unwrap_or(0..0)]
    }

    /// True when `stage` builds Go (go build / go install).
    pub fn builds_go(&self, stage: usize) -> bool {
        self.builds_in(stage).next().is_some()
    }

    /// The Go builds whose binaries end up in the image, in file order.
    pub fn shipped_builds(&self) -> Vec<&GoBuild> {
        self.shipped.iter().map(|&i| &self.builds[i]).collect()
    }

    /// Those of the runtime stage itself, and those of stages feeding it
    /// whose output path a COPY --from takes (or all of a feeder's, when unsure).
    fn find_shipped(&self, facts: &Facts) -> Vec<usize> {
        let Some(rt) = facts.runtime() else {
            return Vec::new();
        };
        let mut out: Vec<usize> = self.project_builds(rt.index).collect();
        for f in facts.feeders(rt.index) {
            let copied = facts.copied_from(f);
            for i in self.project_builds(f) {
                let hit = match self.builds[i].output.path() {
                    Some(p) => copied.iter().any(|src| covers(src, p)),
                    None => true,
                };
                if hit || copied.is_empty() {
                    out.push(i);
                }
            }
        }
        out.sort_by_key(|&i| (self.builds[i].ins, self.builds[i].cmd.verb_word.span.start));
        out.dedup();
        out
    }

    /// Where the program `prog` (as a command names it, run from `workdir`)
    /// is in the image, when it is a Go binary the image gets: built in the
    /// runtime stage, or copied into it from a stage that builds Go. A bare
    /// name is looked up on the builder's PATH.
    pub fn binary_in_image(
        &self,
        facts: &Facts,
        prog: &str,
        workdir: Option<&str>,
    ) -> Option<String> {
        let rt: &StageFacts = facts.runtime()?;
        if !prog.contains('/') {
            return self.builds_in(rt.index).find_map(|b| {
                let f = b.output.path()?;
                let (dir, name) = match &b.output {
                    Output::File(f) => f.rsplit_once('/')?,
                    _ => (f, prog),
                };
                let on_path = b
                    .env
                    .known("PATH")
                    .is_some_and(|p| p.split(':').any(|e| e == dir));
                (name == prog && on_path).then(|| format!("{dir}/{prog}"))
            });
        }
        let path = env::join_path(workdir?, prog);
        let inside = |out: &Output| match out {
            Output::File(f) => *f == path,
            Output::Dir(d) => path.starts_with(&format!("{d}/")),
            _ => false,
        };
        if self.builds_in(rt.index).any(|b| inside(&b.output)) {
            return Some(path);
        }
        let dirs = self.output_dirs();
        let is_dir = |src: &str| dirs.contains(&src.trim_end_matches('/')) || src.ends_with('/');
        // A file lands at one path; only a directory covers what is below it.
        let copied = rt.copies.iter().any(|c| {
            matches!(c.source, Source::Stage(s) if self.builds_go(s))
                && c.sources.iter().zip(c.landing(is_dir)).any(|(src, l)| {
                    l == path || (is_dir(src) && path.starts_with(&format!("{l}/")))
                })
        });
        copied.then_some(path)
    }

    /// Directories builds write several binaries into (`go install ./...`).
    pub fn output_dirs(&self) -> Vec<&str> {
        self.builds
            .iter()
            .filter_map(|b| match &b.output {
                Output::Dir(d) => Some(d.as_str()),
                _ => None,
            })
            .collect()
    }
}
