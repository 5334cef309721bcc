//! Go: the seed's story. A fat golang image becomes alpine (level 1), is
//! split into a builder and a runtime that gets only the binary, which the
//! command runs (2), links statically (3), runs on scratch (4) and is
//! stripped (5).

pub mod alpine_base;
pub mod cgo_off;
pub mod cmd_binary;
pub mod goflags;
pub mod multi_stage;
pub mod nonroot_user;
pub mod scratch_runtime;
pub mod strip_flags;
