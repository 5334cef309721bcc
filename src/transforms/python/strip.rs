//! `python-strip` (level 5): nothing to strip in a Python image.
//!
//! **What**: nothing; the step says why, so that level 5 reads the same for
//! every ecosystem.
//!
//! **Why**: the interpreter and libpython in the official and distroless
//! images are already stripped, and manylinux wheels ship their extension
//! modules stripped (auditwheel); what is left is Python source and
//! bytecode, which have no symbol table. Stripping a C extension built from
//! source in the builder (psycopg2) would save tens of kilobytes and take
//! the symbols a crash report needs.
//!
//! **Refuses**: never.
//!
//! **Example**: none.

use crate::transforms::{Cx, Outcome, Transform};

pub struct PythonStrip;

impl Transform for PythonStrip {
    fn id(&self) -> &'static str {
        "python-strip"
    }

    fn run(&self, _cx: &Cx) -> Outcome {
        Outcome::not_applicable(
            "nothing to strip: the interpreter and wheels' extension modules are stripped already, and Python source has no symbols",
        )
    }
}
