//! The slimming transforms: one file per transform, named by its id.
//!
//! A transform looks at the current [`Document`] and what analysis knows of
//! it and of the build context, and answers with an [`Outcome`]: edits and a
//! one-line message, a refusal with a reason a user can act on, or "not
//! applicable". It never prints and never touches files; the pipeline
//! applies its edits, re-reads the text around them, and moves on to the next one.

pub mod any;
pub mod go;
pub mod java;
pub mod node;
pub mod pin;
pub mod python;
pub mod rebase;
pub mod rust;
pub mod split;
pub mod text;

use crate::analysis::{Facts, GoFacts, JavaFacts, NodeFacts, PythonFacts, RustFacts, StageFacts};
use crate::edit::Edit;
use crate::syntax::Document;

/// What a transform is given.
pub struct Cx<'a> {
    pub doc: &'a Document,
    pub facts: &'a Facts<'a>,
    /// True for a byte offset of `doc` that dfslim wrote (an earlier step
    /// added it): a transform says "the runtime stage" rather than naming
    /// an image the user never wrote.
    pub added: &'a dyn Fn(usize) -> bool,
    /// What the user asked for (`allow_unpinned`, the level-4 runtime).
    pub selection: &'a crate::pipeline::Selection,
    /// Where digests for images a rewrite introduces come from.
    pub digests: &'a dyn crate::digest::Digests,
}

impl Cx<'_> {
    /// The Go facts of the document.
    pub fn go(&self) -> &GoFacts {
        self.facts.go(self.doc)
    }

    /// The Node.js facts of the document.
    pub fn node(&self) -> &NodeFacts {
        self.facts.node(self.doc)
    }

    /// The Rust facts of the document.
    pub fn rust(&self) -> &RustFacts {
        self.facts.rust(self.doc)
    }

    /// The Python facts of the document.
    pub fn python(&self) -> &PythonFacts {
        self.facts.python(self.doc)
    }

    /// The Java facts of the document.
    pub fn java(&self) -> &JavaFacts {
        self.facts.java(self.doc)
    }
}

impl<'a> Cx<'a> {
    /// The stage that ships, when `stage_is` (a flag per stage, from the
    /// ecosystem's facts) says it is an `eco` stage: where that ecosystem's
    /// steps after level 1 start. Else not applicable, with why.
    pub fn shipped_stage(
        &self,
        stage_is: &[bool],
        eco: crate::ecosystem::Ecosystem,
    ) -> Result<&'a StageFacts, Outcome> {
        let rt = self
            .facts
            .runtime()
            .ok_or_else(|| Outcome::not_applicable("no stages"))?;
        if !stage_is.get(rt.index).copied().unwrap_or(false) {
            return Err(Outcome::not_applicable(format!(
                "the image's stage is not a {} stage",
                eco.title()
            )));
        }
        Ok(rt)
    }
}

/// A transform's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Edits on the current text, with a one-line message for the user.
    Apply {
        edits: Vec<Edit>,
        /// What the step does to the user's file, in a line.
        message: String,
        /// Things the user should know (a file carried along, a flag added).
        notes: Vec<String>,
        /// What the step normally checks and could not, here (the build
        /// context did not hold the sources): the user may want `--context`.
        unchecked: Vec<String>,
    },
    /// The change would break the image (or cannot be made safely): why.
    Refuse(String),
    /// Nothing to do here (not a Go build, already done): why.
    NotApplicable(String),
}

impl Outcome {
    pub fn apply(edits: Vec<Edit>, message: impl Into<String>) -> Outcome {
        Outcome::Apply {
            edits,
            message: message.into(),
            notes: Vec::new(),
            unchecked: Vec::new(),
        }
    }

    pub fn refuse(reason: impl Into<String>) -> Outcome {
        Outcome::Refuse(reason.into())
    }

    pub fn not_applicable(why: impl Into<String>) -> Outcome {
        Outcome::NotApplicable(why.into())
    }

    /// Adds notes to an `Apply`; other outcomes are returned unchanged.
    pub fn with_notes(mut self, more: Vec<String>) -> Outcome {
        if let Outcome::Apply { notes, .. } = &mut self {
            notes.extend(more);
        }
        self
    }

    /// Adds what could not be checked to an `Apply`.
    pub fn with_unchecked(mut self, more: Vec<String>) -> Outcome {
        if let Outcome::Apply { unchecked, .. } = &mut self {
            unchecked.extend(more);
        }
        self
    }
}

/// Instructions that describe the running container rather than the build:
/// multi-stage moves them to the runtime stage.
pub(crate) fn for_the_container(k: crate::syntax::Keyword) -> bool {
    use crate::syntax::Keyword::*;
    matches!(
        k,
        Expose | Label | StopSignal | Healthcheck | OnBuild | Cmd | Entrypoint
    )
}

/// A slimming step. Its id, level and texts live in the catalog (`transforms/*.toml`).
pub trait Transform: Sync {
    fn id(&self) -> &'static str;
    fn run(&self, cx: &Cx) -> Outcome;
    /// True when the step has a way of its own here although `dep`, a
    /// dependency in its catalog entry, was refused or skipped.
    fn runs_without(&self, _dep: &str, _cx: &Cx) -> bool {
        false
    }
}

/// Every transform, grouped by ecosystem, each group in level order. The
/// pipeline runs them by level ([`all`]); a new ecosystem adds its group.
const GROUPS: &[&dyn Transform] = &[
    &go::alpine_base::AlpineBase,
    &go::cmd_binary::CmdBinary,
    &go::multi_stage::MultiStage,
    &go::cgo_off::CgoOff,
    &go::scratch_runtime::ScratchRuntime,
    &go::strip_flags::StripFlags,
    &go::nonroot_user::NonrootUser,
    &node::slim_base::NodeSlimBase,
    &node::cmd::NodeCmd,
    &node::multi_stage::NodeMultiStage,
    &node::prod_deps::NodeProdDeps,
    &node::distroless::NodeDistroless,
    &node::strip::NodeStrip,
    &any::apt_lists::AptLists,
    &any::apk_no_cache::ApkNoCache,
    &any::pip_no_cache::PipNoCache,
    &any::npm_cache::NpmCache,
    &any::apt_no_recommends::AptNoRecommends,
    &rust::slim_base::RustSlimBase,
    &rust::cmd::RustCmd,
    &rust::multi_stage::RustMultiStage,
    &rust::static_musl::RustStatic,
    &rust::distroless::RustDistroless,
    &rust::strip::RustStrip,
    &python::slim_base::PythonSlimBase,
    &python::multi_stage::PythonMultiStage,
    &python::prod_deps::PythonProdDeps,
    &python::distroless::PythonDistroless,
    &python::strip::PythonStrip,
    &java::jre_base::JavaJreBase,
    &java::multi_stage::JavaMultiStage,
    &java::layers::JavaLayers,
    &java::jlink::JavaJlink,
    &java::distroless::JavaDistroless,
    &java::strip::JavaStrip,
];

/// Every transform, in the order the pipeline runs them: by level, and
/// within a level in the order of [`GROUPS`].
pub fn all() -> &'static [&'static dyn Transform] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn Transform>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static dyn Transform> = GROUPS.to_vec();
        v.sort_by_key(|t| crate::catalog::entry(t.id()).map_or(u8::MAX, |e| e.level));
        v
    })
}

/// The transform with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Transform> {
    all().iter().copied().find(|t| t.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    /// The catalog in transforms/*.toml and the code name the same
    /// transforms, in the same (level) order.
    #[test]
    fn catalog_and_code_agree() {
        let code: Vec<&str> = all().iter().map(|t| t.id()).collect();
        let data: Vec<&str> = catalog::entries().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(code, data);
        let levels: Vec<u8> = catalog::entries().iter().map(|e| e.level).collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
        for e in catalog::entries() {
            for dep in &e.depends_on {
                assert!(by_id(dep).is_some(), "{} depends on unknown {dep}", e.id);
            }
            assert!(!e.refuses.is_empty() && !e.example.after.is_empty());
        }
    }
}
