//! Facts derived from a Document and its build context, computed once per
//! pipeline step so transforms stay small.

pub mod context;

pub use context::BuildContext;

use crate::syntax::Document;

/// What analysis knows of a Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Facts {}

impl Facts {
    pub fn of(_doc: &Document, _context: Option<&BuildContext>) -> Facts {
        Facts {}
    }
}
