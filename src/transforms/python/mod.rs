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
