//! dfslim: rewrites Dockerfiles so the images they build get small,
//! changing only the bytes it means to.
//!
//! Data flows one way: [`walk`] finds files, [`syntax`] reads them
//! losslessly, [`analysis`] derives facts, [`transforms`] answer with edits
//! or refusals, [`pipeline`] runs them in level order, [`report`] renders
//! and [`fsio`] writes atomically.

pub mod analysis;
pub mod bake;
pub mod catalog;
pub mod compose;
pub mod config;
pub mod digest;
pub mod ecosystem;
pub mod edit;
pub mod fix;
pub mod fsio;
pub mod message;
pub mod pipeline;
pub mod report;
pub mod suppress;
pub mod syntax;
pub mod transforms;
pub mod verify;
pub mod walk;
