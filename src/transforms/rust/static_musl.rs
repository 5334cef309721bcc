//! `rust-static` (level 3): static where it pays, which is at level 4.
//!
//! **What**: nothing on its own; the step says whether the binary can be
//! built static (`--target x86_64-unknown-linux-musl`) and why that waits
//! for level 4. rust-distroless (level 4) does the musl build together
//! with the move to `scratch`.
//!
//! **Why**: unlike Go's `CGO_ENABLED=0`, a static Rust binary is not
//! smaller: musl's libc and allocator are linked in, so the binary grows
//! by about 120 KB (measured: 75,874,454 -> 75,996,702 bytes for an HTTP
//! service on debian:bookworm-slim), and the level-2 runtime still carries
//! glibc. The gain (the whole of Debian slim) comes only with a runtime
//! that has no C library, so the two steps are one, at level 4. A build
//! that compiles or links C code (openssl-sys, ring, any `-sys` crate)
//! stays glibc: musl would need a musl C toolchain and musl builds of the
//! libraries, which dfslim does not add.
//!
//! **Refuses**: never; not applicable, with the reason.
//!
//! **Example**: none (see `dfslim explain rust-distroless`).

use super::crates;
use crate::transforms::{Cx, Outcome, Transform};

pub struct RustStatic;

impl Transform for RustStatic {
    fn id(&self) -> &'static str {
        "rust-static"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let shipped = cx.rust().shipped(cx.doc, cx.facts);
        let Some(s) = shipped.first() else {
            return Outcome::not_applicable("no Rust build reaches the image");
        };
        let b = s.build;
        let musl_builder = super::multi_stage::rust_image(cx.facts, b.stage)
            .is_ok_and(|(_, t)| t.variant == super::tag::Variant::Alpine);
        if b.target.as_deref().is_some_and(|t| t.contains("musl")) || musl_builder {
            return Outcome::not_applicable("the build is for musl already: the binary is static");
        }
        match crates::static_blocker(cx, b.stage) {
            Ok(()) => Outcome::not_applicable(
                "a static (musl) build is possible, and is done at level 4 with the move to scratch (rust-distroless): on its own it makes the binary about 120 KB larger and the runtime keeps its C library",
            ),
            Err(why) => Outcome::not_applicable(format!("the build stays glibc: {why}")),
        }
    }
}
