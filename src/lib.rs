//! dfslim: rewrites Dockerfiles so the images they build get small, losslessly.

pub mod syntax;
