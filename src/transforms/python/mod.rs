//! Python: a python image becomes slim (level 1), the image is split into a
//! builder that installs into a virtual environment and a slim runtime that
//! gets it with the app (2), without dev dependencies or installer caches
//! (3), on distroless python when the minor matches (4); nothing to strip (5).

pub mod distroless;
pub mod multi_stage;
pub mod prod_deps;
pub mod slim_base;
pub mod strip;
mod tag;

use crate::analysis::StageFacts;
use crate::ecosystem::Ecosystem;
use crate::transforms::{Cx, Outcome};

/// The stage that ships, when it is a Python stage: where the Python steps
/// after level 1 start (else not applicable, with why).
pub(crate) fn python_runtime<'a>(cx: &Cx<'a>) -> Result<&'a StageFacts, Outcome> {
    cx.shipped_stage(&cx.python().python_stage, Ecosystem::Python)
}
