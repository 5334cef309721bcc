//! Facts derived from a Document and its build context, computed once per
//! pipeline step so transforms stay small: the stages and who feeds whom,
//! variables and working directories, the Go builds and where their
//! binaries land, what the runtime stage runs and needs.

pub mod base;
pub mod context;
pub mod env;
pub mod gobuild;
pub mod gocmd;
pub mod program;
pub mod shell;
pub mod stages;

pub use base::{Family, Libc};
pub use context::BuildContext;
pub use gobuild::{Cgo, GoBuild, Output};
pub use stages::{Source, StageFacts};

use crate::catalog;
use crate::syntax::Document;

/// What analysis knows of a Dockerfile (and its build context, when read).
#[derive(Clone, Debug)]
pub struct Facts<'c> {
    pub stages: Vec<StageFacts>,
    /// Go builds of every stage, in file order.
    pub builds: Vec<GoBuild>,
    pub context: Option<&'c BuildContext>,
    /// What the shipped program needs at run time, from the context.
    pub program: program::Program,
    /// Per stage, the range of its builds in `builds`.
    by_stage: Vec<std::ops::Range<usize>>,
    /// Per stage, the source paths other stages copy from it.
    copied_from: Vec<Vec<String>>,
}

impl<'c> Facts<'c> {
    pub fn of(doc: &Document, context: Option<&'c BuildContext>) -> Facts<'c> {
        let stages = stages::walk(doc);
        let module = context.and_then(|c| c.module.as_deref());
        let builds = stages
            .iter()
            .flat_map(|s| gobuild::builds(doc, s, module))
            .collect();
        let builds: Vec<GoBuild> = builds;
        let by_stage = (0..stages.len())
            .map(|s| {
                let a = builds.partition_point(|b| b.stage < s);
                let b = builds.partition_point(|b| b.stage <= s);
                a..b
            })
            .collect();
        let mut copied_from = vec![Vec::new(); stages.len()];
        for st in &stages {
            for c in &st.copies {
                if let Source::Stage(f) = c.source {
                    copied_from[f].extend(c.sources.iter().cloned());
                }
            }
        }
        let mut facts = Facts {
            stages,
            builds,
            context,
            program: program::Program::default(),
            by_stage,
            copied_from,
        };
        facts.program = program::program(&facts, context, doc);
        facts
    }

    /// The stage the image is made of: the last one.
    pub fn runtime(&self) -> Option<&StageFacts> {
        self.stages.last()
    }

    /// Go builds of `stage` that produce a binary (not `go run`).
    /// Go builds of `stage` that compile the project (not `go run`, not a
    /// tool installed by version, which is not built from the context).
    pub fn builds_in(&self, stage: usize) -> impl Iterator<Item = &GoBuild> {
        let range = self.by_stage.get(stage).cloned().unwrap_or(0..0);
        self.builds[range]
            .iter()
            .filter(|b| !b.is_run() && !b.is_remote())
    }

    /// Every Go command of `stage`, `go run` and tool installs included.
    pub fn stage_builds(&self, stage: usize) -> &[GoBuild] {
        &self.builds[self.by_stage.get(stage).cloned().unwrap_or(0..0)]
    }

    /// True when `stage` builds Go (go build / go install).
    pub fn builds_go(&self, stage: usize) -> bool {
        self.builds_in(stage).next().is_some()
    }

    /// Stages whose output reaches `stage`, directly or through others.
    pub fn feeders(&self, stage: usize) -> Vec<usize> {
        let mut seen = vec![false; self.stages.len()];
        let mut todo = vec![stage];
        while let Some(s) = todo.pop() {
            let st = &self.stages[s];
            let mut direct: Vec<usize> = st
                .copies
                .iter()
                .filter_map(|c| match c.source {
                    Source::Stage(i) => Some(i),
                    _ => None,
                })
                .collect();
            if let stages::Base::Stage(b) = st.base {
                direct.push(b);
            }
            for d in direct {
                if !seen[d] {
                    seen[d] = true;
                    todo.push(d);
                }
            }
        }
        (0..self.stages.len())
            .filter(|&i| seen[i] && i != stage)
            .collect()
    }

    /// The Go builds whose binaries end up in the image: those of the
    /// runtime stage itself, and those of stages feeding it whose output
    /// path a COPY --from takes (or all of a feeder's, when unsure).
    pub fn shipped_builds(&self) -> Vec<&GoBuild> {
        let Some(rt) = self.runtime() else {
            return Vec::new();
        };
        let mut out: Vec<&GoBuild> = self.builds_in(rt.index).collect();
        for f in self.feeders(rt.index) {
            let copied = &self.copied_from[f];
            for b in self.builds_in(f) {
                let hit = match b.output.path() {
                    Some(p) => copied.iter().any(|src| covers(src, p)),
                    None => true,
                };
                if hit || copied.is_empty() {
                    out.push(b);
                }
            }
        }
        out.sort_by_key(|b| b.ins);
        out.dedup_by_key(|b| (b.ins, b.cmd.verb_word.span));
        out
    }

    /// Where the program `prog` (as a command names it, run from `workdir`)
    /// is in the image, when it is a Go binary the image gets: built in the
    /// runtime stage, or copied into it from a stage that builds Go. A bare
    /// name is looked up on the builder's PATH.
    pub fn go_binary_in_image(&self, prog: &str, workdir: Option<&str>) -> Option<String> {
        let rt = self.runtime()?;
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
        let dirs: Vec<&str> = self
            .builds
            .iter()
            .filter_map(|b| match &b.output {
                Output::Dir(d) => Some(d.as_str()),
                _ => None,
            })
            .collect();
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

    /// Tool tables, for transforms.
    pub fn tables(&self) -> &'static catalog::Tables {
        catalog::tables()
    }
}

/// True when copying `src` (a path, a directory, or a simple glob) takes `path`.
pub fn covers(src: &str, path: &str) -> bool {
    let src = src.trim_end_matches('/');
    if src.is_empty() || src == path || path.starts_with(&format!("{src}/")) {
        return true;
    }
    if src.contains(['*', '?', '[']) {
        return glob_match(src, path)
            || path
                .rsplit_once('/')
                .is_some_and(|(dir, _)| glob_match(src, dir));
    }
    false
}

/// `*` and `?` within one path element, as Docker's COPY matches.
fn glob_match(pat: &str, s: &str) -> bool {
    globset::GlobBuilder::new(pat)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher().is_match(s))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str, module: Option<&str>) -> (Document, Facts<'static>) {
        let doc = Document::parse(src).unwrap();
        let ctx: Option<&'static BuildContext> = module.map(|m| {
            &*Box::leak(Box::new(BuildContext {
                module: Some(m.to_string()),
                ..BuildContext::default()
            }))
        });
        let f = Facts::of(&doc, ctx);
        (doc, f)
    }

    #[test]
    fn seed_build_lands_in_the_gopath_workdir() {
        let (_, f) = facts(
            "FROM golang:1.16\nCOPY . /$GOPATH/src/Fouda/\nWORKDIR /$GOPATH/src/Fouda/\nRUN go build ./cmd/main.go\nCMD [\"go\",\"run\",\"./cmd/main.go\"]\n",
            None,
        );
        let b = &f.builds[0];
        assert_eq!(b.output, Output::File("/go/src/Fouda/main".into()));
        assert_eq!(b.cgo, Cgo::Default);
        assert_eq!(f.stages[0].family, Family::Golang);
        assert_eq!(f.stages[0].copies[0].dest.as_deref(), Some("/go/src/Fouda"));
        assert_eq!(f.shipped_builds().len(), 1);
    }

    #[test]
    fn outputs_and_cgo_from_every_source() {
        let (_, f) = facts(
            "ARG GO=1.21\nFROM golang:${GO}-alpine AS build\nWORKDIR /src\nENV CGO_ENABLED=0\nRUN go build -o bin/ ./cmd/api\nRUN cd cmd/worker && go build\nRUN go install ./tools/...\nRUN CGO_ENABLED=1 go build .\nFROM alpine:3.19\nCOPY --from=build /src/bin/api /api\n",
            Some("example.com/svc/v2"),
        );
        let outs: Vec<_> = f.builds.iter().map(|b| b.output.clone()).collect();
        assert_eq!(outs[0], Output::File("/src/bin/api".into()));
        assert!(matches!(outs[1], Output::Unknown(_)), "{:?}", outs[1]);
        assert_eq!(outs[2], Output::Dir("/go/bin".into()));
        assert_eq!(outs[3], Output::File("/src/svc".into()));
        assert!(matches!(f.builds[0].cgo, Cgo::Off(_)));
        assert!(matches!(f.builds[3].cgo, Cgo::On(_)));
        // What a COPY --from takes ships; an output dfslim cannot place may ship.
        let shipped: Vec<_> = f.shipped_builds().iter().map(|b| b.ins).collect();
        assert_eq!(shipped, [f.builds[0].ins, f.builds[1].ins]);
        assert_eq!(f.stages[0].family, Family::Golang);
        assert_eq!(f.stages[0].libc, Libc::Musl);
        assert_eq!(f.stages[1].family, Family::Alpine);
        assert_eq!(f.stages[0].used_by, [1]);
    }

    #[test]
    fn shell_variables_make_paths_unknown() {
        let (_, f) = facts("FROM golang\nRUN B=x; go build -o $B .\n", None);
        assert!(matches!(f.builds[0].output, Output::Unknown(_)));
    }

    #[test]
    fn copy_sources_cover_outputs() {
        assert!(covers("/go/bin/", "/go/bin/app"));
        assert!(covers("/go/bin/*", "/go/bin/app"));
        assert!(covers("/app", "/app"));
        assert!(!covers("/ap", "/app"));
    }
}
