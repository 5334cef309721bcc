//! `node-strip` (level 5): nothing to strip in a Node.js image.
//!
//! **What**: nothing; the step says why, so that level 5 reads the same for
//! every ecosystem.
//!
//! **Why**: the image is node and JavaScript: no symbol table or debug
//! sections to remove (node's own binary in the official and distroless
//! images is already stripped). Making JavaScript smaller is the bundler's
//! job (minify, tree-shake), a change to the build, not to the image.
//!
//! **Refuses**: never.
//!
//! **Example**: none.

use crate::transforms::{Cx, Outcome, Transform};

pub struct NodeStrip;

impl Transform for NodeStrip {
    fn id(&self) -> &'static str {
        "node-strip"
    }

    fn run(&self, _cx: &Cx) -> Outcome {
        Outcome::not_applicable(
            "nothing to strip: the image is node (already stripped) and JavaScript; minifying is the bundler's job",
        )
    }
}
