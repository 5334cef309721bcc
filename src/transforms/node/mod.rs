//! Node.js: a node image becomes slim (level 1), the command runs node and
//! the image is split into a builder and a runtime that gets the app as the
//! builder left it (2), without dev dependencies (3), on distroless nodejs
//! (4); nothing to strip (5).

pub mod cmd;
pub mod distroless;
pub mod multi_stage;
pub mod prod_deps;
pub mod slim_base;
pub mod strip;
mod tag;
