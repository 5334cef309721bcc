//! Facts derived from a Document and its build context, computed once per
//! version of the text so transforms stay small: the stages and who feeds
//! whom, variables and working directories, and per ecosystem (computed on
//! first use) what is built, where the artifact lands, and what the running
//! program needs.

pub mod base;
pub mod commands;
pub mod context;
pub mod env;
pub mod go;
pub mod java;
pub mod node;
pub mod python;
pub mod rust;
pub mod shell;
pub mod stages;
pub mod targets;

pub use base::{Family, Libc};
pub use context::BuildContext;
pub use go::{Cgo, GoBuild, GoFacts, Output};
pub use java::JavaFacts;
pub use node::NodeFacts;
pub use python::PythonFacts;
pub use rust::RustFacts;
pub use stages::{Source, StageFacts};
pub use targets::{Target, Targets};

use crate::catalog;
use crate::ecosystem::Ecosystem;
use crate::syntax::{Document, Kept};
use std::sync::OnceLock;

/// The per-instruction facts of one version of a text, for the next (see
/// [`Facts::with_kept`]).
#[derive(Debug, Default)]
pub struct Carried {
    lines: Vec<Vec<commands::CommandLine>>,
    features: Vec<bool>,
}

/// What analysis knows of a Dockerfile (and its build context, when read).
#[derive(Debug)]
pub struct Facts<'c> {
    pub stages: Vec<StageFacts>,
    pub context: Option<&'c BuildContext>,
    /// Per instruction, the simple commands of a RUN (empty otherwise),
    /// read once for every part of analysis and every transform.
    lines: Vec<Vec<commands::CommandLine>>,
    /// Per instruction, true when its RUN uses shell syntax beyond simple
    /// commands (pipes, `||`, redirections, control flow, a heredoc).
    features: Vec<bool>,
    /// Which stage ships, which stay as they are.
    pub roles: targets::Roles,
    /// Per stage, the source paths other stages copy from it.
    copied_from: Vec<Vec<String>>,
    go: OnceLock<GoFacts>,
    node: OnceLock<NodeFacts>,
    rust: OnceLock<RustFacts>,
    python: OnceLock<PythonFacts>,
    java: OnceLock<JavaFacts>,
    image: OnceLock<Vec<usize>>,
}

impl<'c> Facts<'c> {
    /// The facts of `doc` built on its own (the last stage ships).
    pub fn of(doc: &Document, context: Option<&'c BuildContext>) -> Facts<'c> {
        Facts::with_targets(doc, context, Targets::NONE)
    }

    /// The facts of `doc`, whose stages `targets` says who builds.
    pub fn with_targets(
        doc: &Document,
        context: Option<&'c BuildContext>,
        targets: &Targets,
    ) -> Facts<'c> {
        Facts::with_kept(doc, context, targets, None)
    }

    /// [`Facts::with_targets`] of a document made by editing the one
    /// `carried` was read from: the commands of the RUNs the edit kept (see
    /// [`Kept`]) are taken from there, moved along, not read again.
    pub fn with_kept(
        doc: &Document,
        context: Option<&'c BuildContext>,
        targets: &Targets,
        carried: Option<(Carried, Kept)>,
    ) -> Facts<'c> {
        let mut carried = carried;
        let (lines, features): (Vec<Vec<commands::CommandLine>>, Vec<bool>) = doc
            .instructions()
            .iter()
            .enumerate()
            .map(|(i, ins)| match ins.keyword {
                crate::syntax::Keyword::Run => {
                    let kept = carried.as_mut().and_then(|(c, kept)| {
                        let (j, bytes) = kept.old(i)?;
                        let mut lines = std::mem::take(c.lines.get_mut(j)?);
                        if bytes != 0 {
                            lines.iter_mut().for_each(|l| l.shift(bytes));
                        }
                        Some((lines, c.features[j]))
                    });
                    match kept {
                        Some(kept) if crate::syntax::check_rereads() => {
                            let fresh = commands::command_lines(doc, ins);
                            let (a, b) = (format!("{kept:?}"), format!("{fresh:?}"));
                            assert_eq!(a, b, "the commands kept of instruction {i} differ");
                            kept
                        }
                        Some(kept) => kept,
                        None => commands::command_lines(doc, ins),
                    }
                }
                _ => (Vec::new(), false),
            })
            .unzip();
        let stages = stages::walk(doc, &lines);
        let roles = targets::roles(doc, &stages, targets);
        let mut copied_from = vec![Vec::new(); stages.len()];
        for st in &stages {
            for c in &st.copies {
                if let Source::Stage(f) = c.source {
                    copied_from[f].extend(c.sources.iter().cloned());
                }
            }
        }
        Facts {
            stages,
            context,
            lines,
            features,
            roles,
            copied_from,
            go: OnceLock::new(),
            node: OnceLock::new(),
            rust: OnceLock::new(),
            python: OnceLock::new(),
            java: OnceLock::new(),
            image: OnceLock::new(),
        }
    }

    /// What a later version of the text can keep of these facts.
    pub fn carried(self) -> Carried {
        Carried {
            lines: self.lines,
            features: self.features,
        }
    }

    /// The simple commands of RUN instruction `i` (none for another keyword).
    pub fn lines(&self, i: usize) -> &[commands::CommandLine] {
        self.lines.get(i).map_or(&[], Vec::as_slice)
    }

    /// True when RUN instruction `i` uses shell syntax beyond simple
    /// commands (see `commands::command_lines`).
    pub fn shell_features(&self, i: usize) -> bool {
        self.features.get(i).copied().unwrap_or(false)
    }

    /// The Go facts, worked out the first time they are asked for. `doc`
    /// must be the document these facts were made from.
    pub fn go(&self, doc: &Document) -> &GoFacts {
        self.go.get_or_init(|| GoFacts::of(doc, self))
    }

    /// The Node.js facts, worked out the first time they are asked for.
    pub fn node(&self, doc: &Document) -> &NodeFacts {
        self.node.get_or_init(|| NodeFacts::of(doc, self))
    }

    /// The Rust facts, worked out the first time they are asked for.
    pub fn rust(&self, doc: &Document) -> &RustFacts {
        self.rust.get_or_init(|| RustFacts::of(doc, self))
    }

    /// The Python facts, worked out the first time they are asked for.
    pub fn python(&self, doc: &Document) -> &PythonFacts {
        self.python.get_or_init(|| PythonFacts::of(doc, self))
    }

    /// The Java facts, worked out the first time they are asked for (they
    /// need nothing of `doc` beyond these facts; it is taken as the other
    /// ecosystems take it).
    pub fn java(&self, _doc: &Document) -> &JavaFacts {
        self.java.get_or_init(|| JavaFacts::of(self))
    }

    /// True when some stage of the file belongs to `eco` (`Any`: always).
    pub fn has(&self, eco: Ecosystem, doc: &Document) -> bool {
        match eco {
            Ecosystem::Any => true,
            Ecosystem::Go => {
                self.stages.iter().any(|s| s.family == Family::Golang)
                    || self.lines.iter().flatten().any(|l| l.name == "go")
                    || self.stages.iter().any(|s| {
                        [&s.cmd, &s.entrypoint].into_iter().flatten().any(|p| {
                            p.argv
                                .as_ref()
                                .and_then(|a| a.first())
                                .is_some_and(|prog| prog.rsplit('/').next() == Some("go"))
                        })
                    })
                    || (self.go.get().is_some() && self.go(doc).any())
            }
            Ecosystem::Node => self.node(doc).any(),
            Ecosystem::Rust => self.rust(doc).any(),
            Ecosystem::Python => self.python(doc).any(),
            Ecosystem::Java => self.java(doc).any(),
        }
    }

    /// The stage the image is made of: the last one, unless configuration
    /// names another.
    pub fn runtime(&self) -> Option<&StageFacts> {
        self.stages.get(self.roles.shipped)
    }

    /// Why `stage` must stay as it is (a product of its own, or feeding one).
    pub fn frozen(&self, stage: usize) -> Option<&str> {
        self.roles.frozen.get(stage).and_then(|f| f.as_deref())
    }

    /// True when `stage` is part of the shipped image: the stage that ships
    /// or a stage it is built FROM, directly or through others. A stage
    /// that only feeds `COPY --from` is not: its base does not ship.
    pub fn in_image(&self, stage: usize) -> bool {
        let mut at = self.roles.shipped;
        loop {
            if at == stage {
                return true;
            }
            match self.stages.get(at).map(|s| &s.base) {
                Some(stages::Base::Stage(b)) if *b < at => at = *b,
                _ => return false,
            }
        }
    }

    /// Stages built FROM `stage`, directly or through others, in file order.
    pub fn built_from(&self, stage: usize) -> Vec<usize> {
        let mut on = vec![false; self.stages.len()];
        if let Some(o) = on.get_mut(stage) {
            *o = true;
        }
        let mut out = Vec::new();
        for (i, st) in self.stages.iter().enumerate().skip(stage + 1) {
            if let stages::Base::Stage(b) = st.base
                && on[b]
            {
                on[i] = true;
                out.push(i);
            }
        }
        out
    }

    /// The runtime stage and every stage feeding it, in file order: what
    /// reaches the image.
    pub fn image_stages(&self) -> &[usize] {
        self.image.get_or_init(|| {
            let Some(rt) = self.runtime() else {
                return Vec::new();
            };
            let mut v = self.feeders(rt.index);
            v.push(rt.index);
            v
        })
    }

    /// The source paths other stages copy from `stage` (`COPY --from`).
    pub fn copied_from(&self, stage: usize) -> &[String] {
        self.copied_from.get(stage).map_or(&[], Vec::as_slice)
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
            &*Box::leak(Box::new(BuildContext::with_go(
                std::path::Path::new("."),
                go::context::GoContext {
                    module: Some(m.to_string()),
                    ..Default::default()
                },
            )))
        });
        let f = Facts::of(&doc, ctx);
        (doc, f)
    }

    #[test]
    fn seed_build_lands_in_the_gopath_workdir() {
        let (doc, f) = facts(
            "FROM golang:1.16\nCOPY . /$GOPATH/src/Fouda/\nWORKDIR /$GOPATH/src/Fouda/\nRUN go build ./cmd/main.go\nCMD [\"go\",\"run\",\"./cmd/main.go\"]\n",
            None,
        );
        let b = &f.go(&doc).builds[0];
        assert_eq!(b.output, Output::File("/go/src/Fouda/main".into()));
        assert_eq!(b.cgo, Cgo::Default);
        assert_eq!(f.stages[0].family, Family::Golang);
        assert_eq!(f.stages[0].copies[0].dest.as_deref(), Some("/go/src/Fouda"));
        assert_eq!(f.go(&doc).shipped_builds().len(), 1);
    }

    #[test]
    fn outputs_and_cgo_from_every_source() {
        let (doc, f) = facts(
            "ARG GO=1.21\nFROM golang:${GO}-alpine AS build\nWORKDIR /src\nENV CGO_ENABLED=0\nRUN go build -o bin/ ./cmd/api\nRUN cd cmd/worker && go build\nRUN go install ./tools/...\nRUN CGO_ENABLED=1 go build .\nFROM alpine:3.19\nCOPY --from=build /src/bin/api /api\n",
            Some("example.com/svc/v2"),
        );
        let outs: Vec<_> = f.go(&doc).builds.iter().map(|b| b.output.clone()).collect();
        assert_eq!(outs[0], Output::File("/src/bin/api".into()));
        assert!(matches!(outs[1], Output::Unknown(_)), "{:?}", outs[1]);
        assert_eq!(outs[2], Output::Dir("/go/bin".into()));
        assert_eq!(outs[3], Output::File("/src/svc".into()));
        assert!(matches!(f.go(&doc).builds[0].cgo, Cgo::Off(_)));
        assert!(matches!(f.go(&doc).builds[3].cgo, Cgo::On(_)));
        // What a COPY --from takes ships; an output dfslim cannot place may ship.
        let shipped: Vec<_> = f.go(&doc).shipped_builds().iter().map(|b| b.ins).collect();
        assert_eq!(
            shipped,
            [f.go(&doc).builds[0].ins, f.go(&doc).builds[1].ins]
        );
        assert_eq!(f.stages[0].family, Family::Golang);
        assert_eq!(f.stages[0].libc, Libc::Musl);
        assert_eq!(f.stages[1].family, Family::Alpine);
        assert_eq!(f.stages[0].used_by, [1]);
    }

    #[test]
    fn shell_variables_make_paths_unknown() {
        let (doc, f) = facts("FROM golang\nRUN B=x; go build -o $B .\n", None);
        assert!(matches!(f.go(&doc).builds[0].output, Output::Unknown(_)));
    }

    #[test]
    fn copy_sources_cover_outputs() {
        assert!(covers("/go/bin/", "/go/bin/app"));
        assert!(covers("/go/bin/*", "/go/bin/app"));
        assert!(covers("/app", "/app"));
        assert!(!covers("/ap", "/app"));
    }
}
