//! `rust-multi-stage` (level 2): a builder stage and a runtime stage on the
//! builder's Debian release that gets only the binary.
//!
//! **What**: the image's Rust stage becomes the builder (named `builder`,
//! or keeping its name) and a new last stage `FROM debian:<release>-slim`,
//! the Debian release the rust tag is built on (`rust:1.80` is bookworm,
//! `rust:1.70` bullseye, `rust:latest` trixie: transforms/tables/rust.toml),
//! receives the binary the command runs with `COPY --from=builder`, at the
//! same path; the command runs it by its absolute path. The binary's name
//! and place come from the build (`target/release/<bin>`, `--target-dir`,
//! `CARGO_TARGET_DIR`, `cargo install --root`). When Cargo.lock shows the
//! program links a C library (openssl-sys: libssl3), the runtime installs
//! its run-time package, with ca-certificates; a program that reads the
//! system's CA certificates (native-tls, rustls-native-certs) gets the CA
//! bundle. Files the program reads at run time follow: data the build
//! copied in, and entries of the context its sources name (`"static/..."`),
//! conventional ones (templates/, static/...) and Rocket.toml. EXPOSE,
//! USER, ENV (not Cargo's settings), CMD... move to the runtime.
//!
//! **Why**: the toolchain (0.9-1.6 GB), the sources and target/ stay in the
//! builder: the image is Debian slim (75 MB) and a binary of a few MB.
//!
//! **Refuses** when the command is not a binary a `cargo build` of the stage
//! makes (`cargo run`: see rust-cmd), the stage installs OS packages the
//! program may need at run time, Cargo.lock holds a `-sys` crate whose
//! run-time library dfslim does not know, Rust does not come from the rust
//! image, the tag's Debian release is unknown, or the shipped stage is not
//! the last.
//!
//! **Example**: `FROM rust:1.80` ... `RUN cargo build --release` ...
//! `CMD ["./target/release/api"]` -> the same as `builder`, then
//! `FROM debian:bookworm-slim`, `COPY --from=builder
//! /app/target/release/api /app/target/release/api`,
//! `CMD ["/app/target/release/api"]`.

use super::crates;
use super::tag::{RustTag, Variant};
use crate::analysis::env::join_path;
use crate::analysis::rust::{self as rustfacts, cmd as cargo};
use crate::analysis::stages::{Base, Source};
use crate::analysis::{Family, StageFacts};
use crate::catalog;
use crate::message::Loc;
use crate::syntax::{Document, Instruction};
use crate::transforms::text::{json_array, kw};
use crate::transforms::{Cx, Outcome, Transform, pin, split};

pub struct RustMultiStage;

impl Transform for RustMultiStage {
    fn id(&self) -> &'static str {
        "rust-multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// Cargo's and rustup's settings, which mean nothing to the program.
pub(crate) fn is_cargo_setting(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.starts_with("CARGO_")
        || k.starts_with("RUSTUP_")
        || k.starts_with("RUSTC")
        || k == "RUSTFLAGS"
        || k == "RUSTDOCFLAGS"
        || k == "RUST_VERSION"
        || k.starts_with("PKG_CONFIG")
        || k == "SQLX_OFFLINE"
        || k.starts_with("OPENSSL_")
}

/// The rust image a stage is on (following FROM <stage>), with its tag.
pub(crate) fn rust_image(
    facts: &crate::analysis::Facts,
    stage: usize,
) -> Result<(usize, RustTag), String> {
    let root = *rustfacts::chain(facts, stage).last().unwrap_or(&stage);
    match &facts.stages[root].base {
        Base::Image(b) if b.family == Family::Rust => {
            let t = b.tag.clone().or(b.tag_written.clone()).unwrap_or_default();
            if t.contains('$') {
                return Err(format!(
                    "the rust tag {t} comes from a build argument only the build knows"
                ));
            }
            Ok((root, RustTag::parse(&t)))
        }
        Base::Image(b) => Err(format!(
            "Rust does not come from the rust image here ({}); dfslim only splits stages on it",
            b.repository
        )),
        _ => Err("the stage starts from an image only the build knows".to_string()),
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let rust = cx.rust();
    if !rust.rust_stage[rt.index] {
        let from = rust.shipped(doc, facts).first().map(|s| s.build.stage);
        return Err(Outcome::not_applicable(match from {
            Some(b) => format!(
                "already split: the runtime gets the binary from stage {}",
                crate::analysis::targets::stage_name(doc, b)
            ),
            None => "the image's stage is not a Rust stage".to_string(),
        }));
    }
    if rust.builds_reaching(facts, rt.index).is_empty() {
        let runs_cargo = [&rt.entrypoint, &rt.cmd]
            .into_iter()
            .flatten()
            .any(|p| p.argv.as_ref().and_then(|a| cargo::read_argv(a)).is_some());
        if runs_cargo {
            return Err(Outcome::refuse(
                "the image runs cargo, and no `cargo build` of the stage makes the binary; rust-cmd must turn the command into the binary first",
            ));
        }
        return Err(Outcome::not_applicable(
            "already split: the image's stage builds no Rust (its binary comes from another stage)",
        ));
    }
    if rt.index + 1 != doc.stages().len() {
        return Err(Outcome::refuse(
            "the stage that ships is not the last one; dfslim only splits the last stage",
        ));
    }
    let (root_stage, tag) = rust_image(facts, rt.index).map_err(Outcome::refuse)?;
    let stage = &doc.stages()[rt.index];
    // What the container runs must be a binary the builds make.
    let proc = rt
        .entrypoint
        .as_ref()
        .filter(|p| !p.shell_form || rt.cmd.is_none())
        .or(rt.cmd.as_ref())
        .ok_or_else(|| {
            Outcome::refuse(
                "the image has no CMD or ENTRYPOINT, so dfslim cannot tell which binary it runs",
            )
        })?;
    let line = Loc::at(doc, proc.ins);
    let argv = proc.argv.as_ref().ok_or_else(|| {
        Outcome::refuse(format!(
            "the command on {line} is shell syntax that may need files of the builder"
        ))
    })?;
    let prog = argv.first().cloned().unwrap_or_default();
    if cargo::read_argv(argv).is_some() {
        return Err(Outcome::refuse(format!(
            "the command on {line} runs cargo; rust-cmd must turn it into the binary first"
        )));
    }
    let at = rt.at(doc, proc.ins);
    let (binary, build) = rust
        .resolve(facts, rt.index, &prog, at.workdir.as_deref(), &at.env)
        .ok_or_else(|| {
            Outcome::refuse(format!(
                "the command on {line} runs {prog}, which no `cargo build` of this stage is known to produce"
            ))
        })?;
    let workdir = rt.end.workdir.clone();
    if let Some(p) = [Some(binary.as_str()), workdir.as_deref()]
        .into_iter()
        .flatten()
        .find(|p| !split::is_plain_path(p, doc.escape()))
    {
        return Err(Outcome::refuse(format!(
            "the path {p:?} has characters dfslim will not write into a COPY line"
        )));
    }
    refuse_runtime_packages(cx, rt)?;
    // The runtime base: the builder's release, slim; alpine for alpine.
    let full = tag.variant == Variant::Full;
    let mut notes = Vec::new();
    let mut unchecked = Vec::new();
    let mut apt: Vec<String> = Vec::new();
    let mut ca_copy = false;
    let runtime_image = match tag.variant {
        Variant::Alpine => {
            let c = crates::of_stage(cx, rt.index);
            if let Some(l) = c.as_ref().and_then(|c| {
                c.libraries.iter().find(|l| {
                    !l.table.runtime.is_empty()
                        && !l.table.bundled
                        && !l.vendored
                        && l.bundled_by.is_none()
                })
            }) {
                return Err(Outcome::refuse(format!(
                    "{} links a C library, and on alpine dfslim does not know which apk package the runtime needs",
                    l.krate
                )));
            }
            if c.is_none() {
                unchecked.push(
                    "no Cargo.lock was read: C libraries the binary links were not checked"
                        .to_string(),
                );
            }
            ca_copy = c.as_ref().is_none_or(|c| c.ca.is_some());
            format!("alpine:{}", alpine_version(&tag))
        }
        _ => {
            let release = tag.debian_release().ok_or_else(|| {
                Outcome::refuse(format!(
                    "dfslim cannot tell which Debian release {} is built on; name one in the tag (rust:1.80-bookworm)",
                    tag.image()
                ))
            })?;
            let needs = crates::runtime_needs(cx, root_stage.max(rt.index), full, &release);
            if let Some(u) = needs.unknown.first() {
                return Err(Outcome::refuse(format!(
                    "Cargo.lock holds {u}, a -sys crate whose run-time library dfslim does not know: the runtime may lack it"
                )));
            }
            let in_slim = &catalog::tables().rust.in_debian_slim;
            for (krate, pkg) in &needs.linked {
                if !pkg.is_empty() && !in_slim.contains(pkg) && !apt.contains(pkg) {
                    apt.push(pkg.clone());
                    notes.push(format!("{krate} links {pkg}: the runtime installs it"));
                }
            }
            if needs.ca.is_some() || !apt.is_empty() {
                if apt.is_empty() {
                    ca_copy = true;
                } else {
                    apt.insert(0, "ca-certificates".to_string());
                }
            }
            if let Some(c) = &needs.ca {
                notes.push(format!(
                    "{c} reads the system's CA certificates: the runtime has the CA bundle"
                ));
            }
            unchecked.extend(needs.unchecked);
            format!("debian:{release}-slim")
        }
    };
    let runtime = pin::reference(cx, &runtime_image, None).map_err(Outcome::refuse)?;
    notes.extend(runtime.note);

    let mut edits = Vec::new();
    let (builder, name_edit) = split::name_builder(doc, stage)?;
    edits.extend(name_edit);
    let rewrite = |i: usize, ins: &Instruction| {
        (i == proc.ins && prog != binary).then(|| absolute_command(doc, ins, argv, &binary))
    };
    let parts = split::carried_instructions(cx, rt, &is_cargo_setting, &rewrite);
    let copy = |src: &str| format!("{} --from={builder} {src} {src}", kw(doc, "COPY"));
    let mut block = vec![format!("{} {}", kw(doc, "FROM"), runtime.text)];
    if !apt.is_empty() {
        block.push(format!(
            "{} apt-get update && apt-get install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*",
            kw(doc, "RUN"),
            apt.join(" ")
        ));
    }
    block.extend(parts.args);
    block.extend(parts.env);
    let explicit_workdir = split::sets_workdir(doc, stage);
    if let Some(w) = workdir.as_deref().filter(|w| explicit_workdir && *w != "/") {
        block.push(format!("{} {w}", kw(doc, "WORKDIR")));
    }
    let mut carried = Vec::new();
    if split::passwd(cx, rt.index) {
        block.push(copy("/etc/passwd"));
        block.push(copy("/etc/group"));
        carried
            .push("/etc/passwd and /etc/group (USER names a user the builder created)".to_string());
    }
    if ca_copy {
        block.push(format!(
            "{} --from={builder} {CA_BUNDLE} /etc/ssl/certs/",
            kw(doc, "COPY")
        ));
    }
    block.push(copy(&binary));
    for (src, why) in data_files(cx, rt, &binary, build) {
        if !split::is_plain_path(&src, doc.escape()) {
            return Err(Outcome::refuse(format!(
                "{src:?} ({why}) has characters dfslim will not write into a COPY line"
            )));
        }
        block.push(copy(&src));
        carried.push(format!("{src} ({why})"));
    }
    block.extend(parts.tail);
    edits.extend(split::relocate(doc, &parts.moved, &block).map_err(Outcome::refuse)?);
    if !carried.is_empty() {
        notes.push(format!(
            "also copied into the runtime: {}",
            crate::transforms::text::listing(&carried, "; ")
        ));
    }
    Ok(Outcome::apply(
        edits,
        format!(
            "split into `{builder}` and a runtime stage on {runtime_image} that gets only {binary}"
        ),
    )
    .with_notes(notes)
    .with_unchecked(unchecked))
}

pub(crate) const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The alpine release of a rust alpine tag (`1.80-alpine3.20` -> 3.20).
fn alpine_version(tag: &RustTag) -> String {
    tag.alpine
        .clone()
        .unwrap_or_else(|| catalog::tables().images.default_alpine.clone())
}

/// The command with its program as an absolute path, in exec form.
fn absolute_command(doc: &Document, ins: &Instruction, argv: &[String], binary: &str) -> String {
    let mut argv = argv.to_vec();
    argv[0] = binary.to_string();
    let kw_text = ins.keyword_span.of(doc.text());
    let nl = doc.newline();
    let comments: String = crate::transforms::text::inner_comments(doc, ins)
        .iter()
        .map(|c| format!("{}{nl}", c.trim_start()))
        .collect();
    format!("{comments}{kw_text} {}", json_array(&argv))
}

/// Refuses when the stage (or one it is built FROM) installs OS packages
/// the program may need at run time.
fn refuse_runtime_packages(cx: &Cx, rt: &StageFacts) -> Result<(), Outcome> {
    let table = &catalog::tables().rust;
    for s in rustfacts::chain(cx.facts, rt.index) {
        for inst in &cx.facts.stages[s].installs {
            let kept: Vec<&str> = inst
                .packages
                .iter()
                .filter(|p| !table.build_only_packages.contains(p) && !p.ends_with("-dev"))
                .map(String::as_str)
                .collect();
            if !kept.is_empty() {
                return Err(Outcome::refuse(format!(
                    "{} installs {} with {}, which the program may need at run time; the runtime would not have them",
                    Loc::at(cx.doc, inst.ins),
                    crate::transforms::text::listing(&kept, ", "),
                    inst.manager
                )));
            }
        }
    }
    Ok(())
}

/// Files the program may read at run time: data the build copied in, and
/// entries of the context its sources name or that hold run-time files by
/// convention, at their paths in the image.
fn data_files(
    cx: &Cx,
    rt: &StageFacts,
    binary: &str,
    build: &rustfacts::CargoBuild,
) -> Vec<(String, String)> {
    let doc = cx.doc;
    let mut out: Vec<(String, String)> = Vec::new();
    let ctx = cx.facts.context;
    let rctx = ctx.map(|c| c.rust());
    let workdir = rt.end.workdir.clone().unwrap_or_default();
    let root = build.root.clone().unwrap_or_default();
    // What COPY lines bring in besides the sources.
    let mut copies = Vec::new();
    for s in rustfacts::chain(cx.facts, rt.index).into_iter().rev() {
        copies.extend(
            cx.facts.stages[s]
                .copies
                .iter()
                .filter(|c| c.source == Source::Context),
        );
    }
    let source_dirs: Vec<String> = rctx
        .map(|r| {
            r.manifests
                .keys()
                .filter(|k| !k.is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut whole: Option<(String, String)> = None;
    for c in &copies {
        let Some(dest) = &c.dest else { continue };
        for src in &c.sources {
            let rel = crate::analysis::rust::context::normalize(src);
            let name = rel.rsplit('/').next().unwrap_or("").to_string();
            if rel.is_empty() {
                whole = Some((String::new(), dest.clone()));
                continue;
            }
            let input = matches!(
                name.as_str(),
                "src"
                    | "Cargo.toml"
                    | "Cargo.lock"
                    | ".cargo"
                    | "build.rs"
                    | "benches"
                    | "tests"
                    | "examples"
                    | "target"
                    | "Dockerfile"
                    | ".dockerignore"
                    | ".git"
                    | "rust-toolchain"
                    | "rust-toolchain.toml"
                    | "Makefile"
                    | "crates"
            ) || name.ends_with(".rs")
                || name.ends_with(".sh")
                || name.ends_with(".md")
                || source_dirs
                    .iter()
                    .any(|d| d == &rel || d.starts_with(&format!("{rel}/")));
            if input {
                // A directory holding the whole project counts as the context.
                if rctx.is_some_and(|r| r.manifest(&rel).is_some()) {
                    whole = Some((rel.clone(), dest.clone()));
                }
                continue;
            }
            let is_dir = src.ends_with('/')
                || ctx.map_or(!name.contains('.'), |x| x.dir.join(&rel).is_dir());
            let target = if is_dir || !(c.dest_is_dir || c.sources.len() > 1) {
                dest.clone()
            } else {
                join_path(dest, &name)
            };
            if target == binary
                || binary.starts_with(&format!("{target}/"))
                || target == workdir
                || target == root
                || target == "/"
            {
                continue;
            }
            if !out.iter().any(|(t, _)| *t == target) {
                out.push((target, format!("copied in on {}", Loc::at(doc, c.ins))));
            }
        }
    }
    // Context entries the program reads, under the whole project's copy.
    if let (Some((rel, dest)), Some(r), Some(bc)) = (whole, rctx, ctx) {
        let root_rel = build
            .project
            .as_deref()
            .map_or(rel.clone(), |p| r.root_of(p));
        let base = if root_rel == rel {
            Some(dest.clone())
        } else {
            root_rel
                .strip_prefix(&format!("{rel}/"))
                .or(if rel.is_empty() {
                    Some(root_rel.as_str())
                } else {
                    None
                })
                .map(|sub| join_path(&dest, sub))
        };
        if let (Some(base), Some(m)) = (base, r.manifest(&root_rel)) {
            for (item, why) in &m.reads {
                let crel = if root_rel.is_empty() {
                    item.clone()
                } else {
                    format!("{root_rel}/{item}")
                };
                if !bc.sends(&crel) {
                    continue;
                }
                let path = join_path(&base, item);
                if path != binary
                    && !out
                        .iter()
                        .any(|(a, _)| *a == path || path.starts_with(&format!("{a}/")))
                {
                    out.push((path, format!("read at run time: {why}")));
                }
            }
        }
    }
    out
}
