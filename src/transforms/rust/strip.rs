//! `rust-strip` (level 5): the shipped binary without its symbol table.
//!
//! **What**: `ENV CARGO_PROFILE_RELEASE_STRIP=symbols` (the profile the
//! build uses: `--profile dist` gives CARGO_PROFILE_DIST_STRIP) just before
//! the first build of that profile in the stage that makes the shipped
//! binary. Never doubled: not applicable when the profile strips already
//! (`[profile.release] strip = true` or `"symbols"` in the workspace's
//! Cargo.toml or .cargo/config.toml, the variable set, `-C strip=symbols`
//! in RUSTFLAGS). The user's Cargo.toml is left alone.
//!
//! **Why**: since Rust 1.77 a release build already leaves out debug info
//! (`strip = "debuginfo"` by default); the symbol table is what remains: a
//! fifth of a small binary (889,504 instead of 1,121,888 bytes for an HTTP
//! service on scratch). Panics still print their message with file and
//! line; backtraces lose function names.
//!
//! **Refuses** when the profile keeps symbols or debug info on purpose
//! (`strip = false`, `"none"`, `"debuginfo"`, `debug = true` ...), the
//! image ships a debug build (see rust-cmd), or the rust tag's Cargo is
//! older than 1.59 (no `strip` setting).
//!
//! **Example**: `RUN cargo build --release` ->
//! `ENV CARGO_PROFILE_RELEASE_STRIP=symbols` + `RUN cargo build --release`.

use super::multi_stage::rust_image;
use crate::analysis::rust::CargoBuild;
use crate::analysis::rust::cmd::Profile;
use crate::analysis::rust::context::Setting;
use crate::catalog;
use crate::message::Loc;
use crate::transforms::text::{insert_before, kw_like};
use crate::transforms::{Cx, Outcome, Transform};

pub struct RustStrip;

impl Transform for RustStrip {
    fn id(&self) -> &'static str {
        "rust-strip"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// `CARGO_PROFILE_<NAME>_STRIP`.
fn key(profile: &Profile) -> String {
    format!(
        "CARGO_PROFILE_{}_STRIP",
        profile.name().to_ascii_uppercase().replace('-', "_")
    )
}

fn strips(s: &Setting) -> bool {
    matches!(s, Setting::Bool(true)) || matches!(s, Setting::Str(v) if v == "symbols")
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let shipped = cx.rust().shipped(doc, facts);
    if shipped.is_empty() {
        return Err(Outcome::not_applicable("no Rust build reaches the image"));
    }
    let mut builds: Vec<&CargoBuild> = Vec::new();
    for s in &shipped {
        if !builds.iter().any(|b| b.ins == s.build.ins) {
            builds.push(s.build);
        }
    }
    let ctx = facts.context.map(|c| c.rust()).filter(|c| c.any());
    let mut edits = Vec::new();
    let mut said = Vec::new();
    let mut already = Vec::new();
    let mut unchecked = Vec::new();
    let mut done: Vec<(usize, String)> = Vec::new();
    for b in builds {
        let line = Loc::at(doc, b.ins);
        if b.cmd.profile == Profile::Dev {
            return Err(Outcome::refuse(format!(
                "the image ships a debug build (on {line}); rust-cmd makes it --release first"
            )));
        }
        if let Some(why) = facts.frozen(b.stage) {
            return Err(Outcome::refuse(format!(
                "the binary is built in a stage that must stay as it is: {why}"
            )));
        }
        if let Ok((_, tag)) = rust_image(facts, b.stage)
            && tag.older_than(&catalog::tables().rust.strip_since)
        {
            return Err(Outcome::refuse(format!(
                "{} has a Cargo older than {}, which has no `strip` setting",
                tag.image(),
                catalog::tables().rust.strip_since
            )));
        }
        let k = key(&b.cmd.profile);
        let pname = b.cmd.profile.name().to_string();
        if let Some(v) = b.env.get(&k) {
            match v {
                crate::analysis::env::Value::Known(v) if v == "symbols" || v == "true" => {
                    already.push(format!("{k}={v} for the build on {line}"));
                    continue;
                }
                _ => {
                    return Err(Outcome::refuse(format!(
                        "{k} is set for the build on {line} to a value dfslim leaves as it is"
                    )));
                }
            }
        }
        let rustflags = b.var("RUSTFLAGS").unwrap_or("");
        let config_flags = ctx
            .and_then(|c| b.project.as_deref().and_then(|p| c.config_of(p)))
            .map(|c| c.rustflags.join(" "))
            .unwrap_or_default();
        if [rustflags, config_flags.as_str()]
            .iter()
            .any(|f| f.contains("strip=symbols") || f.contains("link-arg=-s"))
        {
            already.push(format!("RUSTFLAGS strips the build on {line}"));
            continue;
        }
        match (ctx, &b.project) {
            (Some(c), Some(p)) => {
                let prof = c.profile(p, &pname);
                if let Some(s) = &prof.strip {
                    if strips(s) {
                        already.push(format!(
                            "the workspace's [profile.{pname}] has strip = {}",
                            s.written()
                        ));
                        continue;
                    }
                    return Err(Outcome::refuse(format!(
                        "the workspace's Cargo.toml sets strip = {} in [profile.{pname}]: symbols are kept on purpose (backtraces name functions with them); remove it to strip",
                        s.written()
                    )));
                }
                if let Some(d) = &prof.debug
                    && !matches!(d, Setting::Bool(false) | Setting::Int(0))
                    && !matches!(d, Setting::Str(v) if v == "none")
                {
                    return Err(Outcome::refuse(format!(
                        "the workspace's Cargo.toml asks for debug info in [profile.{pname}] (debug = {}); stripping symbols would drop it",
                        d.written()
                    )));
                }
            }
            _ => unchecked.push(format!(
                "no Cargo.toml was read: whether [profile.{pname}] strips already was not checked (the variable wins over it)"
            )),
        }
        if done.iter().any(|(s, kk)| *s == b.stage && *kk == k) {
            continue;
        }
        // Before the first build of that profile in the stage (a
        // dependency-cache build first: the setting changes its fingerprint).
        let first = cx
            .rust()
            .builds
            .iter()
            .filter(|x| x.stage == b.stage && x.cmd.profile == b.cmd.profile)
            .map(|x| x.ins)
            .min()
            .unwrap_or(b.ins);
        let ins = &doc.instructions()[first];
        edits.push(insert_before(
            doc,
            ins,
            &[format!("{} {k}=symbols", kw_like(doc, ins, "ENV"))],
        ));
        done.push((b.stage, k.clone()));
        said.push(format!(
            "{k}=symbols before the build on {}",
            Loc::at(doc, first)
        ));
    }
    if edits.is_empty() {
        return Err(Outcome::not_applicable(format!(
            "the binary is stripped already: {}",
            crate::transforms::text::listing(&already, "; ")
        )));
    }
    Ok(Outcome::apply(
        edits,
        format!(
            "{}: the binary has no symbol table (panics still say where; backtraces lose function names)",
            crate::transforms::text::listing(&said, "; ")
        ),
    )
    .with_unchecked(unchecked))
}
